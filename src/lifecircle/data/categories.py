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


def _entries(path: Path) -> list[tuple[str, str, object]]:
    """(where, name, code) of every entry of a mapping file; `where` is its row or TOML key."""
    if path.suffix.lower() == ".toml":
        try:
            raw = tomllib.loads(decode_text(path, path.read_bytes()))
        except tomllib.TOMLDecodeError as exc:
            raise DataFileError(path, f"不是有效的 TOML not valid TOML: {exc}") from None
        raw = raw.get("categories", raw)
        return [(f"[categories] {name!r}", name, code) for name, code in raw.items()]
    rows = list(csv.reader(decode_text(path, path.read_bytes()).splitlines()))
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise DataFileError(
                path, f"第{number}行需要两列：名称,代码 row {number} needs two columns: name,code"
            )
        entries.append((f"第{number}行 row {number}", cells[0], cells[1]))
    return entries


def read_mapping(path: Path | str, standard: Standard | None = None) -> dict[str, str]:
    """A user mapping file of free-text names to category codes.

    TOML (`"菜场" = "food_market"`, top level or under [categories]) or a two-column CSV
    (name, code) with a header row. With `standard`, every code must be one of its categories:
    a DataFileError names the file and each wrong row.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "map.csv").write_text("名称,代码\\n小区睦邻角,service_station\\n", "utf-8")
    >>> read_mapping(folder / "map.csv")
    {'小区睦邻角': 'service_station'}
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "类别映射文件不存在 category mapping file not found")
    entries = _entries(path)
    bad = [where for where, _, code in entries if not isinstance(code, str) or not code]
    if bad:
        raise DataFileError(
            path, f"映射值必须是类别代码 values must be category codes: {', '.join(bad)}"
        )
    if standard is not None:
        unknown = [
            f"{where}: {name!r} → {code!r}"
            for where, name, code in entries
            if code not in standard.categories
        ]
        if unknown:
            raise DataFileError(
                path,
                f"标准 {standard.name} 中没有这些类别 no such categories in the standard: "
                f"{'; '.join(unknown)}; 可选 choose from: {', '.join(sorted(standard.categories))}",
            )
    return {name: code for _, name, code in entries}


class CategoryMapper:
    """Maps free-text category names to codes of one standard, plus a user mapping.

    `user_mapping` is a dict of name → code or the path of a mapping file (see `read_mapping`).

    Examples
    --------
    >>> from lifecircle.standards import load_standard
    >>> mapper = CategoryMapper(load_standard("shanghai-2016"))
    >>> [mapper.code(name) for name in ("虹桥街道邻里汇", "爱心暑托班", "复旦大学附属中学")]
    ['service_station', 'after_school', 'middle_school']
    """

    def __init__(self, standard: Standard, user_mapping: dict[str, str] | str | Path | None = None):
        if isinstance(user_mapping, (str, Path)):
            user_mapping = read_mapping(user_mapping, standard)
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
