"""Distributions: the YAML forms people write, and the summaries checks rely on."""

from __future__ import annotations

import math

import pytest
from pydantic import TypeAdapter, ValidationError

from drillsim.scenario.distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    LogNormal,
    Triangular,
    Uniform,
)

DIST = TypeAdapter(Distribution)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("5m", Fixed(value=5)),
        (7, Fixed(value=7)),
        ({"fixed": "2h"}, Fixed(value=120)),
        ({"exponential": {"mean": "10m"}}, Exponential(mean=10)),
        ({"lognormal": {"median": "3m", "p95": "20m"}}, LogNormal(median=3, p95=20)),
        ({"triangular": {"min": "1m", "mode": "3m", "max": "10m"}}, Triangular(min=1, mode=3, max=10)),
        ({"uniform": {"min": "1m", "max": "5m"}}, Uniform(min=1, max=5)),
        ({"empirical": ["2m", "3m", "11m"]}, Empirical(values=[2, 3, 11])),
    ],
)
def test_every_written_form_parses(written: object, expected: object) -> None:
    assert DIST.validate_python(written) == expected


def test_lognormal_is_set_by_median_and_p95() -> None:
    d = LogNormal(median=3, p95=20)
    # the 95th percentile of the implied lognormal is the p95 given: exp(mu + 1.645 sigma)
    assert math.exp(math.log(3) + 1.6448536269514722 * d.sigma) == pytest.approx(20)
    assert d.fast == pytest.approx(3 * 3 / 20)  # 5th percentile: median² / p95
    assert d.mean == pytest.approx(3 * math.exp(d.sigma**2 / 2))


def test_exponential_fast_case_is_its_fifth_percentile() -> None:
    assert Exponential(mean=10).fast == pytest.approx(-10 * math.log(0.95))


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ({"lognormal": {"median": "5m", "p95": "2m"}}, "p95 must be greater than the median"),
        ({"uniform": {"min": "5m", "max": "5m"}}, "expected min < max"),
        ({"triangular": {"min": 1, "mode": 9, "max": 5}}, "min ≤ mode ≤ max"),
        ({"empirical": []}, "at least 1"),
        ({"normal": {"mean": 1}}, "exactly one of the keys fixed, exponential"),
        ({"fixed": 1, "uniform": {}}, "exactly one of the keys"),
        ({"exponential": {"mean": 0}}, "greater than 0"),
    ],
)
def test_impossible_distributions_are_refused(written: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DIST.validate_python(written)
