"""OSM schools by level (isced:level, school=*, name) and facilities inside campus or hospital
grounds left out, on small OSM XML files built here."""

import pytest

from lifecircle.network.osm import read_osm, school_levels
from test_network_osm import write_osm


def _node(nid: int, lon: float, lat: float, **tags: str) -> str:
    body = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'<node id="{nid}" lat="{lat}" lon="{lon}">{body}</node>'


def _way(wid: int, refs: list[int], **tags: str) -> str:
    nds = "".join(f'<nd ref="{r}"/>' for r in refs)
    body = "".join(f'<tag k="{k.replace("__", ":")}" v="{v}"/>' for k, v in tags.items())
    return f'<way id="{wid}">{nds}{body}</way>'


def _streets() -> str:
    """A footway along the south edge and one along the north edge, joined at the west end."""
    return (
        _node(1, 121.000, 31.000)
        + _node(2, 121.010, 31.000)
        + _node(3, 121.000, 31.010)
        + _node(4, 121.010, 31.010)
        + _way(1, [1, 2], highway="footway")
        + _way(2, [3, 4], highway="footway")
        + _way(3, [1, 3], highway="footway")
    )


SCHOOLS = [
    (101, {"name": "复旦大学附属中学"}, ["middle_school"]),
    (102, {"name": "华东师范大学附属小学"}, ["primary_school"]),
    (103, {"name": "上大附中"}, ["middle_school"]),
    (104, {"name": "上海市七宝高级中学"}, []),
    (105, {"name": "某某中学", "isced__level": "1"}, ["primary_school"]),
    (106, {"name": "某某学校", "school": "primary;lower_secondary"},
     ["primary_school", "middle_school"]),
    (107, {"name": "实验学校", "isced__level": "1-2"}, ["primary_school", "middle_school"]),
    (108, {"name": "某某学校", "school__primary": "yes"}, ["primary_school"]),
    (109, {"name": "市北初级中学"}, ["middle_school"]),
    (110, {"name": "某某高中"}, []),
    (111, {"name": "九年一贯制学校"}, ["primary_school", "middle_school"]),
    (112, {"name": "育才学校"}, []),
]  # fmt: skip


@pytest.mark.parametrize(("nid", "tags", "expected"), SCHOOLS)
def test_school_levels(nid, tags, expected):
    tags = {k.replace("__", ":"): v for k, v in tags.items()}
    assert school_levels({"amenity": "school", **tags})[0] == expected


def test_schools_in_an_osm_file_get_their_level_and_the_rest_are_named(tmp_path):
    body = _streets() + "".join(
        _node(nid, 121.001 + 0.0005 * i, 31.0005, amenity="school", **tags)
        for i, (nid, tags, _) in enumerate(SCHOOLS)
    )
    extract = read_osm(write_osm(tmp_path / "schools.osm", body))
    facilities = extract.facilities
    for nid, _, expected in SCHOOLS:
        rows = facilities[facilities["id"].str.startswith(f"n{nid}")]
        assert sorted(rows["category"]) == sorted(expected), nid
    # A school of two levels is one facility per level, both naming the OSM object.
    both = facilities[facilities["id"].str.startswith("n106")]
    assert set(both["id"]) == {"n106:primary_school", "n106:middle_school"}
    assert "复旦大学附属中学" in facilities["name"].tolist()
    warning = next(w for w in extract.warnings if "schools not counted" in w)
    assert "上海市七宝高级中学" in warning and "high school" in warning
    assert "育才学校" in warning and "level unknown" in warning
    assert "复旦大学附属中学" not in warning


def test_facilities_inside_campus_and_hospital_grounds_are_left_out(tmp_path):
    body = (
        _streets()
        # University grounds as a multipolygon of two ways; a library and a pitch inside.
        + _node(20, 121.002, 31.002)
        + _node(21, 121.004, 31.002)
        + _node(22, 121.004, 31.004)
        + _node(23, 121.002, 31.004)
        + _way(20, [20, 21, 22])
        + _way(21, [22, 23, 20])
        + '<relation id="30"><member type="way" ref="20" role="outer"/>'
        '<member type="way" ref="21" role="outer"/><tag k="type" v="multipolygon"/>'
        '<tag k="amenity" v="university"/><tag k="name" v="某某大学"/></relation>'
        + _node(24, 121.003, 31.003, amenity="library", name="校图书馆")
        + _node(25, 121.0025, 31.0025)
        + _node(26, 121.0035, 31.0025)
        + _node(27, 121.0035, 31.0035)
        + _node(28, 121.0025, 31.0035)
        + _way(25, [25, 26, 27, 28, 25], leisure="pitch", name="校篮球场")
        # A hospital as a closed way: it stays, the clinic inside it does not.
        + _node(40, 121.006, 31.002)
        + _node(41, 121.008, 31.002)
        + _node(42, 121.008, 31.004)
        + _node(43, 121.006, 31.004)
        + _way(40, [40, 41, 42, 43, 40], amenity="hospital", name="区中心医院")
        + _node(44, 121.007, 31.003, amenity="clinic", name="院内门诊")
        # Outside every ground: a public library and a pitch.
        + _node(50, 121.001, 31.008, amenity="library", name="街道图书馆")
        + _node(51, 121.009, 31.008, leisure="fitness_station", name="健身苑点")
    )
    extract = read_osm(write_osm(tmp_path / "grounds.osm", body))
    kept = set(extract.facilities["name"])
    assert kept == {"区中心医院", "街道图书馆", "健身苑点"}
    excluded = extract.excluded_facilities.set_index("name")
    assert set(excluded.index) == {"校图书馆", "校篮球场", "院内门诊"}
    assert "某某大学" in excluded.loc["校图书馆", "reason"]
    assert "区中心医院" in excluded.loc["院内门诊", "reason"]
    text = "\n".join(extract.warnings)
    assert "某某大学 (amenity=university)" in text and "校图书馆" in text and "校篮球场" in text
    assert "区中心医院 (amenity=hospital)" in text and "院内门诊" in text
