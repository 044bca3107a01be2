"""What the walk to the street changes: access and a hub plan with and without the connectors.

Every walk is connector + network + connector (see lifecircle.network.snap). The figures "without"
are read on the same attached graph from each point's projection on the street instead of the
point itself, which is how distances were measured before the connectors: the pendant connector
edges create no shortcut, so street-to-street distances are unchanged by them.

    python bench/connector.py                     # the demo area (standard gb50180-2018)
    python bench/connector.py --budget 2000       # the hub plan with that budget
    python bench/connector.py --osm ../shared/data/shanghai-shu-baoshan-osm/shu_baoshan_map_1.osm
"""

import argparse
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from lifecircle.access.area import AttachedArea, analyse, attach
from lifecircle.data.area import Area
from lifecircle.data.demo import build_demo_area
from lifecircle.network.osm import read_osm
from lifecircle.plan.area import plan_hubs
from lifecircle.standards import load_standard


def street_only(attached: AttachedArea) -> AttachedArea:
    """The same attachment, every point moved onto its projection on the street."""
    street = attached.street_node_of

    def on_street(nodes: np.ndarray) -> np.ndarray:
        return np.where(nodes >= 0, street[np.maximum(nodes, 0)], -1)

    return dataclasses.replace(
        attached,
        compound_entry_node=on_street(attached.compound_entry_node),
        facility_node=on_street(attached.facility_node),
        candidate_node=on_street(attached.candidate_node),
    )


def osm_area(path: Path, standard: str) -> Area:
    """Residential buildings as compounds and the OSM file's facilities; no candidates."""
    extract = read_osm(path)
    return Area(
        name=path.name,
        crs=extract.graph.crs,
        graph=extract.graph,
        standard=load_standard(standard),
        compounds=extract.buildings.assign(id=extract.buildings["id"].astype(str)),
        facilities=extract.facilities,
        candidates=pd.DataFrame(columns=["id", "x", "y", "floor_area", "cost"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--osm", type=Path, help="an OSM file instead of the demo area")
    parser.add_argument("--standard", default="gb50180-2018")
    parser.add_argument("--budget", type=float, default=None, help="hub plan budget (demo)")
    args = parser.parse_args()
    area = osm_area(args.osm, args.standard) if args.osm else build_demo_area(args.standard)
    attached = attach(area)
    after = analyse(area, attached=attached)
    before = analyse(area, attached=street_only(attached))

    print(f"# {area.name}: {len(area.compounds)} compounds, {len(area.facilities)} facilities")
    key = ["category", "group"]
    cov = before.coverage.merge(after.coverage, on=key, suffixes=("_before", "_after"))
    cov = cov[~cov["no_facility_after"]]
    cov["change_points"] = 100 * (cov["share_after"] - cov["share_before"])
    table = cov.pivot(index="category", columns="group", values="change_points").round(1)
    shares = cov.assign(
        shares=[
            f"{100 * b:.1f}% → {100 * a:.1f}%"
            for b, a in zip(cov["share_before"], cov["share_after"], strict=True)
        ]
    ).pivot(index="category", columns="group", values="shares")
    print("\n## coverage per category and group, without → with the connector")
    print(shares.to_string())
    print("\n## change in percentage points")
    print(table.to_string())

    pairs = before.access[["compound_id", "category", "distance_m", "covered"]].merge(
        after.access[["compound_id", "category", "distance_m", "covered"]],
        on=["compound_id", "category"],
        suffixes=("_before", "_after"),
    )
    lost = pairs["covered_before"] & ~pairs["covered_after"]
    gained = ~pairs["covered_before"] & pairs["covered_after"]
    print(
        f"\n## (compound, category) pairs: {len(pairs)}; covered without the connector "
        f"{int(pairs['covered_before'].sum())}, with it {int(pairs['covered_after'].sum())}; "
        f"{int(lost.sum())} lose coverage, {int(gained.sum())} gain it"
    )
    if lost.any():
        print(pairs[lost].round(1).to_string(index=False))
    finite = np.isfinite(pairs["distance_m_before"]) & np.isfinite(pairs["distance_m_after"])
    added = (pairs["distance_m_after"] - pairs["distance_m_before"])[finite]
    print(
        f"\n## metres added to the nearest-facility walk ({int(finite.sum())} pairs): "
        f"median {added.median():.1f} m, mean {added.mean():.1f} m, max {added.max():.1f} m, "
        f"min {added.min():.1f} m"
    )
    if args.budget is not None and len(area.candidates):
        print(f"\n## hub plan, budget {args.budget:g}")
        for label, result, attachment in (
            ("without", before, street_only(attached)),
            ("with", after, attached),
        ):
            plan = plan_hubs(area, dataclasses.replace(result, attached=attachment), args.budget)
            print(
                f"{label:8s} objective {plan.objective:,.0f} new people-functions, "
                f"cost {plan.cost:g}; sites "
                + "; ".join(f"{s}: {','.join(f)}" for s, f in plan.functions.items())
            )


if __name__ == "__main__":
    main()
