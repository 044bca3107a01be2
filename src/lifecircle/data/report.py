"""What an import found: rejected rows, file-level errors and the summary per file."""

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lifecircle.errors import InputError


class DataFileError(InputError):
    """A whole file cannot be used (unreadable, empty, a required column missing)."""

    def __init__(self, file: Path | str, reason: str):
        self.file = Path(file)
        self.reason = reason
        super().__init__(f"{self.file}: {reason}")


@dataclass(frozen=True)
class Issue:
    """One problem in one row: file, row number as the user sees it, column header, value, reason.

    `row` is the line in a CSV (header = 1), the sheet row in an XLSX, the feature number (from 1)
    in GeoJSON / GeoPackage; None for a file-level note. `rejected` is False for a warning that
    kept the row.
    """

    file: str
    row: int | None
    column: str
    value: str
    reason: str
    rejected: bool = True

    @property
    def field(self) -> str:
        """The column the problem is in (the header as the file spells it)."""
        return self.column

    def __str__(self) -> str:
        where = f"{self.file} 第{self.row}行 row {self.row}" if self.row else self.file
        column = f" [{self.column}]" if self.column else ""
        value = f" = {self.value!r}" if self.value != "" else ""
        return f"{where}{column}{value}: {self.reason}"


@dataclass
class ImportResult:
    """One file imported: the good rows as a table, and every issue found."""

    file: str
    kind: str
    rows: int
    table: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    categories: dict[str, str] = field(default_factory=dict)
    """Free-text category name → standard code, as mapped (facilities and candidates)."""

    @property
    def rejected_rows(self) -> int:
        return len({i.row for i in self.issues if i.rejected and i.row is not None})

    @property
    def imported(self) -> int:
        return len(self.table)


def summary(results: list[ImportResult]) -> pd.DataFrame:
    """One line per file: kind, rows read, imported, rejected."""
    return pd.DataFrame(
        [
            {
                "file": r.file,
                "kind": r.kind,
                "rows": r.rows,
                "imported": r.imported,
                "rejected": r.rejected_rows,
            }
            for r in results
        ],
        columns=["file", "kind", "rows", "imported", "rejected"],
    )
