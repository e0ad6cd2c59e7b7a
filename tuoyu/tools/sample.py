"""The sample dataset (示例数据): invented institutions, reports, surveys and incidents on
real administrative units and 2020 census populations.

    python -m tuoyu.tools.sample --out data/sample [--seed 2021]

Everything the generator needs is embedded below as constants (codes, names, 2020
populations, birth totals), so the repository does not depend on the research folder it
was gathered in; data/sample/README.md names the sources. The output is a pure function
of the seed: every random draw comes from a random.Random seeded with a string (seeding
with a str is hashed with SHA-512, so it is stable across runs and Python versions), one
generator per purpose and region, so tuning one region never reshuffles another.

The institutions are not drawn blindly and then hoped to tell the story: for each county
a curve of 每千人口托位数 (the counted = filed-and-active slots of DESIGN §3) is set by
quarter, and institutions are added, filed in that quarter, until the counted slots reach
the curve. The curves are where the story lives (ZHONGWEI_CURVES and friends).
"""

from __future__ import annotations

import argparse
import calendar
import csv
import functools
import math
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..tables import TABLES

# ---------------------------------------------------------------------------
# Time: quarters are numbered from 2018Q1 = 0 so the fill loop can start before the
# reporting window (reports run 2021Q1 … 2026Q3, the last quarter before AS_OF).
# ---------------------------------------------------------------------------

AS_OF = date(2026, 11, 23)
FIRST_YEAR = 2018
POP_YEARS = range(2020, 2027)
REPORT_FIRST_Q = 12  # 2021Q1
LAST_Q = 34  # 2026Q3
FLOOR_DATE = date(2018, 1, 2)


def q_year(qi: int) -> int:
    return FIRST_YEAR + qi // 4


def q_label(qi: int) -> str:
    return f"{q_year(qi)}Q{qi % 4 + 1}"


def q_index(year: int, quarter: int) -> int:
    return (year - FIRST_YEAR) * 4 + quarter - 1


def q_start(qi: int) -> date:
    return date(q_year(qi), 3 * (qi % 4) + 1, 1)


def q_end(qi: int) -> date:
    month = 3 * (qi % 4) + 3
    return date(q_year(qi), month, calendar.monthrange(q_year(qi), month)[1])


def q_of(d: date) -> int:
    return (d.year - FIRST_YEAR) * 4 + (d.month - 1) // 3


def day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def rng_for(seed: int, *parts) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, *parts)))


# ---------------------------------------------------------------------------
# Administrative units (GB/T 2260; 9-digit NBS codes for townships) and populations.
# ---------------------------------------------------------------------------

NINGXIA = ("640000", "宁夏回族自治区")
NINGXIA_CITIES = {  # code: (name, 2020 census population)
    "640100": ("银川市", 2859074),
    "640200": ("石嘴山市", 751389),
    "640300": ("吴忠市", 1382713),
    "640400": ("固原市", 1142142),
    "640500": ("中卫市", 1067336),
}
# code, name, 2020 census population (None = only a pair sum is published),
# assumed growth per year, relative fertility (births per head against the region).
NINGXIA_COUNTIES = (
    ("640104", "兴庆区", 808282, 0.008, 0.85),
    ("640105", "西夏区", 449559, 0.011, 0.85),
    ("640106", "金凤区", 643952, 0.013, 0.85),
    ("640121", "永宁县", 321618, 0.009, 0.95),
    ("640122", "贺兰县", 341507, 0.009, 0.95),
    ("640181", "灵武市", 294156, 0.006, 0.95),
    ("640202", "大武口区", 298292, -0.001, 0.80),
    ("640205", "惠农区", 178891, -0.005, 0.80),
    ("640221", "平罗县", 274206, -0.003, 0.80),
    ("640302", "利通区", 460790, 0.005, 1.00),
    ("640303", "红寺堡区", None, 0.003, 1.40),
    ("640323", "盐池县", 159209, 0.000, 0.95),
    ("640324", "同心县", 320801, -0.002, 1.40),
    ("640381", "青铜峡市", None, 0.001, 0.95),
    ("640402", "原州区", 471329, 0.000, 1.05),
    ("640422", "西吉县", 315827, -0.010, 1.35),
    ("640423", "隆德县", 109451, -0.010, 1.00),
    ("640424", "泾源县", 85023, -0.008, 1.20),
    ("640425", "彭阳县", 160512, -0.008, 1.10),
    ("640502", "沙坡头区", None, 0.000, 1.03),
    ("640521", "中宁县", None, -0.002, 1.05),
    ("640522", "海原县", 333518, -0.008, 1.35),
)
# Only pair sums are published for these four; split by the rounded 万 figures.
NINGXIA_PAIR_SPLITS = (
    (("640303", 19.78), ("640381", 24.45), 441913),
    (("640502", 39.98), ("640521", 33.40), 733818),
)
# 宁夏 births: 2018, 2021–2023 published; the other years interpolated or extrapolated.
NINGXIA_BIRTHS = {2018: 91200, 2019: 88000, 2020: 86000, 2021: 84000, 2022: 77000,
                  2023: 73000, 2024: 70000, 2025: 67000, 2026: 65000}

FUJIAN = ("350000", "福建省")
FUJIAN_CITIES = {  # code: (name, 2020 census total (approximate), growth per year, id prefix)
    "350100": ("福州市", 8291268, 0.008, "FZ"),
    "350200": ("厦门市", 5163970, 0.015, "XM"),
    "350300": ("莆田市", 3210714, 0.000, "PT"),
    "350400": ("三明市", 2486450, -0.006, "SM"),
    "350500": ("泉州市", 8782285, 0.004, "QZ"),
    "350600": ("漳州市", 5054328, 0.001, "ZZ"),
    "350700": ("南平市", 2680645, -0.006, "NP"),
    "350800": ("龙岩市", 2723637, -0.003, "LY"),
    "350900": ("宁德市", 3146789, 0.000, "ND"),
}
# 84 county-level units less 金门县 350527 (not administered; left out of the sample).
FUJIAN_COUNTIES = """
350102 鼓楼区 350103 台江区 350104 仓山区 350105 马尾区 350111 晋安区 350112 长乐区
350121 闽侯县 350122 连江县 350123 罗源县 350124 闽清县 350125 永泰县 350128 平潭县
350181 福清市 350203 思明区 350205 海沧区 350206 湖里区 350211 集美区 350212 同安区
350213 翔安区 350302 城厢区 350303 涵江区 350304 荔城区 350305 秀屿区 350322 仙游县
350404 三元区 350405 沙县区 350421 明溪县 350423 清流县 350424 宁化县 350425 大田县
350426 尤溪县 350428 将乐县 350429 泰宁县 350430 建宁县 350481 永安市 350502 鲤城区
350503 丰泽区 350504 洛江区 350505 泉港区 350521 惠安县 350524 安溪县 350525 永春县
350526 德化县 350581 石狮市 350582 晋江市 350583 南安市 350602 芗城区 350603 龙文区
350604 龙海区 350605 长泰区 350622 云霄县 350623 漳浦县 350624 诏安县 350626 东山县
350627 南靖县 350628 平和县 350629 华安县 350702 延平区 350703 建阳区 350721 顺昌县
350722 浦城县 350723 光泽县 350724 松溪县 350725 政和县 350781 邵武市 350782 武夷山市
350783 建瓯市 350802 新罗区 350803 永定区 350821 长汀县 350823 上杭县 350824 武平县
350825 连城县 350881 漳平市 350902 蕉城区 350921 霞浦县 350922 古田县 350923 屏南县
350924 寿宁县 350925 周宁县 350926 柘荣县 350981 福安市 350982 福鼎市
"""
# The invented split gives the counties known to be populous a larger weight (马尾 smaller).
FUJIAN_HEAVY = {"350105": 0.6, "350582": 3.0, "350583": 2.2, "350181": 2.1, "350203": 1.8,
                "350206": 1.7, "350521": 1.6, "350524": 1.5, "350802": 1.6,
                "350322": 1.4, "350604": 1.4, "350104": 1.5, "350111": 1.4}
# Small mountain counties with no 用人单位办托 (the Fujian plan asks one per county).
FUJIAN_NO_WORKPLACE = ("350421", "350423", "350925", "350926")

HENAN = ("410000", "河南省")
PINGDINGSHAN = ("410400", "平顶山市")
WUGANG = ("410481", "舞钢市", 300000)  # 2020 resident population, estimate
WUGANG_TOWNSHIPS = (  # code, name, invented population weight
    ("410481001", "垭口街道", 1.6), ("410481002", "寺坡街道", 1.5),
    ("410481003", "朱兰街道", 1.3), ("410481004", "院岭街道", 1.2),
    ("410481005", "矿建街道", 0.7), ("410481006", "铁山街道", 0.8),
    ("410481007", "红山街道", 0.6), ("410481100", "尚店镇", 1.0),
    ("410481101", "八台镇", 1.1), ("410481102", "尹集镇", 1.0),
    ("410481103", "枣林镇", 0.9), ("410481202", "庙街乡", 0.7),
    ("410481204", "武功乡", 0.8), ("410481205", "杨庄乡", 0.8),
)
ZHEJIANG = ("330000", "浙江省")
NINGBO = ("330200", "宁波市")
JIANGBEI = ("330205", "江北区", 490000)  # 2020 resident population, estimate
JIANGBEI_STREETS = (
    ("330205001", "外滩街道", 0.6), ("330205003", "孔浦街道", 1.0),
    ("330205004", "文教街道", 0.9), ("330205005", "甬江街道", 1.6),
    ("330205006", "庄桥街道", 1.3), ("330205007", "洪塘街道", 1.1),
    ("330205008", "前江街道", 0.6), ("330205103", "慈城镇", 1.1),
)


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent_code: str


def build_regions() -> list[Region]:
    regions = [Region(NINGXIA[0], NINGXIA[1], "province", "100000")]
    regions += [Region(c, n, "city", NINGXIA[0]) for c, (n, _) in NINGXIA_CITIES.items()]
    regions += [Region(c, n, "county", c[:4] + "00") for c, n, *_ in NINGXIA_COUNTIES]
    regions.append(Region(FUJIAN[0], FUJIAN[1], "province", "100000"))
    regions += [Region(c, v[0], "city", FUJIAN[0]) for c, v in FUJIAN_CITIES.items()]
    regions += [Region(c, n, "county", c[:4] + "00") for c, n in fujian_counties()]
    regions += [Region(HENAN[0], HENAN[1], "province", "100000"),
                Region(PINGDINGSHAN[0], PINGDINGSHAN[1], "city", HENAN[0]),
                Region(WUGANG[0], WUGANG[1], "county", PINGDINGSHAN[0])]
    regions += [Region(c, n, "township", WUGANG[0]) for c, n, _ in WUGANG_TOWNSHIPS]
    regions += [Region(ZHEJIANG[0], ZHEJIANG[1], "province", "100000"),
                Region(NINGBO[0], NINGBO[1], "city", ZHEJIANG[0]),
                Region(JIANGBEI[0], JIANGBEI[1], "county", NINGBO[0])]
    regions += [Region(c, n, "township", JIANGBEI[0]) for c, n, _ in JIANGBEI_STREETS]
    return sorted(regions, key=lambda r: r.code)


def fujian_counties() -> list[tuple[str, str]]:
    words = FUJIAN_COUNTIES.split()
    return list(zip(words[0::2], words[1::2]))


def split_total(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Integer shares of total proportional to weights, summing exactly (largest remainder)."""
    keys = sorted(weights)
    wsum = sum(weights[k] for k in keys)
    raw = {k: total * weights[k] / wsum for k in keys}
    out = {k: int(math.floor(raw[k])) for k in keys}
    rest = total - sum(out.values())
    for k in sorted(keys, key=lambda k: (out[k] - raw[k], k))[:rest]:
        out[k] += 1
    return out


def grow(base: int, rate: float, year: int) -> int:
    return round(base * (1 + rate) ** (year - 2020))


# A population table is {region_code: {year: (resident, births)}} for the leaf units
# (2018–2026: births of 2018/2019 are needed for the under-3 proxy); parents are summed.
BIRTH_YEARS = range(2018, 2027)


def ningxia_county_population() -> dict[str, dict[int, list[int]]]:
    base = {c: p for c, _, p, _, _ in NINGXIA_COUNTIES if p is not None}
    for (a, wa), (b, wb), total in NINGXIA_PAIR_SPLITS:
        base.update(split_total(total, {a: wa, b: wb}))
    rates = {c: g for c, _, _, g, _ in NINGXIA_COUNTIES}
    fert = {c: f for c, _, _, _, f in NINGXIA_COUNTIES}
    table = {c: {y: [grow(base[c], rates[c], y), 0] for y in BIRTH_YEARS} for c in base}
    for y in BIRTH_YEARS:
        births = split_total(NINGXIA_BIRTHS[y], {c: table[c][y][0] * fert[c] for c in table})
        for c, b in births.items():
            table[c][y][1] = b
    return table


def fujian_county_weights(rng: random.Random) -> dict[str, float]:
    kind_weight = {"区": 1.3, "市": 1.0, "县": 0.7}
    return {c: FUJIAN_HEAVY.get(c, kind_weight[n[-1]]) * rng.uniform(0.8, 1.2)
            for c, n in fujian_counties()}


def fujian_county_population(seed: int) -> dict[str, dict[int, list[int]]]:
    weights = fujian_county_weights(rng_for(seed, "fujian-split"))
    table = {}
    for city, (_, total, rate, _) in FUJIAN_CITIES.items():
        counties = {c: w for c, w in weights.items() if c[:4] + "00" == city}
        for c, pop in split_total(total, counties).items():
            # Districts draw people from the counties around them.
            local = rate + (0.003 if fujian_name(c).endswith("区") else -0.003)
            fert = 0.95 if fujian_name(c).endswith("区") else 1.08
            table[c] = {}
            for y in BIRTH_YEARS:
                resident = grow(pop, local, y)
                birth_rate = 0.0100 * 0.96 ** (y - 2020) * fert
                table[c][y] = [resident, round(resident * birth_rate)]
    return table


@functools.lru_cache(maxsize=None)
def fujian_name(code: str) -> str:
    return dict(fujian_counties())[code]


def township_population(county, townships, rate, birth_rate_2020, birth_decline):
    split = split_total(county[2], {c: w for c, _, w in townships})
    table = {}
    for i, (c, _, _) in enumerate(townships):
        local = rate + (i % 3 - 1) * 0.002  # small township-to-township variation
        table[c] = {y: [grow(split[c], local, y),
                        round(grow(split[c], local, y) * birth_rate_2020
                              * (1 - birth_decline) ** (y - 2020))]
                    for y in BIRTH_YEARS}
    return table


def population_rows(leaves: dict, regions: list[Region]) -> list[dict]:
    """Leaf rows plus every ancestor whose whole subtree is in the sample, summed."""
    parent = {r.code: r.parent_code for r in regions}
    totals = {c: {y: list(v) for y, v in years.items()} for c, years in leaves.items()}
    for leaf, years in leaves.items():
        code = parent[leaf]
        while code in parent and code not in PARTIAL_SUBTREE_SKIP:
            acc = totals.setdefault(code, {y: [0, 0] for y in BIRTH_YEARS})
            for y, (resident, births) in years.items():
                acc[y][0] += resident
                acc[y][1] += births
            code = parent[code]
    rows = []
    for code in sorted(totals):
        for y in POP_YEARS:
            resident, births = totals[code][y]
            under3 = sum(totals[code][y - k][1] for k in range(3))
            rows.append({"region_code": code, "year": y, "resident_population": resident,
                         "under3_population": under3, "births": births})
    return rows


# Their subtrees are incomplete in the sample, so no province- or city-wide figure.
PARTIAL_SUBTREE_SKIP = {"410000", "410400", "330000", "330200"}


def build_population(seed: int, regions: list[Region]) -> list[dict]:
    leaves = {}
    leaves.update(ningxia_county_population())
    leaves.update(fujian_county_population(seed))
    leaves.update(township_population(WUGANG, WUGANG_TOWNSHIPS, -0.005, 0.0090, 0.06))
    leaves.update(township_population(JIANGBEI, JIANGBEI_STREETS, 0.012, 0.0080, 0.05))
    return population_rows(leaves, regions)


# ---------------------------------------------------------------------------
# Institutions
# ---------------------------------------------------------------------------

TYPES = ("托育机构", "幼儿园托班", "用人单位办托", "社区托育点", "家庭托育点")
# Slot sizes by type: (low, high, step). 家庭托育点 take at most 5 children.
SIZES = {
    "ningxia": {"托育机构": (30, 70, 5), "幼儿园托班": (20, 60, 5), "用人单位办托": (20, 50, 5),
                "社区托育点": (15, 35, 5), "家庭托育点": (4, 5, 1)},
    "fujian": {"托育机构": (30, 90, 5), "幼儿园托班": (20, 60, 5), "用人单位办托": (20, 50, 5),
               "社区托育点": (15, 35, 5), "家庭托育点": (4, 5, 1)},
    "town": {"托育机构": (30, 80, 5), "幼儿园托班": (20, 50, 5), "用人单位办托": (20, 40, 5),
             "社区托育点": (15, 30, 5), "家庭托育点": (4, 5, 1)},
}
TYPE_WEIGHTS = {  # of institutions that file (the counted ones)
    "ningxia": (0.40, 0.26, 0.08, 0.14, 0.12),
    "fujian": (0.40, 0.25, 0.07, 0.15, 0.13),
    "town": (0.45, 0.20, 0.05, 0.15, 0.15),
}
UNFILED_TYPE_WEIGHTS = (0.30, 0.05, 0.00, 0.30, 0.35)
OWNERSHIP = {  # by type: (公办, 民办, 公办民营, 民办公助)
    "托育机构": (0.08, 0.70, 0.10, 0.12),
    "幼儿园托班": (0.65, 0.35, 0.00, 0.00),
    "用人单位办托": (0.40, 0.60, 0.00, 0.00),
    "社区托育点": (0.10, 0.20, 0.40, 0.30),
    "家庭托育点": (0.00, 1.00, 0.00, 0.00),
}
OWNERSHIPS = ("公办", "民办", "公办民营", "民办公助")
PUHUI_P = {"公办": 0.85, "民办": 0.12, "公办民营": 0.70, "民办公助": 0.70}


@dataclass
class Institution:
    region_code: str
    type: str
    ownership: str
    is_puhui: bool
    registered_on: date
    filed_on: date | None
    slots: int
    closed_on: date | None = None
    grow_at: int | None = None  # quarter from which the slots are grow_to (an expansion)
    grow_to: int = 0
    is_demonstration: bool = False
    is_guidance_center: bool = False
    name: str = ""  # fixed for scripted institutions, else given by the naming pass
    institution_id: str = ""
    # How it reports (set by assign_profiles): steady occupancy, staffing and standard.
    occupancy: float = 0.88
    understaffed: bool = False
    substandard: bool = False
    certified: float = 0.85
    meets_p: float = 0.95  # chance that a quarter's report meets the standard
    short_p: float = 0.04  # chance of a quarter one caregiver short
    group: str = "ningxia"
    scripted: bool = False  # named in the story; kept out of the random problem draws

    def slots_at(self, qi: int) -> int:
        return self.grow_to if self.grow_at is not None and qi >= self.grow_at else self.slots

    def active_at(self, qi: int) -> bool:
        end = q_end(qi)
        return self.registered_on <= end and (self.closed_on is None or self.closed_on > end)

    def counted_at(self, qi: int) -> bool:
        return self.active_at(qi) and self.filed_on is not None and self.filed_on <= q_end(qi)


def pick(rng: random.Random, options, weights):
    return rng.choices(options, weights=weights, k=1)[0]


def draw_size(rng: random.Random, group: str, kind: str) -> int:
    low, high, step = SIZES[group][kind]
    return rng.randrange(low, high + 1, step)


def fit_size(rng, group: str, kind: str, gap: float) -> int:
    """A size for the institution that closes a gap: never a big overshoot of the curve,
    which matters where a county is meant to meet its step narrowly."""
    size = draw_size(rng, group, kind)
    low, _, step = SIZES[group][kind]
    if size > gap + step:
        size = max(low, step * math.ceil(gap / step))
    return size


# Where a story county is checked against its curve: every Q4, and 2024Q3.
CHECKPOINTS = {qi for qi in range(LAST_Q + 1) if qi % 4 == 3} | {q_index(2024, 3), LAST_Q}
TIGHT_SLACK = 30  # between checkpoints a story county may lag its curve by this many slots


def choose_ownership(rng, kind: str) -> tuple[str, bool]:
    owner = pick(rng, OWNERSHIPS, OWNERSHIP[kind])
    return owner, rng.random() < PUHUI_P[owner]


@dataclass
class Unit:
    """A county whose counted slots follow a curve: where new institutions go and how."""
    code: str
    group: str
    population: dict[int, int]  # year -> resident population
    curve: dict[int, float]  # quarter index -> 每千人口托位数 anchor
    places: tuple[tuple[str, float], ...]  # (region_code, weight) for new institutions
    excluded_types: tuple[str, ...] = ()
    backlog_share: float = 0.0  # share of filings that clear an old registration
    tight: bool = False  # a story county: meet the curve closely at its checkpoints
    ownership_rule: object = None  # callable(inst) -> None, for story constraints

    def target(self, qi: int) -> float:
        return rate_at(self.curve, qi) * self.population[min(q_year(qi), 2026)] / 1000


def rate_at(curve: dict[int, float], qi: int) -> float:
    """Linear between anchors; from zero at 2018Q1 up to the first anchor."""
    points = sorted({0: 0.0, **curve}.items())
    for (q0, v0), (q1, v1) in zip(points, points[1:]):
        if q0 <= qi <= q1:
            return v0 + (v1 - v0) * (qi - q0) / (q1 - q0)
    return points[-1][1]


def curve(points: dict[str, float]) -> dict[int, float]:
    return {q_index(int(k[:4]), int(k[-1])): v for k, v in points.items()}


BACKLOG_MAX_DAYS = 2200
# Registration years of the never-filed, 2018 … 2026: the sector grew, so recent-heavy.
UNFILED_YEAR_WEIGHTS = (1, 2, 3, 4, 5, 6, 6, 6, 5)


def filing_lag(rng: random.Random, unit: Unit, filed: date) -> date:
    """registered_on for an institution filed on `filed`: usually 1–9 months before; under
    a campaign's push (from 2022) often an old registration, one to six years back. Never
    before 2018: the early quarters draw from the days since then."""
    elapsed = (filed - FLOOR_DATE).days
    if filed.year >= 2022 and rng.random() < unit.backlog_share:
        return filed - timedelta(days=rng.randint(300, max(300, min(BACKLOG_MAX_DAYS, elapsed))))
    return filed - timedelta(days=rng.randint(min(30, elapsed), max(0, min(270, elapsed))))


def maybe_close(rng: random.Random, inst: Institution, p: float = 0.085) -> None:
    start = inst.filed_on or inst.registered_on
    if rng.random() < p:
        closed = start + timedelta(days=rng.randint(365, 1600))
        if closed < AS_OF - timedelta(days=20):
            inst.closed_on = closed


def maybe_expand(rng: random.Random, inst: Institution, p: float = 0.15) -> None:
    if inst.type in ("托育机构", "幼儿园托班", "用人单位办托") and rng.random() < p:
        start = q_of(inst.filed_on or inst.registered_on)
        inst.grow_at = start + rng.randint(4, 12)
        inst.grow_to = inst.slots + 5 * max(1, round(inst.slots * rng.uniform(0.2, 0.5) / 5))


def new_filed(rng: random.Random, unit: Unit, qi: int, gap: float) -> Institution:
    weights = [0 if t in unit.excluded_types else w
               for t, w in zip(TYPES, TYPE_WEIGHTS[unit.group])]
    kind = pick(rng, TYPES, weights)
    if unit.tight and gap < SIZES[unit.group][kind][0] - 5:  # a small gap, a small point
        kind = pick(rng, ("社区托育点", "家庭托育点"), (0.6, 0.4))
    size = fit_size(rng, unit.group, kind, gap) if unit.tight else draw_size(rng, unit.group, kind)
    filed = day_in(rng, q_start(qi), q_end(qi))
    owner, puhui = choose_ownership(rng, kind)
    inst = Institution(pick(rng, *zip(*unit.places)), kind, owner, puhui,
                       filing_lag(rng, unit, filed), filed, size, group=unit.group)
    if unit.ownership_rule:
        unit.ownership_rule(inst)
    maybe_close(rng, inst)
    maybe_expand(rng, inst)
    return inst


def fill_unit(rng: random.Random, unit: Unit, insts: list[Institution]) -> None:
    """Add institutions, each filed in the quarter it is needed, until the counted slots
    of every quarter reach the unit's curve. Quarters are settled in order and a new
    institution only changes its own and later quarters, so each quarter ends ≥ target.
    Ordinary units take whole institutions and overshoot a little; story units are sized
    to the gap at their checkpoints and otherwise wait until the gap is worth a new one."""
    mine = [i for i in insts if i.region_code in {p for p, _ in unit.places}]
    for qi in range(0, LAST_Q + 1):
        counted = sum(i.slots_at(qi) for i in mine if i.counted_at(qi))
        goal = unit.target(qi)
        if unit.tight and qi not in CHECKPOINTS:
            goal -= TIGHT_SLACK
        while counted < goal:
            inst = new_filed(rng, unit, qi, goal - counted)
            insts.append(inst)
            mine.append(inst)
            counted += inst.slots_at(qi)


def add_unfiled(rng: random.Random, unit: Unit, insts: list[Institution], n: int) -> None:
    """Institutions that registered but never filed (or not yet: the recent ones)."""
    for _ in range(n):
        weights = [0 if t in unit.excluded_types else w
                   for t, w in zip(TYPES, UNFILED_TYPE_WEIGHTS)]
        kind = pick(rng, TYPES, weights)
        low, high, step = SIZES[unit.group][kind]
        size = rng.randrange(low, max(low, min(high, 40)) + 1, step)
        # Weighted towards recent years: the sector grew.
        year = pick(rng, range(2018, 2027), UNFILED_YEAR_WEIGHTS)
        end = min(date(year, 12, 31), AS_OF - timedelta(days=10))
        owner, puhui = choose_ownership(rng, kind)
        if owner == "公办":
            owner, puhui = "民办", False
        inst = Institution(pick(rng, *zip(*unit.places)), kind, owner, puhui,
                           day_in(rng, date(year, 1, 2), end), None, size, group=unit.group)
        if unit.ownership_rule:
            unit.ownership_rule(inst)
        maybe_close(rng, inst, 0.05)
        insts.append(inst)


# ---------------------------------------------------------------------------
# The story: curves of 每千人口托位数 by county, and the scripted institutions.
# ---------------------------------------------------------------------------

# 中卫: 沙坡头 comfortably above each step, 中宁 just above, 海原 meets 2022/2023 and then
# stalls (about 1.0 at 2024Q4, 1.3 at 2025Q4); the city is about 1.05 at 2024Q3 and
# catches up in 2024Q4 (every county files a batch that quarter).
ZHONGWEI_CURVES = {
    "640502": {"2020Q4": 0.30, "2021Q4": 0.50, "2022Q4": 0.85, "2023Q4": 1.10,
               "2024Q3": 1.18, "2024Q4": 1.70, "2025Q4": 2.00, "2026Q3": 2.15},
    "640521": {"2020Q4": 0.15, "2021Q4": 0.35, "2022Q4": 0.615, "2023Q4": 0.915,
               "2024Q3": 0.99, "2024Q4": 1.205, "2025Q4": 1.515, "2026Q3": 1.60},
    "640522": {"2020Q4": 0.10, "2021Q4": 0.30, "2022Q4": 0.615, "2023Q4": 0.915,
               "2024Q3": 0.93, "2024Q4": 0.975, "2025Q4": 1.28, "2026Q3": 1.38},
}
# Other 宁夏 cities: 银川 leads, 固原 trails; each county gets a factor around its city.
NINGXIA_CITY_CURVES = {
    "640100": (0.85, 1.10, 1.40, 1.75, 2.10, 2.50, 2.70),
    "640200": (0.60, 0.80, 1.05, 1.30, 1.55, 1.90, 2.05),
    "640300": (0.55, 0.75, 1.00, 1.25, 1.50, 1.80, 1.95),
    "640400": (0.30, 0.45, 0.60, 0.80, 0.95, 1.20, 1.35),
}
CURVE_KEYS = ("2020Q4", "2021Q4", "2022Q4", "2023Q4", "2024Q4", "2025Q4", "2026Q3")
FUJIAN_CURVE = (2.10, 2.45, 2.85, 3.35, 3.95, 4.50, 4.80)
WUGANG_CURVE = (0.80, 2.80, 3.30, 3.80, 4.20, 4.60, 4.80)  # the 2021 pilots jump it
JIANGBEI_CURVE = (2.60, 3.20, 3.80, 4.40, 5.00, 5.60, 5.90)


def pop_by_year(pop_rows: list[dict], code: str) -> dict[int, int]:
    years = {r["year"]: r["resident_population"] for r in pop_rows if r["region_code"] == code}
    return {y: years[max(2020, min(y, 2026))] for y in range(2018, 2027)}


def haiyuan_rule(inst: Institution) -> None:
    # 海原's first public kindergarten 托班 is the scripted one of 2023.
    if inst.type == "幼儿园托班" and inst.registered_on < date(2023, 6, 1):
        inst.ownership, inst.is_puhui = "民办", False


def ningxia_units(seed: int, pop_rows: list[dict]) -> list[Unit]:
    units = []
    for code, _, *_ in NINGXIA_COUNTIES:
        city = code[:4] + "00"
        if code in ZHONGWEI_CURVES:
            points = ZHONGWEI_CURVES[code]
        else:
            factor = rng_for(seed, "ningxia-factor", code).uniform(0.85, 1.15)
            points = {k: v * factor for k, v in zip(CURVE_KEYS, NINGXIA_CITY_CURVES[city])}
        units.append(Unit(code, "ningxia", pop_by_year(pop_rows, code), curve(points),
                          ((code, 1.0),), tight=code in ZHONGWEI_CURVES,
                          ownership_rule=haiyuan_rule if code == "640522" else None))
    return units


def fujian_units(seed: int, pop_rows: list[dict]) -> list[Unit]:
    factors = {}
    for code, name in fujian_counties():
        base = {"区": 1.15, "市": 1.0, "县": 0.8}[name[-1]]
        factors[code] = base * rng_for(seed, "fujian-factor", code).uniform(0.85, 1.15)
    pops = {c: pop_by_year(pop_rows, c) for c in factors}
    # Normalise so that the province-wide ratio follows FUJIAN_CURVE.
    mean = sum(factors[c] * pops[c][2024] for c in factors) / sum(p[2024] for p in pops.values())
    units = []
    for code in sorted(factors):
        points = {k: v * factors[code] / mean for k, v in zip(CURVE_KEYS, FUJIAN_CURVE)}
        excluded = ("用人单位办托",) if code in FUJIAN_NO_WORKPLACE else ()
        units.append(Unit(code, "fujian", pops[code], curve(points), ((code, 1.0),),
                          excluded_types=excluded, backlog_share=0.75))
    return units


def township_unit(county, townships, points, pop_rows, excluded=()) -> Unit:
    return Unit(county[0], "town", pop_by_year(pop_rows, county[0]),
                curve(dict(zip(CURVE_KEYS, points))), tuple((c, w) for c, _, w in townships),
                excluded_types=excluded)


def scripted(code, kind, owner, puhui, registered, filed, slots, name="", closed=None,
             demo=False, guidance=False, group="ningxia") -> Institution:
    return Institution(code, kind, owner, puhui, date.fromisoformat(registered),
                       date.fromisoformat(filed) if filed else None, slots,
                       closed_on=date.fromisoformat(closed) if closed else None,
                       is_demonstration=demo, is_guidance_center=guidance, name=name,
                       group=group, scripted=True)


def zhongwei_scripted() -> list[Institution]:
    """The institutions the 中卫 story names: demonstration 普惠 ones, public kindergarten
    托班 (海原's only from 2023), guidance centres (海原's only from 2025), and the 海原
    institution of the 2022-05-17 重大 incident, closed after it."""
    s = scripted
    return [
        s("640502", "托育机构", "公办", True, "2020-05-12", "2020-08-20", 60,
          "中卫市沙坡头区婴幼儿照护服务指导中心", demo=True, guidance=True),
        s("640502", "托育机构", "民办公助", True, "2019-09-02", "2020-03-16", 80,
          "中卫市沙坡头区小太阳托育中心", demo=True),
        s("640502", "幼儿园托班", "公办", True, "2021-02-25", "2021-05-10", 40,
          "中卫市沙坡头区第一幼儿园托班"),
        s("640521", "托育机构", "公办民营", True, "2021-04-06", "2021-09-22", 50,
          "中宁县枸杞之乡托育园", demo=True),
        s("640521", "幼儿园托班", "公办", True, "2021-08-30", "2021-11-15", 40,
          "中宁县第一幼儿园托班"),
        s("640521", "托育机构", "公办", True, "2021-10-11", "2022-01-20", 30,
          "中宁县婴幼儿照护服务指导中心", guidance=True),
        s("640522", "托育机构", "民办公助", True, "2021-06-15", "2021-12-08", 50,
          "海原县启航托育中心", demo=True),
        s("640522", "托育机构", "民办", False, "2021-03-08", "2021-08-26", 45,
          "海原县贝贝乐托育园", closed="2022-09-30"),
        s("640522", "幼儿园托班", "公办", True, "2023-03-20", "2023-07-14", 40,
          "海原县第一幼儿园托班"),
        s("640522", "托育机构", "公办", True, "2025-02-18", "2025-05-26", 40,
          "海原县婴幼儿照护服务指导中心", guidance=True),
    ]


def ningxia_guidance_centres(seed: int) -> list[Institution]:
    """One county-run guidance centre in every other 宁夏 county (criterion 6)."""
    out = []
    for code, name, *_ in NINGXIA_COUNTIES:
        if code[:4] == "6405":
            continue
        rng = rng_for(seed, "guidance", code)
        registered = day_in(rng, date(2020, 3, 1), date(2022, 6, 30))
        filed = registered + timedelta(days=rng.randint(45, 150))
        inst = scripted(code, "托育机构", "公办", True, registered.isoformat(),
                        filed.isoformat(), rng.randrange(30, 65, 5),
                        f"{county_prefix(code)}婴幼儿照护服务指导中心",
                        demo=rng.random() < 0.4, guidance=True)
        out.append(inst)
    return out


def fujian_guidance_centres(seed: int) -> list[Institution]:
    out = []
    for city, (name, *_rest) in FUJIAN_CITIES.items():
        rng = rng_for(seed, "guidance", city)
        code = min(c for c, _ in fujian_counties() if c[:4] + "00" == city)
        registered = day_in(rng, date(2021, 1, 4), date(2022, 9, 30))
        filed = registered + timedelta(days=rng.randint(45, 150))
        out.append(scripted(code, "托育机构", "公办", True, registered.isoformat(),
                            filed.isoformat(), rng.randrange(60, 121, 10),
                            f"{name}托育综合服务指导中心", demo=True, guidance=True,
                            group="fujian"))
    return out


WUGANG_LATE = ("410481204", "410481205")  # their pilots only come in 2022


def wugang_scripted(seed: int) -> list[Institution]:
    """舞政办〔2021〕6号: a demonstration institution and a 普惠 kindergarten 托班 in every
    township by end 2021 (two lag into 2022); workplace childcare in 9 of 14 by end 2022,
    three more later, two never."""
    rng = rng_for(seed, "wugang")
    out = []
    codes = [c for c, _, _ in WUGANG_TOWNSHIPS]
    for code, town, _ in WUGANG_TOWNSHIPS:
        year = 2022 if code in WUGANG_LATE else 2021
        reg = day_in(rng, date(year, 2, 1), date(year, 8, 31))
        filed = reg + timedelta(days=rng.randint(30, 100))
        out.append(scripted(code, "托育机构", pick(rng, ("公办民营", "民办公助"), (1, 1)), True,
                            reg.isoformat(), filed.isoformat(), rng.randrange(20, 41, 5),
                            demo=True, group="town"))
        reg = day_in(rng, date(year, 3, 1), date(year, 9, 15))
        filed = reg + timedelta(days=rng.randint(20, 80))
        out.append(scripted(code, "幼儿园托班", "公办", True, reg.isoformat(),
                            filed.isoformat(), rng.randrange(15, 31, 5),
                            f"舞钢市{town}中心幼儿园托班", group="town"))
    early = [c for c in codes if c not in WUGANG_LATE]
    rng.shuffle(early)
    for i, code in enumerate(early[:9] + list(WUGANG_LATE) + early[9:10]):
        year = 2021 + i // 5 if i < 9 else 2023 + (i - 9) // 2
        reg = day_in(rng, date(year, 2, 1), date(year, 9, 30))
        filed = reg + timedelta(days=rng.randint(30, 80))
        out.append(scripted(code, "用人单位办托", pick(rng, OWNERSHIPS[:2], (1, 2)),
                            rng.random() < 0.5, reg.isoformat(), filed.isoformat(),
                            rng.randrange(15, 31, 5), group="town"))
    return out


def jiangbei_scripted() -> list[Institution]:
    """北区政办发〔2020〕56号 asks for 2 demonstration institutions and 2 new institutions
    (50 new 托位) in 2020."""
    s = scripted
    return [
        s("330205005", "托育机构", "公办民营", True, "2019-05-13", "2019-09-02", 80,
          "宁波市江北区甬江启蒙托育园", demo=True, group="town"),
        s("330205103", "托育机构", "民办公助", True, "2019-10-21", "2020-01-15", 60,
          "宁波市江北区慈城镇慈孝托育中心", demo=True, group="town"),
        s("330205006", "托育机构", "民办", False, "2020-03-18", "2020-06-10", 30,
          group="town"),
        s("330205004", "社区托育点", "公办民营", True, "2020-07-09", "2020-09-24", 25,
          group="town"),
        s("330205007", "托育机构", "民办公助", True, "2020-11-02", "2021-01-19", 40,
          group="town"),
    ]


def generate_institutions(seed: int, pop_rows: list[dict]) -> list[Institution]:
    insts = zhongwei_scripted() + ningxia_guidance_centres(seed) + fujian_guidance_centres(seed)
    insts += wugang_scripted(seed) + jiangbei_scripted()
    units = ningxia_units(seed, pop_rows) + fujian_units(seed, pop_rows)
    # 舞钢's kindergarten 托班 and workplace ones are all scripted (the plan counts them).
    units.append(township_unit(WUGANG, WUGANG_TOWNSHIPS, WUGANG_CURVE, pop_rows,
                               ("幼儿园托班", "用人单位办托")))
    units.append(township_unit(JIANGBEI, JIANGBEI_STREETS, JIANGBEI_CURVE, pop_rows))
    for unit in units:
        fill_unit(rng_for(seed, "fill", unit.code), unit, insts)
    for unit in units:
        filed = sum(1 for i in insts if i.region_code[:6] == unit.code and i.filed_on)
        n = unfiled_count(unit, filed)
        add_unfiled(rng_for(seed, "unfiled", unit.code), unit, insts, n)
    ensure_workplace(seed, insts)
    mark_demonstrations(seed, insts)
    return insts


ZHONGWEI_UNFILED = {"640502": 2, "640521": 2, "640522": 6}


def unfiled_count(unit: Unit, filed: int) -> int:
    if unit.code in ZHONGWEI_UNFILED:
        return ZHONGWEI_UNFILED[unit.code]
    share = {"ningxia": 0.12, "fujian": 0.21, "town": 0.08}[unit.group]
    return round(filed * share)


def ensure_workplace(seed: int, insts: list[Institution]) -> None:
    """Every Fujian county but FUJIAN_NO_WORKPLACE gets at least one 用人单位办托: in a
    county without one, a filed 托育机构 (the middle one by filing date) becomes one."""
    rng = rng_for(seed, "workplace")
    for code, _ in fujian_counties():
        if code in FUJIAN_NO_WORKPLACE:
            continue
        mine = [i for i in insts if i.region_code == code and not i.is_guidance_center]
        if any(i.type == "用人单位办托" for i in mine):
            continue
        candidates = sorted((i for i in mine if i.type == "托育机构" and i.filed_on),
                            key=lambda i: (i.filed_on, i.slots))
        if candidates:
            inst = candidates[len(candidates) // 2]
            inst.type = "用人单位办托"
            inst.ownership = pick(rng, OWNERSHIPS[:2], (1, 2))


def mark_demonstrations(seed: int, insts: list[Institution]) -> None:
    """A few filed 普惠 ones outside the scripted places become 示范 (about 3%)."""
    rng = rng_for(seed, "demonstration")
    for inst in insts:
        if (inst.group != "town" and inst.region_code[:4] != "6405" and inst.is_puhui
                and inst.filed_on and inst.type in ("托育机构", "幼儿园托班")
                and inst.filed_on < date(2025, 1, 1) and rng.random() < 0.06):
            inst.is_demonstration = True


# ---------------------------------------------------------------------------
# Names and ids
# ---------------------------------------------------------------------------

BRANDS = ("小太阳", "彩虹", "启航", "贝贝佳", "爱心", "童趣", "蓝天", "七彩", "小脚丫", "金色童年",
          "晨曦", "育英", "优贝", "乐童", "嘉禾", "向日葵", "小树苗", "星辰", "萌芽", "知行",
          "满天星", "暖阳", "可可", "米乐", "豆豆", "小蜜蜂", "春芽", "爱贝", "童心", "悦享",
          "小天使", "和美", "阳光", "梧桐", "橡树", "蒲公英", "小橘灯", "格林", "安吉", "蓓蕾",
          "锦绣", "博雅", "亲亲", "乐享", "咿呀", "小天鹅", "丫丫", "果果", "禾苗", "童梦",
          "米粒", "熊猫", "小海豚", "布丁", "贝尔", "美心", "小鹿", "木棉", "青禾", "稻香",
          "繁星", "小白鸽", "智慧树", "小画家", "巧虎", "恩典", "欣欣", "朵朵", "甜甜", "康乐")
SUFFIXES = ("托育中心", "托育园", "婴幼儿照护中心", "早教托育中心", "托育之家", "托育服务中心")
COMMUNITIES = ("建设", "幸福", "团结", "和平", "文昌", "新华", "胜利", "光明", "育才", "南苑",
               "北苑", "东城", "西园", "滨河", "康乐", "安居", "金桥", "长城", "丽景", "锦华",
               "鼓楼", "新村", "春晖", "翠苑", "花园", "红星", "前进", "永康", "福泽", "沙湖",
               "东湖", "西湖", "迎宾", "怡景", "金色", "振兴", "朝阳", "学府", "民生", "同心")
INDUSTRIES = ("科技", "能源", "建材", "食品", "纺织", "物流", "电力", "医药", "新材料", "机械",
              "电子", "化工", "农业发展", "商贸", "光伏", "制衣", "茶业", "鞋业", "水务")
EMPLOYERS = ("人民医院", "中医医院", "妇幼保健院", "职业技术学院", "经济开发区管委会",
             "供电公司", "税务局", "高级中学")
PROVINCE_SHORT = {"64": "宁夏", "35": "福建", "41": "舞钢", "33": "宁波"}
LOCAL_PREFIX = {"6401": "YC", "6402": "SZS", "6403": "WZ", "6404": "GY", "6405": "ZW",
                "4104": "WG", "3302": "JB"}
CN_NUM = "一二三四五六七八九十"


@functools.lru_cache(maxsize=None)
def county_prefix(code: str) -> str:
    """How an institution's name starts: 中卫市沙坡头区 for a district, 中宁县 for a county."""
    county = code[:6]
    if county == WUGANG[0]:
        return "舞钢市"
    if county == JIANGBEI[0]:
        return "宁波市江北区"
    names = {c: n for c, n, *_ in NINGXIA_COUNTIES} | dict(fujian_counties())
    cities = {c: n for c, (n, _) in NINGXIA_CITIES.items()}
    cities |= {c: v[0] for c, v in FUJIAN_CITIES.items()}
    name = names[county]
    return cities[county[:4] + "00"] + name if name.endswith("区") else name


@functools.lru_cache(maxsize=None)
def township_name(code: str) -> str:
    return {c: n for c, n, _ in WUGANG_TOWNSHIPS + JIANGBEI_STREETS}.get(code, "")


def cn_ordinal(n: int) -> str:
    if n <= 10:
        return CN_NUM[n - 1]
    return ("十" if n < 20 else CN_NUM[n // 10 - 1] + "十") + (CN_NUM[n % 10 - 1] if n % 10 else "")


class Namer:
    """Unique, plausible names per region; counts public kindergartens 第一, 第二 …"""

    def __init__(self, rng: random.Random, fixed: set[str]):
        self.rng = rng
        self.used: set[str] = set(fixed)  # scripted names are taken before anyone else's
        self.kindergartens: dict[str, int] = {}

    def name(self, inst: Institution) -> str:
        if inst.name:
            return inst.name
        for attempt in range(200):
            candidate = self.candidate(inst, attempt)
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        raise RuntimeError(f"no free name for {inst}")

    # Where a name's place words come from; the synthetic generator (tuoyu.tools.generate)
    # overrides these for its invented regions.
    def prefix(self, code: str) -> str:
        return county_prefix(code)

    def town(self, code: str) -> str:
        return township_name(code)

    def short(self, code: str) -> str:
        return PROVINCE_SHORT[code[:2]]

    def candidate(self, inst: Institution, attempt: int) -> str:
        r, p = self.rng, self.prefix(inst.region_code)
        town = self.town(inst.region_code)
        brand = r.choice(BRANDS)
        if attempt > 100:
            brand += r.choice(("第二分园", "二园", "新城园"))
        if inst.type == "托育机构":
            return f"{p}{town if r.random() < 0.5 else ''}{brand}{r.choice(SUFFIXES)}"
        if inst.type == "幼儿园托班":
            if inst.ownership == "公办":
                n = self.kindergartens.get(p, 0) + 1
                self.kindergartens[p] = n
                if town and attempt == 0:
                    return f"{p}{town}第{cn_ordinal(n)}幼儿园托班"
                return f"{p}第{cn_ordinal(n)}幼儿园托班"
            return f"{p}{brand}幼儿园托班"
        if inst.type == "用人单位办托":
            if inst.ownership == "公办":
                return f"{p}{r.choice(EMPLOYERS)}职工托育室"
            short = self.short(inst.region_code)
            return f"{short}{brand}{r.choice(INDUSTRIES)}有限公司职工托育室"
        community = r.choice(COMMUNITIES)
        place = town or ""
        if inst.type == "社区托育点":
            second = "" if attempt < 60 else f"第{cn_ordinal(2 + attempt // 60)}"
            return f"{p}{place}{community}社区{second}托育点"
        return f"{p}{community}社区{brand}家庭托育点"


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(int(c, 36) * w for c, w in zip(body, ORG_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc(rng: random.Random, authority: str, region6: str) -> str:
    """A 统一社会信用代码 (GB 32100-2015): authority+type, region code, organisation code
    with its GB 11714 check, then the GB 32100 check character."""
    if authority == "91":  # post-2015 company codes start MA
        body = "MA" + "".join(rng.choice(USCC_CHARS) for _ in range(6))
    elif authority == "52":
        body = "MJ" + "".join(rng.choice("0123456789") for _ in range(6))
    else:
        body = rng.choice("45") + "".join(rng.choice("0123456789") for _ in range(7))
    head = authority + region6 + body + org_code_check(body)
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(head, USCC_WEIGHTS))
    return head + USCC_CHARS[(31 - total % 31) % 31]


def authority_for(inst: Institution, rng: random.Random) -> str:
    if inst.ownership == "公办":
        return "12"  # 事业单位
    if inst.type == "用人单位办托" or rng.random() < 0.5:
        return "91"  # 企业
    return "52"  # 民办非企业单位


def local_prefix(inst: Institution) -> str:
    if inst.region_code[:2] == "35":
        return FUJIAN_CITIES[inst.region_code[:4] + "00"][3]
    return LOCAL_PREFIX[inst.region_code[:4]]


def assign_names_and_ids(seed: int, insts: list[Institution], namer_class=None,
                         id_prefix=None) -> None:
    """Names and ids in one draw sequence; namer_class and id_prefix (the local-id prefix
    of an institution) let the synthetic generator name its invented regions."""
    rng = rng_for(seed, "names")
    namer = (namer_class or Namer)(rng, {i.name for i in insts if i.name})
    local_prefix_of = id_prefix or local_prefix
    ids: set[str] = set()
    serial: dict[str, int] = {}
    for inst in insts:
        inst.name = namer.name(inst)
        if inst.type in ("社区托育点", "家庭托育点") and rng.random() < 0.8:
            prefix = local_prefix_of(inst)
            serial[prefix] = serial.get(prefix, 0) + 1
            inst.institution_id = f"{prefix}-{serial[prefix]:04d}"
        else:
            code = uscc(rng, authority_for(inst, rng), inst.region_code[:6])
            while code in ids:
                code = uscc(rng, authority_for(inst, rng), inst.region_code[:6])
            inst.institution_id = code
        ids.add(inst.institution_id)


def sort_key(inst: Institution):
    return (inst.region_code, inst.registered_on, inst.filed_on or AS_OF, inst.type,
            inst.slots, inst.name)


# ---------------------------------------------------------------------------
# How each institution reports: occupancy, staffing and standard profiles.
# ---------------------------------------------------------------------------

# 中卫's problem institutions, concentrated in 海原: (low occupancy, understaffed, substandard)
ZHONGWEI_PROBLEMS = {"640502": (1, 1, 1), "640521": (2, 2, 2), "640522": (4, 5, 5)}


def draw_profile(rng: random.Random, inst: Institution) -> None:
    """One institution's reporting profile (occupancy, staffing, standard, certification)."""
    inst.occupancy = rng.uniform(0.80, 0.96)
    inst.certified = rng.uniform(0.75, 0.95)
    if inst.region_code[:4] == "6405":
        # 中卫's problems are placed on purpose (assign_profiles), so the rest report cleanly.
        inst.meets_p, inst.short_p = 0.985, 0.01
        return
    inst.occupancy = rng.uniform(0.50, 0.72) if rng.random() < 0.07 else inst.occupancy
    inst.understaffed = rng.random() < 0.08
    inst.substandard = rng.random() < 0.08
    inst.meets_p = 0.15 if inst.substandard else inst.meets_p
    if inst.region_code[:6] == JIANGBEI[0]:
        inst.certified = rng.uniform(0.72, 0.82)  # rises each year, see certified_share


def assign_profiles(seed: int, insts: list[Institution]) -> None:
    rng = rng_for(seed, "profiles")
    for inst in insts:
        draw_profile(rng, inst)
    for county, (n_low, n_staff, n_sub) in sorted(ZHONGWEI_PROBLEMS.items()):
        # Filed by mid-2024, so the problems show in the counted figures of 2024–2026.
        pool = [i for i in insts if i.region_code == county and not i.scripted
                and i.slots >= 20 and i.closed_on is None
                and i.filed_on is not None and i.filed_on <= date(2024, 6, 30)]
        for inst in rng.sample(pool, n_low):
            inst.occupancy = rng.uniform(0.50, 0.68)
        for inst in rng.sample(pool, n_staff):
            inst.understaffed = True
        for inst in rng.sample(pool, n_sub):
            inst.substandard, inst.meets_p = True, 0.15


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------

RAMP = (0.5, 0.7, 0.85)  # occupancy in the first quarters after opening


def required_caregivers(infant: int, toddler: int, preschool: int) -> int:
    """⌈infant/3 + toddler/5 + preschool/7⌉ in integers (托育机构设置标准 1:3, 1:5, 1:7)."""
    return -(-(35 * infant + 21 * toddler + 15 * preschool) // 105)


def split_enrolled(rng: random.Random, inst: Institution, total: int) -> tuple[int, int, int]:
    if inst.type == "幼儿园托班":
        toddler = round(total * rng.uniform(0.0, 0.25))
        return 0, toddler, total - toddler
    infant = round(total * rng.uniform(0.0, 0.10))
    toddler = round(total * rng.uniform(0.35, 0.50))
    return infant, toddler, max(0, total - infant - toddler)


def staffing(rng: random.Random, inst: Institution, need: int) -> int:
    if inst.understaffed and need >= 2:
        return need - rng.randint(1, max(1, need // 4))
    if need >= 2 and rng.random() < inst.short_p:  # an occasional short quarter
        return need - 1
    extra = rng.randint(0, 1 + need // 4) + (1 if inst.type == "托育机构" else 0)
    return max(1, need + extra)


def certified_share(inst: Institution, year: int) -> float:
    if inst.region_code[:6] == JIANGBEI[0]:
        return min(1.0, inst.certified + 0.03 * (year - 2021))
    return inst.certified


def report_row(rng: random.Random, inst: Institution, qi: int, period: str,
               slots: int | None = None) -> dict:
    slots = inst.slots_at(qi) if slots is None else slots
    age = qi - q_of(inst.registered_on)
    ramp = RAMP[age] if age < len(RAMP) else 1.0
    occupancy = inst.occupancy * ramp + rng.uniform(-0.03, 0.03)
    if inst.occupancy < 0.75:
        occupancy = min(occupancy, 0.73)
    total = min(slots, max(1, round(slots * min(occupancy, 1.0))))
    infant, toddler, preschool = split_enrolled(rng, inst, total)
    caregivers = staffing(rng, inst, required_caregivers(infant, toddler, preschool))
    certified = min(caregivers, round(caregivers * certified_share(inst, q_year(qi))))
    meets = rng.random() < inst.meets_p
    return {"institution_id": inst.institution_id, "period": period, "slots": slots,
            "enrolled_infant": infant, "enrolled_toddler": toddler,
            "enrolled_preschool": preschool, "caregivers": caregivers,
            "caregivers_certified": certified, "meets_standard": meets}


def pick_special(seed: int, insts: list[Institution]):
    """Five 中卫 institutions that report 2024Q3 month by month, and three that skip 2026Q3."""
    rng = rng_for(seed, "special")
    q3_2024 = q_index(2024, 3)
    pool = [i for i in insts if i.region_code[:4] == "6405" and i.counted_at(q3_2024)
            and i.active_at(LAST_Q) and i.type != "家庭托育点" and not i.is_guidance_center]
    monthly = rng.sample([i for i in pool if i.slots_at(q3_2024) >= 30], 5)
    rest = [i for i in pool if i not in monthly]
    skip = [rng.choice([i for i in rest if i.region_code == c])
            for c in ("640502", "640521", "640522")]
    return {i.institution_id for i in monthly}, {i.institution_id for i in skip}


def build_reports(seed: int, insts: list[Institution]) -> list[dict]:
    monthly, skip = pick_special(seed, insts)
    rows = []
    for inst in sorted(insts, key=lambda i: i.institution_id):
        rows += institution_reports(seed, inst, monthly, skip)
    return rows


def institution_reports(seed, inst: Institution, monthly=frozenset(), skip=frozenset()) -> list[dict]:
    """One institution's reports, 2021Q1 … 2026Q3, from its own random stream."""
    rng = rng_for(seed, "reports", inst.institution_id)
    rows = []
    for qi in range(REPORT_FIRST_Q, LAST_Q + 1):
        if not inst.active_at(qi):
            continue
        if qi == LAST_Q and (inst.institution_id in skip or inst.region_code == "640422"):
            continue  # 西吉 and three 中卫 institutions have not reported 2026Q3
        if qi == q_index(2024, 3) and inst.institution_id in monthly:
            rows += monthly_reports(rng, inst, qi)
        else:
            rows.append(report_row(rng, inst, qi, q_label(qi)))
    return rows


def monthly_reports(rng: random.Random, inst: Institution, qi: int) -> list[dict]:
    """2024-07, 2024-08, 2024-09 instead of 2024Q3; the September one holds the quarter's
    slots, the earlier months a few fewer, so only "latest month wins" gives the figure."""
    year, first = q_year(qi), 3 * (qi % 4) + 1
    slots = inst.slots_at(qi)
    rows = []
    for k, month in enumerate(range(first, first + 3)):
        month_slots = slots if k == 2 else max(5, slots - 5 * (2 - k))
        rows.append(report_row(rng, inst, qi, f"{year}-{month:02d}", month_slots))
    return rows


# ---------------------------------------------------------------------------
# Region indicators, surveys, incidents
# ---------------------------------------------------------------------------

SOURCE = "示例数据（虚构）"


def indicator_rows(seed: int, pop_rows: list[dict]) -> list[dict]:
    rng = rng_for(seed, "indicators")
    rows = []
    periods = [f"{y}Q4" for y in range(2020, 2026)] + ["2026Q3"]
    health = (0.910, 0.922, 0.933, 0.941, 0.950, 0.960, 0.962)
    knowledge = (0.780, 0.815, 0.842, 0.866, 0.889, 0.910, 0.914)
    for p, h, k in zip(periods, health, knowledge):
        rows.append(ind("330205", p, "health_management_rate", h))
        rows.append(ind("330205", p, "parenting_knowledge_rate", k))
    rows += fujian_guidance_rows(rng, pop_rows)
    rows += zhongwei_health_rows(rng, pop_rows)
    return sorted(rows, key=lambda r: (r["region_code"], r["indicator"], r["period"]))


def ind(code: str, period: str, indicator: str, value: float) -> dict:
    return {"region_code": code, "period": period, "indicator": indicator,
            "value": round(value, 3), "source": SOURCE}


def weighted(values: dict[str, float], weights: dict[str, int]) -> float:
    return sum(values[c] * weights[c] for c in values) / sum(weights[c] for c in values)


def fujian_guidance_rows(rng: random.Random, pop_rows: list[dict]) -> list[dict]:
    """新生儿家庭科学育儿宣传服务覆盖率: province 0.42 (2021) → 0.58 (2025); 南平 trails and
    is still below the plan's 50% in 2025."""
    offsets = {c: rng.uniform(-0.05, 0.06) for c in FUJIAN_CITIES}
    offsets["350700"] = -0.12
    weights = {c: r["resident_population"] for r in pop_rows for c in FUJIAN_CITIES
               if r["region_code"] == c and r["year"] == 2020}
    mean = weighted(offsets, weights)
    rows = []
    for year, level in zip(range(2021, 2026), (0.42, 0.46, 0.50, 0.54, 0.58)):
        values = {c: level + offsets[c] - mean + rng.uniform(-0.01, 0.01) for c in offsets}
        rows += [ind(c, f"{year}Q4", "newborn_guidance_coverage", v) for c, v in values.items()]
        rows.append(ind("350000", f"{year}Q4", "newborn_guidance_coverage",
                        weighted(values, weights)))
    return rows


def zhongwei_health_rows(rng: random.Random, pop_rows: list[dict]) -> list[dict]:
    offsets = {"640502": 0.015, "640521": 0.005, "640522": -0.025}
    rows = []
    for year, level in zip(range(2021, 2026), (0.880, 0.895, 0.910, 0.922, 0.935)):
        weights = {c: r["under3_population"] for r in pop_rows for c in offsets
                   if r["region_code"] == c and r["year"] == year}
        values = {c: level + off + rng.uniform(-0.004, 0.004) for c, off in offsets.items()}
        rows += [ind(c, f"{year}Q4", "health_management_rate", v) for c, v in values.items()]
        rows.append(ind("640500", f"{year}Q4", "health_management_rate",
                        weighted(values, weights)))
    return rows


def survey_rows(seed, codes=None) -> list[dict]:
    """Family and institution surveys per county and year (宁夏's 22 unless codes given)."""
    rng = rng_for(seed, "surveys")
    rows = []
    for code in codes if codes is not None else [c for c, *_ in NINGXIA_COUNTIES]:
        for year in range(2022, 2027):
            for kind, (low, high) in (("家庭", (200, 600)), ("机构", (20, 60))):
                n = rng.randint(low, high)
                share = rng.uniform(0.905, 0.97)
                if code == "640522" and kind == "家庭":
                    share = 0.862 if year == 2024 else rng.uniform(0.905, 0.92)
                satisfied = round(n * share)
                if share > 0.9 >= satisfied / n:  # keep a share drawn above 90% above it
                    satisfied += 1
                rows.append({"region_code": code, "year": year, "respondent_type": kind,
                             "respondents": n, "satisfied": satisfied})
    return rows


MINOR = ("午睡起床时一名幼儿从床边跌落，额头擦伤，经保健室处理后无碍",
         "户外活动时两名幼儿相撞，一名幼儿门牙轻微松动，已就医",
         "一名幼儿误将玩具小配件放入口中，保育人员及时发现取出，未造成伤害",
         "午点温度偏高致一名幼儿手背轻度烫伤，已就医，机构已整改餐点分发流程",
         "滑梯护栏螺丝松动致一名幼儿手指夹伤，设施已停用维修",
         "一名幼儿在园内高热惊厥，保育人员按应急预案处置并送医，已康复",
         "活动室地面湿滑，保育人员抱持幼儿时摔倒，幼儿肘部擦伤",
         "手足口病聚集性病例4例，机构停课消毒一周后复课",
         "门禁故障致一名幼儿独自走出活动室，2分钟内找回，未受伤",
         "离园接送时家长信息核验不严，已约谈负责人并完善接送登记制度",
         "一名幼儿进餐时被鱼刺卡喉，送医取出，无后续影响",
         "午睡巡查间隔超时，一名幼儿被被褥蒙头，及时发现无大碍，已通报整改")
SERIOUS = ("诺如病毒感染聚集性疫情，15名幼儿出现呕吐腹泻，3名住院治疗，均已康复",
           "厨房燃气软管老化引发火情，疏散及时无人员伤亡，部分设施损毁，停业整改一个月")
MAJOR = "午餐食源性疾病暴发，31名幼儿及2名保育人员送医，5名重症住院，均已康复；机构停业整顿后注销"


def incident_rows(seed: int, insts: list[Institution]) -> list[dict]:
    rng = rng_for(seed, "incidents")
    rows = []
    haiyuan = next(i for i in insts if i.name == "海原县贝贝乐托育园")
    rows.append(incident(haiyuan, date(2022, 5, 17), "重大", MAJOR))
    pool = sorted((i for i in insts if i.region_code[:2] in ("64", "35") and i.filed_on
                   and i.type in ("托育机构", "幼儿园托班", "用人单位办托")
                   and i.region_code[:4] != "6405"), key=lambda i: i.institution_id)
    chosen = rng.sample(pool, 14)
    for k, inst in enumerate(chosen):
        start = max(inst.filed_on, date(2021, 1, 1))
        end = min(inst.closed_on or AS_OF, AS_OF) - timedelta(days=1)
        severity, summary = ("较大", SERIOUS[k]) if k < 2 else ("一般", MINOR[k - 2])
        rows.append(incident(inst, day_in(rng, start, end), severity, summary))
    return sorted(rows, key=lambda r: (r["occurred_on"], r["institution_id"]))


def incident(inst: Institution, when: date, severity: str, summary: str) -> dict:
    return {"institution_id": inst.institution_id, "occurred_on": when,
            "severity": severity, "summary": summary}


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def institution_row(inst: Institution) -> dict:
    return {"institution_id": inst.institution_id, "name": inst.name,
            "region_code": inst.region_code, "type": inst.type, "ownership": inst.ownership,
            "is_puhui": inst.is_puhui, "registered_on": inst.registered_on,
            "filed_on": inst.filed_on, "closed_on": inst.closed_on,
            "is_demonstration": inst.is_demonstration,
            "is_guidance_center": inst.is_guidance_center}


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def write_table(out_dir: Path, table: str, rows: list[dict]) -> int:
    columns = [c.name for c in TABLES[table]]
    with open(out_dir / f"{table}.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(c)) for c in columns])
    return len(rows)


DESCRIPTION = ("托育机构、季度报表、满意度调查和安全事故均为虚构，行政区划代码和2020年"
               "第七次人口普查常住人口为真实数据（部分县区、乡镇为按比例估算拆分）。")


def write_dataset(out_dir: Path, seed: int) -> int:
    meta = [("label", "示例数据"), ("description", DESCRIPTION),
            ("generated_by", "python -m tuoyu.tools.sample"), ("seed", str(seed)),
            ("as_of", AS_OF.isoformat()), ("default_plan", "ZHONGWEI"), ("periods", f"{q_label(REPORT_FIRST_Q)}–{q_label(LAST_Q)}")]
    with open(out_dir / "dataset.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("key", "value"))
        writer.writerows(meta)
    return len(meta)


def generate(out_dir, seed: int = 2021) -> dict[str, int]:
    """Write the sample tables into out_dir; return the rows written per file."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    regions = build_regions()
    pop_rows = build_population(seed, regions)
    insts = generate_institutions(seed, pop_rows)
    insts.sort(key=sort_key)
    assign_names_and_ids(seed, insts)
    assign_profiles(seed, insts)
    tables = {
        "regions": [r.__dict__ for r in regions],
        "population": pop_rows,
        "institutions": [institution_row(i) for i in insts],
        "reports": build_reports(seed, insts),
        "region_indicators": indicator_rows(seed, pop_rows),
        "surveys": survey_rows(seed),
        "incidents": incident_rows(seed, insts),
    }
    counts = {f"{name}.csv": write_table(out_dir, name, rows) for name, rows in tables.items()}
    counts["dataset.csv"] = write_dataset(out_dir, seed)
    return counts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="生成示例数据 (write the sample dataset)")
    parser.add_argument("--out", default="data/sample", help="output folder")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.out, args.seed)
    for name, n in counts.items():
        print(f"{name:24s}{n:>8d}")
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
