"""The demo sub-district: a small, deterministic, illustrative (示意数据) Shanghai neighbourhood.

Nothing here is surveyed: street names and the idle buildings echo the Fenglin (Xuhui) and
Jiangpu Road (Yangpu) stories in DESIGN.md, but positions, populations, facilities and costs are
invented so that the pipeline has something realistic to chew on. Layout, in metres east (x) and
north (y) of the south-west corner, on a 2.0 km × 1.05 km patch:

- main road 中山南二路 along the south edge; secondary streets 零陵路 and 斜土路 (east–west),
  宛平南路, 小木桥路, 枫林路, 东安路, 大木桥路 (north–south) form 8 blocks of about 500 m;
- lanes (弄) run through the old open compounds; gated commodity compounds have no public lanes
  and reach the street only through their gates;
- the 1970s compound 枫林新村 (many elderly) opens onto the main road through one gate, whose
  gatehouse (门卫室) is a candidate site;
- deliberate gaps: no canteen, day care, nursery or food market within reach of the western
  blocks; one nursery in the far east;
- an elderly service centre (综合为老服务中心), a category of the Shanghai guide: standards
  without it leave it out and say so in the note.

Costs are in 万元 (10,000 CNY); floor areas in m².
"""

import numpy as np
import pandas as pd
import shapely

from lifecircle.data.area import (
    CANDIDATE_COLUMNS,
    COMPOUND_COLUMNS,
    FACILITY_COLUMNS,
    GATE_COLUMNS,
    Area,
)
from lifecircle.data.build import graph_from_lines
from lifecircle.geo.projection import LocalProjection
from lifecircle.network.graph import WalkGraph
from lifecircle.standards import load_standard

DEMO_NAME = "示意街道 Demo sub-district (illustrative)"
DEMO_NOTE = (
    "示意数据：道路、小区、人口、设施与闲置用房均为虚构，仅用于演示流程，不代表任何真实街道。"
    " Illustrative data: streets, compounds, population, facilities and idle spaces are invented "
    "to demonstrate the pipeline; they describe no real sub-district. 费用单位 cost unit: 万元."
)
DEMO_CRS = "EPSG:32651"
"""UTM zone 51N, the metric projection for Shanghai."""
ORIGIN_LONLAT = (121.4440, 31.1880)
"""WGS-84 position of the demo's south-west corner (x = y = 0), near Xuhui, Shanghai."""
COST_UNIT = "万元"

# (name, kind, polyline in local metres). kind: main | secondary | lane.
STREETS: tuple[tuple[str, str, tuple[tuple[float, float], ...]], ...] = (
    ("中山南二路", "main", ((0, 0), (2000, 0))),
    ("零陵路", "secondary", ((0, 520), (2000, 520))),
    ("斜土路", "secondary", ((0, 1050), (2000, 1050))),
    ("宛平南路", "secondary", ((0, 0), (0, 1050))),
    ("小木桥路", "secondary", ((500, 0), (500, 1050))),
    ("枫林路", "secondary", ((1000, 0), (1000, 1050))),
    ("东安路", "secondary", ((1500, 0), (1500, 1050))),
    ("大木桥路", "secondary", ((2000, 0), (2000, 1050))),
    ("宛平南路88弄", "lane", ((0, 385), (500, 385))),
    ("零陵路255弄", "lane", ((440, 520), (440, 1050))),
    ("零陵路333弄", "lane", ((630, 520), (630, 780))),
    ("小木桥路440弄", "lane", ((500, 780), (840, 780))),
    ("小木桥路440弄支弄", "lane", ((700, 780), (700, 960))),
    ("东安路100弄", "lane", ((1000, 800), (1500, 800))),
    ("中山南二路1100弄", "lane", ((1630, 0), (1630, 520))),
    ("斜土路1200弄", "lane", ((1750, 800), (1750, 1050))),
)

# (id, name, (x0, y0, x1, y1), built_year, population, households, 60+, 0-6, 7-14, gates).
# Gates lie 6 m inside the compound from the street centre line.
COMPOUNDS = (
    ("C01", "枫林新村", (20, 20, 480, 250), 1974, 3200, 1420, 1380, 70, 120, ((250, 6),)),
    ("C02", "宛南小区", (20, 270, 240, 500), 1986, 1500, 640, 520, 60, 90, ()),
    ("C03", "零陵一村", (260, 270, 480, 500), 1981, 1600, 690, 580, 55, 85, ()),
    ("C04", "枫林佳苑", (520, 20, 740, 500), 2003, 2400, 860, 480, 150, 210, ((506, 300), (630, 6))),
    ("C05", "中山南苑", (760, 20, 980, 240), 1998, 1300, 480, 330, 70, 100, ((870, 6),)),
    ("C06", "东安公寓", (760, 260, 980, 500), 1995, 1200, 450, 320, 60, 95, ((870, 514),)),
    ("C07", "龙华苑", (1020, 150, 1240, 500), 2008, 2100, 760, 360, 150, 190, ((1006, 320),)),
    ("C08", "东安花园", (1260, 150, 1480, 500), 2012, 1900, 680, 300, 140, 170, ((1494, 250), (1370, 514))),
    ("C09", "四明新村", (520, 540, 740, 760), 1984, 1400, 610, 500, 45, 80, ()),
    ("C10", "小木桥路440弄", (520, 800, 820, 1030), 1965, 1700, 760, 690, 40, 70, ()),
    ("C11", "零陵公寓", (760, 540, 980, 760), 2001, 1100, 400, 260, 70, 90, ((900, 526),)),
    ("C12", "斜土苑", (860, 800, 980, 1030), 2010, 800, 290, 130, 60, 70, ((994, 900),)),
    ("C13", "宛平小区", (20, 540, 370, 1030), 1992, 2600, 980, 700, 120, 170, ((6, 800), (180, 1044))),
    ("C14", "建国新村", (390, 540, 485, 1030), 1979, 1300, 580, 560, 30, 60, ()),
    ("C15", "东安一村", (1020, 540, 1240, 1030), 1980, 2200, 960, 820, 60, 110, ()),
    ("C16", "华府名邸", (1260, 540, 1480, 760), 2015, 700, 240, 90, 60, 60, ((1494, 650),)),
    ("C17", "天钥公寓", (1260, 820, 1480, 1030), 2005, 900, 330, 180, 50, 70, ((1370, 1044),)),
    ("C18", "东安三村", (1520, 20, 1740, 500), 1977, 2500, 1100, 1000, 55, 100, ()),
    ("C19", "瑞金花园", (1760, 20, 1980, 500), 2006, 1800, 650, 330, 120, 150, ((1870, 6), (1994, 300))),
    ("C20", "斜土新苑", (1520, 540, 1980, 760), 2011, 2000, 720, 320, 150, 180, ((1750, 526),)),
    ("C21", "大木桥路小区", (1520, 800, 1980, 1030), 1988, 1500, 640, 520, 45, 80, ()),
)  # fmt: skip

# Open (ungated) compounds join the network at this point, on or next to their lane; the
# polygon centroid of a long compound can lie far from where people actually walk out.
OPEN_COMPOUND_POINTS = {
    "C02": (130, 385),
    "C03": (370, 385),
    "C09": (630, 650),
    "C10": (700, 915),
    "C14": (440, 785),
    "C15": (1130, 800),
    "C18": (1630, 260),
    "C21": (1750, 915),
}

# (id, name, category, (x, y), floor_area, capacity, hours, operator, status)
FACILITIES = (
    ("F01", "东安一村居委会睦邻点", "service_station", (1130, 808), 120, 40, "8:30-17:00", "居委会", "open"),
    ("F02", "瑞金花园居委会", "service_station", (1992, 420), 100, 30, "8:30-17:00", "居委会", "open"),
    ("F03", "枫林佳苑居委会", "service_station", (506, 120), 110, 30, "8:30-17:00", "居委会", "open"),
    ("F04", "东安路长者食堂", "canteen", (1508, 380), 180, 120, "10:30-13:00", "街道", "open"),
    ("F05", "斜土路日间照料中心", "elderly_daycare", (1620, 1042), 400, 40, "8:00-17:30", "社会组织", "open"),
    ("F06", "宛平南路文化活动室", "culture_station", (8, 600), 200, 60, "9:00-21:00", "居委会", "open"),
    ("F07", "东安三村老年活动室", "culture_station", (1638, 300), 150, 50, "9:00-17:00", "居委会", "open"),
    ("F08", "枫林宝宝屋", "nursery", (1992, 700), 220, 30, "8:00-17:00", "街道", "open"),
    ("F09", "东安路四点半课堂", "after_school", (1492, 900), 120, 40, "15:30-18:30", "社会组织", "open"),
    ("F10", "枫林路幼儿园", "kindergarten", (992, 300), 2400, 270, "7:30-17:00", "教育局", "open"),
    ("F11", "大木桥路幼儿园", "kindergarten", (1992, 900), 2200, 240, "7:30-17:00", "教育局", "open"),
    ("F12", "零陵路卫生服务站", "health_station", (760, 528), 150, 0, "8:00-16:30", "卫生服务中心", "open"),
    ("F13", "东安家庭医生工作室", "health_station", (1508, 100), 120, 0, "8:00-16:30", "卫生服务中心", "open"),
    ("F14", "宛平南路88弄健身点", "fitness", (250, 393), 300, 0, "全天", "街道", "open"),
    ("F15", "零陵路健身苑点", "fitness", (1250, 512), 400, 0, "全天", "街道", "open"),
    ("F16", "中山南二路1100弄健身点", "fitness", (1638, 150), 250, 0, "全天", "街道", "open"),
    ("F17", "枫林菜场", "food_market", (1008, 620), 1200, 0, "6:00-19:00", "国资", "open"),
    ("F18", "大木桥路生鲜超市", "food_market", (1992, 150), 800, 0, "7:00-22:00", "企业", "open"),
    ("F19", "小木桥路小学", "primary_school", (508, 950), 6000, 900, "7:30-16:30", "教育局", "open"),
    ("F20", "斜土路小学", "primary_school", (1760, 1042), 5500, 800, "7:30-16:30", "教育局", "open"),
    ("F21", "枫林路运动场", "sports_ground", (992, 850), 3000, 0, "6:00-21:00", "街道", "open"),
    ("F22", "零陵街心花园", "park", (1010, 510), 6000, 0, "全天", "绿化市容", "open"),
    ("F23", "斜土路口袋公园", "park", (260, 1042), 2500, 0, "全天", "绿化市容", "open"),
    ("F24", "东安路中学", "middle_school", (992, 990), 9000, 1200, "7:30-17:00", "教育局", "open"),
    ("F25", "枫林街道社区卫生服务中心", "health_centre", (1008, 400), 5000, 0, "8:00-20:00", "卫健委", "open"),
    ("F26", "枫林社区文化活动中心", "culture_centre", (700, 512), 4000, 0, "9:00-21:00", "街道", "open"),
    ("F27", "枫林街道社区事务受理服务中心", "community_centre", (992, 560), 2000, 0, "9:00-17:00", "街道", "open"),
    ("F28", "中山南二路小木桥路站", "bus_stop", (470, 8), 0, 0, "5:30-23:00", "公交", "open"),
    ("F29", "中山南二路东安路站", "bus_stop", (1470, 8), 0, 0, "5:30-23:00", "公交", "open"),
    ("F30", "零陵路枫林路站", "bus_stop", (1030, 528), 0, 0, "5:30-23:00", "公交", "open"),
    ("F31", "斜土路大木桥路站", "bus_stop", (1960, 1042), 0, 0, "5:30-23:00", "公交", "open"),
    ("F32", "零陵路宛平南路站", "bus_stop", (30, 528), 0, 0, "5:30-23:00", "公交", "open"),
    ("F33", "斜土路小木桥路站", "bus_stop", (530, 1042), 0, 0, "5:30-23:00", "公交", "open"),
    ("F34", "中山南二路大木桥路站", "bus_stop", (1970, 8), 0, 0, "5:30-23:00", "公交", "open"),
    ("F35", "东安路零陵路站", "bus_stop", (1508, 540), 0, 0, "5:30-23:00", "公交", "open"),
    ("F36", "东安路100弄健身点", "fitness", (1300, 808), 200, 0, "全天", "街道", "open"),
    ("F37", "零陵路255弄健身点", "fitness", (448, 900), 150, 0, "全天", "街道", "open"),
    ("F38", "东安路综合为老服务中心", "elderly_service_centre", (1508, 460), 900, 60, "8:00-20:00", "街道", "open"),
)  # fmt: skip

# (id, name, address, (x, y), floor_area m², cost 万元, allowed functions; () = any hub function)
CANDIDATES = (
    ("S01", "枫林新村门卫室（含车棚）", "中山南二路 枫林新村大门", (270, 14), 160, 30, ()),
    ("S02", "建国新村废弃物业用房", "零陵路255弄 建国新村内", (448, 700), 220, 45, ()),
    ("S03", "中山南二路930号", "中山南二路930号", (1150, 10), 900, 420, ()),
    ("S04", "零陵路231号", "零陵路231号", (320, 530), 450, 160, ()),
    ("S05", "零陵路404号", "零陵路404号", (1180, 510), 650, 260, ()),
    ("S06", "小木桥路440弄22号甲", "小木桥路440弄22号甲", (708, 900), 240, 70, ()),
    ("S07", "东安三村闲置锅炉房", "中山南二路1100弄 东安三村内", (1638, 450), 300, 90, ()),
    (
        "S08",
        "斜土路沿街空置商铺",
        "斜土路 小木桥路口东",
        (820, 1042),
        520,
        210,
        ("service_station", "canteen", "culture_station", "health_station", "after_school"),
    ),
)


def _street_graph() -> WalkGraph:
    """Node the street polylines at every crossing and build the walk graph."""
    return graph_from_lines([line for _, _, line in STREETS], DEMO_CRS)


def _projection_offset() -> tuple[LocalProjection, float, float]:
    projection = LocalProjection(DEMO_CRS)
    x0, y0 = projection.to_metres(np.array([ORIGIN_LONLAT[0]]), np.array([ORIGIN_LONLAT[1]]))
    return projection, float(x0[0]), float(y0[0])


def _table(
    rows: tuple | list, fields: dict[str, int], at: list[tuple[float, float]], order: tuple
) -> pd.DataFrame:
    """Rows of literals as a DataFrame: `fields` maps column to tuple index; `at` gives local
    metres, from which the projected x/y and WGS-84 lon/lat are filled; columns in `order`."""
    projection, x0, y0 = _projection_offset()
    px = np.array([p[0] for p in at], dtype=float) + x0
    py = np.array([p[1] for p in at], dtype=float) + y0
    lon, lat = projection.to_lonlat(px, py)
    frame = pd.DataFrame({name: [row[i] for row in rows] for name, i in fields.items()})
    return frame.assign(lon=lon, lat=lat, x=px, y=py)[list(order)].reset_index(drop=True)


def _compound_point(row: tuple) -> tuple[float, float]:
    x_0, y_0, x_1, y_1 = row[2]
    return OPEN_COMPOUND_POINTS.get(row[0], ((x_0 + x_1) / 2, (y_0 + y_1) / 2))


def build_demo_area(standard: str = "gb50180-2018") -> Area:
    """The demo sub-district as an Area, in UTM 51N; the same data on every call.

    Facilities of categories the chosen standard does not define are left out and named in
    the area's note.
    """
    std = load_standard(standard)
    _, x0, y0 = _projection_offset()
    local = _street_graph()
    graph = WalkGraph.from_edges(
        local.x + x0, local.y + y0, local.edge_u, local.edge_v, DEMO_CRS, local.edge_length
    )
    compound_fields = {"id": 0, "name": 1, "built_year": 3, "population": 4, "households": 5}
    compound_fields |= {"pop_60_plus": 6, "pop_0_6": 7, "pop_7_14": 8}
    compounds = _table(
        COMPOUNDS, compound_fields, [_compound_point(c) for c in COMPOUNDS], COMPOUND_COLUMNS
    )
    compounds["geometry"] = [
        shapely.box(a + x0, b + y0, c + x0, d + y0) for a, b, c, d in (c[2] for c in COMPOUNDS)
    ]
    gate_rows = [(c[0], gate) for c in COMPOUNDS for gate in c[9]]
    gates = _table(gate_rows, {"compound_id": 0}, [g[1] for g in gate_rows], GATE_COLUMNS)
    kept = [f for f in FACILITIES if f[2] in std.categories]
    dropped = [f[1] for f in FACILITIES if f[2] not in std.categories]
    facility_fields = {"id": 0, "name": 1, "category": 2, "floor_area": 4, "capacity": 5}
    facility_fields |= {"hours": 6, "operator": 7, "status": 8}
    facilities = _table(kept, facility_fields, [f[3] for f in kept], FACILITY_COLUMNS)
    candidate_fields = {"id": 0, "name": 1, "address": 2, "floor_area": 4, "cost": 5}
    candidates = _table(
        CANDIDATES,
        candidate_fields | {"allowed_functions": 6},
        [s[3] for s in CANDIDATES],
        CANDIDATE_COLUMNS,
    )
    for frame, columns in (
        (facilities, ("floor_area", "capacity")),
        (candidates, ("floor_area", "cost")),
    ):
        frame[list(columns)] = frame[list(columns)].astype(float)

    note = DEMO_NOTE
    if dropped:
        note += (
            f" 标准《{std.title_zh or std.name}》未定义其类别、已略去的设施 facilities of categories the standard"
            f" lacks, left out: {'、'.join(dropped)}."
        )
    return Area(
        name=DEMO_NAME,
        crs=DEMO_CRS,
        graph=graph,
        standard=std,
        compounds=compounds,
        facilities=facilities,
        candidates=candidates,
        gates=gates,
        note=note,
    )
