"""公共议事 services: the household register (committee staff only), proposals, comments,
supports (one per household), council meetings, decisions with vote counts or owners' consent
(Civil Code art. 278) and their action items, tracked in public."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from lifecircle.ops.access import MANAGERS, Actor, managed_unit
from lifecircle.ops.audit import save_audited, snapshot
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.ops.files import checked_image_suffix
from lifecircle.ops.owners_consent import ITEMS, ConsentError, count_consent
from lifecircle.store.deliberation.models import (
    Comment,
    CouncilMeeting,
    Decision,
    DecisionAction,
    Household,
    OwnerVote,
    Proposal,
    Support,
)
from lifecircle.store.inspections.models import ActionItem, Meeting
from lifecircle.store.org.models import OrgUnit


def register_households(actor: Actor, unit_id: int, rows: list[dict]) -> list[Household]:
    """Add homes to a committee's register: code, floor_area_m2, optional owner_name, address,
    compound_id. All or none; an error names the row (from 1) and the field."""
    unit = managed_unit(actor, unit_id, "名册由居委会维护 the register is kept by committee staff")
    made = []
    with transaction.atomic():
        for n, row in enumerate(rows, start=1):
            try:
                area = Decimal(str(row.get("floor_area_m2", "")))
            except InvalidOperation:
                raise Invalid(
                    f"第{n}行 row {n}: floor_area_m2: 应为数字 not a number", "floor_area_m2"
                ) from None
            household = Household(
                unit=unit,
                code=str(row.get("code", "")).strip().upper(),
                floor_area_m2=area,
                owner_name=row.get("owner_name", ""),
                address=row.get("address", ""),
                compound_id=str(row.get("compound_id", "")),
            )
            try:
                made.append(save_audited(actor, "household.create", household, unit=unit))
            except (Invalid, Conflict) as exc:
                raise type(exc)(f"第{n}行 row {n}: {exc.message}", exc.field) from None
    return made


def visible_households(actor: Actor) -> QuerySet:
    """The register, for committee staff and the sub-district only."""
    return Household.objects.filter(actor.scope(MANAGERS, "unit"))


def households_of(unit: OrgUnit) -> QuerySet:
    """Homes registered on this unit, below it, or on the committee above a station."""
    return Household.objects.filter(
        Q(unit__path__startswith=unit.path) | Q(unit_id__in=unit.ancestors_and_self()[1:])
    )


def public_proposals() -> QuerySet:
    return Proposal.objects.select_related("unit").annotate(
        support_count=Count("supports", distinct=True),
        comment_count=Count("comments", distinct=True),
    )


def proposal(proposal_id: int) -> Proposal:
    found = public_proposals().filter(pk=proposal_id).first()
    if found is None:
        raise NotFound(f"议题不存在 unknown proposal {proposal_id}")
    return found


def _signed_in(actor: Actor) -> None:
    if actor.user is None:
        raise Forbidden("请先登录 please sign in")


def create_proposal(
    actor: Actor,
    unit_id: int,
    *,
    title: str,
    body: str,
    place: str = "",
    lat=None,
    lon=None,
    photo=None,
) -> Proposal:
    """A proposal by a resident or staff member of the unit (any role on it)."""
    _signed_in(actor)
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None or not actor.roles_on(unit):
        raise NotFound(f"unit_id: 单位不存在 unknown unit {unit_id}", "unit_id")
    item = Proposal(
        unit=unit, title=title, body=body, place=place, lat=lat, lon=lon, author=actor.user
    )
    if photo is not None:
        photo.name = f"proposal{checked_image_suffix(photo)}"
        item.photo = photo
    with transaction.atomic():
        return save_audited(actor, "proposal.create", item, unit=unit)


def comment(actor: Actor, proposal_id: int, body: str) -> Comment:
    _signed_in(actor)
    item = proposal(proposal_id)
    if not body.strip():
        raise Invalid("body: 评论不能为空 a comment needs text", "body")
    with transaction.atomic():
        return save_audited(
            actor,
            "proposal.comment",
            Comment(proposal=item, author=actor.user, body=body),
            unit=item.unit,
        )


def support(actor: Actor, proposal_id: int, household_code: str) -> Support:
    """One support per household of the register (the code is checked, not shown)."""
    _signed_in(actor)
    item = proposal(proposal_id)
    household = households_of(item.unit).filter(code=household_code.strip().upper()).first()
    if household is None:
        raise Invalid("household: 户号不在名册中 household code not in the register", "household")
    try:
        with transaction.atomic():
            return save_audited(
                actor,
                "proposal.support",
                Support(proposal=item, household=household),
                unit=item.unit,
            )
    except Conflict:
        raise Conflict(
            "household: 这一户已经支持过 this household already supports it", "household"
        ) from None


def hold_council(
    actor: Actor,
    unit_id: int,
    *,
    held_on: date,
    title: str,
    agenda: str,
    attendance: list[str],
    minutes: str = "",
) -> CouncilMeeting:
    """议事会: agenda, attendance and minutes (on the shared meetings)."""
    unit = managed_unit(
        actor, unit_id, "议事会由居委会召集 councils are convened by committee staff"
    )
    with transaction.atomic():
        meeting = save_audited(
            actor,
            "council.meeting",
            Meeting(unit=unit, held_on=held_on, title=title, minutes=minutes),
            unit=unit,
        )
        return save_audited(
            actor,
            "council.create",
            CouncilMeeting(meeting=meeting, agenda=agenda, attendance=list(attendance)),
            unit=unit,
        )


def decide(
    actor: Actor,
    council_id: int,
    *,
    title: str,
    proposal_id: int | None = None,
    votes: tuple[int, int, int] = (0, 0, 0),
    civil_code_item: int | None = None,
    owner_votes: dict[str, str] | None = None,
    actions: list[dict] = (),
) -> Decision:
    """Record a decision: a council vote (for, against, abstain; passes with more for than
    half of the votes cast) or, with `civil_code_item`, an owners' decision counted from the
    register under art. 278 (`owner_votes`: household code → for/against/abstain). Each action
    (text, owner_party, due) becomes an action item of the meeting, tracked in public."""
    council = CouncilMeeting.objects.select_related("meeting__unit").filter(pk=council_id).first()
    if council is None or not actor.roles_on(council.meeting.unit):
        raise NotFound(f"议事会不存在 unknown council meeting {council_id}")
    unit = council.meeting.unit
    if not actor.has(MANAGERS, unit):
        raise Forbidden("只有居委会可以记录决定 only committee staff record decisions")
    item = proposal(proposal_id) if proposal_id else None
    count: dict = {}
    with transaction.atomic():
        if civil_code_item is not None:
            register = list(households_of(unit))
            by_code = {h.code: h for h in register}
            unknown = [c for c in (owner_votes or {}) if c.strip().upper() not in by_code]
            if unknown:
                raise Invalid(
                    f"owner_votes: 户号不在名册中 not in the register: {unknown[0]}", "owner_votes"
                )
            chosen = {c.strip().upper(): v for c, v in (owner_votes or {}).items()}
            try:
                result = count_consent(
                    [(h.code, h.floor_area_m2, chosen.get(h.code)) for h in register],
                    civil_code_item,
                )
            except ConsentError as exc:
                raise Invalid(f"owner_votes: {exc}", "owner_votes") from None
            passed = result.passed
            tally = [
                sum(1 for v in chosen.values() if v == k) for k in ("for", "against", "abstain")
            ]
            count = {
                "item": civil_code_item,
                "item_text": ITEMS[civil_code_item],
                "rule": result.rule,
                "quorum": result.quorum,
                "participation_area": result.participation_area_share,
                "participation_heads": result.participation_head_share,
                "approval_area": result.approval_area_share,
                "approval_heads": result.approval_head_share,
                "total_heads": result.total_heads,
                "total_area_m2": float(result.total_area),
            }
            kind = Decision.Kind.OWNERS
        else:
            tally = list(votes)
            if any(v < 0 for v in tally):
                raise Invalid("votes: 票数不能为负 votes cannot be negative", "votes")
            passed = tally[0] * 2 > sum(tally)
            kind = Decision.Kind.COUNCIL
        decision = save_audited(
            actor,
            "decision.create",
            Decision(
                council=council,
                proposal=item,
                title=title,
                kind=kind,
                civil_code_item=civil_code_item,
                votes_for=tally[0],
                votes_against=tally[1],
                votes_abstain=tally[2],
                count=count,
                passed=passed,
            ),
            unit=unit,
        )
        if civil_code_item is not None:
            for h in register:
                if h.code in chosen:
                    save_audited(
                        actor,
                        "decision.owner_vote",
                        OwnerVote(decision=decision, household=h, choice=chosen[h.code]),
                        unit=unit,
                    )
        for n, spec in enumerate(actions):
            try:
                action = save_audited(
                    actor,
                    "decision.action",
                    ActionItem(
                        meeting=council.meeting,
                        text=spec.get("text", ""),
                        owner_party=spec.get("owner_party", ""),
                        due=spec.get("due"),
                    ),
                    unit=unit,
                )
            except Invalid as exc:
                raise Invalid(f"actions[{n}].{exc.message}", f"actions[{n}].{exc.field}") from None
            save_audited(
                actor,
                "decision.action_link",
                DecisionAction(decision=decision, action=action),
                unit=unit,
            )
        if item is not None:
            before = snapshot(item)
            item.status = Proposal.Status.ACCEPTED if passed else Proposal.Status.REJECTED
            save_audited(actor, "proposal.status", item, unit=item.unit, before=before)
    return decision


def accountability() -> list[dict]:
    """Every decision with its action items and progress (public: no votes by household)."""
    out = []
    decisions = Decision.objects.select_related(
        "council__meeting__unit", "proposal"
    ).prefetch_related("actions__action")
    for d in decisions:
        actions = [link.action for link in d.actions.all()]
        done = sum(1 for a in actions if a.done)
        out.append(
            {
                "decision": d,
                "actions": actions,
                "done": done,
                "progress": done / len(actions) if actions else None,
            }
        )
    return out
