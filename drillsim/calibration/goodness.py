"""Goodness of fit for censored pages: the Kaplan–Meier curve against the fitted model.

The Kaplan–Meier estimate of "answered by t" uses every page, censored ones as long as they were
watched. What the fitted model says that curve should be depends on who was still being watched
at each moment (pages on and off duty reach their person with different chances), so the model's
curve is built the same way: its cumulative hazard is the hazard of each class of page, weighted
by the share of that class among the pages still waiting (the compensator of the Nelson–Aalen
estimate). With one class it is simply the fitted ``1 − p·F(t)``.

The distance is Kolmogorov–Smirnov's, the largest gap between the two survival curves over the
observed times. Its distribution under the model, with the parameters estimated from the same
data, has no table, so the p-value is a parametric bootstrap: samples drawn from the fitted model,
each page keeping its duty class, censored by times drawn from the censoring distribution
(the Kaplan–Meier estimate with answers and censorings swapped), refitted, and their distances
counted. A small p-value says the lognormal-with-reachability model does not describe the pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from drillsim.calibration.fitting import OFF, ON, REACHED, Estimate, Floats, Sample, fit


@dataclass(frozen=True)
class Curve:
    """A survival curve: P(not answered by ``times[i]``) = ``survival[i]`` (right-continuous steps
    for Kaplan–Meier), with a pointwise 95% band when it is an estimate."""

    times: Floats
    survival: Floats
    low: Floats | None = None
    high: Floats | None = None


@dataclass(frozen=True)
class Goodness:
    """The Kolmogorov–Smirnov distance between Kaplan–Meier and the fitted model, its bootstrap
    p-value, and the number of bootstrap samples it rests on (0: no p-value)."""

    distance: float
    p_value: float | None
    samples: int


def kaplan_meier(sample: Sample) -> Curve:
    """The Kaplan–Meier survival of the time to an answer, at each distinct answer time, with
    Greenwood's pointwise 95% band (on the log–log scale, so that it stays within 0 and 1). A page
    censored at the time of an answer counts as still waiting then."""
    order = np.argsort(sample.minutes, kind="stable")
    times, answered = sample.minutes[order], sample.answered[order]
    distinct = np.unique(times[answered])
    at_risk = len(times) - np.searchsorted(times, distinct, side="left")
    events = np.searchsorted(times[answered], distinct, side="right") - np.searchsorted(
        times[answered], distinct, side="left"
    )
    survival = np.cumprod(1 - events / at_risk, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(events / (at_risk * np.maximum(at_risk - events, 1e-300)))
        log_s = np.log(survival)
        spread = 1.959963984540054 * np.sqrt(greenwood) / np.abs(log_s)
        low = np.where(survival > 0, survival ** np.exp(spread), 0.0)
        high = np.where(survival > 0, survival ** np.exp(-spread), 0.0)
    low = np.nan_to_num(low, nan=0.0)
    high = np.nan_to_num(high, nan=1.0)
    return Curve(distinct, survival, low, high)


def expected_curve(sample: Sample, estimate: Estimate, times: Floats) -> Curve:
    """The model's survival of the time to an answer at ``times`` (sorted), for the pages of ``sample``:
    exp of the cumulative hazard of each duty class weighted by its share of the pages still waiting,
    integrated over every observed time."""
    order = np.argsort(sample.minutes, kind="stable")
    minutes, duty = sample.minutes[order], sample.duty[order]
    grid = np.unique(np.concatenate([minutes, times]))
    first = np.searchsorted(minutes, grid, side="left")  # pages waiting during (previous, grid[j]]
    waiting = len(minutes) - first
    rate = np.zeros(len(grid))
    for cls in (ON, OFF, REACHED):
        p = estimate.reach(cls)
        in_class = duty == cls
        if p is None or not in_class.any():
            continue
        from_here = np.concatenate([np.cumsum(in_class[::-1])[::-1], [0]])  # of the class, at or after
        with np.errstate(divide="ignore", invalid="ignore"):
            cumulative_hazard = -np.log1p(-p * estimate.cdf(grid))
        cumulative_hazard = np.minimum(np.nan_to_num(cumulative_hazard, nan=745.0, posinf=745.0), 745.0)
        rate += from_here[first] * np.diff(np.concatenate([[0.0], cumulative_hazard]))
    cumulative = np.cumsum(np.where(waiting > 0, rate / np.maximum(waiting, 1), 0.0))
    return Curve(times, np.exp(-cumulative[np.searchsorted(grid, times)]))


def distance(sample: Sample, estimate: Estimate) -> float:
    """The Kolmogorov–Smirnov distance between the Kaplan–Meier curve and the model's, up to the last
    observed time: the largest gap at an answer time, or just before it."""
    km = kaplan_meier(sample)
    if not len(km.times):
        return 0.0
    model = expected_curve(sample, estimate, km.times).survival
    before = np.concatenate([[1.0], km.survival[:-1]])
    gap = np.maximum(np.abs(km.survival - model), np.abs(before - model))
    return float(gap.max())


def _censoring_times(sample: Sample) -> tuple[Floats, Floats]:
    """The censoring distribution (Kaplan–Meier with answers and censorings swapped) as (times, the
    probability of being censored at each); what is left beyond the last censoring is "never"."""
    swapped = Sample(sample.minutes, ~sample.answered, sample.duty)
    curve = kaplan_meier(swapped)
    mass = -np.diff(np.concatenate([[1.0], curve.survival]))
    return curve.times, mass


def bootstrap(sample: Sample, estimate: Estimate, rng: np.random.Generator, samples: int = 199) -> Goodness:
    """The distance and its parametric-bootstrap p-value over ``samples`` refitted samples (those the
    model cannot be refitted to are left out and not counted)."""
    observed = distance(sample, estimate)
    if samples <= 0:
        return Goodness(observed, None, 0)
    times, mass = _censoring_times(sample)
    never = max(0.0, 1.0 - float(mass.sum()))
    choices = np.concatenate([times, [math.inf]])
    weights = np.concatenate([mass, [never]])
    weights = weights / weights.sum()
    reach = np.array([estimate.reach(int(c)) or 0.0 for c in sample.duty])
    exceed, counted = 0, 0
    for _ in range(samples):
        reached = rng.random(len(sample)) < reach
        delay = np.where(reached, rng.lognormal(estimate.mu, estimate.sigma, len(sample)), math.inf)
        censor = rng.choice(choices, size=len(sample), p=weights)
        answered: NDArray[np.bool_] = delay <= censor
        minutes = np.where(answered, delay, censor)
        keep = np.isfinite(minutes)  # neither answered nor ever censored: nothing was watched
        simulated = Sample.build(minutes[keep], answered[keep], sample.duty[keep])
        refit = fit(simulated, start=estimate)
        if refit is None:
            continue
        counted += 1
        exceed += distance(simulated, refit.estimate) >= observed
    return Goodness(observed, (1 + exceed) / (1 + counted) if counted else None, counted)
