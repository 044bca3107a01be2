"""Fixture workbooks built in code: an XLSForm shaped like the published specification's
examples (survey / choices / settings sheets; select_one, select_multiple, rank, range, integer,
text, a relevant rule, label::language columns) and a 问卷星 text export of the same form."""

from pathlib import Path

from openpyxl import Workbook

SURVEY = [
    ["type", "name", "label::中文 (zh)", "required", "relevant", "parameters", "hint"],
    ["select_one ages", "age_group", "您的年龄段", "yes", "", "", ""],
    ["select_one compounds", "compound_id", "您住在哪个小区", "yes", "", "", ""],
    ["begin_group", "needs", "需求", "", "", "", ""],
    ["select_multiple services", "wanted", "您最需要哪些服务（可多选）", "yes", "", "", "可多选"],
    ["rank services", "top3", "请按需要程度排出前三项服务", "", "", "", ""],
    ["end_group", "", "", "", "", "", ""],
    ["range", "satisfaction", "对现有驿站的满意度（1–5）", "", "", "start=1 end=5 step=1", ""],
    ["integer", "household_size", "家中几口人", "", "", "", ""],
    [
        "select_one yes_no",
        "uses_canteen",
        "是否会去社区食堂",
        "",
        "${age_group} = 'pop_60_plus'",
        "",
        "",
    ],
    ["text", "comment", "其他建议", "", "", "", ""],
    ["note", "thanks", "谢谢参与", "", "", "", ""],
]
CHOICES = [
    ["list_name", "name", "label::中文 (zh)"],
    ["ages", "under_60", "60岁以下"],
    ["ages", "pop_60_plus", "60岁及以上"],
    ["compounds", "C1", "东安一村"],
    ["compounds", "C2", "瑞金花园"],
    ["services", "canteen", "社区食堂"],
    ["services", "elderly_daycare", "日间照料中心"],
    ["services", "nursery", "托育点"],
    ["services", "health_station", "卫生服务站"],
    ["services", "other", "其他"],
    ["yes_no", "yes", "是"],
    ["yes_no", "no", "否"],
]
SETTINGS = [
    ["form_title", "form_id", "version", "default_language"],
    ["社区服务需求调查", "needs_2026", "2026120101", "中文 (zh)"],
]


def write_book(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def xlsform(path: Path) -> Path:
    return write_book(path, {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS})


WJX_HEADER = [
    "序号",
    "提交答卷时间",
    "所用时间",
    "来源",
    "来源详情",
    "来自IP",
    "1、您的年龄段",
    "2、您住在哪个小区",
    "3、您最需要哪些服务（可多选）",
    "4、请按需要程度排出前三项服务",
    "5、对现有驿站的满意度（1–5）",
    "6、家中几口人",
    "7、是否会去社区食堂",
    "8、其他建议",
]


def wjx_row(n, when, age, compound, wanted, top3, rating, size, canteen, comment):
    return [
        n,
        when,
        "120秒",
        "微信",
        "N/A",
        "10.0.0.1(上海-上海)",
        age,
        compound,
        wanted,
        top3,
        rating,
        size,
        canteen,
        comment,
    ]


def wjx_export(path: Path, rows: list[list]) -> Path:
    return write_book(path, {"Sheet1": [WJX_HEADER, *rows]})
