"""Fits per organisation, role and person, the small ones shrunk toward their parent.

The organisation's fit pools every page (maximum likelihood, no prior). A role's fit pools the pages
of everyone holding it; a person's, their own. Each of those is the posterior mode under a prior
centred on its parent's fit — the organisation's for a role, the person's role's for a person (for
someone with several roles, the pooled pages of all their holders; with none, the organisation's) —
worth ``weight`` pages (``fitting.Prior``). For pages answered without censoring that is exactly
precision weighting of the log-median, ``(n·own + weight·parent) / (n + weight)``: a person with 3
pages moves most of the way to their role, one with 200 stays at their own. With censoring, pages
carry less information and shrink more; ``Fit.prior_share`` says how much (the share of the
log-median's precision that comes from the parent). The same prior shrinks the spread and each
reachability toward the parent's — except that a role never paged in some duty (off duty, say) takes
nothing for it from the organisation: the scenario's assumption for that role (a head of safety who
keeps the phone at night) says more than other roles' pages do, just as a role nobody in the history
holds keeps its assumed delay. Its people then keep their assumed reachability for that duty.

Why a fixed weight rather than one estimated from the spread between people (empirical Bayes): a
role has a handful of people, whose spread a moment estimator puts at zero (everyone pooled) or
wide (nobody pooled) on little evidence; a fixed, visible weight keeps the behaviour predictable,
and ``--prior-pages`` changes it (0: no shrinkage).

Someone without pages of their own takes their role's fit (as drill calibration always did); a role
nobody in the history holds, and someone with neither pages nor roles, keep the scenario's assumption.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from drillsim.calibration.fitting import OFF, ON, Estimate, Fit, Intervals, Prior, Sample, fit, intervals
from drillsim.calibration.goodness import Goodness, bootstrap
from drillsim.calibration.history import Page
from drillsim.scenario.organisation import Organisation

MIN_ANSWERS = 5  # acknowledged pages the organisation needs before anything is fitted
PRIOR_PAGES = 5.0  # how many pages a parent's fit is worth to its children, by default
GOODNESS_MIN = 20  # acknowledged pages a group needs for its goodness-of-fit test


@dataclass(frozen=True)
class GroupFit:
    """The fit of one group of pages: ``raw`` from its pages alone, ``fit`` shrunk toward ``parent``
    (the organisation's is its raw fit), its intervals, and the goodness of the raw fit."""

    kind: str  # "organisation", "role", "roles" (a person's several roles pooled) or "person"
    id: str
    sample: Sample
    parent: str | None  # the label of the group it shrinks toward
    raw: Fit | None
    fit: Fit | None
    intervals: Intervals | None = None
    goodness: Goodness | None = None

    @property
    def label(self) -> str:
        return self.kind if self.kind == "organisation" else f"{self.kind} {self.id}"

    @property
    def estimate(self) -> Estimate | None:
        return self.fit.estimate if self.fit is not None else None


@dataclass
class Hierarchy:
    """Every group fitted (organisation, roles, people with pages), and for each person of the
    organisation the estimate the calibration gives them with the label of the fit it comes from."""

    groups: list[GroupFit] = field(default_factory=list)
    people: dict[str, tuple[Estimate, str]] = field(default_factory=dict)
    weight: float = PRIOR_PAGES
    not_fitted: str | None = None  # why nothing was fitted


@dataclass
class _Fitter:
    org: Organisation
    pages: dict[str, list[Page]]
    weight: float
    samples: int
    rng: np.random.Generator
    pooled: dict[frozenset[str], GroupFit | None] = field(default_factory=dict)

    def sample(self, people: Sequence[str]) -> Sample:
        chosen = [page for person in people for page in self.pages.get(person, [])]
        return Sample.build(
            [p.minutes for p in chosen], [p.answered for p in chosen], [p.duty for p in chosen]
        )

    def group(self, kind: str, key: str, sample: Sample, parent: GroupFit | None) -> GroupFit:
        raw = fit(sample)
        prior = None
        if parent is not None and parent.estimate is not None and self.weight > 0:
            centre = parent.estimate
            if kind != "person":  # a role says nothing of a duty it was never paged in
                centre = replace(
                    centre,
                    reach_on=centre.reach_on if sample.count(ON) else None,
                    reach_off=centre.reach_off if sample.count(OFF) else None,
                )
            prior = Prior(centre, self.weight)
        shrunk = fit(sample, prior) if prior is not None else raw
        span = intervals(sample, shrunk, prior) if shrunk is not None else None
        goodness = (
            bootstrap(sample, raw.estimate, self.rng, self.samples)
            if raw is not None and sample.answers >= GOODNESS_MIN
            else None
        )
        return GroupFit(kind, key, sample, parent.label if parent else None, raw, shrunk, span, goodness)

    def roles(self, roles: frozenset[str], top: GroupFit) -> GroupFit | None:
        """The fit of every page to holders of any of ``roles`` (None: nobody holding them was paged)."""
        if roles not in self.pooled:
            holders = [pid for pid, p in self.org.people.items() if roles.intersection(p.roles)]
            sample = self.sample(holders)
            kind = "role" if len(roles) == 1 else "roles"
            self.pooled[roles] = (
                self.group(kind, "+".join(sorted(roles)), sample, top) if len(sample) else None
            )
        return self.pooled[roles]


def fit_hierarchy(
    org: Organisation,
    pages: Sequence[Page],
    *,
    weight: float = PRIOR_PAGES,
    samples: int = 199,
    seed: int = 0,
) -> Hierarchy:
    """The organisation's, each paged role's and each paged person's fits, shrunk toward their parents
    with a prior worth ``weight`` pages; goodness of fit with ``samples`` bootstrap samples (seeded)."""
    by_person: dict[str, list[Page]] = {}
    for page in pages:
        by_person.setdefault(page.person, []).append(page)
    fitter = _Fitter(org, by_person, weight, samples, np.random.default_rng(seed))
    everyone = [pid for pid in org.people if pid in by_person]
    whole = fitter.sample(everyone)
    if whole.answers < MIN_ANSWERS:
        return Hierarchy(
            weight=weight,
            not_fitted=f"{whole.answers} acknowledged page(s) in all, fewer than {MIN_ANSWERS}",
        )
    top = fitter.group("organisation", org.id, whole, None)
    if top.fit is None:
        return Hierarchy(weight=weight, not_fitted="every acknowledgement took the same time")
    hierarchy = Hierarchy([top], weight=weight)
    for role in sorted(org.roles_held()):
        found = fitter.roles(frozenset([role]), top)
        if found is not None:
            hierarchy.groups.append(found)
    for pid, person in org.people.items():
        parent = fitter.roles(frozenset(person.roles), top) if person.roles else top
        if parent is not None and parent.kind == "roles" and parent not in hierarchy.groups:
            hierarchy.groups.append(parent)
        if pid in by_person:
            own = fitter.group("person", pid, fitter.sample([pid]), parent)
            hierarchy.groups.append(own)
            if own.estimate is not None:
                hierarchy.people[pid] = (own.estimate, own.label)
                continue
        if person.roles and parent is not None and parent.estimate is not None:
            hierarchy.people[pid] = (parent.estimate, parent.label)
    return hierarchy
