"""The Examples in the public library's docstrings run, on the demo area, as written."""

import doctest
import importlib

import pytest

MODULES = [
    "lifecircle.errors",
    "lifecircle.data.priorities",
    "lifecircle.library.area",
    "lifecircle.library.results",
    "lifecircle.report.planner",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    outcome = doctest.testmod(module, optionflags=flags, verbose=False)
    assert outcome.attempted > 0, f"{name} 没有示例 has no Examples"
    assert outcome.failed == 0, f"{name}: {outcome.failed} 个示例失败 examples failed"
