"""Properties of the indicators over random small datasets (hypothesis)."""

import csv
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuoyu import db, indicators
from tuoyu.loading.build import build_database

COUNTIES = ["990101", "990102", "990103"]

institution = st.fixed_dictionaries({
    "county": st.sampled_from(COUNTIES),
    "filed": st.booleans(),
    "slots": st.integers(0, 200),
    "fill": st.floats(0, 1.5),
    "puhui": st.booleans(),
})
populations = st.lists(st.integers(1_000, 500_000), min_size=3, max_size=3)


def write_folder(folder: Path, insts, pops, shuffle_seed=None):
    def write(name, header, rows):
        rows = list(rows)
        if shuffle_seed is not None:
            random.Random(shuffle_seed).shuffle(rows)
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)

    write("regions", ["code", "name", "level", "parent_code"],
          [["990000", "省", "province", ""]] + [[c, f"县{c}", "county", "990000"] for c in COUNTIES])
    write("population", ["region_code", "year", "resident_population", "under3_population"],
          [["990000", 2024, sum(pops), sum(pops) // 30]]
          + [[c, 2024, p, p // 30] for c, p in zip(COUNTIES, pops)])
    write("institutions", ["institution_id", "name", "region_code", "type", "ownership", "is_puhui",
                           "registered_on", "filed_on"],
          [[f"I{i}", f"机构{i}", x["county"], "托育机构", "民办", "是" if x["puhui"] else "否",
            "2023-01-01", "2023-02-01" if x["filed"] else ""] for i, x in enumerate(insts)])
    write("reports", ["institution_id", "period", "slots", "enrolled_toddler", "caregivers",
                      "caregivers_certified", "meets_standard"],
          [[f"I{i}", "2024Q3", x["slots"], int(x["slots"] * x["fill"]), 10, 5, "是"]
           for i, x in enumerate(insts)])


def compute(insts, pops, shuffle_seed=None):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_folder(folder, insts, pops, shuffle_seed)
        build_database(folder / "t.duckdb", [folder])
        con = db.connect(folder / "t.duckdb", read_only=True)
        try:
            frame = indicators.values(con, ["990000"] + COUNTIES, ["2024Q3"])
        finally:
            con.close()
    return {r["region_code"]: r for r in frame.to_dict("records")}


SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(institution, min_size=1, max_size=12), populations, st.integers(0, 200), st.sampled_from(COUNTIES))
def test_adding_a_filed_institution_never_lowers_slots_per_1000(insts, pops, slots, county):
    before = compute(insts, pops)
    after = compute(insts + [{"county": county, "filed": True, "slots": slots, "fill": 0.5, "puhui": False}], pops)
    for code in ("990000", county):
        old = before[code]["slots_per_1000"] or 0.0
        assert after[code]["slots_per_1000"] >= old


@SETTINGS
@given(st.lists(institution, min_size=1, max_size=12), populations, st.integers(1, 10_000))
def test_row_order_changes_nothing(insts, pops, seed):
    assert compute(insts, pops) == compute(insts, pops, shuffle_seed=seed)


@SETTINGS
@given(st.lists(institution, min_size=0, max_size=9), populations)
def test_province_ratio_between_county_ratios(insts, pops):
    # every county gets one filed, reporting institution so each has a ratio
    insts = insts + [{"county": c, "filed": True, "slots": 10, "fill": 1.0, "puhui": False} for c in COUNTIES]
    result = compute(insts, pops)
    ratios = [result[c]["slots_per_1000"] for c in COUNTIES]
    province = result["990000"]["slots_per_1000"]
    assert min(ratios) - 1e-9 <= province <= max(ratios) + 1e-9
