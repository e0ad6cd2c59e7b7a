"""The status engine of DESIGN §4.2 (tuoyu/verdicts.py), every row of its table worked out by
hand on small series. Quarters are indexed along the line (2023Q3, 2023Q4, 2024Q1, 2024Q2 =
0, 1, 2, 3); a 2024 target is due at 2024Q4 (index 5).

Least squares by hand: for points at x = 0..3 the mean x is 1.5 and Σ(x − 1.5)² = 5."""

import pytest

from tuoyu import verdicts
from tuoyu.verdicts import AT_RISK, MET, MISSED, NO_DATA, ON_TRACK, REACHED

Q = ("2023Q3", "2023Q4", "2024Q1", "2024Q2")


def series(*values):
    return dict(zip(Q, values))


def approx(x):
    return pytest.approx(x, abs=1e-12)


def test_met_is_judged_on_the_value_at_the_years_fourth_quarter():
    v = verdicts.judge(">=", 2024, "2025Q1", {"2024Q4": 1.3, "2025Q1": 1.1}, 1.2)
    assert (v.status, v.due, v.judged_at, v.value, v.bar) == (MET, "2024Q4", "2024Q4", 1.3, 1.2)
    assert v.projected is None and v.quarters_left == 0 and v.is_final


def test_missed_once_due_whatever_came_later():
    # 1.1 at 2024Q4 misses 1.2; the 1.5 of 2025Q1 does not rescue a target that is already due
    v = verdicts.judge(">=", 2024, "2025Q1", {"2024Q4": 1.1, "2025Q1": 1.5}, 1.2)
    assert (v.status, v.judged_at, v.value) == (MISSED, "2024Q4", 1.1)


def test_judged_years_after_its_year_still_on_its_fourth_quarter():
    v = verdicts.judge(">=", 2024, "2026Q3", {"2024Q4": 1.19, "2026Q3": 2.0}, 1.2)
    assert (v.status, v.judged_at, v.value) == (MISSED, "2024Q4", 1.19)


def test_met_early_is_reached_not_met():
    v = verdicts.judge(">=", 2024, "2024Q2", series(0.9, 1.0, 1.1, 1.25), 1.2)
    assert (v.status, v.judged_at, v.value, v.quarters_left) == (REACHED, "2024Q2", 1.25, 2)
    assert not v.is_final


def test_projected_to_be_met():
    # .8 .9 1.0 1.1: slope .1, mean .95; at x = 5: .95 + .1 × 3.5 = 1.30 ≥ 1.2
    v = verdicts.judge(">=", 2024, "2024Q2", series(0.8, 0.9, 1.0, 1.1), 1.2)
    assert v.status == ON_TRACK
    assert v.projected == approx(1.30) and v.value == 1.1 and v.projected_bar == 1.2


def test_at_risk_when_the_trend_falls_short():
    # 1.0 1.0 1.05 1.1: mean 1.0375; Σ(x−x̄)(y−ȳ) = .05625 + .01875 + .00625 + .09375 = .175,
    # slope .035; at x = 5: 1.0375 + .035 × 3.5 = 1.16 < 1.2
    v = verdicts.judge(">=", 2024, "2024Q2", series(1.0, 1.0, 1.05, 1.1), 1.2)
    assert v.status == AT_RISK and v.projected == approx(1.16)


def test_two_quarters_of_data_are_enough_for_a_trend():
    # 1.0 at 2024Q1, 1.1 at 2024Q2: slope .1; two quarters on: 1.3
    v = verdicts.judge(">=", 2024, "2024Q2", {"2024Q1": 1.0, "2024Q2": 1.1}, 1.2)
    assert v.status == ON_TRACK and v.projected == approx(1.3)


def test_a_projection_never_goes_below_zero():
    # 1.0 → 0.0: the line reads −1.0 one quarter on; no indicator can be negative
    v = verdicts.judge(">=", 2024, "2024Q3", {"2024Q2": 1.0, "2024Q3": 0.0}, 1.5)
    assert v.status == AT_RISK and v.projected == 0.0


def test_one_quarter_gives_no_trend_and_the_status_rests_on_the_value_now():
    below = verdicts.judge(">=", 2024, "2024Q2", {"2024Q2": 1.1}, 1.2)
    assert (below.status, below.projected) == (AT_RISK, None)
    above = verdicts.judge(">=", 2024, "2024Q2", {"2024Q2": 1.25}, 1.2)
    assert (above.status, above.projected) == (REACHED, None)


def test_no_data_now_or_at_the_due_quarter():
    now = verdicts.judge(">=", 2024, "2024Q2", {"2024Q1": 1.3}, 1.2)
    assert (now.status, now.judged_at) == (NO_DATA, "2024Q2")
    due = verdicts.judge(">=", 2024, "2025Q1", {"2025Q1": 2.0}, 1.2)
    assert (due.status, due.judged_at) == (NO_DATA, "2024Q4")
    no_bar = verdicts.judge(">", 2024, "2024Q4", {"2024Q4": 0.5}, {"2024Q4": None})
    assert no_bar.status == NO_DATA


def test_comparators():
    assert verdicts.judge(">", 2024, "2024Q4", {"2024Q4": 1.2}, 1.2).status == MISSED   # 高于: not equal
    assert verdicts.judge(">=", 2024, "2024Q4", {"2024Q4": 1.2}, 1.2).status == MET
    assert verdicts.judge("<=", 2024, "2024Q4", {"2024Q4": 0}, 0).status == MET
    assert verdicts.judge("<=", 2024, "2024Q4", {"2024Q4": 1}, 0).status == MISSED


def test_a_moving_bar_is_projected_like_the_value():
    # the average 1.0 1.1 1.2 1.3 (slope .1) reaches 1.15 + .35 = 1.50 at 2024Q4; the value
    # 1.1 1.15 1.2 1.25 (slope .05) reaches 1.175 + .175 = 1.35: above today's 1.3, not above 1.5
    v = verdicts.judge(">", 2024, "2024Q2", series(1.1, 1.15, 1.2, 1.25), series(1.0, 1.1, 1.2, 1.3))
    assert v.status == AT_RISK
    assert (v.bar, v.projected, v.projected_bar) == (1.3, approx(1.35), approx(1.5))
    # once due, the bar is the average at the due quarter
    due = verdicts.judge(">", 2024, "2025Q2", {"2024Q4": 1.4}, {"2024Q4": 1.35, "2025Q2": 1.5})
    assert (due.status, due.bar) == (MET, 1.35)


def test_quarters_the_engine_reads():
    assert verdicts.quarters_needed([2023, 2024, 2025], "2024Q2") == {"2023Q3", "2023Q4", "2024Q1", "2024Q2"}
    assert verdicts.quarters_needed([2024], "2025Q1") == {"2024Q2", "2024Q3", "2024Q4", "2025Q1"}
    assert verdicts.quarters_needed([2022], "2025Q1") == {"2022Q4", "2024Q2", "2024Q3", "2024Q4", "2025Q1"}


def test_per_quarter_rounds_up():
    assert verdicts.per_quarter(207, 2) == 104
    assert verdicts.per_quarter(163, 4) == 41
    assert verdicts.per_quarter(10, 0) is None and verdicts.per_quarter(None, 2) is None


def test_combine_takes_the_worst_and_counts_read_best_first():
    assert verdicts.combine([MET, AT_RISK, REACHED]) == AT_RISK
    assert verdicts.combine([MISSED, AT_RISK]) == MISSED
    assert verdicts.combine([NO_DATA, ON_TRACK]) == NO_DATA
    assert verdicts.combine([REACHED, MET]) == REACHED
    assert verdicts.combine([]) == NO_DATA
    assert verdicts.count_text([MET, MET, MET, AT_RISK]) == "达标3项、有风险1项"


def test_every_status_has_a_colour_a_badge_and_a_distinct_rank():
    ranks = [verdicts.style(s)["rank"] for s in verdicts.STATUSES]
    assert sorted(ranks) == list(range(1, 7))
    for s in verdicts.STATUSES:
        assert verdicts.style(s)["colour"].startswith("#") and verdicts.style(s)["badge"]
