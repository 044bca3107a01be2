"""/api surveys, households, proposals, councils and decisions, projects: residents' voice.

Writes go through `lifecircle.ops` services (permissions and audit live there); the household
register and individual contributions are committee staff only, accounts show totals."""

import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lifecircle.ops import deliberation, projects, surveys
from lifecircle.ops.errors import Invalid
from lifecircle.ops.survey_form import SurveyError, read_xlsform
from lifecircle.web.api.auth import actor
from lifecircle.web.api.schemas import Error, IdOut, PartyCode

router = Router(tags=["voice 居民议事"])
ERRORS = {403: Error, 404: Error, 409: Error, 422: Error}
SourceCode = Literal["residents", "grant", "subdistrict", "other"]


def _saved(upload: UploadedFile, folder: str) -> Path:
    path = Path(folder) / Path(upload.name or "upload.xlsx").name
    path.write_bytes(upload.read())
    return path


class SurveyOut(Schema):
    id: int
    title: str
    unit_id: int
    opens_at: datetime
    closes_at: datetime
    token: str
    answers: int


def survey_out(survey) -> dict:
    return {
        "id": survey.pk,
        "title": survey.title,
        "unit_id": survey.unit_id,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "token": survey.token,
        "answers": survey.responses.count(),
    }


@router.get("/surveys", response={200: list[SurveyOut]})
def survey_list(request):
    return [survey_out(s) for s in surveys.public_surveys()[:500]]


@router.post("/surveys", response={201: SurveyOut, **ERRORS})
def survey_create(
    request,
    form: File[UploadedFile],
    unit_id: Form[int],
    opens_at: Form[datetime],
    closes_at: Form[datetime],
    services_question: Form[str] = "",
):
    """A survey from an XLSForm workbook (survey, choices, settings sheets)."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            definition = read_xlsform(_saved(form, folder))
        except SurveyError as exc:
            raise Invalid(str(exc), "form") from None
    survey = surveys.create_survey(
        actor(request), unit_id, definition, opens_at, closes_at, services_question
    )
    return Status(201, survey_out(survey))


class AnswerIn(Schema):
    answers: dict[str, str]
    household: str = ""
    phone: str = ""
    channel: Literal["paper", "door"] = "paper"


@router.post("/surveys/{survey_id}/answers", response={201: IdOut, **ERRORS})
def survey_answer(request, survey_id: int, payload: AnswerIn):
    """Staff enter a paper or door-to-door answer (the channel is recorded)."""
    response = surveys.submit_answer(
        surveys.survey(survey_id),
        payload.answers,
        actor=actor(request),
        household_code=payload.household,
        phone=payload.phone,
        channel=payload.channel,
    )
    return Status(201, {"id": response.pk})


class ImportOut(Schema):
    imported: int


@router.post("/surveys/{survey_id}/import", response={200: ImportOut, **ERRORS})
def survey_import(request, survey_id: int, file: File[UploadedFile]):
    """A 问卷星 or XLSForm export: every row or none; errors name file, row and question."""
    with tempfile.TemporaryDirectory() as folder:
        return {"imported": surveys.import_answers(actor(request), survey_id, _saved(file, folder))}


class ResultRow(Schema):
    group_by: str
    group: str
    question: str
    option: str
    count: int
    share: float | None
    share_low: float | None
    share_high: float | None
    weighted_share: float | None
    weighted_low: float | None
    weighted_high: float | None
    answered: int
    label: str
    mean: float | None


@router.get("/surveys/{survey_id}/results", response={200: list[ResultRow], **ERRORS})
def survey_results(request, survey_id: int):
    """Counts and shares (95% Wilson intervals), overall, by age group and by compound."""
    table = surveys.survey_results(surveys.survey(survey_id)).results
    table = table.astype(object).where(table.notna(), None)
    return table.to_dict("records")


class HouseholdIn(Schema):
    code: str = Field(min_length=1, max_length=32)
    floor_area_m2: Decimal = Field(gt=0)
    owner_name: str = ""
    address: str = ""
    compound_id: str = ""


class HouseholdsIn(Schema):
    unit_id: int
    households: list[HouseholdIn]


class HouseholdOut(Schema):
    id: int
    unit_id: int
    code: str
    floor_area_m2: Decimal
    owner_name: str
    compound_id: str


@router.post("/households", response={201: list[IdOut], **ERRORS})
def household_add(request, payload: HouseholdsIn):
    made = deliberation.register_households(
        actor(request), payload.unit_id, [h.dict() for h in payload.households]
    )
    return Status(201, [{"id": h.pk} for h in made])


@router.get("/households", response={200: list[HouseholdOut]})
def household_list(request):
    """The register: committee staff and the sub-district only (others get an empty list)."""
    return list(deliberation.visible_households(actor(request))[:5000])


class ProposalIn(Schema):
    unit_id: int
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1)
    place: str = ""


class CommentIn(Schema):
    body: str = Field(min_length=1)


class SupportIn(Schema):
    household: str = Field(min_length=1)


@router.post("/proposals", response={201: IdOut, **ERRORS})
def proposal_create(request, payload: ProposalIn):
    data = payload.dict()
    item = deliberation.create_proposal(actor(request), data.pop("unit_id"), **data)
    return Status(201, {"id": item.pk})


@router.post("/proposals/{proposal_id}/comments", response={201: IdOut, **ERRORS})
def proposal_comment(request, proposal_id: int, payload: CommentIn):
    return Status(201, {"id": deliberation.comment(actor(request), proposal_id, payload.body).pk})


@router.post("/proposals/{proposal_id}/supports", response={201: IdOut, **ERRORS})
def proposal_support(request, proposal_id: int, payload: SupportIn):
    return Status(
        201, {"id": deliberation.support(actor(request), proposal_id, payload.household).pk}
    )


class CouncilIn(Schema):
    unit_id: int
    held_on: date
    title: str = Field(min_length=1, max_length=200)
    agenda: str = Field(min_length=1)
    attendance: list[str] = []
    minutes: str = ""


class ActionIn(Schema):
    text: str = Field(min_length=1, max_length=200)
    owner_party: PartyCode | Literal[""] = ""
    due: date | None = None


class DecisionIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    proposal_id: int | None = None
    votes_for: int = Field(0, ge=0)
    votes_against: int = Field(0, ge=0)
    votes_abstain: int = Field(0, ge=0)
    civil_code_item: int | None = Field(None, ge=1, le=9)
    owner_votes: dict[str, Literal["for", "against", "abstain"]] = {}
    actions: list[ActionIn] = []


class DecisionOut(Schema):
    id: int
    passed: bool
    votes_for: int
    votes_against: int
    votes_abstain: int
    count: dict


@router.post("/councils", response={201: IdOut, **ERRORS})
def council_create(request, payload: CouncilIn):
    data = payload.dict()
    council = deliberation.hold_council(actor(request), data.pop("unit_id"), **data)
    return Status(201, {"id": council.pk})


@router.post("/councils/{council_id}/decisions", response={201: DecisionOut, **ERRORS})
def decision_create(request, council_id: int, payload: DecisionIn):
    """A council vote, or an owners' decision counted under Civil Code art. 278."""
    decision = deliberation.decide(
        actor(request),
        council_id,
        title=payload.title,
        proposal_id=payload.proposal_id,
        votes=(payload.votes_for, payload.votes_against, payload.votes_abstain),
        civil_code_item=payload.civil_code_item,
        owner_votes=payload.owner_votes or None,
        actions=[a.dict() for a in payload.actions],
    )
    return Status(201, decision)


class ProjectIn(Schema):
    unit_id: int
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1)
    station_id: int | None = None


class ConsultIn(Schema):
    survey_id: int | None = None
    decision_id: int | None = None


class BudgetIn(Schema):
    lines: dict[SourceCode, Decimal]


class ContributionIn(Schema):
    source: SourceCode
    amount: Decimal = Field(gt=0)
    receipt_no: str = Field(min_length=1, max_length=64)
    received_on: date
    household: str = ""
    contributor: str = ""


class ExpenseIn(Schema):
    description: str = Field(min_length=1, max_length=200)
    payee: str = Field(min_length=1, max_length=100)
    amount: Decimal = Field(gt=0)
    spent_on: date
    evidence: str = Field(min_length=1, max_length=200)


class AcceptIn(Schema):
    note: str = Field(min_length=1)


class SourceOut(Schema):
    source: str
    label: str
    budget: Decimal
    budget_share: float | None
    received: Decimal


class AccountOut(Schema):
    stage: str
    planned: Decimal
    received: Decimal
    spent: Decimal
    balance: Decimal
    sources: list[SourceOut]


class ContributionOut(Schema):
    id: int
    source: str
    household_code: str
    contributor: str
    amount: Decimal
    receipt_no: str
    received_on: date


def account_out(item) -> dict:
    account = projects.public_account(item)
    return {"stage": item.stage, **account}


@router.post("/projects", response={201: IdOut, **ERRORS})
def project_create(request, payload: ProjectIn):
    data = payload.dict()
    return Status(
        201, {"id": projects.create_project(actor(request), data.pop("unit_id"), **data).pk}
    )


@router.post("/projects/{project_id}/consult", response={200: AccountOut, **ERRORS})
def project_consult(request, project_id: int, payload: ConsultIn):
    return account_out(projects.consult(actor(request), project_id, **payload.dict()))


@router.post("/projects/{project_id}/budget", response={200: AccountOut, **ERRORS})
def project_budget(request, project_id: int, payload: BudgetIn):
    return account_out(projects.set_budget(actor(request), project_id, payload.lines))


@router.post("/projects/{project_id}/contributions", response={201: IdOut, **ERRORS})
def project_contribution(request, project_id: int, payload: ContributionIn):
    data = payload.dict()
    data["household_code"] = data.pop("household")
    return Status(201, {"id": projects.add_contribution(actor(request), project_id, **data).pk})


@router.post("/projects/{project_id}/expenses", response={201: IdOut, **ERRORS})
def project_expense(request, project_id: int, payload: ExpenseIn):
    return Status(
        201, {"id": projects.add_expense(actor(request), project_id, **payload.dict()).pk}
    )


@router.post("/projects/{project_id}/accept", response={200: AccountOut, **ERRORS})
def project_accept(request, project_id: int, payload: AcceptIn):
    return account_out(projects.accept(actor(request), project_id, payload.note))


@router.get("/projects/{project_id}/account", response={200: AccountOut, **ERRORS})
def project_account(request, project_id: int):
    """The public account: totals by source, spending and balance."""
    return account_out(projects.project(project_id))


@router.get("/projects/{project_id}/contributions", response={200: list[ContributionOut], **ERRORS})
def project_contributions(request, project_id: int):
    """Individual contributions: committee staff only (403 for others who see the project)."""
    return [
        {
            "id": c.pk,
            "source": c.source,
            "household_code": c.household.code if c.household else "",
            "contributor": c.contributor,
            "amount": c.amount,
            "receipt_no": c.receipt_no,
            "received_on": c.received_on,
        }
        for c in projects.contributions(actor(request), project_id)
    ]
