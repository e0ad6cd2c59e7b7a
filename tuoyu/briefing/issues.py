"""The briefing as one of a numbered series: its 期号, kept in table briefing_issues so that
a briefing made again keeps its number, and what the plan says of the series (data/
briefing.toml [document]): 期号 wording, 编印单位, 报送 and 抄送, and the lines they print as."""

import logging

import duckdb

from .. import db, fmt
from .model import Briefing
from .wording import phrase, templates

log = logging.getLogger(__name__)


def conventions(plan_row: dict, region_name: str) -> dict:
    """期号 wording, 编印单位 and 报送/抄送 for the plan (data/briefing.toml [document], a plan's
    own table over the defaults); 编印单位 defaults to the plan's issuer."""
    document = dict(templates()["document"])
    plans = document.pop("plan", {})
    document |= plans.get(plan_row["plan_code"], {})
    document["compiler"] = document.get("compiler") or plan_row.get("issuer") or ""
    for key in ("send_to", "copy_to"):
        document[key] = document.get(key, "").format(region_name=region_name)
    return document


def issue_number(con, plan: str, region: str, quarter: str) -> int | None:
    """The briefing's 期号: the number given when this plan's briefing for the region and
    quarter was first made, else the plan's next one (kept in table briefing_issues, so
    that a briefing made again keeps its number). None where the database is read-only."""
    params = {"plan_code": plan, "region_code": region, "quarter": quarter}
    try:
        db.run(con, "briefing_issue_add", **params)
    except duckdb.Error:  # read-only, or another session numbered it a moment ago
        log.info("briefing issue not recorded", exc_info=True)
    found = db.run(con, "briefing_issue", **params)
    return None if found.empty else int(found["issue_no"].iloc[0])


def issue_line(briefing: Briefing) -> tuple[str, str]:
    """('中卫市卫生健康委员会编', '2024年12月31日'): the 编印单位 on the left and the 印发日期
    on the right of the line under the title."""
    return phrase("compiler", compiler=briefing.compiler) if briefing.compiler else "", fmt.date_zh(briefing.issued)


def colophon(briefing: Briefing) -> list[str]:
    """The 版记 at the end: 报送 and 抄送, where the plan gives them."""
    return [phrase(key, **{field: value}) for key, field, value in
            (("send_line", "send_to", briefing.send_to), ("copy_line", "copy_to", briefing.copy_to)) if value]
