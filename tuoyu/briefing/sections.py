"""The briefing's sections, in the order they print: each a few sentences of data/briefing.toml
filled with the selection's figures, then its table and chart; a section with nothing to
say is left out (None). Each takes the content.Builder (b) that gathered the selection's
views once and numbers the tables and figures as they come."""

import pandas as pd

from .. import charts, comparison, fmt, indicators, maps, overview, periods, targets, trend_chart, verdicts
from .model import Figure, Paragraph, Section, Table
from .wording import bar, phrase, templates


def _names(names) -> str:
    return "、".join(names)


# -- 一、总体进展
def headline(b) -> str:
    snap, value = b.snap, b.snap["slots_per_1000"]
    if value is None:
        key = "headline_no_population" if snap["n_reported"] and snap["resident_population"] is None \
            else "headline_no_data"
        return phrase(key, period_label=b.period_label, region_name=b.region_name)
    text = phrase("headline_lead", period_label=b.period_label, scope=b.scope, value=fmt.number(value))
    previous = snap["previous_quarter_slots_per_1000"]
    if previous is not None:
        change = fmt.delta("slots_per_1000", value - previous)   # as the page's card shows it
        key = "headline_flat" if fmt.is_flat(change) else "headline_up" if change[0] == "+" else "headline_down"
        text += phrase(key, delta=change.lstrip("+-"))
    text += phrase("headline_end")
    return text + "".join(overview.target_sentence(row) for row in b.target_rows())


def overview_section(b) -> Section:
    snap, view = b.snap, b.view
    blocks = [Paragraph(headline(b))]
    if snap["year_target"] is None:
        blocks.append(Paragraph(phrase("headline_no_target", region_name=b.region_name)))

    blocks.append(figures_table(b))

    due = [t for t in snap["targets"] if int(t["year"]) <= b.year]
    if due:
        text = phrase("targets_summary", region_name=b.region_name, year=b.year, n=len(due),
                      parts=verdicts.count_text(t["status"] for t in due))
        lagging = [t for t in due if t["status"] not in verdicts.GOOD]
        if lagging:
            text += phrase("targets_lagging", items="；".join(_lagging_item(b, t) for t in lagging))
        blocks.append(Paragraph(text))
    if snap["n_not_reported"]:
        blocks.append(Paragraph(phrase("not_reported", n=snap["n_not_reported"])))
    blocks.append(Figure(phrase("trend_caption", n=b.figure_no(), region_name=b.region_name), "trend",
                         trend_chart.trend(view, b.region_name, b.province_name)))
    return Section(templates()["heading"]["overview"], blocks)


def _lagging_item(b, t: dict) -> str:
    return phrase("targets_lagging_item", indicator=fmt.short(t["indicator"]), year=t["year"], status=t["status"],
                  value=fmt.value(t["indicator"], t["value"]), requirement=targets.requirement(t, with_year=False))


def figures_table(b) -> Table:
    columns = [c.format(average_label=b.average_label or "") for c in templates()["columns"]["figures"]]
    rows = [[fmt.short(f["code"]), fmt.value(f["code"], f["value"]), fmt.delta(f["code"], f["change"]) or "—"]
            + ([fmt.value(f["code"], f["average"])] if b.has_average else []) for f in b.figures()]
    if not b.has_average:
        columns = columns[:3]
    return Table(phrase("figures_caption", n=b.table_no(), period_label=b.period_label), columns, rows,
                 [2.0, 1.6, 1.6, 1.6][:len(columns)], "lrrr"[:len(columns)])


def units_section(b) -> Section | None:
    heading = templates()["heading"]["units"].format(units_word=b.units_word)
    units = b.ranked_units()
    if not units:
        return None  # a section with nothing to say is left out
    target_year = b.comp.target_year or b.year
    text = phrase("units_count", n=len(units), units_word=b.units_word)
    if all(u["status"] is None for u in units):
        text += phrase("units_no_target", units_word=b.units_word)
    else:
        text += phrase("units_against", target_year=target_year)
        order = sorted(verdicts.STATUSES, key=lambda v: -verdicts.style(v)["rank"])
        groups = [(v, [u for u in units if u["status"] == v]) for v in order]
        for status, group in groups:
            if not group:
                continue
            names = _names(u["name"] for u in group)
            if len(group) == len(units):
                names = phrase("units_all")
            needed = [u for u in group if u["slots_needed"]]
            if status not in verdicts.GOOD and needed:
                detail = "、".join(phrase("units_needed_item", name=u["name"], needed=u["slots_needed"]) for u in needed)
                text += phrase("units_group_needed", names=names, status=status,
                               needed=sum(u["slots_needed"] for u in needed), detail=detail)
            else:
                text += phrase("units_group", names=names, status=status)
    blocks = [Paragraph(text + phrase("units_end"))]

    average = b.comp.average.get("slots_per_1000")
    if b.has_average and average is not None:
        below = [u["name"] for u in units if u["slots_per_1000"] is not None and u["slots_per_1000"] < average]
        if below:
            blocks.append(Paragraph(phrase("units_below_average", names=_names(below),
                                           average_label=b.average_label, average=fmt.number(average))))
        else:
            blocks.append(Paragraph(phrase("units_none_below_average", units_word=b.units_word,
                                           average_label=b.average_label, average=fmt.number(average))))
    silent = [u for u in units if u["n_not_reported"]]
    if silent:
        detail = "、".join(phrase("units_not_reported_item", name=u["name"], n=u["n_not_reported"]) for u in silent)
        blocks.append(Paragraph(phrase("units_not_reported", detail=detail)))

    columns = [c.format(units_word=b.units_word) for c in templates()["columns"]["ranking"]]
    rows = []
    for rank, u in enumerate(units, start=1):
        rows.append([str(rank) if u["slots_per_1000"] is not None else "—", u["name"],
                     fmt.number(u["slots_per_1000"]) if u["slots_per_1000"] is not None else fmt.NO_DATA,
                     bar(u["target"]) if u["target"] is not None else "—",
                     str(u["slots_needed"]) if u["slots_needed"] is not None else "—",
                     fmt.percent(u["enrolment_rate"]), fmt.percent(u["occupancy_mean"]), u["status"] or "—"])
    blocks.append(Table(phrase("ranking_caption", n=b.table_no(), units_word=b.units_word,
                               period_label=b.period_label),
                        columns, rows, [0.7, 1.6, 1.5, 1.2, 1.2, 1.0, 1.2, 1.0], "ccrrrrrc"))
    drawn, some = comparison.bar_units(b.comp, "slots_per_1000")   # as 县区对比 draws them
    frame = drawn.rename(columns={"slots_per_1000": "value"})
    colour_by, colours = comparison.colouring(b.comp)   # as 县区对比 colours them
    blocks.append(Figure(phrase("units_caption", n=b.figure_no(), units_word=b.units_word,
                                average_label=b.comp.average_label) + (f"（{some}）" if some else ""), "units",
                         charts.unit_bars(frame, "slots_per_1000", average, b.comp.year_target,
                                          b.comp.average_label, colours, colour_by)))
    county_map, _ = maps.county_map(b.comp)   # None where the units have no boundaries
    if county_map is not None:
        blocks.append(Figure(phrase("map_caption", n=b.figure_no(), title=maps.title(b.comp)), "map",
                             county_map))
    return Section(heading, blocks)


# -- 三、评审指标
def criteria_section(b) -> Section | None:
    heading = templates()["heading"]["criteria"]
    table = b.criteria
    if table.empty:
        return None
    parent = table[table["is_parent"]]
    children = table[~table["is_parent"]]
    text = phrase("criteria_summary", region_name=b.region_name, n=len(parent),
                  parts=verdicts.count_text(parent["verdict"]))
    lagging = parent[~parent["verdict"].isin(verdicts.GOOD)]
    if not lagging.empty:
        text += phrase("criteria_lagging", items="、".join(f"第{n}项{v}" for n, v in
                                                          zip(lagging["criterion"], lagging["verdict"])))
    if not children.empty:
        items = []
        for code in dict.fromkeys(children["region_code"]):
            rows = children[children["region_code"] == code]
            lagging = [v for v in rows["verdict"] if v not in verdicts.GOOD]
            if lagging:
                items.append(phrase("criteria_unit_item", name=rows["region_name"].iloc[0],
                                    parts=verdicts.count_text(lagging)))
        text += (phrase("criteria_units", units_word=b.units_word, items="，".join(items)) if items
                 else phrase("criteria_units_all_met", units_word=b.units_word))
    rows = []
    for head in parent.sort_values("criterion").to_dict("records"):
        detail = head["detail"].split("；所辖县区：")[0]
        if detail.startswith("所辖县区："):
            detail = phrase("criteria_children_only", units_word=b.units_word)
        lagging = children[(children["criterion"] == head["criterion"]) & ~children["verdict"].isin(verdicts.GOOD)]
        names = "、".join(f"{n}（{v}）" for n, v in zip(lagging["region_name"], lagging["verdict"])) or "—"
        rows.append([str(head["criterion"]), head["title"], head["verdict"], detail, names])
    columns = [c.format(units_word=b.units_word, region_name=b.region_name)
               for c in templates()["columns"]["criteria"]]
    return Section(heading, [
        Paragraph(text),
        Table(phrase("criteria_caption", n=b.table_no(), period_label=b.period_label),
              columns, rows, [0.6, 2.4, 1.0, 3.6, 1.8], "clcll"),
    ])


# -- 四、重点任务
def tasks_section(b) -> Section | None:
    heading = templates()["heading"]["tasks"]
    if b.tasks.empty:
        return None
    late = b.tasks[b.tasks["is_late"]]
    today = fmt.date_zh(b.as_of)
    if late.empty:
        return Section(heading, [Paragraph(phrase("tasks_none_late", today=today, n=len(b.tasks)))])
    leads = late["lead_unit"].tolist()
    order = list(dict.fromkeys(leads))
    lead_text = "、".join(phrase("tasks_lead_item", unit=u, count=leads.count(u))
                          for u in sorted(order, key=lambda u: (-leads.count(u), order.index(u))))
    rows = []
    for i, t in enumerate(late.to_dict("records"), start=1):
        days = t["days_overdue"]
        overdue = phrase("tasks_overdue_days", days=days) if days is not None else phrase("tasks_marked_late")
        title = t["title"]
        if t["progress_note"]:
            title += phrase("tasks_progress", note=t["progress_note"],
                            on=fmt.date_zh(t["updated_on"]) if not pd.isna(t["updated_on"]) else "")
        due = fmt.date_zh(t["due"]) if not pd.isna(t["due"]) else "—"
        rows.append([str(i), title, t["responsible_units"], due, t["status"], overdue])
    return Section(heading, [
        Paragraph(phrase("tasks_late", today=today, n=len(b.tasks), late=len(late), leads=lead_text)),
        Table(phrase("tasks_caption", n=b.table_no()), templates()["columns"]["tasks"], rows,
              [0.5, 3.4, 2.4, 1.8, 0.9, 1.0], "cllccc"),
    ])


# -- 五、变化情况
def changes_section(b) -> Section:
    blocks = []
    previous_label = periods.label(b.previous)
    before = b.comp_prev.parent
    if not before or not before.get("n_reported"):
        blocks.append(Paragraph(phrase("changes_none", previous_label=previous_label)))
    else:
        now_slots, prev_slots = int(b.snap["slots"] or 0), int(before.get("slots") or 0)
        diff = now_slots - prev_slots
        key = "change_slots_up" if diff > 0 else "change_slots_down" if diff < 0 else "change_slots_flat"
        blocks.append(Paragraph(phrase(key, previous_label=previous_label, scope=b.scope, previous=prev_slots,
                                       current=now_slots, diff=abs(diff))))
        text = _unit_changes(b) + _criteria_changes(b)
        if text:
            blocks.append(Paragraph(text))
    blocks.append(Paragraph(_filed_text(b)))
    return Section(templates()["heading"]["changes"], blocks)


def _unit_changes(b) -> str:
    if b.comp.units.empty or b.comp_prev.units.empty:
        return ""
    before = dict(zip(b.comp_prev.units["code"], b.comp_prev.units["status"]))
    moved = [phrase("change_item", name=u["name"], before=before.get(u["code"]), after=u["status"])
             for u in b.ranked_units() if before.get(u["code"]) and u["status"]
             and before.get(u["code"]) != u["status"]]
    if moved:
        return phrase("change_units", units_word=b.units_word, items="，".join(moved))
    return phrase("change_units_same", units_word=b.units_word)


def _criteria_changes(b) -> str:
    if b.criteria.empty or b.criteria_prev.empty:
        return ""
    now = b.criteria[b.criteria["is_parent"]].set_index("criterion")["verdict"]
    before = b.criteria_prev[b.criteria_prev["is_parent"]].set_index("criterion")["verdict"]
    moved = [phrase("change_item", name=f"第{n}项", before=before.get(n), after=now[n])
             for n in now.index if before.get(n) and before.get(n) != now[n]]
    return phrase("change_criteria", items="，".join(moved)) if moved else ""


def _filed_text(b) -> str:
    new = b.newly_filed()
    if new.empty:
        return phrase("change_filed_none")
    names = "、".join(phrase("change_filed_item", name=n, region_name=r)
                     for n, r in zip(new["name"], new["region_name"]))
    return phrase("change_filed", n=len(new), names=names)


# -- 附：口径说明
def notes_section(b) -> Section:
    counting = templates()["counting"][b.counting]
    notes = [phrase("note_source", period_end=fmt.date_zh(b.as_of), counting=counting)]
    catalogue = indicators.catalogue()
    for code in templates()["overview"]["notes"]:
        notes.append(phrase("note_indicator", name=catalogue[code]["name_zh"],
                            definition=catalogue[code]["definition"].rstrip("。")))
    if b.has_average:
        notes.append(phrase("note_average", average_label=b.average_label))
    notes.append(phrase("note_projection"))
    notes.append(phrase("note_rounding"))
    if not b.criteria.empty:
        notes.append(phrase("note_criteria"))
    if not b.tasks.empty:
        notes.append(phrase("note_tasks", today=fmt.date_zh(b.as_of)))
    return Section(templates()["heading"]["notes"],
                   [Paragraph(f"{i}. {n}", "note") for i, n in enumerate(notes, start=1)], "notes")

