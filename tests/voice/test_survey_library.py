"""The survey library without a database: XLSForm in and out, 问卷星 and XLSForm answers,
errors that name file, row and question, tallies against a hand computation."""

import math
from datetime import datetime

import pandas as pd
import pytest
from voice_fixtures import wjx_export, wjx_row, write_book, xlsform

from lifecircle.ops.survey_form import (
    SurveyError,
    answers_after_close,
    check_response,
    read_answers,
    read_xlsform,
    write_xlsform,
)
from lifecircle.ops.survey_tally import category_weights, most_wanted, search_text, tally, wilson

QUESTIONS = ["age_group", "compound_id", "wanted", "top3", "satisfaction", "household_size",
             "uses_canteen", "comment", "thanks"]  # fmt: skip


@pytest.fixture
def form(tmp_path):
    return read_xlsform(xlsform(tmp_path / "needs.xlsx"))


def test_xlsform_reads_types_choices_skip_rules_and_settings(form):
    # the group is flattened, its questions kept in order
    assert [q.name for q in form.questions] == QUESTIONS
    assert form.title == "社区服务需求调查" and form.form_id == "needs_2026"
    wanted = form.question("wanted")
    assert wanted.type == "select_multiple" and wanted.label == "您最需要哪些服务（可多选）"
    assert wanted.choice_names() == [
        "canteen",
        "elderly_daycare",
        "nursery",
        "health_station",
        "other",
    ]
    assert form.question("satisfaction").rating_range() == (1, 5)
    assert form.question("age_group").required


def test_xlsform_round_trip_keeps_every_question_and_choice(form, tmp_path):
    again = read_xlsform(write_xlsform(form, tmp_path / "out.xlsx"))
    assert again.to_dict() == form.to_dict()
    assert again.settings_extra == {"default_language": "中文 (zh)"}


def test_skip_rule_empties_a_hidden_question(form):
    answer = {
        "age_group": "under_60",
        "compound_id": "C1",
        "wanted": "canteen",
        "uses_canteen": "yes",
    }
    assert check_response(form, answer)["uses_canteen"] == ""
    answer["age_group"] = "pop_60_plus"
    assert check_response(form, answer)["uses_canteen"] == "yes"


def test_wjx_export_is_read_by_label_with_multi_and_ranking(form, tmp_path):
    path = wjx_export(
        tmp_path / "wjx.xlsx",
        [
            wjx_row(
                1,
                "2026/11/20 10:01:02",
                "60岁及以上",
                "东安一村",
                "社区食堂┋日间照料中心",
                "日间照料中心→社区食堂→卫生服务站",
                4,
                2,
                "是",
                "希望有助浴",
            ),
            wjx_row(
                2,
                "2026/11/20 11:00:00",
                "60岁以下",
                "瑞金花园",
                "托育点",
                "托育点→卫生服务站→社区食堂",
                "3",
                "3",
                "(跳过)",
                "(空)",
            ),
        ],
    )
    answers = read_answers(form, path)
    assert list(answers["wanted"]) == ["canteen elderly_daycare", "nursery"]
    assert list(answers["top3"]) == [
        "elderly_daycare canteen health_station",
        "nursery health_station canteen",
    ]
    assert list(answers["uses_canteen"]) == ["yes", ""]
    assert list(answers["comment"]) == ["希望有助浴", ""]
    assert list(answers["channel"]) == ["wjx", "wjx"]
    assert list(answers["source_row"]) == [2, 3]


def test_wjx_unknown_option_names_file_row_and_question(form, tmp_path):
    path = wjx_export(
        tmp_path / "wjx.xlsx",
        [
            wjx_row(1, "2026/11/20 10:00", "60岁以下", "东安一村", "托育点", "", 3, 2, "", ""),
            wjx_row(2, "2026/11/20 10:05", "60岁以下", "东安一村", "游泳池", "", 3, 2, "", ""),
        ],
    )
    with pytest.raises(SurveyError) as err:
        read_answers(form, path)
    assert err.value.row == 3 and err.value.question == "wanted"
    assert "游泳池" in str(err.value) and "wjx.xlsx" in str(err.value)


def test_unknown_question_and_duplicate_household_are_refused(form, tmp_path):
    bad = write_book(
        tmp_path / "a.xlsx",
        {
            "data": [
                ["age_group", "compound_id", "wanted", "pets"],
                ["under_60", "C1", "nursery", "cat"],
            ]
        },
    )
    with pytest.raises(SurveyError) as err:
        read_answers(form, bad)
    assert err.value.question == "pets" and "pets" in str(err.value)

    dup = write_book(
        tmp_path / "b.xlsx",
        {
            "data": [
                ["household", "age_group", "compound_id", "wanted"],
                ["1-101", "under_60", "C1", "nursery"],
                ["1-102", "under_60", "C1", "canteen"],
                ["1-101", "pop_60_plus", "C1", "canteen"],
            ]
        },
    )
    with pytest.raises(SurveyError) as err:
        read_answers(form, dup)
    assert (err.value.row, err.value.question) == (4, "household") and "1-101" in str(err.value)


def test_answer_after_the_close_date_is_refused(form, tmp_path):
    path = write_book(
        tmp_path / "c.xlsx",
        {
            "data": [
                ["submitted_at", "age_group", "compound_id", "wanted"],
                ["2026-11-20 09:00", "under_60", "C1", "nursery"],
                ["2026-12-02 09:00", "under_60", "C1", "nursery"],
            ]
        },
    )
    answers = read_answers(form, path)
    with pytest.raises(SurveyError) as err:
        answers_after_close(answers, datetime(2026, 12, 1, 23, 59), str(path))
    assert err.value.row == 3 and err.value.question == "submitted_at"


def test_wilson_matches_the_textbook_formula():
    # p = 0.8, n = 10, z = 1.96: (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n)
    z = 1.959963984540054
    p = 0.8  # n = 10
    centre = (p + z * z / 20) / (1 + z * z / 10)
    half = z * math.sqrt(p * (1 - p) / 10 + z * z / 400) / (1 + z * z / 10)
    assert wilson(8, 10) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert wilson(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)


def _answers(rows):
    padded = [r + [""] * (len(QUESTIONS) - len(r)) for r in rows]
    return pd.DataFrame([dict(zip(QUESTIONS, r, strict=True)) for r in padded])


def test_weighted_shares_and_intervals_equal_a_hand_computation(form):
    # 4 respondents under 60 (one wants the canteen), 2 aged 60+ (both want it).
    answers = _answers([
        ["under_60", "C1", "canteen"], ["under_60", "C1", "nursery"], ["under_60", "C2", "nursery"],
        ["under_60", "C2", "health_station"], ["pop_60_plus", "C1", "canteen elderly_daycare"],
        ["pop_60_plus", "C2", "canteen"],
    ])  # fmt: skip
    population = pd.DataFrame(
        {"compound_id": ["C1", "C2"], "under_60": [300, 300], "pop_60_plus": [200, 200]}
    )
    result = tally(form, answers, population).results
    row = result.query("group_by == 'all' and question == 'wanted' and option == 'canteen'").iloc[0]
    # unweighted: 3 of 6
    assert (row["count"], row["answered"], row["share"]) == (3, 6, 0.5)
    assert (row["share_low"], row["share_high"]) == pytest.approx(wilson(3, 6))
    # by hand: population shares 600/1000 and 400/1000, sample shares 4/6 and 2/6
    w_young, w_old = 0.6 / (4 / 6), 0.4 / (2 / 6)  # 0.9 and 1.2
    share = (w_young * 1 + w_old * 2) / (4 * w_young + 2 * w_old)  # 3.3 / 6.0 = 0.55
    assert share == pytest.approx(0.55)
    assert row["weighted_share"] == pytest.approx(share)
    n_eff = (4 * w_young + 2 * w_old) ** 2 / (4 * w_young**2 + 2 * w_old**2)  # 36 / 6.12
    assert (row["weighted_low"], row["weighted_high"]) == pytest.approx(
        wilson(share * n_eff, n_eff)
    )
    # multiple choice: shares sum past 100%
    overall = result.query("group_by == 'all' and question == 'wanted'")
    assert overall["share"].sum() > 1
    # by age group and by compound
    old = result.query(
        "group_by == 'age_group' and group == 'pop_60_plus' and question == 'wanted' and option == 'canteen'"
    ).iloc[0]
    assert (old["count"], old["share"]) == (2, 1.0)
    c1 = result.query(
        "group_by == 'compound' and group == 'C1' and question == 'wanted' and option == 'canteen'"
    ).iloc[0]
    # C1: young 2 (1 canteen), old 1 (canteen); weights 0.6/(2/3)=0.9, 0.4/(1/3)=1.2
    assert c1["weighted_share"] == pytest.approx((0.9 + 1.2) / (2 * 0.9 + 1.2))
    assert most_wanted(result, "wanted").iloc[0]["option"] == "canteen"


def test_ranking_counts_the_top_three_and_text_is_searchable(form):
    answers = _answers([
        ["under_60", "C1", "nursery", "nursery canteen health_station elderly_daycare", "5", "3", "", "希望有托育"],
        ["under_60", "C1", "nursery", "canteen nursery", "4", "2", "", "楼道灯坏了"],
    ])  # fmt: skip
    result = tally(form, answers).results
    top = result.query("group_by == 'all' and question == 'top3'").set_index("option")
    assert top.loc["elderly_daycare", "count"] == 0  # fourth place is not in the top 3
    assert top.loc["canteen", "count"] == 2
    rating = result.query("group_by == 'all' and question == 'satisfaction'")
    assert rating["mean"].iloc[0] == pytest.approx(4.5)
    assert result["weighted_share"].isna().all()  # no population: unweighted only
    found = search_text(answers, form, "托育")
    assert list(found["answer"]) == ["希望有托育"]


def test_category_weights_follow_the_answers(form):
    answers = _answers([
        ["pop_60_plus", "", "canteen elderly_daycare"], ["pop_60_plus", "", "canteen"],
        ["under_60", "", "nursery"], ["under_60", "", "canteen other"],
    ])  # fmt: skip
    weights, notes = category_weights(form, answers, "wanted")
    got = dict(zip(weights["category"], weights["weight"], strict=False))
    # shares 3/4, 1/4, 1/4, 0 over four categories: mean 5/16
    assert got == pytest.approx(
        {"canteen": 2.4, "elderly_daycare": 0.8, "nursery": 0.8, "health_station": 0.0}
    )
    assert any("other" in n for n in notes)  # the option without a category is named


def test_kobo_style_export_with_group_paths_and_metadata(tmp_path):
    # the form as KoboToolbox writes it: start/end metadata, a group, a calculate row
    survey = [
        ["type", "name", "label", "calculation"],
        ["start", "start", "", ""],
        ["end", "end", "", ""],
        ["begin_group", "household", "户情况", ""],
        ["integer", "members", "几口人", ""],
        ["select_multiple needs", "needs", "需要什么", ""],
        ["end_group", "", "", ""],
        ["calculate", "big", "", "${members} > 4"],
    ]
    choices = [
        ["list_name", "name", "label"],
        ["needs", "canteen", "食堂"],
        ["needs", "nursery", "托育"],
    ]
    form = read_xlsform(write_book(tmp_path / "kobo.xlsx", {"survey": survey, "choices": choices}))
    assert [q.name for q in form.answerable()] == ["members", "needs"]
    again = read_xlsform(write_xlsform(form, tmp_path / "back.xlsx"))
    assert again.to_dict() == form.to_dict()  # metadata and the calculation survive
    export = write_book(
        tmp_path / "export.xlsx",
        {"data": [["start", "end", "household/members", "household/needs", "household/needs/canteen",
                   "household/needs/nursery", "big", "meta/instanceID", "_id", "_submission_time"],
                  ["2026-11-20T10:00", "2026-11-20T10:05", "3", "canteen nursery", "1", "1", "0", "uuid:1", "1", "2026-11-20"]]},
    )  # fmt: skip
    answers = read_answers(form, export)
    assert answers.loc[0, "needs"] == "canteen nursery" and answers.loc[0, "members"] == "3"
    bad = write_book(tmp_path / "bad.xlsx", {"data": [["household/pets"], ["cat"]]})
    with pytest.raises(SurveyError, match="household/pets"):
        read_answers(form, bad)
