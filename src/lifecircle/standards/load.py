"""Read a standard from a preset name or a user TOML file that overrides a preset."""

import tomllib
from importlib import resources
from pathlib import Path

from lifecircle.standards.model import Category, Group, Level, Norm, Standard, StandardError

PRESETS = ("gb50180-2018", "shanghai-2016", "tdt1062-2021")


def _read_preset(name: str) -> dict:
    path = resources.files("lifecircle.standards") / "presets" / f"{name}.toml"
    if not path.is_file():
        raise StandardError(
            f"没有这个预设标准 no preset {name!r}; 可选 choose from: {', '.join(PRESETS)}"
        )
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _merge(base: dict, override: dict) -> dict:
    """Deep-merge `override` into `base`: tables merge key by key, other values replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve(raw: dict, seen: tuple[str, ...]) -> dict:
    base = raw.get("base")
    if not base:
        return raw
    if base in seen:
        raise StandardError(
            f"标准继承成环 standards inherit in a cycle: {' -> '.join(seen + (base,))}"
        )
    return _merge(_resolve(_read_preset(base), seen + (base,)), raw)


def _build(raw: dict, origin: str) -> Standard:
    def need(table: dict, key: str, where: str):
        if key not in table:
            raise StandardError(f"{origin}: [{where}] 缺少 missing {key!r}")
        return table[key]

    def positive(table: dict, key: str, where: str, default: float | None = None) -> float:
        value = need(table, key, where) if default is None else table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise StandardError(
                f"{origin}: [{where}] {key} = {value!r} 必须为正数 must be a positive number"
            )
        return float(value)

    levels = {
        code: Level(
            code=code,
            name_zh=need(t, "name_zh", f"levels.{code}"),
            name_en=need(t, "name_en", f"levels.{code}"),
            distance_m=positive(t, "distance_m", f"levels.{code}"),
            minutes=positive(t, "minutes", f"levels.{code}"),
            population_min=int(t.get("population_min", 0)),
            population_max=int(t.get("population_max", 0)),
        )
        for code, t in raw.get("levels", {}).items()
    }
    groups = {
        code: Group(
            code=code,
            name_zh=need(t, "name_zh", f"groups.{code}"),
            name_en=need(t, "name_en", f"groups.{code}"),
            column=need(t, "column", f"groups.{code}"),
            speed_m_per_min=positive(t, "speed_m_per_min", f"groups.{code}"),
        )
        for code, t in raw.get("groups", {}).items()
    }
    categories = {}
    for code, t in raw.get("categories", {}).items():
        where = f"categories.{code}"
        level = need(t, "level", where)
        group = need(t, "group", where)
        if level not in levels:
            raise StandardError(f"{origin}: [{where}] level {level!r} 未定义 is not defined")
        if group not in groups:
            raise StandardError(f"{origin}: [{where}] group {group!r} 未定义 is not defined")
        threshold = positive(t, "threshold_m", where, levels[level].distance_m)
        categories[code] = Category(
            code=code,
            name_zh=need(t, "name_zh", where),
            name_en=need(t, "name_en", where),
            level=level,
            threshold_m=threshold,
            group=group,
            hub_function=bool(t.get("hub_function", False)),
            floor_area_m2=float(t.get("floor_area_m2", 0.0)),
            aliases=tuple(t.get("aliases", ())),
            source=str(t.get("source", "")),
        )
    if not categories:
        raise StandardError(f"{origin}: 没有类别 no categories")
    norms = {code: _norm(code, t, origin, categories, groups, positive)
             for code, t in raw.get("norms", {}).items()}  # fmt: skip
    return Standard(
        name=str(raw.get("name", origin)),
        title_zh=str(raw.get("title_zh", "")),
        title_en=str(raw.get("title_en", "")),
        levels=levels,
        groups=groups,
        categories=categories,
        hub_rule=dict(raw.get("hub_rule", {})),
        norms=norms,
    )


NORM_QUANTITIES = ("floor_area_m2", "places")


def _norm(code: str, table: dict, origin: str, categories: dict, groups: dict, positive) -> Norm:
    """One [norms.CODE] table: a supply norm for category CODE."""
    where = f"norms.{code}"
    if code not in categories:
        raise StandardError(f"{origin}: [{where}] 类别 {code!r} 未定义 category is not defined")
    quantity = table.get("quantity", "floor_area_m2")
    if quantity not in NORM_QUANTITIES:
        raise StandardError(
            f"{origin}: [{where}] quantity = {quantity!r} 须为 must be one of {NORM_QUANTITIES}"
        )
    basis = table.get("basis", categories[code].group)
    if basis != "households" and basis not in groups:
        raise StandardError(
            f"{origin}: [{where}] basis {basis!r} 须为人群或 households must be a group or households"
        )
    flag = table.get("flag")
    if flag not in ("C", "R"):
        raise StandardError(f'{origin}: [{where}] flag 须为 must be "C" or "R", got {flag!r}')
    return Norm(
        category=code,
        quantity=quantity,
        amount=positive(table, "amount", where),
        per=positive(table, "per", where, 1000),
        basis=basis,
        flag=flag,
        source=str(table.get("source", "")),
    )


def load_standard(name_or_path: str | Path = "gb50180-2018") -> Standard:
    """Load a preset by name, or a user TOML file (its `base` key names the preset it overrides)."""
    text = str(name_or_path)
    if text in PRESETS:
        return _build(_resolve(_read_preset(text), (text,)), text)
    path = Path(text)
    if not path.is_file():
        raise StandardError(
            f"找不到标准 no standard {text!r}: 既不是预设 not a preset ({', '.join(PRESETS)}) 也不是文件 nor a file"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StandardError(f"{path}: 不是有效的 TOML not valid TOML: {exc}") from exc
    raw.setdefault("name", path.stem)
    return _build(_resolve(raw, ()), str(path))
