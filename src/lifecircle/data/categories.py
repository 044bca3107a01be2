"""Free-text facility categories (菜场, 长者食堂 …) to the standard's category codes.

A name matches, in order: a user mapping entry; a category code, Chinese or English name or alias
of the standard (exact, after NFKC, lower case, no spaces); else the longest alias contained in
the name (`XX路标准化菜市场` → food_market) when exactly one category has an alias that long.
Anything else is unknown and reported with its rows.
"""

import csv
import tomllib
import unicodedata
from pathlib import Path

from lifecircle.data.read import decode_text
from lifecircle.data.report import DataFileError
from lifecircle.standards import Standard


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).lower().split())


def read_mapping(path: Path | str) -> dict[str, str]:
    """A user mapping file: TOML (`"菜场" = "food_market"`, top level or under [categories])
    or a two-column CSV (name, code) with a header row."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "类别映射文件不存在 category mapping file not found")
    if path.suffix.lower() == ".toml":
        try:
            raw = tomllib.loads(decode_text(path, path.read_bytes()))
        except tomllib.TOMLDecodeError as exc:
            raise DataFileError(path, f"不是有效的 TOML not valid TOML: {exc}") from None
        raw = raw.get("categories", raw)
        bad = [k for k, v in raw.items() if not isinstance(v, str)]
        if bad:
            raise DataFileError(path, f"映射值必须是类别代码 values must be category codes: {bad}")
        return dict(raw)
    rows = list(csv.reader(decode_text(path, path.read_bytes()).splitlines()))
    mapping = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise DataFileError(
                path, f"第{number}行需要两列：名称,代码 row {number} needs two columns: name,code"
            )
        mapping[cells[0]] = cells[1]
    return mapping


class CategoryMapper:
    """Maps free-text category names to codes of one standard, plus a user mapping."""

    def __init__(self, standard: Standard, user_mapping: dict[str, str] | None = None):
        self.standard = standard
        self._exact: dict[str, str] = {}
        self._aliases: list[tuple[str, str]] = []
        for cat in standard.categories.values():
            for name in (cat.code, cat.name_zh, cat.name_en, *cat.aliases):
                self._exact.setdefault(_key(name), cat.code)
            self._aliases.extend((_key(a), cat.code) for a in (cat.name_zh, *cat.aliases))
        for name, code in (user_mapping or {}).items():
            if code not in standard.categories:
                known = ", ".join(sorted(standard.categories))
                raise DataFileError(
                    "category mapping",
                    f"{name!r} → {code!r}: 标准 {standard.name} 中没有这个类别 "
                    f"no such category in the standard; 可选 choose from: {known}",
                )
            self._exact[_key(name)] = code

    def code(self, text: str) -> str | None:
        """The category code for a free-text name, or None when unknown or ambiguous."""
        key = _key(text)
        if not key:
            return None
        if key in self._exact:
            return self._exact[key]
        contained = [(len(alias), code) for alias, code in self._aliases if alias and alias in key]
        if not contained:
            return None
        longest = max(length for length, _ in contained)
        codes = {code for length, code in contained if length == longest}
        return codes.pop() if len(codes) == 1 else None
