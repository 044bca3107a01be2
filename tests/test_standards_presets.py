"""Standards: every preset loads, user files override, broken files fail clearly, the CLI shows."""

import pytest
from typer.testing import CliRunner

from lifecircle.cli import app
from lifecircle.standards import PRESETS, StandardError, load_standard


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_with_the_shared_level_codes(name):
    standard = load_standard(name)
    assert standard.name == name
    assert set(standard.levels) == {"min5", "min10", "min15"}
    for cat in standard.categories.values():
        assert cat.threshold_m > 0 and cat.level in standard.levels and cat.group in standard.groups


def test_shanghai_overrides_the_national_standard():
    gb, sh = load_standard("gb50180-2018"), load_standard("shanghai-2016")
    assert gb.threshold_m("nursery") == 300
    assert sh.threshold_m("nursery") == 500 and sh.categories["nursery"].level == "min10"
    centre = sh.category("elderly_service_centre")
    assert centre.level == "min5" and centre.group == "elderly"
    assert "elderly_service_centre" not in gb.categories
    # 综合为老服务中心 is its own category in Shanghai, no longer an alias of day care
    assert "综合为老服务中心" not in sh.categories["elderly_daycare"].aliases
    assert sh.threshold_m("food_market") == gb.threshold_m("food_market") == 500


def test_tdt1062_renames_the_levels_and_keeps_the_categories():
    gb, td = load_standard("gb50180-2018"), load_standard("tdt1062-2021")
    assert td.levels["min15"].name_zh == "15分钟层级"
    assert {c: x.threshold_m for c, x in td.categories.items()} == {
        c: x.threshold_m for c, x in gb.categories.items()
    }


def test_user_file_overrides_one_threshold(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        'base = "shanghai-2016"\n[categories.food_market]\nthreshold_m = 400\n', encoding="utf-8"
    )
    mine = load_standard(path)
    assert mine.name == "mine"
    assert mine.threshold_m("food_market") == 400
    assert mine.threshold_m("nursery") == 500  # everything else from the base


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('base = "gb50180-2018"\n[categories.park\n', "not valid TOML"),
        ('base = "gb50180-2018"\n[categories.park]\nlevel = "min20"\n', "level 'min20'"),
        ('base = "gb50180-2018"\n[categories.park]\nthreshold_m = -300\n', "threshold_m = -300"),
        ('base = "gb50180-2018"\n[categories.park]\nthreshold_m = "far"\n', "threshold_m = 'far'"),
        ('base = "gb50180-2018"\n[groups.elderly]\nspeed_m_per_min = 0\n', "speed_m_per_min = 0"),
        ('base = "gb2099"\n', "no preset 'gb2099'"),
    ],
)
def test_broken_user_file_gives_a_clear_error(tmp_path, text, message):
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StandardError, match=message):
        load_standard(path)


def test_cli_standards_show_prints_the_table():
    result = CliRunner().invoke(app, ["standards", "show", "shanghai-2016"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "上海市15分钟社区生活圈规划导则" in result.output
    assert "综合为老服务中心" in result.output and "elderly_service_centre" in result.output


def test_cli_standards_show_missing_file_exits_2(tmp_path):
    missing = tmp_path / "nope.toml"
    result = CliRunner().invoke(app, ["standards", "show", str(missing)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "找不到标准" in result.output and "nope.toml" in result.output
