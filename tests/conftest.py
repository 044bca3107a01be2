"""Shared test helpers: where the real data lies."""

from pathlib import Path

import pytest


def _find_shared_data() -> Path:
    """The nearest ../shared/data above the checkout (main checkout or a worktree under /work/wt)."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


SHARED_DATA = _find_shared_data()


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data; the calling test skips with a reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"真实数据不在 real test data absent: {path} (see shared/data/README.md)")
    return path
