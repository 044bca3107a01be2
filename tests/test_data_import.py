"""Data import: file formats, headers, encodings, coordinate systems, categories, bad rows."""

import json

import numpy as np
import pytest
import shapely
from typer.testing import CliRunner

from lifecircle.cli import app
from lifecircle.data import (
    DataFileError,
    build_area,
    import_file,
    link_gates,
    read_mapping,
    summary,
)
from lifecircle.geo.chinese import wgs84_to_bd09, wgs84_to_gcj02
from lifecircle.geo.projection import LocalProjection
from lifecircle.network.graph import WalkGraph
from lifecircle.standards import load_standard

COMPOUNDS_ZH = (
    "名称,地址,经度,纬度,人口,户数,60岁以上人口,0-6岁,7-14岁,建成年代\n"
    "康乐小区,江浦路100弄,121.5230,31.2650,2400,900,820,60,150,1970年代\n"
    "阳光苑,江浦路200号,121.5260,31.2670,3100,1100,500,180,260,2005\n"
    "新华里,江浦路300弄,121.5200,31.2630,1800,700,600,40,90,1985\n"
)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def metres(lon1, lat1, lon2, lat2):
    """Haversine metres (independent of the code under test)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * np.arcsin(np.sqrt(h))


def rejected(result):
    """{(row, column): reason} of the rejected rows."""
    return {(i.row, i.column): i.reason for i in result.issues if i.rejected}


def test_chinese_headers_all_fields(tmp_path):
    result = import_file(write(tmp_path / "小区.csv", COMPOUNDS_ZH), "compounds")
    assert result.issues == [] and result.imported == 3
    first = result.table.iloc[0]
    assert first["id"] == first["name"] == "康乐小区"  # no id column: the name is the id
    assert (first["lon"], first["lat"]) == (121.523, 31.265)
    assert first["population"] == 2400 and first["households"] == 900
    assert (first["pop_60_plus"], first["pop_0_6"], first["pop_7_14"]) == (820, 60, 150)
    assert first["built_year"] == 1970 and first["row"] == 2


def test_english_headers_with_bom_give_the_same_table(tmp_path):
    english = COMPOUNDS_ZH.replace(
        "名称,地址,经度,纬度,人口,户数,60岁以上人口,0-6岁,7-14岁,建成年代",
        "Name,Address,lng,Latitude,population,households,pop_60_plus,pop_0_6,pop_7_14,built_year",
    ).replace("1970年代", "1970s")
    zh = import_file(write(tmp_path / "zh.csv", COMPOUNDS_ZH), "compounds").table
    en = import_file(write(tmp_path / "en.csv", english, "utf-8-sig"), "compounds").table
    assert en.equals(zh)


def test_gbk_file_is_detected_and_read(tmp_path):
    result = import_file(write(tmp_path / "gbk.csv", COMPOUNDS_ZH, "gbk"), "compounds")
    assert result.issues == [] and list(result.table["name"]) == ["康乐小区", "阳光苑", "新华里"]


def test_undecodable_file_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes("名称,经度,纬度,人口\n".encode() + b"\x80\x80\xff,1,2,3\n")
    with pytest.raises(DataFileError, match="broken.csv.*cannot decode"):
        import_file(path, "compounds")


@pytest.mark.parametrize(
    "text", ["", "\n\n", "名称,经度,纬度,人口\n", "名称,经度,纬度,人口\n,,,\n"]
)
def test_empty_file_is_an_error(tmp_path, text):
    with pytest.raises(DataFileError, match="empty.csv.*empty"):
        import_file(write(tmp_path / "empty.csv", text), "compounds")


def test_missing_column_names_the_column_and_the_headers_found(tmp_path):
    text = "名称,经度,纬度,户数\n康乐小区,121.523,31.265,900\n"
    with pytest.raises(DataFileError) as err:
        import_file(write(tmp_path / "c.csv", text), "compounds")
    message = str(err.value)
    assert "c.csv" in message and "人口" in message and "'population'" in message
    assert "headers found: 名称, 经度, 纬度, 户数" in message


def test_bad_rows_are_reported_and_good_rows_kept(tmp_path):
    text = (
        "名称,经度,纬度,人口,60岁以上人口,建成年代\n"
        "好小区,121.523,31.265,2400,820,1978\n"  # row 2 good
        "坏数字,121.524,31.266,两千,100,1990\n"  # row 3 bad number
        "负人口,121.525,31.267,-5,,\n"  # row 4 negative
        "老人多,121.526,31.268,500,600,\n"  # row 5 60+ > population
        "好小区,121.527,31.269,800,100,\n"  # row 6 duplicate name
        "\n"  # row 7 blank: skipped, still counted as a line
        "坏年份,121.528,31.270,800,100,很久以前\n"  # row 8 bad year
        "缺人口,121.529,31.271,,,\n"  # row 9 missing value
        '"多行\n名称",121.53,31.272,700,,\n'  # rows 10-11: one record over two lines
        "另一个好小区,121.531,31.273,900,,\n"  # row 12 good
    )
    result = import_file(write(tmp_path / "c.csv", text), "compounds")
    assert list(result.table["name"]) == ["好小区", "多行\n名称", "另一个好小区"]
    assert list(result.table["row"]) == [2, 10, 12]
    reasons = rejected(result)
    assert reasons.keys() == {
        (3, "人口"),
        (4, "人口"),
        (5, "60岁以上人口"),
        (6, "名称"),
        (8, "建成年代"),
        (9, "人口"),
    }
    assert "not a number" in reasons[3, "人口"]
    assert "negative" in reasons[4, "人口"]
    assert "greater than the population" in reasons[5, "60岁以上人口"]
    assert "duplicates row 2" in reasons[6, "名称"]
    assert "missing value" in reasons[9, "人口"]
    bad_number = next(i for i in result.issues if i.row == 3)
    assert (bad_number.file, bad_number.value) == (str(tmp_path / "c.csv"), "两千")
    assert summary([result]).iloc[0][["rows", "imported", "rejected"]].tolist() == [9, 3, 6]


def test_coordinate_mistakes_name_the_likely_cause(tmp_path):
    text = (
        "名称,经度,纬度,人口\n"
        "甲,121.523,31.265,100\n"
        "乙,121.524,31.266,100\n"
        "填反,31.267,121.525,100\n"
        "投影,355000,3460000,100\n"
        "国外,2.35,48.85,100\n"
        "输错,112.526,31.268,100\n"  # 121 typed as 112: ~850 km west
        "丙,121.527,31.269,100\n"
    )
    reasons = rejected(import_file(write(tmp_path / "c.csv", text), "compounds"))
    assert "swapped" in reasons[4, "经度/纬度"]
    assert "projected metres" in reasons[5, "经度/纬度"]
    assert "outside China" in reasons[6, "经度/纬度"]
    assert "likely a typo" in reasons[7, "经度/纬度"]
    assert len(reasons) == 4


def test_gcj02_input_lands_within_1_m_of_the_wgs84_point(tmp_path):
    # (wgs, gcj) pairs from the googollee/eviltransform test suite (Shanghai, Shenzhen, Beijing)
    pairs = [
        (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
        (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
        (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    ]
    for i, (w_lon, w_lat, g_lon, g_lat) in enumerate(pairs):  # one file per city
        path = write(
            tmp_path / f"gcj{i}.csv", f"name,lon,lat,population\np,{g_lon!r},{g_lat!r},10\n"
        )
        got = import_file(path, "compounds", crs="gcj02").table.iloc[0]
        assert metres(got["lon"], got["lat"], w_lon, w_lat) < 1.0


def test_bd09_and_gcj02_shanghai_points_convert_back(tmp_path):
    lon = np.array([121.520, 121.523, 121.526, 121.529])
    lat = np.array([31.262, 31.265, 31.268, 31.271])
    for crs, forward in (("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)):
        f_lon, f_lat = forward(lon, lat)
        text = "名称,经度,纬度,人口\n" + "".join(
            f"点{i},{float(x)!r},{float(y)!r},10\n"
            for i, (x, y) in enumerate(zip(f_lon, f_lat, strict=True))
        )
        table = import_file(write(tmp_path / f"{crs}.csv", text), "compounds", crs=crs).table
        assert metres(table["lon"].to_numpy(), table["lat"].to_numpy(), lon, lat).max() < 0.01


FACILITIES = (
    "名称,类别,经度,纬度,建筑面积\n"
    "江浦菜场,菜场,121.5230,31.2650,800\n"
    "生鲜店,生鲜超市,121.5240,31.2660,300\n"
    "长者食堂,长者食堂,121.5250,31.2670,150\n"
    "助餐点一,助餐点,121.5260,31.2680,120\n"
    "控江路标准化菜市场,控江路标准化菜市场,121.5270,31.2690,900\n"
    "神秘设施,量子茶馆,121.5280,31.2700,50\n"
    "江浦菜场,菜场,121.5231,31.2651,800\n"  # the same market listed twice (~15 m apart)
    "江浦菜场,菜场,121.5330,31.2750,800\n"  # same name, ~1.4 km away: another branch, kept
)


def test_category_names_are_mapped_and_unknown_ones_reported(tmp_path):
    result = import_file(write(tmp_path / "f.csv", FACILITIES), "facilities")
    codes = dict(zip(result.table["name"], result.table["category"], strict=False))
    assert codes["生鲜店"] == "food_market" and codes["控江路标准化菜市场"] == "food_market"
    assert codes["长者食堂"] == codes["助餐点一"] == "canteen"
    assert result.categories["菜场"] == "food_market"
    reasons = rejected(result)
    assert "unknown category" in reasons[7, "类别"]
    assert "duplicates row 2" in reasons[8, "名称"]
    assert len(reasons) == 2 and result.imported == 6
    assert list(result.table["id"]) == ["f2", "f3", "f4", "f5", "f6", "f9"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("map.toml", '[categories]\n"量子茶馆" = "culture_station"\n'),
        ("map.csv", "名称,代码\n量子茶馆,culture_station\n"),
    ],
)
def test_user_mapping_file_adds_names(tmp_path, name, text):
    mapping = read_mapping(write(tmp_path / name, text))
    result = import_file(write(tmp_path / "f.csv", FACILITIES), "facilities", mapping=mapping)
    assert result.categories["量子茶馆"] == "culture_station"
    assert not any("unknown category" in i.reason for i in result.issues)


def test_mapping_to_an_unknown_code_is_an_error(tmp_path):
    with pytest.raises(DataFileError, match="'teahouse'.*choose from"):
        import_file(
            write(tmp_path / "f.csv", FACILITIES), "facilities", mapping={"量子茶馆": "teahouse"}
        )


def test_shanghai_standard_maps_its_own_category(tmp_path):
    text = "名称,类别,经度,纬度\n枫林为老中心,综合为老服务中心,121.45,31.19\n"
    gb = import_file(write(tmp_path / "f.csv", text), "facilities").table
    sh = import_file(
        tmp_path / "f.csv", "facilities", standard=load_standard("shanghai-2016")
    ).table
    assert gb.iloc[0]["category"] == "elderly_daycare"
    assert sh.iloc[0]["category"] == "elderly_service_centre"


def test_xlsx_round_trip_with_sheet_row_numbers(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "说明"  # an empty first sheet: the data sheet is found after it
    sheet = book.create_sheet("候选点")
    sheet.append([])
    sheet.append(["名称", "地址", "经度", "纬度", "建筑面积（㎡）", "成本（万元）", "可用功能"])
    sheet.append(["门卫室", "江浦路100弄", 121.523, 31.265, 40, 12.5, "睦邻驿站、助餐点"])
    sheet.append([None] * 7)  # a blank sheet row
    sheet.append(["中山南二路930号", "中山南二路930号", 121.45, 31.19, "八百", 300, ""])
    sheet.append(["零陵路231号", "零陵路231号", 121.446, 31.188, 650, None, "托育点,课后托管"])
    book.save(tmp_path / "候选点.xlsx")
    result = import_file(tmp_path / "候选点.xlsx", "candidates")
    assert list(result.table["name"]) == ["门卫室", "零陵路231号"]
    assert list(result.table["row"]) == [3, 6]
    assert result.table.iloc[0]["allowed_functions"] == ("service_station", "canteen")
    assert result.table.iloc[1]["allowed_functions"] == ("nursery", "after_school")
    assert result.table.iloc[0]["cost"] == 12.5 and np.isnan(result.table.iloc[1]["cost"])
    assert rejected(result) == {(5, "建筑面积（㎡）"): "不是数字 not a number"}


def _square(lon, lat, half=0.001):
    return shapely.box(lon - half, lat - half, lon + half, lat + half)


def test_geojson_polygons_give_centroid_and_polygon_in_declared_crs(tmp_path):
    wgs = [(121.523, 31.265), (121.527, 31.268)]
    features = []
    for i, (lon, lat) in enumerate(wgs):
        polygon = shapely.transform(
            _square(lon, lat), lambda xy: np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"名称": f"小区{i}", "人口": 1000 + i, "60岁以上": 300},
                "geometry": shapely.geometry.mapping(polygon),
            }
        )
    features.append(
        {"type": "Feature", "properties": {"名称": "无几何", "人口": 5}, "geometry": None}
    )
    path = tmp_path / "compounds.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    result = import_file(path, "compounds", crs="gcj02")
    assert rejected(result) == {(3, "geometry"): "没有几何 no geometry"}
    table = result.table
    for (lon, lat), (_, row) in zip(wgs, table.iterrows(), strict=True):
        assert metres(row["lon"], row["lat"], lon, lat) < 1.0  # centroid of the square
        assert row["geometry"].geom_type == "Polygon"
        assert shapely.equals_exact(row["geometry"], _square(lon, lat), tolerance=1e-7)


def test_geopackage_points_in_a_projected_crs_are_reprojected(tmp_path):
    import pyogrio.raw

    lon = np.array([121.523, 121.524, 121.525])
    lat = np.array([31.265, 31.266, 31.267])
    proj = LocalProjection("EPSG:32651")
    x, y = proj.to_metres(lon, lat)
    path = tmp_path / "gates.gpkg"
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(shapely.points(x, y)),
        field_data=[np.array(["康乐小区", "康乐小区", "没有的小区"], dtype=object)],
        fields=["小区"],
        geometry_type="Point",
        crs="EPSG:32651",
        driver="GPKG",
    )
    gates = import_file(path, "gates")
    assert gates.issues == []
    np.testing.assert_allclose(gates.table["lon"], lon, atol=1e-9)
    np.testing.assert_allclose(gates.table["lat"], lat, atol=1e-9)
    compounds = import_file(write(tmp_path / "c.csv", COMPOUNDS_ZH), "compounds").table
    linked = link_gates(gates, compounds)
    assert list(linked.table["compound_id"]) == ["康乐小区", "康乐小区"]
    assert rejected(linked) == {
        (
            3,
            "compound_id",
        ): "小区文件中没有这个小区（按编号或名称） no compound with this id or name"
    }


def test_build_area_projects_into_the_graph_crs(tmp_path):
    compounds = import_file(write(tmp_path / "c.csv", COMPOUNDS_ZH), "compounds").table
    facilities = import_file(write(tmp_path / "f.csv", FACILITIES), "facilities").table
    proj = LocalProjection("EPSG:32651")
    gx, gy = proj.to_metres(np.array([121.52, 121.53]), np.array([31.26, 31.27]))
    graph = WalkGraph.from_edges(gx, gy, np.array([0]), np.array([1]), crs=proj.crs)
    area = build_area("江浦路街道", graph, load_standard(), compounds, facilities)
    x, y = proj.to_metres(compounds["lon"].to_numpy(), compounds["lat"].to_numpy())
    np.testing.assert_allclose(area.compounds["x"], x)
    np.testing.assert_allclose(area.compounds["y"], y)
    assert area.crs == "EPSG:32651" and len(area.candidates) == 0 and len(area.gates) == 0
    assert list(area.gates.columns) == ["compound_id", "lon", "lat", "x", "y"]


def test_cli_data_check_prints_summary_and_rejections(tmp_path):
    path = write(tmp_path / "f.csv", FACILITIES)
    runner = CliRunner()
    result = runner.invoke(
        app, ["data", "check", str(path), "--kind", "facilities"], env={"COLUMNS": "240"}
    )
    assert result.exit_code == 1, result.output
    assert "导入 imported" in result.output and "量子茶馆" in result.output
    assert "未知类别" in result.output and "拒绝 rejected" in result.output
    clean = write(tmp_path / "c.csv", COMPOUNDS_ZH)
    ok = runner.invoke(app, ["data", "check", str(clean), "--kind", "compounds"])
    assert ok.exit_code == 0, ok.output
    broken = write(tmp_path / "b.csv", "名称,经度\n甲,121.5\n")
    bad = runner.invoke(
        app, ["data", "check", str(broken), "--kind", "compounds"], env={"COLUMNS": "240"}
    )
    assert bad.exit_code == 2 and "缺少必需列" in bad.output


def test_headers_with_units_case_and_full_width_and_unused_columns(tmp_path):
    text = "ＩＤ,Name,LNG,Lat,人口（人）,Pop_60_Plus,备注\nA1,甲,121.523,31.265,100,30,旧改\n"
    result = import_file(write(tmp_path / "c.csv", text, "utf-16"), "compounds")
    row = result.table.iloc[0]
    assert (row["id"], row["population"], row["pop_60_plus"]) == ("A1", 100, 30)
    notes = [i for i in result.issues if not i.rejected]
    assert [(n.column, n.row) for n in notes] == [("备注", None)]
    assert result.rejected_rows == 0


def test_candidate_with_an_unknown_function_is_rejected_naming_it(tmp_path):
    text = "名称,经度,纬度,面积,可用功能\n物业用房,121.523,31.265,60,托育点；量子茶馆\n"
    result = import_file(write(tmp_path / "k.csv", text), "candidates")
    assert result.imported == 0
    assert "量子茶馆" in rejected(result)[2, "可用功能"]


def test_value_parsers():
    import datetime

    from lifecircle.data.validate import Invalid, parse_count, parse_number, parse_year

    assert parse_number(" 1,234 ") == parse_number("１２３４") == parse_number("1234人") == 1234
    assert (parse_number("120㎡"), parse_number("80平方米"), parse_number(3.5)) == (120, 80, 3.5)
    for bad in ("1.2万", "约100", "", "nan", True):
        with pytest.raises(Invalid):
            parse_number(bad)
    with pytest.raises(Invalid, match="negative"):
        parse_count("-1")
    for text, year in (("1978", 1978), ("1978年", 1978), ("1970年代", 1970), ("80年代", 1980)):
        assert parse_year(text) == year
    assert parse_year("1990s") == parse_year(datetime.date(1990, 6, 1)) == parse_year(1990.0)
    for bad in ("1700", "3000", "上世纪", "19780"):
        with pytest.raises(Invalid):
            parse_year(bad)


def test_duplicate_ids_reject_the_later_row(tmp_path):
    text = "编号,名称,经度,纬度,人口\nA1,甲,121.523,31.265,100\nA1,乙,121.524,31.266,100\n"
    result = import_file(write(tmp_path / "c.csv", text), "compounds")
    assert list(result.table["name"]) == ["甲"]
    assert rejected(result) == {(3, "编号"): "与第2行重复 duplicates row 2"}
