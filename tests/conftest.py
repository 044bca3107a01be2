"""Shared test helpers: where the real data lies."""

from pathlib import Path

import pytest


def _shared_data_root() -> Path:
    """../shared/data beside the repository, or beside any folder above it (git worktrees)."""
    for parent in Path(__file__).resolve().parents[1:]:
        if (parent.parent / "shared" / "data").is_dir():
            return parent.parent / "shared" / "data"
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


SHARED_DATA = _shared_data_root()


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data; the calling test skips with a reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"真实数据不在 real test data absent: {path} (see shared/data/README.md)")
    return path
