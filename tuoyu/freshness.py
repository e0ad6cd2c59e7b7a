"""Who has reported a quarter: per county under a region, its active institutions and how
many reported the quarter (the indicator rows' own counts), and its latest quarter reported —
one reading, from which 数据上报's table, 总览's notice of a county that sent nothing and the
督办通知's "本期未报送" all come. The institutions that did not report are listed from
queries/report_freshness.sql."""

from dataclasses import dataclass

import pandas as pd

from . import db, indicators, periods, totals


@dataclass
class Freshness:
    expected_quarter: str | None
    counties: pd.DataFrame      # display-ready, one row per county
    missing: pd.DataFrame       # display-ready, the institutions that have not reported

    @property
    def expected_label(self) -> str:
        return periods.label(self.expected_quarter) if self.expected_quarter else ""


def by_county(con, region: str, quarter: str | None = None, *, silent_only: bool = False) -> tuple[str | None, pd.DataFrame]:
    """(expected quarter, per county: county_code, county_name, latest_quarter, active,
    reported). The expected quarter is `quarter`, else the latest any county reported.
    Active and reported are the indicator rows' n_active and n_reported under the 'all'
    counting rule — every active institution, filed or not — so that "reported" means here
    what it means in every figure. With `silent_only`, only the counties silent() finds (a
    page's notice: nationally one or two of 2,850), from queries/counties_without_reports.sql
    where the stored rows hold the quarter."""
    if silent_only and quarter is not None and totals.covers(indicators.stored_span(con), [quarter]):
        # nationally one or two of 2,850 counties: chosen in the database, not in Python
        found = silent(db.run(con, "counties_without_reports", region=region, quarter=quarter)).reset_index(drop=True)
        latest = _latest(con, found["county_code"].tolist())
        found.insert(2, "latest_quarter", [latest.get(c) for c in found["county_code"]])
        return quarter, found
    counties = indicators.run_once(con, "counties_of", region=region)
    codes = counties["county_code"].tolist()   # plain strings: iterating the Arrow column is slow
    latest = _latest(con, codes) if quarter is None else None
    known = [q for q in (latest or {}).values() if q is not None]
    expected = quarter or (max(known) if known else None)
    if counties.empty or expected is None:
        return expected, counties.assign(latest_quarter=[(latest or {}).get(c) for c in codes], active=0, reported=0)
    found = indicators.report_counts(con, codes, expected)
    counts = [found.get(c, (0, 0)) for c in codes]
    counties["active"] = [active for active, _ in counts]
    counties["reported"] = [reported for _, reported in counts]
    if silent_only:
        counties = silent(counties).reset_index(drop=True)
        codes = counties["county_code"].tolist()
    if latest is None:
        latest = _latest(con, codes)
    counties.insert(2, "latest_quarter", [latest.get(c) for c in codes])
    return expected, counties


def _latest(con, codes: list[str]) -> dict[str, str | None]:
    """Each county's latest quarter reported (None where it never reported)."""
    if not codes:
        return {}
    rows = db.run(con, "latest_report_quarter", region_codes=codes)
    return {c: q if isinstance(q, str) else None
            for c, q in zip(rows["county_code"].tolist(), rows["latest_quarter"].tolist())}


def silent(counties: pd.DataFrame) -> pd.DataFrame:
    """The counties with active institutions and not one report for the quarter."""
    return counties[(counties["active"] > 0) & (counties["reported"] == 0)]


def freshness(con, region: str, quarter: str | None = None) -> Freshness:
    """数据上报's table: per county its latest reported quarter and, for the expected quarter,
    how many active institutions reported it; and which did not."""
    expected, counties = by_county(con, region, quarter)
    missing = db.run(con, "report_freshness", region=region, quarter=expected)
    missing = missing[missing["has_report"].astype("boolean").eq(False).fillna(False).astype(bool)]
    quiet = set(silent(counties)["county_code"])   # the rule in one place, as 总览's notice reads it
    rows, order = [], []
    for c in counties.to_dict("records"):
        latest, active, reported = c["latest_quarter"], int(c["active"]), int(c["reported"])
        if active == 0:
            state, rank = "无应报机构", 3
        elif c["county_code"] in quiet:
            state, rank = "本期未报送" + (f"（最新为{periods.label(latest)}）" if isinstance(latest, str) else "（从未报送）"), 0
        elif reported < active:
            state, rank = f"未报齐（缺{active - reported}家）", 1
        else:
            state, rank = "已报齐", 2
        rows.append({"县区": c["county_name"], "区划代码": c["county_code"],
                     "最新报告期": periods.label(latest) if isinstance(latest, str) else "无报表",
                     "应报机构": active, "已报": reported, "未报": active - reported, "情况": state})
        order.append((rank, reported - active, c["county_code"]))
    # the counties to chase first: none reported, then most missing; a province's or the
    # country's hundreds of complete counties after them (then by code)
    rows = [row for _, row in sorted(zip(order, rows), key=lambda pair: pair[0])]
    # the county and how it stands first (on a phone they stay on screen), the code last
    table = pd.DataFrame(rows, columns=["县区", "情况", "未报", "已报", "应报机构", "最新报告期", "区划代码"])
    missing = pd.DataFrame({"县区": missing["county_name"], "机构编码": missing["institution_id"],
                            "机构名称": missing["institution_name"]}).reset_index(drop=True)
    return Freshness(expected, table, missing)


def silent_codes(con, region: str, quarter: str) -> set[str]:
    """The codes of the counties under `region` that sent no report for `quarter`."""
    return set(by_county(con, region, quarter, silent_only=True)[1]["county_code"])


def notice(con, region: str, quarter: str) -> str | None:
    """For 总览: the counties under `region` with active institutions but no report at all
    in `quarter` (a whole county missing, which the count of unreported institutions does
    not show)."""
    found = by_county(con, region, quarter, silent_only=True)[1]
    if found.empty:
        return None
    names = []
    for name, latest in zip(found["county_name"], found["latest_quarter"]):
        if not isinstance(latest, str):
            names.append(f"{name}（从未报送）")
        elif latest < quarter:
            names.append(f"{name}（最新为{periods.label(latest)}）")
        else:
            names.append(name)
    return (f"{'、'.join(names)}没有{periods.label(quarter)}的机构报表，本期数字未包含其机构的报表数据"
            f"（报送情况见“数据上报”）。")
