"""lifecircle: plan and run a 15-minute community life circle (15分钟社区生活圈).

`import lifecircle as lc` gives the public library (`lc.Area`, `lc.InputError` …, see
`lifecircle.library`); it is loaded on first use so that `lifecircle.<module>` imports stay light.
"""

import importlib

__version__ = "0.1.0"


def __getattr__(name: str):
    library = importlib.import_module("lifecircle.library")
    if name in library.__all__:
        return getattr(library, name)
    raise AttributeError(f"module 'lifecircle' has no attribute {name!r}")


def __dir__() -> list[str]:
    library = importlib.import_module("lifecircle.library")
    return sorted([*globals(), *library.__all__])
