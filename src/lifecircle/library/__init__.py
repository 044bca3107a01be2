"""The public library: what a notebook imports as `import lifecircle as lc`.

`Area` loads an area (folder, files, DataFrames or the demo) and runs `access()` and `plan()`;
results are typed (`Accessibility`, `PlanResult`); bad input raises `InputError` or one of its
subclasses, carrying the rows to fix.
"""

from lifecircle.access.area import AreaInputError, NoCompoundsError, NoFacilitiesError
from lifecircle.data.report import DataFileError, Issue
from lifecircle.errors import InputError, RowsRejectedError
from lifecircle.library.area import Area
from lifecircle.library.results import Accessibility, PlanResult
from lifecircle.network.graph import GraphError
from lifecircle.network.osm import OsmError
from lifecircle.plan.hub import TargetCheck
from lifecircle.plan.result import PlanInputError
from lifecircle.standards import Standard, StandardError, load_standard

__all__ = [
    "Accessibility",
    "Area",
    "AreaInputError",
    "DataFileError",
    "GraphError",
    "InputError",
    "Issue",
    "NoCompoundsError",
    "NoFacilitiesError",
    "OsmError",
    "PlanInputError",
    "PlanResult",
    "RowsRejectedError",
    "Standard",
    "StandardError",
    "TargetCheck",
    "load_standard",
]
