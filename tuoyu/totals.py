"""Per-unit quarterly totals, stored (issue #8).

Every indicator of a region is a roll-up of per-unit totals (macro unit_quarter_totals_of:
for each institution's own unit, quarter and filing status, the counts and report sums of
DESIGN §3). Computing those from the reports is what made a page slow at national scale, so
they are kept in table unit_quarter_totals for the quarters from the year before the first
report to the latest one, and a page rolls up a few thousand stored rows. Outside those
quarters indicators.values() computes the same rows on the spot, so a figure never depends
on whether it was stored.

The table is derived data: whatever writes institutions or reports calls refresh() in the
same transaction (the build, an import, an undo), and db.upgrade() refreshes it when the
formulas change. Only the units whose institutions changed are recomputed, unless the span
of quarters moved (a new latest quarter), which recomputes everything."""

from . import db



def _exec(cur, name: str, **params):
    return cur.execute(db.query_text(name), params)


def coverage(con) -> tuple[str, str] | None:
    """(first, last) quarter the stored table holds, or None."""
    row = _exec(con, "unit_totals_coverage").fetchone()
    return (row[0], row[1]) if row and row[0] and row[1] else None


def covers(span: tuple | None, quarters) -> bool:
    """Whether the stored span (first, last) holds every quarter; False for no span or a
    span without quarters (a database with no report)."""
    if span is None or not all(isinstance(end, str) for end in span):
        return False
    return all(span[0] <= q <= span[1] for q in quarters)


def _quarters(first: str, last: str) -> list[str]:
    from .periods import quarter_range
    return quarter_range(first, last)


def refresh(cur, units=None) -> None:
    """Recompute the stored totals inside the caller's transaction: the per-unit totals of
    the given units (own region codes of institutions whose rows or reports changed; both
    the old and the new unit of a moved institution; none for other tables), or of every
    unit when `units` is None; then every region's row of region_values."""
    first, last = _exec(cur, "unit_totals_span").fetchone()
    wanted = (first, last) if first and last else None
    if wanted != coverage(cur):
        units = None  # the span moved: every unit's rows change
    quarters = _quarters(*wanted) if wanted else []
    if units is None or units:
        units = None if units is None else sorted({u for u in units if u})
        _exec(cur, "unit_totals_clear", units=units)
        if wanted:
            _exec(cur, "unit_totals_fill", units=units, quarters=quarters)
    # every region's row is cheap to roll up again (under a second nationally), and a
    # population, survey or reported-figure import changes them without touching a unit
    _exec(cur, "region_values_fill", quarters=quarters)
    for key, value in (("unit_totals_from", wanted and wanted[0]), ("unit_totals_to", wanted and wanted[1])):
        _exec(cur, "meta_set", key=key, value=value)


def units_of(cur, institution_ids) -> set[str]:
    """The current units of these institutions."""
    ids = sorted({i for i in institution_ids if i})
    if not ids:
        return set()
    return {r[0] for r in _exec(cur, "institution_units", institution_ids=ids).fetchall()}
