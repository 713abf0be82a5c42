"""o2o.uplift: keyword arguments, dict results, errors as exceptions."""

from __future__ import annotations

import math

import pytest

import o2o
from o2o import uplift


def test_compare_proportions_matches_statsmodels_z():
    r = uplift.compare_proportions(
        test_successes=230, test_trials=1000, control_successes=180, control_trials=1000
    )
    # statsmodels 0.14 proportions_ztest([230, 180], [1000, 1000]):
    # (2.769456267868283, 0.005614994163886083); the tolerance covers the normal tail's last
    # digits (scipy and statrs evaluate erfc differently).
    assert math.isclose(r["z"], 2.769456267868283, rel_tol=1e-12)
    assert math.isclose(r["p_value"], 0.005614994163886083, rel_tol=1e-9)
    assert r["alternative"] == "two-sided"


def test_power_and_mde_round_trip():
    p = uplift.power_proportions(baseline=0.1, mde_relative=0.2)
    assert p["p_test"] == pytest.approx(0.12)
    assert 3800 < p["n_per_group_normal"] < 3900
    n = uplift.solve_n_ttest(effect=0.5)
    # statsmodels TTestIndPower().solve_power(0.5, alpha=0.05, power=0.8) = 63.77
    assert math.isclose(n, 63.77, abs_tol=0.01)


def test_adjust_and_tests_of_samples():
    adj = uplift.adjust_p_values(p_values=[0.01, 0.04, 0.03], method="holm")
    # statsmodels multipletests([0.01, 0.04, 0.03], method="holm"): [0.03, 0.06, 0.06]
    assert adj["p_adjusted"] == pytest.approx([0.03, 0.06, 0.06], rel=1e-12)
    assert adj["reject"] == [True, False, False]
    w = uplift.welch_ttest(test=[1.0, 2.0, 3.0, 4.0], control=[1.0, 1.5, 2.0, 2.5])
    assert w
    m = uplift.mann_whitney_u(test=[1.0, 2.0, 3.0], control=[4.0, 5.0, 6.0])
    assert m
    c = uplift.cuped(test=[(1.0, 0.5), (2.0, 1.0), (3.0, 1.2)], control=[(1.0, 0.7), (1.2, 0.9), (0.8, 0.5)])
    assert c
    inc = uplift.incrementality(exposed=(1000, 230, 12.0, 30.0), holdout=(1000, 180, 9.0, 28.0), spend=500.0)
    assert inc


def test_bad_arguments_raise():
    with pytest.raises(o2o.InvalidInput) as e:
        uplift.compare_proportions(test_successes=5, test_trials=0, control_successes=1, control_trials=10)
    assert e.value.field == "test.trials"
    with pytest.raises(o2o.InvalidInput):
        uplift.compare_proportions(
            test_successes=5, test_trials=10, control_successes=1, control_trials=10, alternative="up"
        )
    with pytest.raises(o2o.O2OError):
        uplift.welch_ttest(test=[1.0], control=[2.0])
    with pytest.raises(TypeError):
        uplift.compare_proportions(5, 10, 1, 10)  # type: ignore[misc]
    with pytest.raises(o2o.InvalidInput):
        uplift.adjust_p_values(p_values=[1.5])
