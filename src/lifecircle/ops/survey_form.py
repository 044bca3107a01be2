"""Questionnaires as XLSForm (survey / choices / settings sheets) and answers from XLSForm or
问卷星 exports, checked row by row. Pure Python + pandas + openpyxl: no database, usable in a
notebook.

Question types (XLSForm names): ``select_one L``, ``select_multiple L``, ``rank L`` (the answer
lists choice names best first; the tally counts the top 3), ``range`` with ``start=1 end=5``
(a 1–5 rating), ``integer``, ``decimal``, ``text`` and ``note``. Skip rules are XLSForm
``relevant`` expressions: ``${q} = 'x'``, ``!=``, ``<``, ``<=``, ``>``, ``>=``,
``selected(${q}, 'x')``, ``and``, ``or``, ``not(…)`` and parentheses.
"""

import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

UNREADABLE = (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException)
SELECT_TYPES = ("select_one", "select_multiple", "rank")
PLAIN_TYPES = ("range", "integer", "decimal", "text", "note")
# Filled in by the collecting app, not asked: kept for the round trip, never tallied.
META_TYPES = ("start", "end", "today", "deviceid", "username", "phonenumber", "audit", "calculate")
NOT_ASKED = ("note", *META_TYPES)
TOP_RANKS = 3
# Columns an answers file may carry besides one per question.
META_COLUMNS = ("household", "phone_key", "compound_id", "channel", "submitted_at")
WJX_META = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "总分")
WJX_EMPTY = {"(跳过)", "(空)", "", "-3", "-2"}


class SurveyError(ValueError):
    """A form or answers file cannot be used; `file`, `row` and `question` say where."""

    def __init__(self, reason: str, file: str = "", row: int | None = None, question: str = ""):
        self.reason, self.file, self.row, self.question = reason, str(file), row, question
        where = [p for p in (self.file, f"第{row}行 row {row}" if row else "", question) if p]
        super().__init__(f"{': '.join(where)}: {reason}" if where else reason)


@dataclass(frozen=True)
class Choice:
    name: str
    label: str


@dataclass
class Question:
    """One row of the survey sheet; `extra` keeps columns this module does not interpret."""

    type: str
    name: str
    label: str
    list_name: str = ""
    required: bool = False
    relevant: str = ""
    parameters: str = ""
    choices: list[Choice] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def xls_type(self) -> str:
        return f"{self.type} {self.list_name}" if self.list_name else self.type

    def choice_names(self) -> list[str]:
        return [c.name for c in self.choices]

    def label_of(self, choice_name: str) -> str:
        return next((c.label for c in self.choices if c.name == choice_name), choice_name)

    def rating_range(self) -> tuple[int, int]:
        """(start, end) of a range question (default 1–5)."""
        params = dict(re.findall(r"(\w+)\s*=\s*([-\d.]+)", self.parameters))
        return int(float(params.get("start", 1))), int(float(params.get("end", 5)))


@dataclass
class Form:
    """A questionnaire: settings plus questions in order (notes included)."""

    title: str
    form_id: str
    version: str = ""
    questions: list[Question] = field(default_factory=list)
    settings_extra: dict = field(default_factory=dict)

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise SurveyError(f"问卷中没有这道题 no such question in the form: {name!r}", question=name)

    def answerable(self) -> list[Question]:
        return [q for q in self.questions if q.type not in NOT_ASKED]

    def to_dict(self) -> dict:
        """Plain JSON (stored in the database)."""
        return {
            "title": self.title,
            "form_id": self.form_id,
            "version": self.version,
            "settings_extra": self.settings_extra,
            "questions": [
                {
                    "type": q.type,
                    "name": q.name,
                    "label": q.label,
                    "list_name": q.list_name,
                    "required": q.required,
                    "relevant": q.relevant,
                    "parameters": q.parameters,
                    "choices": [[c.name, c.label] for c in q.choices],
                    "extra": q.extra,
                }
                for q in self.questions
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Form":
        questions = [
            Question(**{**q, "choices": [Choice(n, lab) for n, lab in q["choices"]]})
            for q in data["questions"]
        ]
        return cls(
            data["title"],
            data["form_id"],
            data.get("version", ""),
            questions,
            data.get("settings_extra", {}),
        )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _sheet_rows(workbook, sheet: str, path: Path) -> list[tuple[int, dict]]:
    """(sheet row number, {header: text}) for each non-empty row of a sheet."""
    names = {n.lower(): n for n in workbook.sheetnames}
    if sheet not in names:
        return []
    rows = workbook[names[sheet]].iter_rows(values_only=True)
    header = [_cell(h) for h in next(rows, ())]
    out = []
    for number, row in enumerate(rows, start=2):
        values = {h: _cell(v) for h, v in zip(header, row, strict=False) if h}
        if any(values.values()):
            out.append((number, values))
    return out


def _label(values: dict) -> str:
    """`label`, or the first `label::language` column."""
    if values.get("label"):
        return values["label"]
    return next((v for k, v in values.items() if k.startswith("label::") and v), "")


def read_xlsform(path: Path | str) -> Form:
    """Read an XLSForm workbook; errors name the sheet row and the question.

    Groups are flattened (their questions kept, in order); metadata rows (start, end, today,
    deviceid …) and other types are refused with the row named, so nothing is dropped silently.

    Example
    -------
    >>> form = read_xlsform("needs.xlsx")  # doctest: +SKIP
    >>> [q.name for q in form.questions]  # doctest: +SKIP
    ['age_group', 'services', 'rating']
    """
    path = Path(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except UNREADABLE as exc:
        raise SurveyError(f"不是可读的 xlsx not a readable xlsx: {exc}", path) from None
    survey = _sheet_rows(workbook, "survey", path)
    if not survey:
        raise SurveyError("缺少 survey 工作表或为空 the survey sheet is missing or empty", path)
    lists: dict[str, list[Choice]] = {}
    for number, values in _sheet_rows(workbook, "choices", path):
        list_name = values.get("list_name") or values.get("list name", "")
        if not list_name or not values.get("name"):
            raise SurveyError("选项缺少 list_name 或 name a choice needs list_name and name", path)
        names = [c.name for c in lists.get(list_name, [])]
        if values["name"] in names:
            raise SurveyError(
                f"选项重复 duplicate choice {values['name']!r} in list {list_name!r}",
                f"{path} [choices]",
                number,
            )
        lists.setdefault(list_name, []).append(Choice(values["name"], _label(values)))
    settings = (
        dict(_sheet_rows(workbook, "settings", path)[0][1])
        if _sheet_rows(workbook, "settings", path)
        else {}
    )
    form = Form(
        title=settings.pop("form_title", "") or path.stem,
        form_id=settings.pop("form_id", "") or path.stem,
        version=settings.pop("version", ""),
        settings_extra=settings,
    )
    known = {"type", "name", "label", "required", "relevant", "parameters"}
    for number, values in survey:
        kind, _, list_name = values.get("type", "").partition(" ")
        list_name = list_name.strip()
        if kind in ("begin_group", "end_group", "begin group", "end group"):
            continue
        name = values.get("name", "")
        where = f"{path} [survey]"
        if kind not in SELECT_TYPES + PLAIN_TYPES + META_TYPES:
            raise SurveyError(
                f"不支持的题型 unsupported question type {kind!r}", where, number, name
            )
        if not name:
            raise SurveyError("题目缺少 name a question needs a name", where, number)
        if any(q.name == name for q in form.questions):
            raise SurveyError("题目 name 重复 duplicate question name", where, number, name)
        if kind in SELECT_TYPES and list_name not in lists:
            raise SurveyError(
                f"选项表 {list_name!r} 不存在 choice list not found", where, number, name
            )
        form.questions.append(
            Question(
                type=kind,
                name=name,
                label=_label(values),
                list_name=list_name,
                required=values.get("required", "").lower() in ("yes", "true", "true()", "1"),
                relevant=values.get("relevant", ""),
                parameters=values.get("parameters", ""),
                choices=list(lists.get(list_name, [])),
                extra={
                    k: v for k, v in values.items() if k not in known and not k.startswith("label")
                },
            )
        )
    for q in form.questions:
        if q.relevant:
            try:
                parse_relevant(q.relevant)
            except SurveyError as exc:
                raise SurveyError(exc.reason, f"{path} [survey]", question=q.name) from None
    return form


def write_xlsform(form: Form, path: Path | str) -> Path:
    """Write the form back as an XLSForm workbook (survey, choices, settings).

    Example
    -------
    >>> write_xlsform(read_xlsform("needs.xlsx"), "copy.xlsx")  # doctest: +SKIP
    """
    path = Path(path)
    extra_cols = sorted({k for q in form.questions for k in q.extra})
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "required", "relevant", "parameters", *extra_cols])
    for q in form.questions:
        survey.append(
            [
                q.xls_type,
                q.name,
                q.label,
                "yes" if q.required else "",
                q.relevant,
                q.parameters,
                *(q.extra.get(k, "") for k in extra_cols),
            ]
        )
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    written = set()
    for q in form.questions:
        if q.list_name and q.list_name not in written:
            written.add(q.list_name)
            for c in q.choices:
                choices.append([q.list_name, c.name, c.label])
    settings = book.create_sheet("settings")
    extra = sorted(form.settings_extra)
    settings.append(["form_title", "form_id", "version", *extra])
    settings.append(
        [form.title, form.form_id, form.version, *(form.settings_extra[k] for k in extra)]
    )
    book.save(path)
    return path


# ---- skip rules --------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(\$\{\w+\})|('(?:[^']*)'|\"(?:[^\"]*)\")|(-?\d+(?:\.\d+)?)|(!=|>=|<=|=|>|<)"
    r"|(\(|\)|,)|(and|or|not|selected)\b)"
)


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise SurveyError(f"无法理解的跳题条件 cannot read the skip rule {expr!r} at {pos}")
        kinds = ("ref", "str", "num", "op", "punct", "word")
        kind = next(k for k, g in zip(kinds, m.groups(), strict=True) if g is not None)
        text = m.group(kinds.index(kind) + 1)
        out.append((kind, text[2:-1] if kind == "ref" else text[1:-1] if kind == "str" else text))
        pos = m.end()
    return out


def parse_relevant(expr: str):
    """Parse a skip rule into a function of an answers dict (name → raw answer text)."""
    tokens = _tokens(expr)
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else ("end", "")

    def take(expected: str | None = None):
        nonlocal pos
        tok = peek()
        if expected is not None and tok[1] != expected:
            raise SurveyError(f"跳题条件 skip rule {expr!r}: 应为 expected {expected!r}")
        pos += 1
        return tok

    def value():
        kind, text = take()
        if kind == "ref":
            return lambda a, n=text: a.get(n, "")
        if kind in ("str", "num"):
            return lambda a, t=text: t
        raise SurveyError(f"跳题条件 skip rule {expr!r}: 意外的 unexpected {text!r}")

    def atom():
        kind, text = peek()
        if text == "(":
            take("(")
            inner = disjunction()
            take(")")
            return inner
        if text == "not":
            take()
            take("(")
            inner = disjunction()
            take(")")
            return lambda a: not inner(a)
        if text == "selected":
            take()
            take("(")
            left = value()
            take(",")
            right = value()
            take(")")
            return lambda a: right(a) in str(left(a)).split()
        left = value()
        if peek()[0] != "op":
            return lambda a: str(left(a)) != ""
        op = take()[1]
        right = value()
        return lambda a: _compare(left(a), op, right(a))

    def conjunction():
        parts = [atom()]
        while peek()[1] == "and":
            take()
            parts.append(atom())
        return lambda a: all(p(a) for p in parts)

    def disjunction():
        parts = [conjunction()]
        while peek()[1] == "or":
            take()
            parts.append(conjunction())
        return lambda a: any(p(a) for p in parts)

    rule = disjunction()
    if pos != len(tokens):
        raise SurveyError(f"跳题条件 skip rule {expr!r}: 多余的 trailing {tokens[pos][1]!r}")
    return rule


def _compare(left, op: str, right) -> bool:
    left, right = str(left), str(right)
    try:
        a, b = float(left), float(right)
    except ValueError:
        a, b = left, right
        if op in ("<", "<=", ">", ">=") and (left == "" or right == ""):
            return False
    return {
        "=": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }[op]


def is_relevant(question: Question, answers: dict) -> bool:
    """Does the skip rule show this question, given the answers so far?"""
    return not question.relevant or bool(parse_relevant(question.relevant)(answers))


# ---- answers -----------------------------------------------------------------------------


def check_answer(question: Question, raw) -> str:
    """One answer in the XLSForm export convention ('' when empty); raises SurveyError naming
    the question and the bad option."""
    text = _cell(raw)
    if text == "" or question.type in NOT_ASKED:
        return ""
    if question.type in SELECT_TYPES:
        picked = text.split()
        unknown = [p for p in picked if p not in question.choice_names()]
        if unknown:
            raise SurveyError(
                f"未知选项 unknown option {unknown[0]!r}; 可选 choose from "
                f"{', '.join(question.choice_names())}",
                question=question.name,
            )
        if question.type == "select_one" and len(picked) > 1:
            raise SurveyError(
                "单选题只能选一项 a single-choice question takes one option", question=question.name
            )
        if len(set(picked)) != len(picked):
            raise SurveyError("选项重复 an option is given twice", question=question.name)
        return " ".join(picked)
    if question.type in ("integer", "decimal", "range"):
        try:
            number = float(text)
        except ValueError:
            raise SurveyError(f"应为数字 not a number: {text!r}", question=question.name) from None
        if question.type == "range":
            low, high = question.rating_range()
            if not (low <= number <= high and number.is_integer()):
                raise SurveyError(
                    f"评分应为 {low}–{high} a rating from {low} to {high}: {text!r}",
                    question=question.name,
                )
        if question.type in ("integer", "range"):
            if not number.is_integer():
                raise SurveyError(f"应为整数 not a whole number: {text!r}", question=question.name)
            return str(int(number))
        return text
    return text


def check_response(form: Form, answers: dict) -> dict[str, str]:
    """The answers of one respondent, checked; questions hidden by a skip rule are emptied,
    required visible ones must be answered."""
    names = {q.name for q in form.questions}
    unknown = [k for k in answers if k not in names and k not in META_COLUMNS]
    if unknown:
        raise SurveyError(
            f"问卷中没有这道题 no such question in the form: {unknown[0]!r}", question=unknown[0]
        )
    clean: dict[str, str] = {}
    for q in form.questions:
        if not is_relevant(q, clean):
            clean[q.name] = ""
            continue
        clean[q.name] = check_answer(q, answers.get(q.name, ""))
        if q.required and clean[q.name] == "" and q.type not in NOT_ASKED:
            raise SurveyError("必答题未作答 a required question is unanswered", question=q.name)
    return clean


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise SurveyError("文件不存在 file not found", path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (*UNREADABLE, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise SurveyError(f"无法读取 cannot read the file: {exc}", path) from None


def _wjx_column_map(form: Form, columns: list[str], path: Path) -> dict[str, Question]:
    """问卷星 question columns ("1、您的年龄？" or "Q1") to questions, by label, then by order."""
    questions = [q for q in form.answerable()]
    by_label = {re.sub(r"\s", "", q.label): q for q in questions}
    out = {}
    for index, col in enumerate(columns):
        stripped = re.sub(r"^\s*(?:Q)?\d+\s*[、.．:：]?\s*", "", col)
        key = re.sub(r"\s", "", stripped)
        if key in by_label:
            out[col] = by_label[key]
        elif index < len(questions):
            out[col] = questions[index]
        else:
            raise SurveyError(
                f"多出的题目列 a question column the form does not have: {col!r}", path, 1, col
            )
    return out


def _export_column_map(form: Form, columns: list[str], path: Path) -> dict[str, Question]:
    """XLSForm-export columns to questions: `name` or `group/name` (KoboToolbox, ODK Central);
    per-choice 0/1 columns (`name/choice`), `_…` and `meta/…` bookkeeping columns are skipped;
    any other column is an unknown question."""
    names = {q.name: q for q in form.questions}
    out = {}
    for col in columns:
        last = col.rsplit("/", 1)[-1]
        head = col.rsplit("/", 1)[0].rsplit("/", 1)[-1] if "/" in col else ""
        if last in names:
            out[col] = names[last]
        elif col in META_COLUMNS or col.startswith(("_", "meta/")):
            continue
        elif head in names and names[head].type == "select_multiple":
            continue
        else:
            raise SurveyError(
                f"问卷中没有这道题 no such question in the form: {col!r}", path, 1, col
            )
    return out


def _wjx_answer(question: Question, text: str) -> str:
    """A 问卷星 text-export cell (labels; ┋ between picks; → between ranks) as choice names."""
    text = text.strip()
    if text in WJX_EMPTY:
        return ""
    if question.type not in SELECT_TYPES:
        return text
    parts = [p.strip() for p in re.split(r"[┋|→]", text) if p.strip()]
    by_label = {c.label: c.name for c in question.choices}
    names = []
    for part in parts:
        base = re.sub(r"〖.*〗$", "", part)  # "其他〖自填〗" keeps the option
        names.append(by_label.get(part, by_label.get(base, part)))
    return " ".join(names)


def read_answers(form: Form, path: Path | str) -> pd.DataFrame:
    """Answers from an XLSForm-style export (one column per question name) or a 问卷星 Excel
    export (序号, 提交答卷时间, 所用时间, 来源, 来自IP, then one column per question).

    Returns one row per respondent: a column per question (choice names, space separated,
    best first for a ranking) plus `household`, `compound_id`, `channel`, `submitted_at` and
    `source_row` (the file's row). Any bad cell stops the import naming file, row and question;
    two rows of the same household are refused.

    Example
    -------
    >>> answers = read_answers(form, "wjx-export.xlsx")  # doctest: +SKIP
    """
    path = Path(path)
    table = _read_table(path)
    columns = [str(c).strip() for c in table.columns]
    table.columns = columns
    wjx = "序号" in columns and "提交答卷时间" in columns
    if wjx:
        question_cols = [c for c in columns if c not in WJX_META]
        mapping = _wjx_column_map(form, question_cols, path)
        meta = {"提交答卷时间": "submitted_at"}
        channel = "wjx"
    else:
        mapping = _export_column_map(form, columns, path)
        meta = {c: c for c in META_COLUMNS if c in columns}
        channel = "import"
    rows, seen = [], {}
    for index, raw in enumerate(table.to_dict("records")):
        number = index + 2
        answers = {}
        for col, q in mapping.items():
            text = _wjx_answer(q, str(raw[col])) if wjx else raw[col]
            answers[q.name] = text
        try:
            clean = check_response(form, answers)
        except SurveyError as exc:
            raise SurveyError(exc.reason, path, number, exc.question) from None
        for col, name in meta.items():
            clean[name] = str(raw[col]).strip()
        clean.setdefault("channel", channel)
        household = clean.get("household", "")
        if household:
            if household in seen:
                raise SurveyError(
                    f"同一户重复作答 duplicate household {household!r} (first at row {seen[household]})",
                    path,
                    number,
                    "household",
                )
            seen[household] = number
        clean["source_row"] = number
        rows.append(clean)
    names = [q.name for q in form.questions]
    meta_present = [c for c in META_COLUMNS if c not in names and any(c in r for r in rows)]
    frame = pd.DataFrame(rows, columns=[*names, *meta_present, "source_row"])
    return frame.fillna("")


def answers_after_close(answers: pd.DataFrame, closes: datetime, path: str = "") -> None:
    """Refuse answers submitted after the close date, naming the first such row."""
    if "submitted_at" not in answers:
        return
    stamps = pd.to_datetime(answers["submitted_at"], errors="coerce")
    late = answers[stamps > pd.Timestamp(closes)]
    if len(late):
        row = late.iloc[0]
        raise SurveyError(
            f"在截止时间 {closes:%Y-%m-%d %H:%M} 之后提交 submitted after the close date: "
            f"{row['submitted_at']}",
            path,
            int(row["source_row"]),
            "submitted_at",
        )
