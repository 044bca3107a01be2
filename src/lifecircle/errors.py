"""One error hierarchy for bad input: what a planner must fix, with the rows to fix.

Every layer raises a subclass of `InputError` (a `ValueError`); faces turn it into words. The
`problems` it carries are row-level issues (file, row, column, value, reason), e.g.
`lifecircle.data.Issue`, so a notebook can list them as a table and a CLI can print them.
"""

from collections.abc import Sequence


class InputError(ValueError):
    """Input that cannot be used as given; `problems` lists the rows and fields to fix.

    Examples
    --------
    >>> from lifecircle.errors import InputError
    >>> error = InputError("compounds: 2 rows rejected")
    >>> isinstance(error, ValueError), error.problems
    (True, [])
    """

    def __init__(self, message: str, problems: Sequence = ()):
        super().__init__(message)
        self.problems = list(problems)


class RowsRejectedError(InputError):
    """Some rows of a table were rejected and the caller asked for strict input."""


class EmptyAreaError(InputError):
    """The area has no compounds, or no facility at all: there is nothing to measure."""
