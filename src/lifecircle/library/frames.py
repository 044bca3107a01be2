"""Tables handed over in Python (DataFrames, GeoDataFrames) read as if they were files.

A DataFrame becomes the same `RawTable` a CSV gives, so `lifecircle.data.import_raw` checks it
with exactly the row rules of a file: Chinese or English headers, coordinates, counts, category
names, duplicates. Rows are numbered from 1 in the frame's order.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from lifecircle.data.build import graph_from_lines
from lifecircle.data.read import RawTable
from lifecircle.errors import InputError
from lifecircle.geo.projection import LocalProjection
from lifecircle.network.graph import WalkGraph


def raw_table(frame: pd.DataFrame, label: str) -> RawTable:
    """The cells of `frame` as a RawTable; a GeoDataFrame's geometry is kept (WGS-84)."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"{label}: 需要 DataFrame a DataFrame is needed, got {type(frame).__name__}"
        )
    geometry = None
    geometry_name = getattr(frame, "_geometry_column_name", None)
    if geometry_name is not None and geometry_name in frame.columns:
        series = frame[geometry_name]
        if series.crs is not None and not series.crs.equals("EPSG:4326"):
            series = series.to_crs("EPSG:4326")
        geometry = np.asarray(series.values, dtype=object)
        frame = pd.DataFrame(frame.drop(columns=[geometry_name]))
    headers = [str(c) for c in frame.columns]
    records = [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return RawTable(Path(label), headers, records, list(range(1, len(records) + 1)), geometry)


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return value


def street_graph(streets: object, lon: np.ndarray, lat: np.ndarray) -> WalkGraph:
    """A walk graph from a WalkGraph (as is) or street lines in WGS-84 (a GeoDataFrame, a
    GeoSeries or a list of shapely lines), projected to the UTM zone of the points."""
    if isinstance(streets, WalkGraph):
        return streets
    if isinstance(streets, pd.DataFrame | pd.Series) and getattr(streets, "crs", None) is not None:
        streets = streets.to_crs("EPSG:4326")
    if isinstance(streets, pd.DataFrame):
        streets = streets.geometry
    lines = [g for g in list(streets) if isinstance(g, shapely.Geometry) and not g.is_empty]
    if not lines:
        raise InputError("streets: 没有道路线 no street lines given")
    projection = LocalProjection.for_points(lon, lat)
    projected = [
        shapely.transform(g, lambda xy: np.column_stack(projection.to_metres(xy[:, 0], xy[:, 1])))
        for g in lines
    ]
    return graph_from_lines(projected, projection.crs)
