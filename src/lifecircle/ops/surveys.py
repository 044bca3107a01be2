"""Survey services: create, answer (online by household code or checked phone, paper by staff),
import (问卷星, XLSForm exports), results. Every write is audited; one answer per household or
phone is enforced by the database."""

import hashlib
import hmac
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lifecircle.ops.access import MANAGERS, STAFF_ROLES, Actor, managed_unit
from lifecircle.ops.audit import record
from lifecircle.ops.deliberation import households_of
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound
from lifecircle.ops.otp import phone_key, verify_code
from lifecircle.ops.survey_form import (
    Form,
    SurveyError,
    answers_after_close,
    check_response,
    read_answers,
)
from lifecircle.ops.survey_tally import Tally, tally
from lifecircle.store.deliberation.models import Household
from lifecircle.store.surveys.models import Channel, Survey, SurveyResponse

OTP_PURPOSE = "survey"
STAFF_CHANNELS = (Channel.PAPER, Channel.DOOR)


def _key(*parts: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), "\x1f".join(parts).encode(), hashlib.sha256
    ).hexdigest()


def household_key(code: str) -> str:
    """The stored stand-in for a household code (HMAC)."""
    return _key("household", code.strip().upper())


def create_survey(
    actor: Actor,
    unit_id: int,
    form: Form,
    opens_at,
    closes_at,
    services_question: str = "",
    population: list[dict] | None = None,
) -> Survey:
    """A survey for one station, a 居委会 or the whole 街道 (committee staff or sub-district).

    Example
    -------
    >>> create_survey(actor, committee.pk, read_xlsform("needs.xlsx"), opens, closes)  # doctest: +SKIP
    """
    unit = managed_unit(
        actor, unit_id, "只有居委会或街道可以发起问卷 only committee staff start surveys"
    )
    if closes_at <= opens_at:
        raise Invalid(
            "截止时间应晚于开始时间 the close date must follow the open date", "closes_at"
        )
    if services_question:
        try:
            question = form.question(services_question)
        except SurveyError as exc:
            raise Invalid(f"services_question: {exc.reason}", "services_question") from None
        if question.type not in ("select_one", "select_multiple", "rank"):
            raise Invalid("呼声排行需要选择题或排序题 needs a choice question", "services_question")
    with transaction.atomic():
        survey = Survey.objects.create(
            unit=unit,
            title=form.title,
            form=form.to_dict(),
            opens_at=opens_at,
            closes_at=closes_at,
            services_question=services_question,
            population=population or [],
        )
        record(actor, "survey.create", survey, before=None, unit=unit)
    return survey


def public_surveys():
    """Every survey is public: title, audience, dates and results (no individual answers)."""
    return Survey.objects.select_related("unit")


def survey(survey_id: int) -> Survey:
    found = public_surveys().filter(pk=survey_id).first()
    if found is None:
        raise NotFound(f"问卷不存在 unknown survey {survey_id}")
    return found


def survey_by_token(token: str) -> Survey:
    survey = Survey.objects.filter(token=token).select_related("unit").first()
    if survey is None:
        raise NotFound("问卷不存在 unknown survey link")
    return survey


def survey_form(survey: Survey) -> Form:
    return Form.from_dict(survey.form)


def is_survey_staff(actor: Actor, survey: Survey) -> bool:
    """Staff of the audience: on its unit, above it, or on a unit within it (a 居委会 of a
    街道-wide survey collects paper answers and reads the free text)."""
    return any(
        survey.unit.path.startswith(p) or p.startswith(survey.unit.path)
        for p in actor.paths(STAFF_ROLES)
    )


def collects_answers(actor: Actor, survey: Survey) -> bool:
    """Committee staff or the sub-district within the audience may enter paper answers."""
    return any(
        survey.unit.path.startswith(p) or p.startswith(survey.unit.path)
        for p in actor.paths(MANAGERS)
    )


def _household(survey: Survey, code: str) -> Household:
    """The household of the survey's audience with this code."""
    household = households_of(survey.unit).filter(code=code.strip().upper()).first()
    if household is None:
        raise Invalid(
            "户号不在本次调查范围的名册中 household code not in this survey's register", "household"
        )
    return household


def submit_answer(
    survey: Survey,
    answers: dict,
    *,
    actor: Actor | None = None,
    household_code: str = "",
    phone: str = "",
    otp_code: str = "",
    channel: str = Channel.ONLINE,
    now=None,
) -> SurveyResponse:
    """Record one answer. Online: a household code of the register, or a phone proved by a
    one-time code. Paper or door to door: committee staff enter it, the channel recorded.

    Raises Conflict when the survey is closed or the household / phone already answered.
    """
    actor = actor or Actor(None)
    now = now or timezone.now()
    if channel in STAFF_CHANNELS:
        if not collects_answers(actor, survey):
            raise Forbidden("纸质答卷由居委会工作人员录入 paper answers are entered by staff")
    elif channel != Channel.ONLINE:
        raise Invalid(f"渠道无效 unknown channel {channel!r}", "channel")
    if not survey.is_open(now):
        raise Conflict(
            f"问卷不在开放时间内 the survey is open {survey.opens_at:%Y-%m-%d} – "
            f"{survey.closes_at:%Y-%m-%d %H:%M}"
        )
    household = None
    if household_code.strip():
        household = _household(survey, household_code)
        key = household_key(household.code)
    elif phone.strip():
        if channel == Channel.ONLINE and not verify_code(phone, OTP_PURPOSE, otp_code):
            raise Invalid("验证码不正确或已过期 wrong or expired code", "otp_code")
        key = _key("phone", phone_key(phone))
    else:
        raise Invalid("请填写户号或手机号 give a household code or a phone number", "household")
    form = survey_form(survey)
    try:
        clean = check_response(form, answers)
    except SurveyError as exc:
        names = {q.name: q.label for q in form.questions}
        raise Invalid(
            f"{names.get(exc.question, exc.question)}: {exc.reason}", exc.question
        ) from None
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey,
                answers=clean,
                channel=channel,
                respondent_key=key,
                household=household,
                compound_id=clean.get("compound_id", "")
                or (household.compound_id if household else ""),
                submitted_at=now,
                entered_by=actor.user,
            )
            record(actor, "survey.answer", response, before=None, unit=survey.unit)
    except IntegrityError:
        raise Conflict(
            "这一户（或这个手机号）已经答过本问卷 this household or phone has already answered"
        ) from None
    return response


def import_answers(actor: Actor, survey_id: int, path: Path | str) -> int:
    """Import a 问卷星 or XLSForm export: all rows or none; errors name file, row and question.

    Rows with a `household` column are keyed by household (one answer each, also against the
    answers already stored); other rows by file and row, so the same file cannot be imported twice.
    """
    survey = Survey.objects.filter(pk=survey_id).select_related("unit").first()
    if survey is None or not actor.roles_on(survey.unit):
        raise NotFound(f"问卷不存在 unknown survey {survey_id}")
    if not actor.has(MANAGERS, survey.unit):
        raise Forbidden("只有居委会或街道可以导入答卷 only committee staff import answers")
    path = Path(path)
    try:
        frame = read_answers(survey_form(survey), path)
        answers_after_close(
            frame, timezone.localtime(survey.closes_at).replace(tzinfo=None), str(path)
        )
    except SurveyError as exc:
        raise Invalid(str(exc), exc.question or "file") from None
    names = [q["name"] for q in survey.form["questions"]]
    with transaction.atomic():
        for row in frame.to_dict("records"):
            code = str(row.get("household", "")).strip()
            household = _household(survey, code) if code else None
            key = household_key(code) if code else _key("row", path.name, str(row["source_row"]))
            if SurveyResponse.objects.filter(survey=survey, respondent_key=key).exists():
                raise Conflict(
                    f"{path.name}: 第{row['source_row']}行 row {row['source_row']}: "
                    f"household: 这一户已经答过 already answered"
                )
            response = SurveyResponse.objects.create(
                survey=survey,
                answers={n: row[n] for n in names},
                channel=Channel.WJX if row.get("channel") == Channel.WJX else Channel.IMPORT,
                respondent_key=key,
                household=household,
                compound_id=row.get("compound_id", ""),
                submitted_at=pd.Timestamp(row["submitted_at"]).tz_localize(
                    timezone.get_current_timezone()
                )
                if row.get("submitted_at")
                else timezone.now(),
                entered_by=actor.user,
            )
            record(actor, "survey.import", response, before=None, unit=survey.unit, note=path.name)
    return len(frame)


def answers_frame(survey: Survey) -> pd.DataFrame:
    """The stored answers as the library's frame (one row per response)."""
    names = [q["name"] for q in survey.form["questions"]]
    rows = [
        {
            **{n: r.answers.get(n, "") for n in names},
            "compound_id": r.answers.get("compound_id") or r.compound_id,
            "channel": r.channel,
        }
        for r in survey.responses.all()
    ]
    extra = [c for c in ("compound_id", "channel") if c not in names]
    return pd.DataFrame(rows, columns=[*names, *extra]).fillna("")


def survey_results(survey: Survey) -> Tally:
    """The tally of the stored answers, weighted when the survey carries population figures."""
    population = pd.DataFrame(survey.population) if survey.population else None
    if population is not None:
        population["compound_id"] = population["compound_id"].astype(str)
    return tally(survey_form(survey), answers_frame(survey), population)
