"""Typed shapes of the JSON API (validation errors name the field in `loc`)."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

Channel = Literal["counter", "phone", "resident", "staff"]
PartyCode = Literal["committee", "owners", "property"]


class FieldError(Schema):
    loc: list[str]
    msg: str


class Error(Schema):
    """Every error: a message (中文 then English) and the field it is about, when there is one."""

    detail: str
    field: str | None = None
    errors: list[FieldError] = []


class GrantOut(Schema):
    role: str
    unit_id: int
    unit_name: str


class MeOut(Schema):
    username: str
    grants: list[GrantOut]


class StationIn(Schema):
    parent_unit_id: int
    name: str = Field(min_length=1, max_length=100)
    address: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    opening_hours: str = Field("", max_length=100)
    floor_area_m2: float | None = Field(None, ge=0, le=1e6)
    functions: list[str] = []
    phone: str = Field("", max_length=32)
    description: str = ""


class StationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    address: str | None = Field(None, max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    opening_hours: str | None = Field(None, max_length=100)
    floor_area_m2: float | None = Field(None, ge=0, le=1e6)
    functions: list[str] | None = None
    phone: str | None = Field(None, max_length=32)
    description: str | None = None
    active: bool | None = None


class StationOut(Schema):
    id: int
    unit_id: int
    name: str
    address: str
    lat: float | None
    lon: float | None
    opening_hours: str
    floor_area_m2: float | None
    functions: list[str]
    phone: str
    description: str
    active: bool


class CatalogueIn(Schema):
    kind: Literal["reception", "legal", "health", "volunteer_culture", "featured"]
    title: str = Field(min_length=1, max_length=100)
    schedule: str = Field("", max_length=100)
    provider: str = Field("", max_length=100)
    service_code: str | None = None


class CatalogueOut(Schema):
    id: int
    kind: str
    title: str
    schedule: str
    provider: str
    service_code: str | None
    active: bool


class CategoryOut(Schema):
    code: str
    name_zh: str
    name_en: str
    group: str
    sla_hours: int
    warning_hours: int


class RequestIn(Schema):
    station_id: int
    service_code: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1, max_length=4000)
    channel: Channel = "resident"
    address: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    contact_name: str = Field("", max_length=100)
    phone: str = Field("", max_length=32, pattern=r"^[0-9+\- ]*$")
    email: str = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    attributes: dict[str, str | float | list[str]] = {}
    public: bool = Field(
        False, description="列入公开的 Open311 列表 list it in the public Open311 feed"
    )


class EventOut(Schema):
    at: datetime
    actor: str
    from_status: str
    to_status: str
    note: str


class RequestOut(Schema):
    id: int
    station_id: int
    station_name: str
    service_code: str
    status: str
    channel: str
    description: str
    address: str
    lat: float | None
    lon: float | None
    contact_name: str
    phone: str
    assigned_party: str
    assignee_id: int | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime
    overdue: bool
    due_soon: bool
    resolution: str
    reject_reason: str
    rating: int | None
    rating_comment: str
    closed_datetime: datetime | None
    version: int
    events: list[EventOut] = []


class VersionIn(Schema):
    version: int = Field(ge=1)
    note: str = Field("", max_length=2000)


class AssignIn(VersionIn):
    party: PartyCode
    assignee_id: int | None = None


class ResolveIn(Schema):
    version: int = Field(ge=1)
    resolution: str = Field(min_length=1, max_length=4000)


class RejectIn(Schema):
    version: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=2000)


class RateIn(Schema):
    version: int = Field(ge=1)
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=2000)


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    model: str
    object_id: str
    before: dict | None
    after: dict | None
    note: str


class DateRange(Schema):
    start: date
    end: date


class RosterIn(Schema):
    start: date
    end: date
    parties: list[PartyCode] = ["committee", "owners", "property"]
    rrule: str = Field("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA", min_length=1, max_length=200)
    task: str = Field("值班 duty", min_length=1, max_length=50)


class DutyOut(Schema):
    id: int
    station_id: int
    date: date
    task: str
    party: str
    person: str | None


class RosterOut(Schema):
    created: list[DutyOut]
    uncovered: list[date]
    holidays: list[date]


class DutyIn(Schema):
    date: date
    task: str = Field("值班 duty", min_length=1, max_length=50)
    person_id: int


class SwapIn(Schema):
    assignment_id: int
    replacement_id: int
    reason: str = Field("", max_length=200)


class DecisionIn(Schema):
    approve: bool


class SwapOut(Schema):
    id: int
    assignment_id: int
    replacement_id: int
    status: str


class HolidayIn(Schema):
    unit_id: int
    date: date
    name: str = Field(min_length=1, max_length=100)


class UnavailableIn(Schema):
    date: date
    reason: str = Field("", max_length=200)


class IdOut(Schema):
    id: int


class PlanIn(Schema):
    station_id: int
    template_id: int
    mode: Literal["self", "joint"]
    interval: Literal["monthly", "quarterly"]
    starts: date


class GenerateIn(Schema):
    until: date


class TaskOut(Schema):
    id: int
    station_id: int
    station_name: str
    template: str
    mode: str
    due_date: date
    status: str


class ItemResultIn(Schema):
    item_id: int
    passed: bool
    note: str = Field("", max_length=2000)


class InspectionIn(Schema):
    results: list[ItemResultIn]
    rectification_deadline: date | None = None
    responsible_party: PartyCode | None = None


class OrderOut(Schema):
    id: int
    station_id: int
    item: str
    deadline: date
    responsible_party: str
    status: str
    evidence: str
    reinspection_note: str


class EvidenceIn(Schema):
    evidence: str = Field(min_length=1, max_length=4000)


class ReinspectIn(Schema):
    passed: bool
    note: str = Field("", max_length=2000)
    new_deadline: date | None = None


class ActionIn(Schema):
    text: str = Field(min_length=1, max_length=200)
    owner_party: PartyCode | Literal[""] = ""
    due: date | None = None


class MeetingIn(Schema):
    unit_id: int
    held_on: date
    title: str = Field(min_length=1, max_length=200)
    minutes: str = ""
    actions: list[ActionIn] = []


class TeamIn(Schema):
    unit_id: int
    name: str = Field(min_length=1, max_length=100)
    description: str = ""


class TeamOut(Schema):
    id: int
    unit_id: int
    name: str
    description: str


class ActivityIn(Schema):
    team_id: int
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(ge=1, le=10000)
    station_id: int | None = None


class ActivityOut(Schema):
    id: int
    team: str
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    signed_up: int


class HoursIn(Schema):
    hours: float = Field(gt=0, le=24)


class HoursOut(Schema):
    username: str
    hours: float
    activities: int
