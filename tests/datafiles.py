"""Where the real test data lies (../shared/data).

Tests that need it skip with a reason when it is absent, except under CI (the CI environment
variable set to anything but false/0): there they fail, so a green CI means the real-data checks ran.
"""

import os
from pathlib import Path

import pytest


def _shared_data_root() -> Path:
    """../shared/data beside the repository, or beside any folder above it (git worktrees)."""
    for parent in Path(__file__).resolve().parents[1:]:
        if (parent.parent / "shared" / "data").is_dir():
            return parent.parent / "shared" / "data"
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


SHARED_DATA = _shared_data_root()


def running_in_ci() -> bool:
    """True when the CI environment variable is set (and not false/0/empty)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data; the calling test skips when it is absent, or fails under CI."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"真实数据不在 real test data absent: {path} (see shared/data/README.md)"
        if running_in_ci():
            pytest.fail(f"{message}; CI 必须运行真实数据测试 CI must run the real-data tests")
        pytest.skip(message)
    return path
