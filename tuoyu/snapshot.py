"""Everything about one region at one period: the DESIGN §3 indicators, the provincial
average beside them, the plan's targets with status, slots still needed and the on-track
projection. The CLI prints it as JSON; 总览 and the briefing read the same dict."""

from . import db, indicators, periods, targets


class UnknownRegion(ValueError):
    pass


def dataset_label(con) -> str | None:
    meta = db.run(con, "dataset_meta")
    return dict(zip(meta["key"], meta["value"])).get("label")


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


def snapshot(con, region_code: str, period: str, plan_code: str | None = None,
             counting: str = indicators.DEFAULT_COUNTING) -> dict:
    quarter = periods.quarter_of(periods.parse_period(period))
    lineage = indicators.lineage(con, region_code)
    if lineage.empty:
        raise UnknownRegion(f"未知区划代码 {region_code}")
    region = lineage.iloc[0].to_dict()
    province = indicators.province_in(lineage)
    trend_quarters = periods.quarters_back(quarter, 4)
    vals = indicators.values(con, [region_code] + ([province] if province else []),
                             trend_quarters, counting)
    by_key = indicators.rows_by_key(vals)
    mine = by_key.get((region_code, quarter))
    figures = _figures(mine)
    has_reports = bool(mine and mine["n_reported"])

    target, target_year = (targets.year_target(con, plan_code, region_code, int(quarter[:4]))
                           if plan_code else (None, None))
    figures["slots_needed"] = indicators.slots_needed(
        target, figures["resident_population"], figures["slots"] if has_reports else None)

    series = {q: (by_key.get((region_code, q)) or {}).get("slots_per_1000")
              for q in trend_quarters}
    left = indicators.quarters_left_in_year(quarter)
    needed = figures["slots_needed"]
    on_track = {
        "year_end_value": indicators.projection(series, quarter),
        "target": target,
        "target_year": target_year,
        "quarters_left": left,
        "slots_per_quarter": None if needed is None else -(-needed // max(left, 1)),
    }

    province_figures = None
    if province:
        province_figures = _figures(by_key.get((province, quarter)))
        province_figures["slots_needed"] = None
        province_figures["region_code"] = province

    status_rows = (targets.evaluate(con, plan_code, region_code, quarter, counting)
                   if plan_code else None)
    target_list = [] if status_rows is None else [
        {k: r[k] for k in ("indicator", "year", "comparator", "target", "benchmark", "bar", "value",
                           "status", "evaluated_quarter", "scope", "source")}
        for r in status_rows.to_dict("records")]

    return {
        "region": {"code": region["code"], "name": region["name"], "level": region["level"]},
        "period": quarter,
        "period_label": periods.label(quarter),
        "counting": counting,
        "plan": plan_code,
        "dataset": dataset_label(con),
        **figures,
        "previous_quarter_slots_per_1000": series.get(periods.previous_quarter(quarter)),
        "on_track": on_track,
        "provincial_average": province_figures,
        "targets": target_list,
    }
