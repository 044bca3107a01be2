"""Header aliases: which column of a user's file holds which field, in Chinese or English.

Headers are compared after `normalise_header`: Unicode NFKC (full-width → half-width), lower
case, spaces / underscores / hyphens / tildes removed and a trailing unit in brackets dropped, so
`人口（人）`, `Pop_60_Plus` and `建筑面积(㎡)` all match.
"""

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One field of an imported table: its canonical name, value kind and accepted headers."""

    name: str
    kind: str  # text | number | year | list
    label_zh: str
    aliases: tuple[str, ...]


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("id", "text", "编号", ("id", "编号", "编码", "代码", "序号", "no")),
        Field(
            "name", "text", "名称", ("name", "名称", "小区名称", "设施名称", "站点名称", "点位名称")
        ),
        Field("address", "text", "地址", ("address", "addr", "地址", "位置", "门牌")),
        Field("lon", "number", "经度", ("lon", "lng", "long", "longitude", "经度", "东经")),
        Field("lat", "number", "纬度", ("lat", "latitude", "纬度", "北纬")),
        Field(
            "category",
            "text",
            "类别",
            ("category", "type", "类别", "类型", "分类", "设施类型", "设施类别", "功能"),
        ),
        Field(
            "population",
            "number",
            "人口",
            ("population", "pop", "人口", "常住人口", "总人口", "人口数", "居住人口"),
        ),
        Field("households", "number", "户数", ("households", "hh", "户数", "住户数", "总户数")),
        Field(
            "pop_60_plus",
            "number",
            "60岁以上人口",
            (
                "pop_60_plus",
                "pop60",
                "pop_60",
                "elderly",
                "60岁以上人口",
                "60岁以上",
                "60岁及以上人口",
                "60岁及以上",
                "老年人口",
            ),
        ),
        Field(
            "pop_0_6",
            "number",
            "0-6岁人口",
            ("pop_0_6", "pop06", "0-6岁", "0-6岁人口", "0至6岁", "学龄前儿童"),
        ),
        Field(
            "pop_7_14",
            "number",
            "7-14岁人口",
            ("pop_7_14", "pop714", "7-14岁", "7-14岁人口", "7至14岁", "学龄儿童"),
        ),
        Field(
            "built_year",
            "year",
            "建成年代",
            (
                "built_year",
                "year_built",
                "year",
                "建成年代",
                "建成年份",
                "建造年代",
                "竣工年份",
                "年代",
            ),
        ),
        Field(
            "floor_area",
            "number",
            "建筑面积",
            ("floor_area", "area", "建筑面积", "面积", "使用面积", "可用面积"),
        ),
        Field("capacity", "number", "容量", ("capacity", "容量", "床位", "床位数", "规模")),
        Field("hours", "text", "开放时间", ("hours", "opening_hours", "开放时间", "营业时间")),
        Field("operator", "text", "运营方", ("operator", "运营方", "运营单位", "管理单位")),
        Field("status", "text", "状态", ("status", "状态", "运营状态")),
        Field("cost", "number", "成本", ("cost", "成本", "改造成本", "费用", "造价", "投资")),
        Field(
            "allowed_functions",
            "list",
            "可用功能",
            ("allowed_functions", "functions", "可用功能", "可设功能", "允许功能", "适用功能"),
        ),
        Field(
            "compound_id",
            "text",
            "小区",
            ("compound_id", "compound", "小区", "小区编号", "所属小区", "小区名称"),
        ),
    )
}


@dataclass(frozen=True)
class Kind:
    """What a file holds: its required and optional fields (lon/lat come from geometry if any)."""

    name: str
    label_zh: str
    required: tuple[str, ...]
    optional: tuple[str, ...]


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "compounds",
            "小区",
            ("name", "lon", "lat", "population"),
            ("id", "address", "households", "pop_60_plus", "pop_0_6", "pop_7_14", "built_year"),
        ),
        Kind(
            "facilities",
            "设施",
            ("name", "category", "lon", "lat"),
            ("id", "address", "floor_area", "capacity", "hours", "operator", "status"),
        ),
        Kind(
            "candidates",
            "候选点",
            ("name", "lon", "lat", "floor_area"),
            ("id", "address", "cost", "allowed_functions"),
        ),
        Kind("gates", "小区大门", ("compound_id", "lon", "lat"), ("id", "name")),
        Kind("points", "路线点", ("name", "lon", "lat"), ("id", "address")),
    )
}


def normalise_header(text: object) -> str:
    """Comparable form of a header: NFKC, lower case, no separators, no bracketed unit."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    s = re.sub(r"\s*[(\[][^()\[\]]*[)\]]\s*$", "", s)  # 人口(人), 面积[m2]
    return re.sub(r"[\s_\-~～—–]+", "", s)


def match_headers(headers: list[str], kind: str) -> tuple[dict[str, str], list[str]]:
    """Map the file's headers to field names of `kind`.

    Returns ({header: field}, [headers not used]). The first header matching a field wins; a
    later one is listed as unused. In a gates file `名称` is the gate's name and `小区` the compound.
    """
    spec = KINDS[kind]
    wanted = spec.required + spec.optional
    lookup: dict[str, str] = {}
    for field_name in wanted:
        for alias in FIELDS[field_name].aliases:
            lookup.setdefault(normalise_header(alias), field_name)
    mapping: dict[str, str] = {}
    unused: list[str] = []
    for header in headers:
        field_name = lookup.get(normalise_header(header))
        if field_name is None or field_name in mapping.values():
            unused.append(header)
        else:
            mapping[header] = field_name
    return mapping, unused
