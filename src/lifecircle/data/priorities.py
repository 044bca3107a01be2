"""Planning priorities: coverage targets per category and a weights table for the hub model.

`parse_targets` reads `CATEGORY=SHARE` items (`日间照料=80%`, `day_care=0.8`); `read_weights`
reads a table of priorities per category, optionally per compound and category (columns 类别 /
category, 权重 / weight, 小区 / compound_id). Category names go through the same mapper as data
files, so Chinese names and a user mapping work. Any bad item or row is an InputError naming the
file, row and field: a priority silently dropped would change the plan.
"""

from pathlib import Path

import pandas as pd

from lifecircle.data.categories import CategoryMapper
from lifecircle.data.columns import normalise_header
from lifecircle.data.read import RawTable, read_table
from lifecircle.data.report import Issue
from lifecircle.data.validate import Invalid, is_blank, parse_number
from lifecircle.errors import InputError
from lifecircle.standards import Standard

WEIGHT_HEADERS = {
    "category": ("category", "类别", "类型", "功能", "设施类别"),
    "weight": ("weight", "priority", "权重", "优先级", "优先度"),
    "compound_id": ("compound_id", "compound", "小区", "小区编号", "小区名称"),
}


def _share(text: str) -> float:
    text = text.strip()
    share = parse_number(text.rstrip("%％")) / (100.0 if text.endswith(("%", "％")) else 1.0)
    if not 0.0 <= share <= 1.0:
        raise Invalid(f"份额须在 0..1（或 0%..100%）之间 share must be within 0..1, got {text}")
    return share


def parse_targets(
    items: list[str] | dict[str, float],
    standard: Standard,
    mapping: dict[str, str] | None = None,
) -> dict[str, float]:
    """Coverage targets as {category code: share 0..1} from `CAT=SHARE` items or a dict.

    Examples
    --------
    >>> from lifecircle.standards import load_standard
    >>> parse_targets(["日间照料中心=80%", "nursery=0.5"], load_standard("gb50180-2018"))
    {'elderly_daycare': 0.8, 'nursery': 0.5}
    """
    mapper = CategoryMapper(standard, mapping)
    pairs = list(items.items()) if isinstance(items, dict) else []
    problems = []
    for number, item in enumerate([] if isinstance(items, dict) else items, start=1):
        name, sep, share = str(item).partition("=")
        if not sep:
            problems.append(Issue("--target", number, "target", str(item),
                                  "应写作 类别=份额 expected CATEGORY=SHARE"))  # fmt: skip
            continue
        pairs.append((name, share))
    targets = {}
    for number, (name, share) in enumerate(pairs, start=1):
        code = mapper.code(str(name))
        if code is None:
            problems.append(Issue("--target", number, "category", str(name),
                                  f"未知类别 unknown category in {standard.name}"))  # fmt: skip
            continue
        try:
            targets[code] = _share(str(share))
        except Invalid as exc:
            problems.append(Issue("--target", number, "share", str(share), str(exc)))
    if problems:
        raise InputError("覆盖目标有误 bad coverage targets: " + "; ".join(map(str, problems)),
                         problems=problems)  # fmt: skip
    return targets


def read_weights(
    path: Path | str, standard: Standard, mapping: dict[str, str] | None = None
) -> pd.DataFrame:
    """A weights file (CSV, XLSX …) as a table: category (code), weight (≥ 0), compound_id
    (None for a whole-category row), row (the file's row number)."""
    return weights_table(read_table(path), standard, mapping)


def weights_table(
    raw: RawTable, standard: Standard, mapping: dict[str, str] | None = None
) -> pd.DataFrame:
    """The rows of a weights table already read (from a file or a DataFrame), checked."""
    mapper = CategoryMapper(standard, mapping)
    position = {}
    for i, header in enumerate(raw.headers):
        for field, aliases in WEIGHT_HEADERS.items():
            if normalise_header(header) in {normalise_header(a) for a in aliases}:
                position.setdefault(field, i)
    problems = [
        Issue(str(raw.file), None, field, "", f"缺少必需列 missing required column {field!r} "
              f"(可用列名 accepted headers: {' / '.join(WEIGHT_HEADERS[field])})")
        for field in ("category", "weight") if field not in position
    ]  # fmt: skip
    if problems:
        raise InputError(f"{raw.file}: " + "; ".join(p.reason for p in problems), problems=problems)
    rows = []
    seen: dict[tuple, int] = {}
    for number, record in zip(raw.row_numbers, raw.records, strict=True):
        cells = {f: (record[i] if i < len(record) else None) for f, i in position.items()}
        header = {f: raw.headers[i] for f, i in position.items()}
        code = None if is_blank(cells["category"]) else mapper.code(str(cells["category"]))
        if code is None:
            problems.append(Issue(str(raw.file), number, header["category"],
                                  str(cells["category"] or ""), "未知类别 unknown category"))  # fmt: skip
            continue
        try:
            weight = parse_number(cells["weight"])
            if weight < 0:
                raise Invalid("权重不能为负 a weight cannot be negative")
        except Invalid as exc:
            problems.append(Issue(str(raw.file), number, header["weight"],
                                  str(cells["weight"] or ""), str(exc)))  # fmt: skip
            continue
        compound = cells.get("compound_id")
        compound = None if is_blank(compound) else str(compound).strip()
        if (code, compound) in seen:
            problems.append(Issue(str(raw.file), number, header["category"], str(cells["category"]),
                                  f"与第{seen[(code, compound)]}行重复 duplicates row "
                                  f"{seen[(code, compound)]}"))  # fmt: skip
            continue
        seen[(code, compound)] = number
        rows.append({"category": code, "weight": weight, "compound_id": compound, "row": number})
    if problems:
        raise InputError(f"{raw.file}: {len(problems)} 行有误 bad rows: "
                         + "; ".join(map(str, problems[:5])), problems=problems)  # fmt: skip
    table = pd.DataFrame(rows, columns=["category", "weight", "compound_id", "row"])
    table["compound_id"] = pd.Series([r["compound_id"] for r in rows], dtype=object)
    return table
