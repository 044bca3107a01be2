"""Import speed: a checked import of a 100,000-row GBK compounds CSV in GCJ-02, against its peer
pandas.read_csv (decoding and parsing only, no checks) on the same file, and the bare coordinate
conversion.

Run: .venv/bin/python bench/data_import.py
"""

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from lifecircle.data import import_file
from lifecircle.geo.chinese import gcj02_to_wgs84

ROWS = 100_000


def _write(path: Path) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "名称": [f"小区{i}" for i in range(ROWS)],
            "经度": np.round(121.40 + rng.random(ROWS) * 0.1, 6),
            "纬度": np.round(31.20 + rng.random(ROWS) * 0.1, 6),
            "人口": rng.integers(100, 3000, ROWS),
            "60岁以上人口": rng.integers(0, 100, ROWS),
            "建成年代": rng.choice(["1970年代", "1985", "2005年"], ROWS),
        }
    )
    frame.to_csv(path, index=False, encoding="gbk")


def _best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "compounds.csv"
        _write(path)
        result = import_file(path, "compounds", crs="gcj02")
        assert result.imported == ROWS, result.issues[:3]
        ours = _best_of(2, lambda: import_file(path, "compounds", crs="gcj02"))
        peer = _best_of(2, lambda: pd.read_csv(path, encoding="gb18030"))
        lon, lat = result.table["lon"].to_numpy(), result.table["lat"].to_numpy()
        convert = _best_of(2, lambda: gcj02_to_wgs84(lon, lat))
    print(f"rows {ROWS:,}")
    print(f"import_file (checked, GCJ-02 → WGS-84)  {ours:6.2f} s")
    print(f"pandas.read_csv (no checks)           {peer:6.2f} s   ratio {ours / peer:5.1f}×")
    print(f"gcj02_to_wgs84 alone                  {convert:6.3f} s")


if __name__ == "__main__":
    main()
