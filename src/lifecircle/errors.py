"""The one base of every input error: the input must change before the work can run.

Every layer's input errors derive from `InputError` (files, OSM extracts, graphs, standards, the
area handed to an engine). Engines raise them carrying data; faces turn them into words.
"""


class InputError(ValueError):
    """Input that cannot be used. The message says what is wrong and where.

    `problems` carries the row-level issues (file, row, field, value, reason) when there are some,
    so a face can list them all.

    Examples
    --------
    >>> try:
    ...     raise InputError("compounds.csv: no rows", problems=["row 2: no id"])
    ... except InputError as error:
    ...     print(error, error.problems)
    compounds.csv: no rows ['row 2: no id']
    """

    def __init__(self, *args: object, problems: list | tuple = ()):
        super().__init__(*args)
        self.problems = list(problems)


class RowsRejectedError(InputError):
    """Some rows of a table were rejected and the caller asked for strict input (`problems`
    lists them)."""
