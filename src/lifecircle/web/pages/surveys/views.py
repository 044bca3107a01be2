"""Surveys: list, the answer page behind the link / QR code (no account), results with SVG
charts, xlsx exports (results and the XLSForm), staff tools (paper answers, import)."""

import io
import math
import tempfile
from pathlib import Path

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from lifecircle.ops import surveys as ops
from lifecircle.ops.access import MANAGERS
from lifecircle.ops.errors import Conflict, Forbidden, Invalid, NotFound, OpsError
from lifecircle.ops.otp import issue_code
from lifecircle.ops.survey_form import Form, SurveyError, read_xlsform, write_xlsform
from lifecircle.ops.survey_tally import most_wanted, search_text
from lifecircle.store.org.models import OrgUnit
from lifecircle.store.surveys.models import Channel, Survey
from lifecircle.web.pages.common import actor, choices, scoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUP_BY_LABELS = {"all": "全部 all", "age_group": "年龄组 age group", "compound": "小区 compound"}


def _survey(survey_id: int) -> Survey:
    try:
        return ops.survey(survey_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def survey_list(request: HttpRequest) -> HttpResponse:
    items = list(ops.public_surveys())
    for s in items:
        s.answer_count = s.responses.count()
    can_create = bool(actor(request).paths(MANAGERS))
    return render(request, "pages/surveys/list.html", {"surveys": items, "can_create": can_create})


@login_required
@scoped
def survey_new(request: HttpRequest) -> HttpResponse:
    """Start a survey from an XLSForm workbook: audience unit, open and close dates."""
    who = actor(request)
    units = [u for u in OrgUnit.objects.all() if who.has(MANAGERS, u)]
    if not units:
        raise Forbidden("只有居委会或街道可以发起问卷 only committee staff start surveys")
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("form")
        opens = parse_datetime(request.POST.get("opens_at", "") or "")
        closes = parse_datetime(request.POST.get("closes_at", "") or "")
        try:
            if upload is None:
                raise Invalid("form: 请选择 XLSForm 文件 choose an XLSForm file", "form")
            if opens is None or closes is None:
                raise Invalid(
                    "opens_at: 请填写开始和截止时间 give the open and close times", "opens_at"
                )
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / Path(upload.name).name
                path.write_bytes(upload.read())
                try:
                    definition = read_xlsform(path)
                except SurveyError as exc:
                    raise Invalid(str(exc), "form") from None
            tz = timezone.get_current_timezone()
            survey = ops.create_survey(
                who,
                int(request.POST.get("unit") or 0),
                definition,
                timezone.make_aware(opens, tz) if timezone.is_naive(opens) else opens,
                timezone.make_aware(closes, tz) if timezone.is_naive(closes) else closes,
                request.POST.get("services_question", "").strip(),
            )
        except (NotFound, Forbidden):
            raise
        except (OpsError, SurveyError) as exc:
            error = getattr(exc, "message", str(exc))
        else:
            return redirect("pages:survey", survey_id=survey.pk)
    return render(
        request,
        "pages/surveys/new.html",
        {"units": units, "error": error},
        status=422 if error else 200,
    )


def _answers_from_post(form: Form, data) -> dict:
    """The posted fields as answers in the XLSForm convention (space-separated picks)."""
    answers = {}
    for q in form.answerable():
        if q.type == "select_multiple":
            answers[q.name] = " ".join(data.getlist(q.name))
        elif q.type == "rank":
            picks = [data.get(f"{q.name}__{i}", "") for i in (1, 2, 3)]
            answers[q.name] = " ".join(dict.fromkeys(p for p in picks if p))
        else:
            answers[q.name] = data.get(q.name, "").strip()
    return answers


def _fields(form: Form, answers: dict) -> list[dict]:
    """Questions ready for the template, with what was already picked."""
    out = []
    for q in form.questions:
        given = answers.get(q.name, "")
        field = {"q": q, "given": given, "picked": given.split()}
        if q.type == "range":
            low, high = q.rating_range()
            field["scale"] = [str(v) for v in range(low, high + 1)]
        if q.type == "rank":
            field["ranks"] = [
                (i, field["picked"][i - 1] if len(field["picked"]) >= i else "") for i in (1, 2, 3)
            ]
        out.append(field)
    return out


def _answer_page(request, survey: Survey, answers: dict, status: int = 200, staff: bool = False):
    form = ops.survey_form(survey)
    return render(
        request,
        "pages/surveys/answer.html",
        {
            "survey": survey,
            "fields": _fields(form, answers),
            "is_open": survey.is_open(),
            "staff": staff,
            "channels": choices(
                [(c, label) for c, label in Channel.choices if c in ops.STAFF_CHANNELS]
            ),
            "phone": request.POST.get("phone", request.session.get("survey_phone", "")),
            "household": request.POST.get("household", ""),
        },
        status=status,
    )


def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The public answer page: a household code, or a phone with a one-time code."""
    try:
        survey = ops.survey_by_token(token)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if request.method != "POST":
        return _answer_page(request, survey, {})
    form = ops.survey_form(survey)
    answers = _answers_from_post(form, request.POST)
    try:
        ops.submit_answer(
            survey,
            answers,
            household_code=request.POST.get("household", ""),
            phone=request.POST.get("phone", ""),
            otp_code=request.POST.get("otp_code", ""),
        )
    except OpsError as exc:
        messages.error(request, exc.message)
        return _answer_page(
            request, survey, answers, status=409 if isinstance(exc, Conflict) else 422
        )
    return render(request, "pages/surveys/thanks.html", {"survey": survey})


@require_POST
def send_code(request: HttpRequest, token: str) -> HttpResponse:
    """Send a one-time code to the phone (console SMS in the demo)."""
    try:
        survey = ops.survey_by_token(token)
    except NotFound as exc:
        raise Http404(exc.message) from None
    phone = request.POST.get("phone", "")
    try:
        issue_code(phone, ops.OTP_PURPOSE)
        messages.success(request, "验证码已发送 A code was sent")
        request.session["survey_phone"] = phone  # prefilled on the form, kept out of URLs and logs
    except Invalid as exc:
        messages.error(request, exc.message)
    return redirect("pages:survey_answer", token=survey.token)


@scoped
def paper(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Staff enter a paper (or door-to-door) answer; the channel is recorded."""
    survey = _survey(survey_id)
    who = actor(request)
    if not ops.collects_answers(who, survey):
        raise Forbidden("纸质答卷由居委会工作人员录入 paper answers are entered by staff")
    if request.method != "POST":
        return _answer_page(request, survey, {}, staff=True)
    answers = _answers_from_post(ops.survey_form(survey), request.POST)
    try:
        ops.submit_answer(
            survey,
            answers,
            actor=who,
            household_code=request.POST.get("household", ""),
            phone=request.POST.get("phone", ""),
            channel=request.POST.get("channel", Channel.PAPER),
        )
    except (NotFound, Forbidden):
        raise
    except OpsError as exc:
        messages.error(request, exc.message)
        return _answer_page(request, survey, answers, status=exc.status, staff=True)
    messages.success(request, "已录入 answer recorded")
    return redirect("pages:survey_paper", survey_id=survey.pk)


@require_POST
@scoped
def import_file(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Import a 问卷星 or XLSForm export (all rows or none)."""
    survey = _survey(survey_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "file: 请选择文件 choose a file")
        return redirect("pages:survey", survey_id=survey.pk)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.read())
        try:
            count = ops.import_answers(actor(request), survey.pk, path)
        except (NotFound, Forbidden):
            raise
        except OpsError as exc:
            messages.error(request, exc.message)
            return redirect("pages:survey", survey_id=survey.pk)
    messages.success(request, f"已导入 {count} 份 imported {count} answers")
    return redirect("pages:survey", survey_id=survey.pk)


def _percent(value) -> str:
    return (
        "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0%}"
    )


def _question_blocks(form: Form, rows, group_by: str = "all", group: str = "") -> list[dict]:
    blocks = []
    for q in form.answerable():
        mine = rows[
            (rows["group_by"] == group_by) & (rows["group"] == group) & (rows["question"] == q.name)
        ]
        options = []
        for r in mine.to_dict("records"):
            weighted = r["weighted_share"]
            options.append(
                {
                    "label": r["label"] or "",
                    "count": r["count"],
                    "share": _percent(r["share"]),
                    "interval": f"{_percent(r['share_low'])}–{_percent(r['share_high'])}"
                    if r["answered"]
                    else "",
                    "weighted": _percent(weighted),
                    "weighted_interval": f"{_percent(r['weighted_low'])}–{_percent(r['weighted_high'])}"
                    if not math.isnan(weighted)
                    else "",
                    "bar": 0 if math.isnan(r["share"]) else round(r["share"] * 100, 1),
                    "wbar": 0 if math.isnan(weighted) else round(weighted * 100, 1),
                }
            )
        first = mine.iloc[0] if len(mine) else None
        blocks.append(
            {
                "q": q,
                "answered": int(first["answered"]) if first is not None else 0,
                "mean": None
                if first is None or math.isnan(first["mean"])
                else f"{first['mean']:.1f}",
                "options": options
                if q.type in ("select_one", "select_multiple", "rank", "range")
                else [],
            }
        )
    return blocks


def _groups(form: Form, rows) -> list[dict]:
    """The breakdowns on offer: everyone, each age group, each compound (by their labels)."""
    labels = {}
    for name in ("age_group", "compound_id"):
        if any(q.name == name for q in form.questions):
            labels.update({c.name: c.label for c in form.question(name).choices})
    pairs = rows[["group_by", "group"]].drop_duplicates().itertuples(index=False)
    return [
        {
            "group_by": by,
            "group": group,
            "label": "全部 all" if by == "all" else labels.get(group, group),
        }
        for by, group in pairs
    ]


def survey_page(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Results (public): shares with 95% intervals, weighted by age group, charts, 呼声最高."""
    survey = _survey(survey_id)
    who = actor(request)
    form = ops.survey_form(survey)
    result = ops.survey_results(survey)
    rows = result.results
    top = []
    if survey.services_question:
        ranking = most_wanted(rows, survey.services_question)
        top = [
            {
                "rank": r["rank"],
                "label": r["label"],
                "share": _percent(
                    r["weighted_share"] if not math.isnan(r["weighted_share"]) else r["share"]
                ),
            }
            for r in ranking.to_dict("records")
        ]
    staff = ops.is_survey_staff(who, survey)
    words = request.GET.get("q", "").strip()
    found = None
    if staff and words:
        found = search_text(ops.answers_frame(survey), form, words).to_dict("records")
    link = request.build_absolute_uri(reverse("pages:survey_answer", args=[survey.token]))
    groups = _groups(form, rows)
    chosen = (request.GET.get("group_by", "all"), request.GET.get("group", ""))
    if chosen not in {(g["group_by"], g["group"]) for g in groups}:
        chosen = ("all", "")
    return render(
        request,
        "pages/surveys/results.html",
        {
            "survey": survey,
            "groups": groups,
            "chosen": chosen,
            "blocks": _question_blocks(form, rows, *chosen),
            "top": top,
            "answers": survey.responses.count(),
            "by_channel": {
                ch: survey.responses.filter(channel=c).count() for c, ch in choices(Channel.choices)
            },
            "weighted": bool(survey.population),
            "warnings": result.warnings,
            "link": link,
            "staff": staff,
            "collects": ops.collects_answers(who, survey),
            "words": words,
            "found": found,
        },
    )


def qr_code(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The answer link as a QR code (SVG, made offline by segno)."""
    survey = _survey(survey_id)
    link = request.build_absolute_uri(reverse("pages:survey_answer", args=[survey.token]))
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=6, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


def results_xlsx(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Every row of the tally (overall, by age group, by compound), shares as fractions."""
    survey = _survey(survey_id)
    rows = ops.survey_results(survey).results
    form = ops.survey_form(survey)
    labels = {q.name: q.label for q in form.questions}
    group_labels = {(g["group_by"], g["group"]): g["label"] for g in _groups(form, rows)}
    rows = rows.assign(
        question_label=rows["question"].map(labels),
        group=[group_labels[(b, g)] for b, g in zip(rows["group_by"], rows["group"], strict=True)],
        group_by=rows["group_by"].map(GROUP_BY_LABELS),
    )
    sheet = rows.rename(
        columns={
            "group_by": "分组 group by",
            "group": "组 group",
            "question_label": "题目 question",
            "label": "选项 option",
            "answered": "作答人数 answered",
            "count": "选择人数 count",
            "share": "比例 share",
            "share_low": "95%下限 low",
            "share_high": "95%上限 high",
            "weighted_share": "加权比例 weighted share",
            "weighted_low": "加权下限 weighted low",
            "weighted_high": "加权上限 weighted high",
            "mean": "平均 mean",
        }
    ).drop(columns=["question", "option"])
    buffer = io.BytesIO()
    sheet.to_excel(buffer, index=False, sheet_name="results")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-results.xlsx"'
    return response


def form_xlsx(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The questionnaire as an XLSForm (for KoboCollect / ODK Collect offline)."""
    survey = _survey(survey_id)
    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsform(ops.survey_form(survey), Path(folder) / "form.xlsx")
        data = path.read_bytes()
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-xlsform.xlsx"'
    return response
