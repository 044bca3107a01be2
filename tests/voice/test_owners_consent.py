"""Civil Code art. 278 at its edges, with exact fractions."""

import pytest

from lifecircle.ops.owners_consent import ConsentError, count_consent


def register(votes, areas=None):
    areas = areas or [100] * len(votes)
    return [(f"h{i}", a, v) for i, (a, v) in enumerate(zip(areas, votes, strict=True))]


def test_exactly_two_thirds_take_part_is_a_quorum():
    # 6 owners of 100 m²: 4 take part = exactly 2/3 by head and area
    r = count_consent(register(["for", "for", "for", "against", None, None]), 4)
    assert r.quorum and r.passed
    assert r.participation_area_share == pytest.approx(2 / 3)


def test_one_short_of_two_thirds_is_no_quorum():
    # by head exactly 2/3 but area one square metre short
    r = count_consent(
        register(["for", "for", "for", "for", None, None], [100, 100, 100, 99, 100, 100]), 4
    )
    assert r.participating_heads * 3 == r.total_heads * 2
    assert not r.quorum and not r.passed
    # by area enough but one head short: 9 owners, 5 take part holding most of the area
    r = count_consent(register(["for"] * 5 + [None] * 4, [300] * 5 + [10] * 4), 4)
    assert r.participation_area_share > 2 / 3 and r.participating_heads == 5
    assert not r.quorum


def test_head_majority_without_area_majority_fails():
    # 3 of 5 participants approve (heads > 1/2) but hold only 150 of 350 m²
    r = count_consent(
        register(["for", "for", "for", "against", "against"], [50, 50, 50, 100, 100]), 4
    )
    assert r.quorum and r.for_heads == 3
    assert r.approval_area_share < 0.5 and not r.passed


def test_exactly_half_is_not_more_than_half():
    r = count_consent(register(["for", "for", "against", "against"]), 9)
    assert r.quorum and not r.passed


def test_three_quarters_matters_for_items_6_to_8_but_not_item_5():
    votes = ["for"] * 7 + ["against"] * 3  # 70% approve
    assert count_consent(register(votes), 5).passed  # using maintenance funds: simple majority
    assert count_consent(register(votes), 4).passed
    for item in (6, 7, 8):
        assert not count_consent(register(votes), item).passed
    exactly = ["for"] * 3 + ["against"]  # exactly 3/4 by head and area passes
    assert count_consent(register(exactly), 7).passed
    # 3/4 by head but not by area
    r = count_consent(register(exactly, [90, 90, 90, 300]), 7)
    assert r.approval_head_share == 0.75 and not r.passed


def test_abstentions_take_part_but_do_not_approve():
    r = count_consent(register(["for", "for", "abstain", "abstain"]), 4)
    assert r.quorum and not r.passed


def test_bad_register_is_refused_naming_the_owner():
    with pytest.raises(ConsentError, match="h1"):
        count_consent(register(["for", "maybe"]), 4)
    with pytest.raises(ConsentError, match="h0"):
        count_consent(register(["for"], [0]), 4)
    with pytest.raises(ConsentError):
        count_consent(register(["for"]), 10)
