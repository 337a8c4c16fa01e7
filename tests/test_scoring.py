"""Scoring on hand-built samples whose answers are known."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from drillsim.confidence import t_quantile_975, wilson
from drillsim.metrics import IncidentMetrics
from drillsim.scenario.model import RatingThresholds
from drillsim.scoring import ScoredObjective, rating, readiness

DEFAULT = RatingThresholds()


@pytest.mark.parametrize(
    ("p", "letter"),
    [
        (1.0, "P"),
        (0.9, "P"),
        (0.8999, "S"),
        (0.75, "S"),
        (0.7499, "M"),
        (0.5, "M"),
        (0.4999, "U"),
        (0.0, "U"),
        (None, None),
    ],
)
def test_default_hseep_thresholds(p: float | None, letter: str | None) -> None:
    assert rating(p, DEFAULT) == letter


def test_thresholds_are_configurable_and_must_descend() -> None:
    strict = RatingThresholds(P=0.99, S=0.95, M=0.9)
    assert rating(0.96, strict) == "S" and rating(0.89, strict) == "U"
    with pytest.raises(ValidationError, match="P > S > M"):
        RatingThresholds(P=0.5, S=0.75, M=0.4)


@pytest.mark.parametrize(
    ("met", "n", "low", "high"),
    [(8, 10, 0.4902, 0.9433), (0, 10, 0.0, 0.2775), (50, 100, 0.4038, 0.5962), (10, 10, 0.7225, 1.0)],
)
def test_wilson_interval_matches_published_values(met: int, n: int, low: float, high: float) -> None:
    interval = wilson(met, n)
    assert interval is not None
    assert interval[0] == pytest.approx(low, abs=1e-4) and interval[1] == pytest.approx(high, abs=1e-4)
    assert wilson(0, 0) is None


@pytest.mark.parametrize(
    ("df", "t"),
    [
        (1, 12.7062),
        (2, 4.3027),
        (5, 2.5706),
        (10, 2.2281),
        (19, 2.0930),
        (30, 2.0423),
        (100, 1.9840),
        (10_000, 1.9602),
    ],
)
def test_t_quantile_matches_tables(df: int, t: float) -> None:
    assert t_quantile_975(df) == pytest.approx(t, abs=2e-4)


def test_readiness_is_the_weighted_mean_of_p_met() -> None:
    assert readiness({"a": 1.0, "b": 0.5}, {"a": 3, "b": 1}) == pytest.approx(87.5)
    assert readiness({"a": 1.0, "b": None}, {"a": 3, "b": 1}) == pytest.approx(100.0)
    assert readiness({"a": None}, {"a": 1}) is None


def incident(kind: str, **values: float | None) -> IncidentMetrics:
    row = IncidentMetrics(0, kind, 0.0)
    row.values.update(values)
    return row


def test_objective_outcomes_censored_is_missed_and_other_kinds_do_not_count() -> None:
    ack = ScoredObjective("ack", "time_to_acknowledge", 15.0, frozenset({"leak"}), 1.0)
    assert ack.outcome(incident("leak", time_to_acknowledge=15.0)) is True  # at the target is met
    assert ack.outcome(incident("leak", time_to_acknowledge=15.01)) is False
    assert ack.outcome(incident("leak", time_to_acknowledge=None)) is False  # censored
    assert ack.outcome(incident("outage", time_to_acknowledge=1.0)) is None  # not this objective's kind
    contain = ScoredObjective("contain", "time_to_contain", 60.0, frozenset({"leak"}), 1.0)
    assert contain.outcome(incident("leak", time_to_acknowledge=1.0)) is None  # no containment milestone
