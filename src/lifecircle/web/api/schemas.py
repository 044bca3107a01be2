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
