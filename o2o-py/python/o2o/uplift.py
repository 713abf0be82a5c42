"""Uplift statistics with keyword arguments (``o2o-core``'s ``uplift`` module, checked against
statsmodels and scipy). Every function returns a dict of the core's result."""

from __future__ import annotations

import json
from typing import Any, Dict, Sequence, Tuple

from . import _o2o

__all__ = [
    "compare_proportions",
    "power_proportions",
    "mde_proportions",
    "welch_ttest",
    "mann_whitney_u",
    "cuped",
    "adjust_p_values",
    "incrementality",
    "solve_n_ttest",
]


def compare_proportions(
    *,
    test_successes: int,
    test_trials: int,
    control_successes: int,
    control_trials: int,
    alpha: float = 0.05,
    alternative: str = "two-sided",
) -> Dict[str, Any]:
    """Did the exposed convert more? z-test, difference and ratio with intervals."""
    return json.loads(
        _o2o.compare_proportions(
            test_successes=test_successes,
            test_trials=test_trials,
            control_successes=control_successes,
            control_trials=control_trials,
            alpha=alpha,
            alternative=alternative,
        )
    )


def power_proportions(
    *,
    baseline: float,
    mde_relative: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> Dict[str, Any]:
    """How many customers a two-proportion test needs to see a relative lift."""
    return json.loads(
        _o2o.power_proportions(
            baseline=baseline, mde_relative=mde_relative, alpha=alpha, power=power, ratio=ratio,
            alternative=alternative,
        )
    )


def mde_proportions(
    *,
    baseline: float,
    n_per_group: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> Dict[str, Any]:
    """The smallest lift a two-proportion test of ``n_per_group`` customers detects."""
    return json.loads(
        _o2o.mde_proportions(
            baseline=baseline, n_per_group=n_per_group, alpha=alpha, power=power, ratio=ratio,
            alternative=alternative,
        )
    )


def welch_ttest(
    *, test: Sequence[float], control: Sequence[float], alpha: float = 0.05,
    alternative: str = "two-sided",
) -> Dict[str, Any]:
    """Do they spend more per customer? Welch's t-test of two samples."""
    return json.loads(
        _o2o.welch_ttest(test=list(test), control=list(control), alpha=alpha, alternative=alternative)
    )


def mann_whitney_u(
    *, test: Sequence[float], control: Sequence[float], alternative: str = "two-sided",
    method: str = "auto",
) -> Dict[str, Any]:
    """Mann–Whitney U test (``method``: auto, exact or asymptotic)."""
    return json.loads(
        _o2o.mann_whitney_u(
            test=list(test), control=list(control), alternative=alternative, method=method
        )
    )


def cuped(
    *, test: Sequence[Tuple[float, float]], control: Sequence[Tuple[float, float]],
    alpha: float = 0.05, alternative: str = "two-sided",
) -> Dict[str, Any]:
    """Difference of means with pre-period variance removed; arms of (outcome, pre) pairs."""
    return json.loads(
        _o2o.cuped(test=list(test), control=list(control), alpha=alpha, alternative=alternative)
    )


def adjust_p_values(
    *, p_values: Sequence[float], alpha: float = 0.05, method: str = "holm"
) -> Dict[str, Any]:
    """Adjusted p-values across channels or campaigns (``holm`` or ``bh``)."""
    return json.loads(_o2o.adjust_p_values(p_values=list(p_values), alpha=alpha, method=method))


def incrementality(
    *,
    exposed: Tuple[int, int, float, float],
    holdout: Tuple[int, int, float, float],
    spend: float,
    alpha: float = 0.05,
) -> Dict[str, Any]:
    """Incremental conversions, revenue and iROAS against a holdout. Each arm is
    ``(customers, conversions, revenue_mean, revenue_sd)``."""
    return json.loads(
        _o2o.incrementality(exposed=tuple(exposed), holdout=tuple(holdout), spend=spend, alpha=alpha)
    )


def solve_n_ttest(
    *, effect: float, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0,
    alternative: str = "two-sided",
) -> float:
    """Customers per group a two-sample t-test needs for a standardised ``effect``."""
    return float(
        _o2o.solve_n_ttest(effect=effect, alpha=alpha, power=power, ratio=ratio, alternative=alternative)
    )
