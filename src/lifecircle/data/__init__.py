"""Import compounds, facilities, candidate sites and gates; the in-memory Area dataset.

`import_file` reads and checks one file (CSV, XLSX, GeoJSON, GeoPackage; Chinese or English
headers; WGS-84, GCJ-02 or BD-09 coordinates) and returns the good rows with every issue;
`link_gates` ties gates to compounds; `build_area` projects the tables into a walk graph's CRS.
"""

from lifecircle.data.area import Area
from lifecircle.data.build import build_area, link_gates, project
from lifecircle.data.categories import CategoryMapper, read_mapping
from lifecircle.data.importer import import_file
from lifecircle.data.report import DataFileError, ImportResult, Issue, summary

__all__ = [
    "Area",
    "CategoryMapper",
    "DataFileError",
    "ImportResult",
    "Issue",
    "build_area",
    "import_file",
    "link_gates",
    "project",
    "read_mapping",
    "summary",
]
