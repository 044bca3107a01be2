"""Hub model against brute-force enumeration (heads and normalised objectives, priorities,
coverage targets); infeasibility in words; closure and merge; the demo's 一老一小."""

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from lifecircle.plan.hub import HubModel, HubRule, closure_analysis, merge_analysis
from lifecircle.plan.result import PlanInputError

CODES = ("elderly_daycare", "nursery", "canteen")
RULE = HubRule(600, 2, ("elderly_daycare", "nursery", "canteen"), 2)


def _instance(seed: int, **options) -> HubModel:
    rng = np.random.default_rng(seed)
    n, m = 9, 4
    reach = [sparse.csr_matrix(rng.random((n, m)) < 0.35) for _ in CODES]
    return HubModel(
        compound_ids=np.array([f"c{i}" for i in range(n)]),
        functions=CODES,
        function_area=np.array([350.0, 200.0, 150.0]),
        weight=rng.integers(1, 100, (n, len(CODES))).astype(float),
        covered_before=rng.random((n, len(CODES))) < 0.3,
        site_ids=np.array(["s0", "s1", "s2", "s3"]),
        site_area=np.array([700.0, 400.0, 200.0, 650.0]),
        site_cost=np.array([30.0, 20.0, 10.0, 25.0]),
        reach=reach,
        function_names={"nursery": "托育点"},
        **options,
    )


def _value(model: HubModel, priority: np.ndarray | None = None) -> np.ndarray:
    """The value of newly covering (compound, function), from the documented formula."""
    value = model.weight * (1.0 if priority is None else priority)
    if model.objective == "normalised":
        value = 100.0 * value / model.weight.sum(axis=0)
    return value


def _meets_targets(model: HubModel, after: np.ndarray) -> bool:
    return all(
        model.weight[after[:, model.functions.index(code)], model.functions.index(code)].sum()
        >= share * model.weight[:, model.functions.index(code)].sum() - 1e-9
        for code, share in model.targets.items()
    )


def _brute_force(model: HubModel, priority: np.ndarray | None = None):
    """Best new value over every placement of functions at sites (and the cheapest cost)."""
    m, nf = len(model.site_ids), len(model.functions)
    value = _value(model, priority)
    best, cheapest = -1.0, np.inf
    for bits in itertools.product([False, True], repeat=m * nf):
        placed = np.array(bits).reshape(m, nf)
        opened = placed.any(axis=1)
        if (placed.astype(float) @ model.function_area > model.site_area).any():
            continue
        if model.max_functions_per_site and (placed.sum(1) > model.max_functions_per_site).any():
            continue
        if model.hub_rule is not None:
            hub = opened & (model.site_area >= model.hub_rule.min_area_m2)
            core = placed[:, [model.functions.index(c) for c in model.hub_rule.core]].sum(1)
            if (hub & ((placed.sum(1) < model.hub_rule.min_functions)
                       | (core < model.hub_rule.min_core))).any():  # fmt: skip
                continue
        after = model._covered_after(placed)
        if (after.sum(1) - model.covered_before.sum(1) < model._need()).any():
            continue
        if not _meets_targets(model, after):
            continue
        cost = model.site_cost[opened].sum()
        cheapest = min(cheapest, cost)
        if model.budget is not None and cost > model.budget:
            continue
        best = max(best, float((value * (after & ~model.covered_before)).sum()))
    return best, cheapest


def _priorities(seed: int, n: int) -> tuple[np.ndarray, pd.DataFrame]:
    """A priority matrix and the weights table that states it (category and compound rows)."""
    rng = np.random.default_rng(100 + seed)
    priority = np.ones((n, len(CODES)))
    rows = []
    for f, code in enumerate(CODES[:2]):
        priority[:, f] = rng.choice([0.5, 2.0, 4.0])
        rows.append({"category": code, "weight": priority[0, f], "compound_id": None})
    for i in rng.choice(n, 3, replace=False):
        f = int(rng.integers(len(CODES)))
        priority[i, f] = rng.choice([0.0, 3.0, 10.0])
        rows.append({"category": CODES[f], "weight": priority[i, f], "compound_id": f"c{i}"})
    return priority, pd.DataFrame(rows).sample(frac=1.0, random_state=seed)  # order must not matter


@pytest.mark.parametrize(
    "options",
    [
        {"budget": 40.0, "objective": "heads"},
        {"budget": 60.0, "max_functions_per_site": 2, "objective": "heads"},
        {"budget": 60.0, "hub_rule": RULE, "objective": "heads"},
        {"budget": 70.0, "min_compound_coverage": 0.34, "objective": "heads"},
        {"budget": 40.0},
        {"budget": 60.0, "hub_rule": RULE, "weighted": True},
        {"budget": 50.0, "targets": {"nursery": 0.5}},
        {"budget": 60.0, "targets": {"elderly_daycare": 0.6, "canteen": 0.5}, "weighted": True},
        {"budget": 70.0, "targets": {"nursery": 0.4}, "hub_rule": RULE, "objective": "heads"},
    ],
)
def test_hub_exact_equals_brute_force(options):
    options = dict(options)
    weighted = options.pop("weighted", False)
    for seed in range(3):
        priority, table = _priorities(seed, 9) if weighted else (None, None)
        model = _instance(seed, weights=table, **options)
        expected, _ = _brute_force(model, priority)
        result = model.solve(time_limit=30)
        if expected < 0:
            assert result.status == "infeasible" and result.explanation
            assert not all(check.met for check in result.targets) or not model.targets
            continue
        assert result.status == "optimal"
        assert result.objective == pytest.approx(expected)
        assert result.cost <= options["budget"] + 1e-9
        assert all(check.met for check in result.targets)
        assert _meets_targets(model, result.covered_after)
        greedy = model.solve(method="heuristic")
        assert greedy.objective <= result.objective + 1e-9
        assert _meets_targets(model, greedy.covered_after)
        if greedy.method == "heuristic":
            assert greedy.bound >= result.objective - 1e-6  # the LP bound is valid
        if options.get("objective") == "heads" and not weighted:
            assert result.table["new_population"].sum() == pytest.approx(result.objective)


def test_target_met_where_the_unconstrained_plan_misses_it():
    free = _instance(1, budget=40.0, objective="heads")
    plain = free.solve()
    assert plain.targets == ()  # no targets asked: none checked
    f = CODES.index("nursery")
    share = free.weight[plain.covered_after[:, f], f].sum() / free.weight[:, f].sum()
    want = share + 0.15
    model = _instance(1, budget=40.0, objective="heads", targets={"nursery": want})
    expected, _ = _brute_force(model)
    result = model.solve()
    (check,) = result.targets
    assert check.met and check.category == "nursery" and check.name == "托育点"
    assert check.share_after >= want and check.target_share == want
    assert check.share_before == pytest.approx(
        free.weight[free.covered_before[:, f], f].sum() / free.weight[:, f].sum()
    )
    assert result.objective == pytest.approx(expected)
    assert result.objective < plain.objective  # meeting the target costs other coverage


def test_target_out_of_reach_names_the_compounds():
    model = _instance(0, budget=100.0, targets={"托育点": 0.9})
    f = CODES.index("nursery")
    reach = model.reach[f].toarray()
    reach[[2, 5], :] = False  # no candidate within walking reach of c2 and c5
    model.reach[f] = sparse.csr_matrix(reach)
    model.covered_before[:, f] = False
    result = model.solve()
    assert result.status == "infeasible"
    (check,) = result.targets
    lost = [i for i in range(9) if not reach[i].any()]
    assert set(check.unreachable_compounds) == {f"c{i}" for i in lost} >= {"c2", "c5"}
    heads = model.weight[:, f]
    expected_share = 1 - heads[lost].sum() / heads.sum()
    assert check.reachable_share == pytest.approx(expected_share) and not check.met
    assert "c2" in result.explanation and "c5" in result.explanation
    assert f"{expected_share:.1%}" in result.explanation and "托育点 nursery" in result.explanation


def test_target_beyond_the_budget_names_the_cheapest_cost():
    model = _instance(4, budget=12.0, targets={"canteen": 0.8, "nursery": 0.5})
    model.reach = [sparse.csr_matrix(np.ones(r.shape, dtype=bool)) for r in model.reach]
    model.covered_before[:] = False
    _, cheapest = _brute_force(model)
    result = model.solve()
    assert result.status == "infeasible"
    assert "budget 12" in result.explanation and f"{cheapest:g}" in result.explanation
    assert all(check.reachable_share == 1.0 and not check.met for check in result.targets)


def _one_room(objective: str, weights: pd.DataFrame | None = None) -> HubModel:
    """Two compounds, one 200 m² room: a canteen (150 m²) or a nursery (200 m²), not both.

    c0 has 100 elderly and 10 infants and no nursery nearby; c1 has 300 elderly already
    served by a canteen and 10 infants already served by a nursery.
    """
    return HubModel(
        compound_ids=np.array(["c0", "c1"]), functions=("canteen", "nursery"),
        function_area=np.array([150.0, 200.0]),
        weight=np.array([[100.0, 10.0], [300.0, 10.0]]),
        covered_before=np.array([[False, False], [True, True]]),
        site_ids=np.array(["room"]), site_area=np.array([200.0]), site_cost=np.array([1.0]),
        reach=[sparse.csr_matrix(np.array([[True], [False]]))] * 2,
        objective=objective, weights=weights, function_names={"nursery": "托育点"},
    )  # fmt: skip


def test_weights_and_normalising_move_the_plan():
    def placed(model):
        return list(model.solve().table["function"])

    assert placed(_one_room("heads")) == ["canteen"]  # 100 elderly beat 10 infants
    # normalised: 100 of 400 elderly = 25 points; 10 of 20 infants = 50 points
    assert placed(_one_room("normalised")) == ["nursery"]
    assert _one_room("normalised").solve().objective == pytest.approx(50.0)
    infants_first = pd.DataFrame({"category": ["托育点"], "weight": [11.0]})
    assert placed(_one_room("heads", infants_first)) == ["nursery"]  # 110 > 100
    elderly_first = pd.DataFrame({"category": ["canteen"], "weight": [2.5]})
    assert placed(_one_room("normalised", elderly_first)) == ["canteen"]  # 62.5 > 50
    # a compound row wins over its category row
    only_c1 = pd.DataFrame({"category": ["canteen", "canteen"], "weight": [0.0, 5.0],
                            "compound_id": [None, "c1"]})  # fmt: skip
    assert _one_room("heads", only_c1).priority[:, 0].tolist() == [0.0, 5.0]
    assert placed(_one_room("heads", only_c1)) == ["nursery"]


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (pd.DataFrame({"category": ["nursery", "gym"], "weight": [1, 2]}), "row 3"),
        (pd.DataFrame({"category": ["nursery", "canteen"], "weight": [1, -2]}), "row 3"),
        (pd.DataFrame({"category": ["nursery"], "weight": ["high"]}), "row 2"),
        (pd.DataFrame({"category": ["nursery"], "weight": [1], "compound_id": ["c99"]}), "c99"),
        (pd.DataFrame({"category": ["nursery", "托育点"], "weight": [1, 2]}), "duplicate"),
        (pd.DataFrame({"kind": ["nursery"], "weight": [1]}), "category"),
    ],
)
def test_bad_weights_are_named(table, words):
    with pytest.raises(PlanInputError, match=words):
        _instance(0, weights=table)


def test_bad_targets_and_objective_are_named():
    with pytest.raises(PlanInputError, match="gym"):
        _instance(0, targets={"gym": 0.5})
    with pytest.raises(PlanInputError, match="0..1"):
        _instance(0, targets={"nursery": 1.5})
    with pytest.raises(PlanInputError, match="heads"):
        _instance(0, objective="people")


def test_floor_unreachable_compound_is_named():
    model = _instance(0, budget=100.0, min_compound_coverage=1.0)
    model.reach[1] = sparse.csr_matrix(model.reach[1].shape, dtype=bool)  # no site reaches nursery
    model.covered_before[:, 1] = False
    result = model.solve()
    assert result.status == "infeasible"
    assert "c0" in result.explanation and "托育点 nursery" in result.explanation


def test_budget_below_floor_names_cheapest_cost():
    rng = np.random.default_rng(5)
    model = _instance(5, budget=5.0, min_compound_coverage=0.34)
    model.reach = [sparse.csr_matrix(np.ones(r.shape, dtype=bool)) for r in model.reach]
    model.covered_before[:] = rng.random(model.covered_before.shape) < 0.0
    _, cheapest = _brute_force(model)
    result = model.solve()
    assert result.status == "infeasible"
    assert "budget 5" in result.explanation and f"{cheapest:g}" in result.explanation


def test_closure_and_merge_analysis():
    # compounds 0..3; facilities A serves 0,1; B serves 1; C serves 2,3; D serves 3
    serves = sparse.csr_matrix(
        np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]], dtype=bool)
    )
    weight = np.array([10.0, 20.0, 30.0, 40.0])
    table = closure_analysis(np.array(["A", "B", "C", "D"]), serves, weight)
    assert table["population_losing"].tolist() == [10.0, 0.0, 30.0, 0.0]
    assert table["can_close"].tolist() == [False, True, False, True]
    # two canteens (function 0) and one day care (function 1); a candidate reaching all compounds
    reach_all = sparse.csr_matrix(np.ones((4, 1), dtype=bool))
    merged = merge_analysis(
        np.array(["A", "B", "C"]), np.array([0, 0, 1]), np.array([50.0, 60.0, 80.0]),
        serves[:, :3], np.array(["hub"]), np.array([500.0]), [reach_all, reach_all],
        np.array([150.0, 350.0]),
    )  # fmt: skip
    assert merged.loc[0, "facilities"] == ["A", "B", "C"] and merged.loc[0, "sites_merged"] == 3
    small = merge_analysis(
        np.array(["A", "B", "C"]), np.array([0, 0, 1]), np.array([50.0, 60.0, 80.0]),
        serves[:, :3], np.array(["hub"]), np.array([200.0]), [reach_all, reach_all],
        np.array([150.0, 350.0]),
    )  # fmt: skip
    assert small.loc[0, "facilities"] == ["A", "B"]  # day care does not fit in 200 m²


def test_no_placeable_function_gives_the_empty_plan():
    model = _instance(1, budget=50.0)
    model.site_area[:] = 50.0  # no function fits anywhere
    result = model.solve()
    assert (result.status, result.objective, result.sites) == ("optimal", 0.0, [])


def test_demo_budget_2000_serves_the_old_and_the_young():
    from lifecircle.access.area import analyse
    from lifecircle.data.demo import build_demo_area
    from lifecircle.plan.area import plan_hubs

    area = build_demo_area()
    result = plan_hubs(area, analyse(area), budget=2000.0)
    placed = set(result.table["function"])
    assert placed & {"elderly_daycare", "nursery"}
    gained = result.table.groupby("function")["new_population"].sum()
    assert gained[list(placed & {"elderly_daycare", "nursery"})].gt(0).all()
    assert set(result.sites) == set(result.table["site"])  # no site opened without a function
    assert result.cost == pytest.approx(
        area.candidates.set_index("id").loc[result.sites, "cost"].sum()
    )
