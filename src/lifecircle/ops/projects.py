"""自治项目 services: proposal → consultation (a survey or a decision) → budget by source →
contributions with receipts → spending with evidence → acceptance → a public account.

Stages only move forward. Individual contributions are committee staff only; the public
account shows totals by source, the spending and the balance."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from lifecircle.ops.access import MANAGERS, Actor, managed_unit
from lifecircle.ops.audit import record, save_audited, snapshot
from lifecircle.ops.deliberation import households_of
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.store.deliberation.models import Decision
from lifecircle.store.projects.models import (
    STAGE_ORDER,
    BudgetLine,
    Contribution,
    Expense,
    Project,
    Source,
    Stage,
)
from lifecircle.store.stations.models import Station
from lifecircle.store.surveys.models import Survey


def public_projects() -> QuerySet:
    return Project.objects.select_related("unit", "station")


def project(project_id: int) -> Project:
    found = public_projects().filter(pk=project_id).first()
    if found is None:
        raise NotFound(f"项目不存在 unknown project {project_id}")
    return found


def _managed(actor: Actor, project_id: int) -> Project:
    item = project(project_id)
    if not actor.roles_on(item.unit):
        raise NotFound(f"项目不存在 unknown project {project_id}")
    if not actor.has(MANAGERS, item.unit):
        raise Forbidden("项目由居委会管理 projects are managed by committee staff")
    return item


def _advance(item: Project, stage: str) -> None:
    if item.stage == Stage.ACCEPTED:
        raise Conflict("stage: 项目已验收，不能再改 the project is accepted and closed", "stage")
    if STAGE_ORDER.index(stage) > STAGE_ORDER.index(item.stage):
        item.stage = stage


def create_project(
    actor: Actor, unit_id: int, *, title: str, description: str, station_id: int | None = None
) -> Project:
    unit = managed_unit(actor, unit_id, "项目由居委会立项 projects are started by committee staff")
    station = Station.objects.filter(pk=station_id).first() if station_id else None
    if station_id and station is None:
        raise Invalid(f"station_id: 驿站不存在 unknown station {station_id}", "station_id")
    with transaction.atomic():
        return save_audited(
            actor,
            "project.create",
            Project(unit=unit, title=title, description=description, station=station),
            unit=unit,
        )


def consult(
    actor: Actor, project_id: int, *, survey_id: int | None = None, decision_id: int | None = None
) -> Project:
    """Link the consultation: a survey or a decision."""
    item = _managed(actor, project_id)
    if not survey_id and not decision_id:
        raise Invalid("survey_id: 需要一份问卷或一项决定 needs a survey or a decision", "survey_id")
    before = snapshot(item)
    if survey_id:
        item.survey = Survey.objects.filter(pk=survey_id).first()
        if item.survey is None:
            raise Invalid(f"survey_id: 问卷不存在 unknown survey {survey_id}", "survey_id")
    if decision_id:
        item.decision = Decision.objects.filter(pk=decision_id).first()
        if item.decision is None:
            raise Invalid(f"decision_id: 决定不存在 unknown decision {decision_id}", "decision_id")
    _advance(item, Stage.CONSULTATION)
    with transaction.atomic():
        return save_audited(actor, "project.consult", item, unit=item.unit, before=before)


def set_budget(actor: Actor, project_id: int, lines: dict[str, Decimal]) -> Project:
    """The budget by source (e.g. residents 70%, 自治金 grant, 街道 funds); replaces any earlier one."""
    item = _managed(actor, project_id)
    bad = [s for s in lines if s not in Source.values]
    if bad:
        raise Invalid(f"source: 未知来源 unknown source {bad[0]!r}", "source")
    before = snapshot(item)
    _advance(item, Stage.BUDGET)
    with transaction.atomic():
        for line in item.budget.all():
            old = snapshot(line)
            line.delete()
            record(actor, "project.budget_remove", line, before=old, unit=item.unit, deleted=True)
        for source, amount in lines.items():
            save_audited(
                actor,
                "project.budget",
                BudgetLine(project=item, source=source, amount=Decimal(str(amount))),
                unit=item.unit,
            )
        return save_audited(actor, "project.stage", item, unit=item.unit, before=before)


def add_contribution(
    actor: Actor,
    project_id: int,
    *,
    source: str,
    amount: Decimal,
    receipt_no: str,
    received_on: date,
    household_code: str = "",
    contributor: str = "",
) -> Contribution:
    """Money received, with its receipt number (one per receipt)."""
    item = _managed(actor, project_id)
    if not item.budget.exists():
        raise Conflict("stage: 先定预算再收款 set the budget before recording money", "stage")
    household = None
    if household_code:
        household = households_of(item.unit).filter(code=household_code.strip().upper()).first()
        if household is None:
            raise Invalid("household: 户号不在名册中 not in the register", "household")
    before = snapshot(item)
    _advance(item, Stage.FUNDING)
    with transaction.atomic():
        entry = save_audited(
            actor,
            "project.contribution",
            Contribution(
                project=item,
                source=source,
                household=household,
                contributor=contributor,
                amount=Decimal(str(amount)),
                receipt_no=receipt_no,
                received_on=received_on,
                recorded_by=actor.user,
            ),
            unit=item.unit,
        )
        save_audited(actor, "project.stage", item, unit=item.unit, before=before)
    return entry


def _sum(query) -> Decimal:
    return query.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def add_expense(
    actor: Actor,
    project_id: int,
    *,
    description: str,
    payee: str,
    amount: Decimal,
    spent_on: date,
    evidence: str,
) -> Expense:
    """Spending with its evidence; refused when it would exceed the money received."""
    item = _managed(actor, project_id)
    amount = Decimal(str(amount))
    if not evidence.strip():
        raise Invalid("evidence: 支出须附凭证 spending needs evidence", "evidence")
    balance = _sum(item.contributions) - _sum(item.expenses)
    if amount > balance:
        raise Conflict(
            f"amount: 超出到账余额 exceeds the money received (balance {balance} 元)", "amount"
        )
    before = snapshot(item)
    _advance(item, Stage.SPENDING)
    with transaction.atomic():
        entry = save_audited(
            actor,
            "project.expense",
            Expense(
                project=item,
                description=description,
                payee=payee,
                amount=amount,
                spent_on=spent_on,
                evidence=evidence,
                recorded_by=actor.user,
            ),
            unit=item.unit,
        )
        save_audited(actor, "project.stage", item, unit=item.unit, before=before)
    return entry


def accept(actor: Actor, project_id: int, note: str) -> Project:
    """Acceptance (验收) after spending; the project is then closed."""
    item = _managed(actor, project_id)
    if not item.expenses.exists():
        raise Conflict("stage: 尚无支出，不能验收 nothing spent yet", "stage")
    before = snapshot(item)
    _advance(item, Stage.ACCEPTED)
    item.acceptance_note, item.accepted_at = note, timezone.now()
    with transaction.atomic():
        return save_audited(actor, "project.accept", item, unit=item.unit, before=before)


def public_account(item: Project) -> dict:
    """Totals anyone may see: budget and money received by source, spending, balance."""
    budget = {line.source: line.amount for line in item.budget.all()}
    planned = sum(budget.values(), Decimal("0"))
    received = {
        row["source"]: row["total"]
        for row in item.contributions.values("source").annotate(total=Sum("amount"))
    }
    spent = _sum(item.expenses)
    total_received = sum(received.values(), Decimal("0"))
    sources = [
        {
            "source": source,
            "label": label,
            "budget": budget.get(source, Decimal("0")),
            "budget_share": float(budget.get(source, 0) / planned) if planned else None,
            "received": received.get(source, Decimal("0")),
        }
        for source, label in Source.choices
        if source in budget or source in received
    ]
    return {
        "sources": sources,
        "planned": planned,
        "received": total_received,
        "spent": spent,
        "balance": total_received - spent,
        "expenses": list(
            item.expenses.values("description", "payee", "amount", "spent_on", "evidence")
        ),
    }


def contributions(actor: Actor, project_id: int) -> QuerySet:
    """Individual contributions: committee staff of the project's unit only."""
    item = _managed(actor, project_id)
    return item.contributions.select_related("household")
