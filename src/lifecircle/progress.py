"""Progress reporting for long work: engines call a callback, faces draw it.

The CLI draws it as a Rich progress bar, the web layer as a job status. Engines never print.
"""

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
"""progress(step, done, total): `step` names the work (Chinese first), done/total count units."""


def silent(step: str, done: int, total: int) -> None:
    """The default callback: report nothing."""
