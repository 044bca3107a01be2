"""Shanghai's own words map to the standard's categories; a user mapping file by path."""

import pytest

from lifecircle.data import DataFileError, import_file, read_mapping
from lifecircle.data.categories import CategoryMapper
from lifecircle.standards import PRESETS, load_standard

SHANGHAI_WORDS = {
    "邻里汇": "service_station",
    "虹桥街道邻里汇": "service_station",
    "睦邻点": "service_station",
    "宝宝屋": "nursery",
    "爱心暑托班": "after_school",
    "小学生爱心暑托班": "after_school",
    "长者照护之家": "elderly_daycare",
    "长者食堂": "canteen",
    "助餐点": "canteen",
    "老年人助餐服务点": "canteen",
    "标准化菜场": "food_market",
    "控江路标准化菜场": "food_market",
    "健身苑点": "fitness",
    "口袋公园": "park",
    "市民球场": "sports_ground",
    "社区事务受理服务中心": "community_centre",
    "社区卫生服务中心": "health_centre",
    "家庭医生工作室": "health_station",
    "复旦大学附属中学": "middle_school",
    "华东师范大学附属小学": "primary_school",
}


@pytest.mark.parametrize("preset", ["gb50180-2018", "shanghai-2016", "tdt1062-2021"])
def test_shanghai_words_map_to_the_right_category(preset):
    mapper = CategoryMapper(load_standard(preset))
    got = {word: mapper.code(word) for word in SHANGHAI_WORDS}
    assert got == SHANGHAI_WORDS


def test_shanghai_preset_has_its_elderly_service_centre():
    mapper = CategoryMapper(load_standard("shanghai-2016"))
    assert mapper.code("社区综合为老服务中心") == "elderly_service_centre"
    assert CategoryMapper(load_standard("gb50180-2018")).code("综合为老服务中心") == (
        "elderly_daycare"
    )


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_no_alias_belongs_to_two_categories(preset):
    owner: dict[str, str] = {}
    for category in load_standard(preset).categories.values():
        for alias in {category.name_zh, *category.aliases}:
            assert owner.setdefault(alias, category.code) == category.code, alias


FACILITIES = "名称,类别,经度,纬度\n甲,邻里汇,121.50,31.27\n乙,小区睦邻角,121.501,31.271\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("map.csv", "名称,代码\n小区睦邻角,service_station\n"),
        ("map.toml", '[categories]\n"小区睦邻角" = "service_station"\n'),
    ],
)
def test_import_takes_a_mapping_file_by_path(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "f.csv").write_text(FACILITIES, encoding="utf-8")
    result = import_file(tmp_path / "f.csv", "facilities", mapping=tmp_path / name)
    assert result.table["category"].tolist() == ["service_station", "service_station"]
    without = import_file(tmp_path / "f.csv", "facilities")
    assert without.table["name"].tolist() == ["甲"]
    assert any("小区睦邻角" in str(issue) for issue in without.issues)


def test_mapping_file_with_unknown_codes_names_each_row(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text(
        "名称,代码\n好去处,service_station\n茶馆,teahouse\n书场,storytelling\n", "utf-8"
    )
    with pytest.raises(DataFileError) as caught:
        read_mapping(path, load_standard("gb50180-2018"))
    message = str(caught.value)
    assert "map.csv" in message and "row 3" in message and "teahouse" in message
    assert "row 4" in message and "storytelling" in message and "row 2" not in message
    (tmp_path / "f.csv").write_text(FACILITIES, encoding="utf-8")
    with pytest.raises(DataFileError, match="row 3"):
        import_file(tmp_path / "f.csv", "facilities", mapping=path)
