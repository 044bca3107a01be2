"""/api/inspections: plans, tasks, results, rectification orders; /api/meetings."""

from ninja import File, Router, Status
from ninja.files import UploadedFile

from lifecircle.ops import inspections as ops
from lifecircle.ops.errors import NotFound
from lifecircle.store.inspections.models import ChecklistTemplate
from lifecircle.web.api.auth import actor
from lifecircle.web.api.schemas import (
    Error,
    EvidenceIn,
    GenerateIn,
    IdOut,
    InspectionIn,
    MeetingIn,
    OrderOut,
    PlanIn,
    ReinspectIn,
    TaskOut,
)

router = Router(tags=["inspections 安全检查"])
ERRORS = {403: Error, 404: Error, 409: Error, 422: Error}


def task_out(task) -> dict:
    return {
        "id": task.pk,
        "station_id": task.station_id,
        "station_name": task.station.name,
        "template": task.template.name,
        "mode": task.mode,
        "due_date": task.due_date,
        "status": task.status,
    }


def order_out(order) -> dict:
    return {
        "id": order.pk,
        "station_id": order.station_id,
        "item": order.result.item.text,
        "deadline": order.deadline,
        "responsible_party": order.responsible_party,
        "status": order.status,
        "evidence": order.evidence,
        "reinspection_note": order.reinspection_note,
    }


@router.get("/inspections/templates", response={200: list[dict], **ERRORS})
def templates(request):
    """Checklists (food, fire, building) with their items."""
    return [
        {
            "id": t.pk,
            "kind": t.kind,
            "name": t.name,
            "items": [{"id": i.pk, "text": i.text} for i in t.items.all()],
        }
        for t in ChecklistTemplate.objects.prefetch_related("items")
    ]


@router.post("/inspections/plans", response={201: IdOut, **ERRORS})
def create_plan(request, payload: PlanIn):
    data = payload.dict()
    return Status(201, ops.create_plan(actor(request), data.pop("station_id"), **data))


@router.post("/inspections/generate", response={201: list[TaskOut], **ERRORS})
def generate(request, payload: GenerateIn):
    """Create the tasks every plan owes up to `until`."""
    return Status(201, [task_out(t) for t in ops.generate_tasks(actor(request), payload.until)])


@router.get("/inspections/tasks", response={200: list[TaskOut], **ERRORS})
def tasks(request, overdue: bool = False):
    who = actor(request)
    rows = ops.overdue_tasks(who) if overdue else ops.visible_tasks(who)
    return [task_out(t) for t in rows[:1000]]


@router.post("/inspections/tasks/{task_id}/record", response={200: TaskOut, **ERRORS})
def record(request, task_id: int, payload: InspectionIn):
    data = payload.dict()
    return task_out(ops.record_inspection(actor(request), task_id, **data))


@router.get("/inspections/tasks/{task_id}/results", response={200: list[dict], **ERRORS})
def results(request, task_id: int):
    """The task's item results (id, item, passed, note, has photo)."""
    task = ops.visible_tasks(actor(request)).filter(pk=task_id).first()
    if task is None:
        raise NotFound(f"task_id: 检查任务不存在 no inspection task {task_id}", field="task_id")
    return [
        {
            "id": r.pk,
            "item": r.item.text,
            "passed": r.passed,
            "note": r.note,
            "photo": bool(r.photo),
        }
        for r in task.results.select_related("item")
    ]


@router.post("/inspections/results/{result_id}/photo", response={200: IdOut, **ERRORS})
def result_photo(request, result_id: int, photo: File[UploadedFile]):
    """Attach a photo to one checklist result (JPEG/PNG/WebP, at most 5 MB)."""
    return ops.add_result_photo(actor(request), result_id, photo)


@router.get("/rectifications", response={200: list[OrderOut], **ERRORS})
def orders(request, overdue: bool = False):
    who = actor(request)
    rows = ops.overdue_orders(who) if overdue else ops.visible_orders(who)
    return [order_out(o) for o in rows[:1000]]


@router.post("/rectifications/{order_id}/evidence", response={200: OrderOut, **ERRORS})
def evidence(request, order_id: int, payload: EvidenceIn):
    return order_out(ops.submit_evidence(actor(request), order_id, payload.evidence))


@router.post("/rectifications/{order_id}/reinspect", response={200: OrderOut, **ERRORS})
def reinspect(request, order_id: int, payload: ReinspectIn):
    return order_out(ops.reinspect(actor(request), order_id, **payload.dict()))


@router.post("/meetings", response={201: IdOut, **ERRORS})
def create_meeting(request, payload: MeetingIn):
    data = payload.dict()
    return Status(201, ops.create_meeting(actor(request), data.pop("unit_id"), **data))


@router.post("/meetings/actions/{action_id}/done", response={200: IdOut, **ERRORS})
def complete_action(request, action_id: int):
    return ops.complete_action(actor(request), action_id)
