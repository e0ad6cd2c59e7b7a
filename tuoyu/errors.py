"""Every error the package raises for a person to read: each carries its message in Chinese,
shown as it is. One module, so that a writer, a page and the CLI catch the same classes
without importing each other."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem of a data file: file, row and column where known, and what is wrong."""
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"“{self.column}”列")
        return f"{' '.join(where)}：{self.message}"


class ImportRefused(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"数据有 {len(problems)} 处问题，未写入任何数据：\n"
                         + "\n".join(str(p) for p in problems[:50])
                         + ("\n……" if len(problems) > 50 else ""))


class RebuildRefused(Exception):
    """Why the database was left as it is."""


class DatabaseInUse(RebuildRefused):
    """Another process holds the file: refused whatever the options."""


class AuthError(Exception):
    """A refused sign-in or action."""


class SessionEnded(AuthError):
    """The account behind a signed-in session was disabled, removed or given a new
    password since sign-in: the session must end (the message says why)."""


class LedgerError(ValueError):
    """A refused task update."""


class BriefingError(RuntimeError):
    """A briefing that cannot be made: an unknown plan, region or period, no browser for the PDF."""


class UnknownRegion(ValueError):
    """A region code the database does not hold."""
