"""Ranking variants against a base, with replications spent only where they still decide something.

:func:`rank` compares a base with many variants exactly as :func:`~drillsim.experiments.compare.compare`
does — every variant runs replication r with the base's seed (common random numbers), and each gets
the paired difference of every measure with its 95% interval — but a variant that is clearly out of
the running stops early instead of using every replication. It is a successive-elimination scheme
(a ranking-and-selection procedure in the spirit of Paulson's and of Even-Dar, Mannor & Mansour's):

- **Looks at fixed counts.** Replications run in rounds that end at ``first_look``, 2·``first_look``,
  4·``first_look``, … below ``count``. Decisions are taken only there, from the replications
  0..look−1, which every running variant has (in replication order), so a result depends on the seed
  and the counts alone: never on workers, backend, chunking or timing.
- **Simultaneous intervals.** At a look with R replications, each running variant's readiness
  difference (variant − base) gets the delta-method interval over paired replications
  (:mod:`drillsim.experiments.totals`) at the Bonferroni-adjusted level 1 − 0.05 / (V·L), V variants and
  L looks, Student's t on R − 1 degrees of freedom. With probability at least 95% every one of these
  V·L intervals holds its true difference at once, and then every stop below is right.
- **Stopping rules**, first match wins:

  1. *the wrong way*: the interval lies entirely on the side of zero the ranking does not look for
     (ranking gains: the variant clearly lowers readiness; ranking losses: it clearly raises it);
  2. *no effect*: the interval lies within ±``negligible`` readiness points;
  3. *behind*: at least ``keep`` other running variants are each clearly ahead — their interval lies
     entirely beyond this one's. Comparing two intervals is conservative: under common random
     numbers the paired difference of the two variants is narrower still, so this stops fewer
     variants than it could, never a wrong one.

  A variant that has stopped keeps the result of the replications it ran (unadjusted 95% intervals,
  as compare gives them) and says why it stopped; the others run all ``count`` replications.
- **What it costs.** A variant with no measurable effect stops at the first look; a close contender
  of the best ones runs to the end. With no readiness to rank by (a scenario without objectives)
  nothing stops.

The delta method's interval assumes enough replications for the central limit theorem to hold over
replications; hence a first look after at least ``MIN_FIRST_LOOK`` replications. An effect seen in none
of the first looks' replications (a difference of exactly 0 in every one) has a zero-width interval:
a change that matters in fewer than about one replication in ``first_look`` can stop as "no effect".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from drillsim.confidence import Interval, t_quantile
from drillsim.experiments.compare import Profile, Variant, paired_totals, variant_result
from drillsim.experiments.replicate import Backend
from drillsim.experiments.totals import ReplicationTotals

Ranking = Literal["gain", "loss"]  # rank by readiness gained (best change first) or lost (worst first)
FAMILY_ERROR = 0.05  # the chance that any stop is wrong, at most
FIRST_LOOK = 50  # replications before the first decision, unless asked otherwise
MIN_FIRST_LOOK = 20  # fewer, and the delta method's interval is not to be trusted for a stop
NEGLIGIBLE = 0.5  # readiness points: an effect clearly within ± this is "no effect"
KEEP = 3  # how many of the best a ranking is for

WRONG_WAY, NO_EFFECT, BEHIND = "wrong way", "no effect", "behind"


@dataclass(frozen=True)
class Stop:
    """Why and when a variant stopped: ``reason`` is WRONG_WAY, NO_EFFECT or BEHIND."""

    after: int
    reason: str


def looks(count: int, first_look: int = FIRST_LOOK) -> list[int]:
    """The replication counts at which variants may stop: ``first_look``, twice that, four times… each
    below ``count`` (at ``count`` itself everyone has finished anyway)."""
    points, at = [], first_look
    while at < count:
        points.append(at)
        at *= 2
    return points


def rank(
    base: Variant,
    variants: list[Variant],
    *,
    seed: int,
    count: int,
    workers: int,
    backend: Backend | None = None,
    scheduler: str | None = None,
    ranking: Ranking = "gain",
    keep: int = KEEP,
    negligible: float = NEGLIGIBLE,
    first_look: int = FIRST_LOOK,
    adaptive: bool = True,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict[str, Any]:
    """Compare ``variants`` with ``base`` on paired replications, stopping each variant early once it is
    clearly out of the running (see the module's docstring for the rules and their guarantee).

    - ``ranking``: ``"gain"`` looks for the variants that raise readiness most (a change to make);
      ``"loss"`` for those that lower it most (a person to lose).
    - ``keep``: how many of the best the ranking is for; a variant stops as *behind* once ``keep``
      others are clearly ahead of it. ``negligible``: readiness points within which an effect counts
      as none. ``first_look``: replications before the first decision (at least MIN_FIRST_LOOK).
    - ``adaptive=False`` runs every variant to ``count``: the result is then compare()'s, plus the
      fields below.
    - ``progress(done, total)`` is called after each replication with the runs (one model, one
      replication) done so far and the runs the whole ranking will need as far as it knows; ``total``
      shrinks when variants stop.

    Returns compare()'s shape — ``{"base", "seed", "replications", "common_random_numbers": True,
    "variants": [{"name", "results"}]}``, variants in the order given, ``replications`` the most any
    variant ran — where each variant also has ``"replications"`` (how many it ran: its results and
    their ``n`` come from those) and ``"stopped"``: None when it ran to the end, else ``{"after",
    "reason", "note"}`` (``reason`` one of WRONG_WAY, NO_EFFECT, BEHIND; ``note`` the sentence to show,
    e.g. "stopped after 50 replications: clearly no effect (within ±0.5 readiness points)"). Under
    ``"allocation"``: ``ranking``, ``keep``, ``negligible``, ``looks`` (the counts where stops could
    happen), ``confidence`` (the adjusted level of each stopping interval), ``runs`` (runs done) and
    ``runs_without_stopping`` ((1 + variants) × count; without the 1 when the base's replications
    were recorded already: its recorded totals are used, see :class:`Variant`). Deterministic: the
    same for any workers, backend and chunking."""
    if first_look < MIN_FIRST_LOOK:
        raise ValueError(f"first_look must be at least {MIN_FIRST_LOOK} replications, not {first_look}")
    points = looks(count, first_look) if adaptive and variants else []
    level = 1 - FAMILY_ERROR / (len(variants) * len(points)) if points else None
    profiles = [Profile(base.model), *(Profile(v.model) for v in variants)]
    offset = profiles[0].layout.size  # the base's totals first, then the variant's
    pairs = [ReplicationTotals(offset + p.layout.size) for p in profiles[1:]]
    stops: list[Stop | None] = [None] * len(variants)
    running = list(range(len(variants)))
    base_runs = 0 if base.known(seed, count) else 1  # the base's replications may be recorded already
    runs, start = 0, 0
    for end in [*points, count]:
        arms = [base, *(variants[i] for i in running)]
        sets = paired_totals(
            arms,
            [profiles[0], *(profiles[i + 1] for i in running)],
            [seed] * len(arms),
            start,
            end,
            workers,
            backend,
            scheduler,
        )
        for index, (vectors, ran) in enumerate(sets, start=start + 1):
            for i, vector in zip(running, vectors[1:], strict=True):
                pairs[i].add(np.array(vectors[0] + vector))
            runs += ran
            progress(runs, runs + (count - index) * ran)
        if level is not None and end < count:
            quantile = t_quantile(1 - (1 - level) / 2, end - 1)
            bounds = _stopping_intervals(running, pairs, profiles, offset, quantile)
            for i, reason in _stops(bounds, ranking, keep, negligible).items():
                stops[i] = Stop(end, reason)
            running = [i for i in running if stops[i] is None]
            progress(runs, runs + (count - end) * (base_runs + len(running)) if running else runs)
        start = end
        if not running:
            break
    return {
        "base": base.name,
        "seed": seed,
        "replications": max((pair.replications for pair in pairs), default=0),
        "common_random_numbers": True,
        "variants": [
            variant_result(v.name, pair, profiles[0], profile, offset)
            | {"replications": pair.replications, "stopped": _stopped(stop, ranking, keep, negligible)}
            for v, pair, profile, stop in zip(variants, pairs, profiles[1:], stops, strict=True)
        ],
        "allocation": {
            "ranking": ranking,
            "keep": keep,
            "negligible": negligible,
            "looks": points,
            "confidence": level,
            "runs": runs,
            "runs_without_stopping": (base_runs + len(variants)) * count,
        },
    }


def _stopping_intervals(
    running: list[int], pairs: list[ReplicationTotals], profiles: list[Profile], offset: int, quantile: float
) -> dict[int, Interval]:
    """Each running variant's readiness difference ± ``quantile`` standard errors (delta method over
    its paired replications); variants without a readiness score are left out."""
    bounds = {}
    for i in running:
        base = profiles[0].scores.readiness(pairs[i], 0)
        variant = profiles[i + 1].scores.readiness(pairs[i], offset)
        if base is None or variant is None:
            continue
        difference = variant - base
        half = quantile * math.sqrt(max(pairs[i].variance(difference.gradient), 0.0))
        bounds[i] = (difference.value - half, difference.value + half)
    return bounds


def _stops(bounds: dict[int, Interval], ranking: Ranking, keep: int, negligible: float) -> dict[int, str]:
    """The variants that stop at this look, with the first rule that stops each."""
    sign = 1.0 if ranking == "gain" else -1.0
    merit = {i: sorted((sign * low, sign * high)) for i, (low, high) in bounds.items()}  # higher ranks first
    found = {}
    for i, (low, high) in bounds.items():
        best = merit[i][1]
        if best < 0:
            found[i] = WRONG_WAY
        elif -negligible <= low and high <= negligible:
            found[i] = NO_EFFECT
        elif sum(1 for j, (other_worst, _) in merit.items() if j != i and other_worst > best) >= keep:
            found[i] = BEHIND
    return found


def _stopped(stop: Stop | None, ranking: Ranking, keep: int, negligible: float) -> dict[str, Any] | None:
    """A stop as JSON, with the sentence that explains it."""
    if stop is None:
        return None
    why = {
        WRONG_WAY: "clearly worse than the base" if ranking == "gain" else "clearly better than the base",
        NO_EFFECT: f"clearly no effect (within ±{negligible:g} readiness points)",
        BEHIND: f"clearly not among the {keep} {'best' if ranking == 'gain' else 'largest losses'}",
    }[stop.reason]
    return {
        "after": stop.after,
        "reason": stop.reason,
        "note": f"stopped after {stop.after} replications: {why}",
    }
