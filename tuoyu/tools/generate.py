"""A synthetic dataset at N × the sample, up to national scale, for the benchmark (issue #8).

    python -m tuoyu generate --scale 10 --out /tmp/tuoyu-10x
    python -m tuoyu generate --scale national --out /tmp/tuoyu-national

Scale 1 is the shipped sample, byte for byte (tuoyu.tools.sample.generate). A larger scale writes
the sample and then appends invented provinces, cities and counties — codes under
two-digit prefixes that no real province uses (66…99 less 71, 81, 82), so they sort after
the sample's and never collide with a real code; names 合成省72, 合成市7201, 合成县720101 —
whose institutions and reports are drawn by the sample's own functions (fill_unit,
add_unfiled, Namer, draw_profile, institution_reports …) against a curve of 每千人口托位数
shaped like the published national series. Each province draws from its own seeded
streams, so the output is a pure function of (seed, scale) and is written province by
province without holding the national report table in memory.

About COUNTIES_PER_SCALE synthetic counties make one more "sample's worth" of data (the
sample holds 6,876 institutions and 124,818 reports); the national preset is fixed by the
published counts: 31 provinces, 333 cities, 2,850 county-level units.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from . import sample
from ..tables import TABLES

# Real province prefixes of GB/T 2260 (including 台湾 71, 香港 81, 澳门 82): never used.
REAL_PREFIXES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45,
                 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
# After the sample's highest prefix (64), so the sample's rows come first in every file.
SYNTHETIC_PREFIXES = tuple(p for p in range(66, 100) if p not in REAL_PREFIXES)

# The sample's own units: 宁夏 + 福建 (2 provinces, 14 cities, 105 counties) and the
# partial 河南, 浙江 (2 provinces, 2 cities, 2 counties).
SAMPLE_PROVINCES, SAMPLE_CITIES, SAMPLE_COUNTIES = 4, 16, 107
NATIONAL = {"provinces": 31, "cities": 333, "counties": 2850}
COUNTIES_PER_SCALE = 150
COUNTIES_PER_CITY = (NATIONAL["counties"] - SAMPLE_COUNTIES) / (NATIONAL["cities"] - SAMPLE_CITIES)
CITIES_PER_PROVINCE = (NATIONAL["cities"] - SAMPLE_CITIES) / (NATIONAL["provinces"] - SAMPLE_PROVINCES)

# 全国 每千人口托位数 (data/base/region_indicators.csv) at sample.CURVE_KEYS, 2026Q3 extrapolated.
NATIONAL_CURVE = (1.80, 2.03, 2.50, 3.38, 4.08, 4.70, 4.90)
COUNTY_POPULATION = 320_000   # mean 2020 resident population of a synthetic county
LABEL = "示例数据（合成）"
# Written into dataset.csv; a folder the benchmark kept from an older generator is made again.
# 2: the country's population rows (national_population).
VERSION = 2
NATIONAL_CODE = "100000"   # 全国 (data/base/regions.csv), the root of every province


def layout(scale) -> tuple[int, int, int]:
    """(provinces, cities, counties) to add for a scale: a number ≥ 1, or 'national'."""
    if scale == "national":
        return (NATIONAL["provinces"] - SAMPLE_PROVINCES, NATIONAL["cities"] - SAMPLE_CITIES,
                NATIONAL["counties"] - SAMPLE_COUNTIES)
    scale = float(scale)
    if scale < 1:
        raise ValueError("规模应不小于 1（1 即示例数据本身）")
    counties = round((scale - 1) * COUNTIES_PER_SCALE)
    if counties == 0:
        return 0, 0, 0
    cities = max(1, round(counties / COUNTIES_PER_CITY))
    provinces = max(1, round(cities / CITIES_PER_PROVINCE))
    if provinces > len(SYNTHETIC_PREFIXES):
        raise ValueError(f"规模过大：最多 {len(SYNTHETIC_PREFIXES)} 个合成省")
    return provinces, cities, counties


def parse_scale(text: str):
    if str(text).lower() in ("national", "全国"):
        return "national"
    value = float(text)
    return int(value) if value.is_integer() else value


def scale_label(scale) -> str:
    return "全国规模" if scale == "national" else f"{scale:g}倍"


# ---------------------------------------------------------------- regions and population

def provinces_plan(seed: int, scale) -> list[dict]:
    """Every synthetic province: prefix, number, its cities and each city's county count."""
    n_prov, n_city, n_county = layout(scale)
    if not n_prov:
        return []
    rng = sample.rng_for(seed, "synthetic-layout", n_prov, n_city, n_county)
    cities_per = sample.split_total(n_city, {k: rng.uniform(0.6, 1.4) for k in range(n_prov)})
    city_keys = [(p, c) for p in range(n_prov) for c in range(cities_per[p])]
    counties_per = sample.split_total(n_county, {k: rng.uniform(0.5, 1.5) for k in city_keys})
    plan = []
    for p in range(n_prov):
        prefix = f"{SYNTHETIC_PREFIXES[p]:02d}"
        cities = [(f"{prefix}{c + 1:02d}00", max(1, counties_per[(p, c)])) for c in range(cities_per[p])]
        plan.append({"prefix": prefix, "number": p + 1, "cities": cities})
    return plan


def province_regions(prov: dict) -> list[sample.Region]:
    prefix = prov["prefix"]
    out = [sample.Region(f"{prefix}0000", f"合成省{prefix}", "province", NATIONAL_CODE)]
    for city, n in prov["cities"]:
        out.append(sample.Region(city, f"合成市{city[:4]}", "city", f"{prefix}0000"))
        out += [sample.Region(f"{city[:4]}{d:02d}", f"合成县{city[:4]}{d:02d}", "county", city)
                for d in range(1, n + 1)]
    return out


def county_leaves(seed: int, counties: list[str]) -> dict[str, dict[int, list[int]]]:
    """{county: {year: [resident, births]}} as sample.fujian_county_population draws them."""
    table = {}
    for code in counties:
        rng = sample.rng_for(seed, "synthetic-population", code)
        base = round(COUNTY_POPULATION * rng.uniform(0.4, 1.6))
        growth = rng.uniform(-0.008, 0.012)
        fertility = rng.uniform(0.85, 1.25)
        table[code] = {}
        for y in sample.BIRTH_YEARS:
            resident = sample.grow(base, growth, y)
            table[code][y] = [resident, round(resident * 0.0100 * 0.96 ** (y - 2020) * fertility)]
    return table


# ---------------------------------------------------------------- institutions

class SyntheticNamer(sample.Namer):
    """Names under the invented regions: 合成县720101小太阳托育中心 …"""

    def prefix(self, code: str) -> str:
        return f"合成县{code[:6]}"

    def town(self, code: str) -> str:
        return ""

    def short(self, code: str) -> str:
        return f"合成{code[:2]}"


def local_id_prefix(inst: sample.Institution) -> str:
    return f"HC{inst.region_code[:4]}"


def province_institutions(seed: int, prov: dict, leaves: dict) -> list[sample.Institution]:
    """Each county filled to its curve and given its never-filed institutions, as the
    sample does for 宁夏 and 福建; then demonstrations, names, ids and report profiles."""
    key = f"{seed}:synthetic:{prov['prefix']}"
    rng = sample.rng_for(key, "province")
    group = "ningxia" if rng.random() < 0.3 else "fujian"
    province_factor = rng.uniform(0.75, 1.25)
    backlog = 0.75 if group == "fujian" else 0.0
    insts: list[sample.Institution] = []
    for code in sorted(leaves):
        crng = sample.rng_for(key, "factor", code)
        factor = province_factor * crng.choice((1.15, 1.0, 0.8)) * crng.uniform(0.85, 1.15)
        points = {k: v * factor for k, v in zip(sample.CURVE_KEYS, NATIONAL_CURVE)}
        population = {y: leaves[code][max(2020, y)][0] for y in range(2018, 2027)}
        unit = sample.Unit(code, group, population, sample.curve(points), ((code, 1.0),),
                           backlog_share=backlog)
        mine: list[sample.Institution] = []
        sample.fill_unit(sample.rng_for(key, "fill", code), unit, mine)
        filed = sum(1 for i in mine if i.filed_on)
        sample.add_unfiled(sample.rng_for(key, "unfiled", code), unit, mine, sample.unfiled_count(unit, filed))
        insts += mine
    sample.mark_demonstrations(key, insts)
    insts.sort(key=sample.sort_key)
    sample.assign_names_and_ids(key, insts, SyntheticNamer, local_id_prefix)
    profiles = sample.rng_for(key, "profiles")
    for inst in insts:
        sample.draw_profile(profiles, inst)
    return insts


def province_incidents(seed: int, prov: dict, insts: list[sample.Institution]) -> list[dict]:
    """About one incident per 500 institutions, mostly 一般, as in the sample."""
    rng = sample.rng_for(f"{seed}:synthetic:{prov['prefix']}", "incidents")
    pool = [i for i in insts if i.filed_on and i.type in ("托育机构", "幼儿园托班", "用人单位办托")]
    rows = []
    for inst in rng.sample(pool, min(len(pool), len(insts) // 500)):
        start = max(inst.filed_on, date(2021, 1, 1))
        end = min(inst.closed_on or sample.AS_OF, sample.AS_OF) - timedelta(days=1)
        severity, summary = (("较大", rng.choice(sample.SERIOUS)) if rng.random() < 0.15
                             else ("一般", rng.choice(sample.MINOR)))
        rows.append(sample.incident(inst, sample.day_in(rng, start, end), severity, summary))
    return sorted(rows, key=lambda r: (r["occurred_on"], r["institution_id"]))


def province_tables(seed: int, prov: dict) -> dict[str, list[dict]]:
    regions = province_regions(prov)
    counties = [r.code for r in regions if r.level == "county"]
    leaves = county_leaves(seed, counties)
    insts = province_institutions(seed, prov, leaves)
    reports = []
    for inst in sorted(insts, key=lambda i: i.institution_id):
        reports += sample.institution_reports(seed, inst)
    return {
        "regions": [r.__dict__ for r in regions],
        "population": sample.population_rows(leaves, regions),
        "institutions": [sample.institution_row(i) for i in insts],
        "reports": reports,
        "surveys": sample.survey_rows(f"{seed}:synthetic:{prov['prefix']}", counties),
        "incidents": province_incidents(seed, prov, insts),
    }


# ---------------------------------------------------------------- output

def append_rows(path: Path, table: str, rows: list[dict]) -> None:
    columns = [c.name for c in TABLES[table]]
    with open(path, "a", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for row in rows:
            writer.writerow([sample.cell(row.get(c)) for c in columns])


def national_population(out_dir: Path) -> list[dict]:
    """The country's population rows (region NATIONAL_CODE), year by year: the sum over the
    highest units of the dataset that have rows of their own — each synthetic province, 宁夏
    and 福建 whole, the counties of the sample's partial 浙江 and 河南 — so that 全国's
    每千人口托位数 divides the institutions the dataset holds by the people of the units they
    are in (without it 总览 全国 has no figure at all). Every column is a sum of people."""
    with open(out_dir / "regions.csv", encoding="utf-8", newline="") as f:
        parent = {r["code"]: r["parent_code"] for r in csv.DictReader(f)}
    with open(out_dir / "population.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    has_rows = {r["region_code"] for r in rows}

    def highest(code: str) -> bool:   # no unit above it has rows
        code = parent.get(code)
        while code:
            if code in has_rows:
                return False
            code = parent.get(code)
        return True

    summed: dict[int, list[int]] = {}
    for r in rows:
        if highest(r["region_code"]):
            acc = summed.setdefault(int(r["year"]), [0, 0, 0])
            for i, column in enumerate(("resident_population", "under3_population", "births")):
                acc[i] += int(r[column] or 0)
    return [{"region_code": NATIONAL_CODE, "year": y, "resident_population": resident,
             "under3_population": under3, "births": births} for y, (resident, under3, births) in sorted(summed.items())]


def write_meta(out_dir: Path, seed: int, scale) -> None:
    meta = [("label", LABEL), ("description", f"在示例数据之外加入虚构的省、市、县（{scale_label(scale)}），"
                                              "名称标“合成”，代码不与真实区划重复；机构、报表均为虚构。"),
            ("generated_by", f"python -m tuoyu generate --scale {scale}"), ("seed", str(seed)),
            ("scale", str(scale)), ("generator_version", str(VERSION)), ("as_of", sample.AS_OF.isoformat()),
            ("default_plan", "ZHONGWEI"),
            ("periods", f"{sample.q_label(sample.REPORT_FIRST_Q)}–{sample.q_label(sample.LAST_Q)}")]
    with open(out_dir / "dataset.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("key", "value"))
        writer.writerows(meta)


def generate(out_dir, scale=1, seed: int = 2021, progress=None) -> dict[str, int]:
    """Write the dataset for `scale` into out_dir; return the rows per file."""
    out_dir = Path(out_dir)
    counts = sample.generate(out_dir, seed)
    plan = provinces_plan(seed, scale)
    if not plan:
        return counts
    for prov in plan:
        tables = province_tables(seed, prov)
        for table, rows in tables.items():
            append_rows(out_dir / f"{table}.csv", table, rows)
            counts[f"{table}.csv"] += len(rows)
        if progress:
            progress(f"合成省{prov['prefix']}: {len(tables['institutions']):,} 家机构, "
                     f"{len(tables['reports']):,} 行报表")
    national = national_population(out_dir)
    append_rows(out_dir / "population.csv", "population", national)
    counts["population.csv"] += len(national)
    write_meta(out_dir, seed, scale)
    return counts
