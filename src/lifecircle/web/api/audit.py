"""/api/audit: the append-only log, for sub-district admins."""

from ninja import Router

from lifecircle.ops.audit import visible_entries
from lifecircle.web.api.auth import actor
from lifecircle.web.api.schemas import AuditOut, Error

router = Router(tags=["audit 审计"])


@router.get("/audit", response={200: list[AuditOut], 422: Error})
def audit(request, model: str | None = None, object_id: str | None = None, limit: int = 100):
    """Newest first; filter by model (e.g. requests.servicerequest) and object id."""
    rows = visible_entries(actor(request))
    if model:
        rows = rows.filter(model=model)
    if object_id:
        rows = rows.filter(object_id=object_id)
    return [
        {
            "id": e.pk,
            "at": e.at,
            "actor": e.actor_label,
            "action": e.action,
            "model": e.model,
            "object_id": e.object_id,
            "before": e.before,
            "after": e.after,
            "note": e.note,
        }
        for e in rows[: max(1, min(limit, 1000))]
    ]
