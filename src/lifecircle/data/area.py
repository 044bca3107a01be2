"""The Area: everything a plan needs, in memory, in one object.

Importers build it; engines read it. Coordinates are kept both as WGS-84 (`lon`, `lat`) and in
the area's local metric projection (`x`, `y`, metres, CRS `crs`).

Table columns (pandas DataFrames; optional columns may hold NaN):
- compounds: id, name, lon, lat, x, y, population, households, pop_60_plus, pop_0_6, pop_7_14,
  built_year; optional geometry (shapely polygon in the projection)
- gates: compound_id, lon, lat, x, y (a compound with gates reaches the street only through them)
- facilities: id, name, category (standard code), lon, lat, x, y, floor_area, capacity, hours,
  operator, status
- candidates: id, name, address, lon, lat, x, y, floor_area, cost, allowed_functions (tuple of
  category codes; empty means any hub function)
"""

from dataclasses import dataclass, field

import pandas as pd

from lifecircle.network.graph import WalkGraph
from lifecircle.standards import Standard

COMPOUND_COLUMNS = (
    "id",
    "name",
    "lon",
    "lat",
    "x",
    "y",
    "population",
    "households",
    "pop_60_plus",
    "pop_0_6",
    "pop_7_14",
    "built_year",
)
GATE_COLUMNS = ("compound_id", "lon", "lat", "x", "y")
FACILITY_COLUMNS = (
    "id",
    "name",
    "category",
    "lon",
    "lat",
    "x",
    "y",
    "floor_area",
    "capacity",
    "hours",
    "operator",
    "status",
)
CANDIDATE_COLUMNS = (
    "id",
    "name",
    "address",
    "lon",
    "lat",
    "x",
    "y",
    "floor_area",
    "cost",
    "allowed_functions",
)


@dataclass
class Area:
    """One sub-district's data for planning: graph, demand, supply, candidates and the standard."""

    name: str
    crs: str
    graph: WalkGraph
    standard: Standard
    compounds: pd.DataFrame
    facilities: pd.DataFrame
    candidates: pd.DataFrame
    gates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(GATE_COLUMNS)))
    note: str = ""
