"""Per-unit quarterly totals, stored (issue #8).

Every indicator of a region is a roll-up of per-unit totals (macro unit_quarter_totals_of:
for each institution's own unit, quarter and filing status, the counts and report sums of
DESIGN §3). Computing those from the reports is what made a page slow at national scale, so
they are kept in table unit_quarter_totals for the quarters from the year before the first
report to the latest one, and a page rolls up a few thousand stored rows. Outside those
quarters indicators.values() computes the same rows on the spot, so a figure never depends
on whether it was stored.

The table is derived data: whatever writes institutions or reports calls refresh() in the
same transaction (the build, an import, an undo), and tuoyu.loading.database.upgrade() refreshes it when the
formulas change. Only the units whose institutions changed are recomputed, unless the span
of quarters moved (a new latest quarter), which recomputes everything."""

from . import db
from .periods import quarter_range


def span_of(row) -> tuple[str, str] | None:
    """(first, last) from a unit_totals_coverage row; None for no row, or no quarters (a
    database without reports stores nulls; pandas may hand them over as NaN)."""
    if row is None or not all(isinstance(end, str) for end in row):
        return None
    return row[0], row[1]


def coverage(cur) -> tuple[str, str] | None:
    """The quarters the stored tables hold, read on the caller's cursor (inside its
    transaction); indicators.stored_span() is the memoised read for pages."""
    return span_of(db.execute(cur, "unit_totals_coverage").fetchone())


def covers(span: tuple[str, str] | None, quarters) -> bool:
    """Whether the stored span holds every quarter."""
    return span is not None and all(span[0] <= q <= span[1] for q in quarters)


def refresh(cur, units=None) -> None:
    """Recompute the stored totals inside the caller's transaction: the per-unit totals of
    the given units (own region codes of institutions whose rows or reports changed; both
    the old and the new unit of a moved institution; none for other tables), or of every
    unit when `units` is None; then every region's row of region_values."""
    first, last = db.execute(cur, "unit_totals_span").fetchone()
    wanted = (first, last) if first and last else None
    if wanted != coverage(cur):
        units = None  # the span moved: every unit's rows change
    quarters = quarter_range(*wanted) if wanted else []
    if units is not None:
        units = sorted({u for u in units if u})
    if units is None or units:
        db.execute(cur, "unit_totals_clear", units=units)
        if wanted:
            db.execute(cur, "unit_totals_fill", units=units, quarters=quarters)
    # every region's row is cheap to roll up again (under a second nationally), and a
    # population, survey or reported-figure import changes them without touching a unit
    db.execute(cur, "region_values_fill", quarters=quarters)
    for key, value in (("unit_totals_from", wanted and wanted[0]), ("unit_totals_to", wanted and wanted[1])):
        db.execute(cur, "meta_set", key=key, value=value)


def refresh_derived(con) -> None:
    """Rebuild every derived table (the region closure, then the stored totals) inside the
    caller's transaction: after a build, or whatever rewrote regions."""
    con.execute("delete from region_tree")
    con.execute((db.DDL / "region_tree.sql").read_text(encoding="utf-8"))
    refresh(con)


def units_of(cur, institution_ids) -> set[str]:
    """The current units of these institutions."""
    ids = sorted({i for i in institution_ids if i})
    if not ids:
        return set()
    return {r[0] for r in db.execute(cur, "institution_units", institution_ids=ids).fetchall()}
