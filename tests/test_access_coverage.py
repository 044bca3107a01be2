"""Coverage in one place: groups from the standard, head counts, no-facility status."""

import dataclasses

import numpy as np
import pytest

from lifecircle.access.coverage import (
    categories_without_facilities,
    coverage_change,
    coverage_groups,
    coverage_table,
    head_counts,
)
from lifecircle.standards import Group
from test_access_area import small_area


def test_groups_come_from_the_standard():
    area = small_area()
    groups = dict(area.standard.groups)
    groups["households"] = Group("households", "户", "households", "households", 60.0)
    area.standard = dataclasses.replace(area.standard, groups=groups)
    area.compounds = area.compounds.assign(households=[10, 20, np.nan, 5])
    assert coverage_groups(area.standard)[-1] == "households"
    np.testing.assert_array_equal(head_counts(area, "households"), [10, 20, 0, 5])
    covered = np.zeros((4, len(area.standard.categories)), dtype=bool)
    covered[:2, 0] = True
    table = coverage_table(area, covered).set_index(["category", "group"])
    first = next(iter(area.standard.categories))
    assert table.loc[(first, "households"), "covered_population"] == 30
    assert table.loc[(first, "households"), "share"] == pytest.approx(30 / 35)


def test_change_reads_no_facility_before_and_after():
    area = small_area()
    codes = list(area.standard.categories)
    assert "canteen" in categories_without_facilities(area)
    before = np.zeros((4, len(codes)), dtype=bool)
    after = {"canteen": np.array([True, False, False, False])}
    table = coverage_change(area, before, after, added={"canteen"}).set_index(["category", "group"])
    row = table.loc[("canteen", "all")]
    assert row["no_facility_before"] and not row["no_facility_after"]
    assert np.isnan(row["share_before"]) and row["share_after"] == pytest.approx(1000 / 4550)
    still = table.loc[("nursery", "all")]
    assert still["no_facility_after"] and np.isnan(still["share_after"])
    park = table.loc[("park", "all")]
    assert not park["no_facility_before"] and park["share_before"] == 0.0
