"""Everything about one region at one period: the DESIGN §3 indicators, the provincial
average beside them, the plan's targets with their verdicts (DESIGN §4.2: status, the
quarter and value judged, the projection, 托位 still needed), this year's 每千人口托位数
target and the next one not yet due, and the targets of regions above it as references.
The CLI prints it as JSON; 总览 and the briefing read the same dict."""

from . import indicators, periods, targets
from .errors import UnknownRegion


def _figures(row: dict | None) -> dict:
    row = row or {}
    out = {code: row.get(code) for code in indicators.CORE if code != "slots_needed"}
    out["satisfaction_by_type"] = {"家庭": row.get("satisfaction_family"),
                                   "机构": row.get("satisfaction_institution")}
    for code in indicators.SUPPORTING + indicators.REPORTED + indicators.COUNTS:
        out[code] = row.get(code)
    out["n_active"] = row.get("n_active")
    out["n_filed"] = row.get("n_filed")
    out["n_counted"] = row.get("n_counted")
    out["n_reported"] = row.get("n_reported")
    out["n_not_reported"] = row.get("n_not_reported")
    out["population_year"] = row.get("population_year")
    return out


TARGET_KEYS = ("region_code", "region_name", "indicator", "year", "comparator", "target", "benchmark", "scope",
               "bar", "bar_name", "value", "status", "due", "judged_at", "projected", "projected_bar",
               "quarters_left", "slots_needed", "per_quarter", "source", "reading")


def _target(row: dict | None) -> dict | None:
    return None if row is None else {k: row[k] for k in TARGET_KEYS} | {"detail": targets.describe(row)}


def snapshot(con, region_code: str, period: str, plan_code: str | None = None,
             counting: str = indicators.DEFAULT_COUNTING) -> dict:
    quarter = periods.quarter_of(periods.parse_period(period))
    lineage = indicators.lineage(con, region_code)
    if lineage.empty:
        raise UnknownRegion(f"未知区划代码 {region_code}")
    region = lineage.iloc[0].to_dict()
    province = indicators.province_in(lineage)
    by_key = indicators.rows(con, [region_code] + ([province] if province else []),
                             [periods.previous_quarter(quarter), quarter], counting)
    figures = _figures(by_key.get((region_code, quarter)))

    # this year's 每千人口托位数 target (or the next step) and the next one not yet due, each
    # with its verdict (DESIGN §4.2): what 总览's headline and the briefing's first sentence say
    year = targets.year_verdicts(con, plan_code, [region_code], quarter, counting)[region_code] \
        if plan_code else None
    upcoming = targets.next_due(con, plan_code, region_code, quarter, counting) if plan_code else None
    figures["slots_needed"] = year["slots_needed"] if year else None

    province_figures = None
    if province:
        province_figures = _figures(by_key.get((province, quarter)))
        province_figures["slots_needed"] = None
        province_figures["region_code"] = province

    status_rows = targets.evaluate_rows(con, plan_code, region_code, quarter, counting) if plan_code else None
    return {
        "region": {"code": region["code"], "name": region["name"], "level": region["level"]},
        "period": quarter,
        "period_label": periods.label(quarter),
        "counting": counting,
        "plan": plan_code,
        "dataset": indicators.meta(con).get("label"),
        **figures,
        "previous_quarter_slots_per_1000": (by_key.get((region_code, periods.previous_quarter(quarter))) or {})
        .get("slots_per_1000"),
        "year_target": _target(year),
        "next_target": _target(upcoming),
        "provincial_average": province_figures,
        "targets": [] if status_rows is None else [_target(r) for r in status_rows],
        "references": _references(con, plan_code, region_code) if plan_code else [],
    }


def _references(con, plan_code: str, region_code: str) -> list[dict]:
    """targets.references() as the snapshot lists them, worded once per build (they change
    only with it); copies, so that a caller may change them."""
    def compute():
        return [{k: r[k] for k in ("indicator", "year", "comparator", "target", "owner_code", "owner_name", "source")}
                | {"detail": targets.reference_text(r)}
                for r in targets.references(con, plan_code, region_code).to_dict("records")]
    return [dict(r) for r in indicators.per_build(con, "snapshot_references", (plan_code, region_code), compute)]
