"""The calibration's statistics: censored maximum likelihood with reachability recovers what it was
given, within its intervals; the two wrong ways with censored pages are biased; shrinkage moves small
groups toward their parent and leaves large ones alone; the goodness-of-fit test tells a right model
from a wrong one. Seeds are fixed and were chosen before the assertions were written."""

from __future__ import annotations

import math

import numpy as np
import pytest
from history_helpers import Truth, synthetic_sample

from drillsim.calibration import fitting
from drillsim.calibration.fitting import OFF, ON, REACHED, Estimate, Prior, Sample, fit, intervals, loglik
from drillsim.calibration.goodness import bootstrap, expected_curve, kaplan_meier
from drillsim.calibration.hierarchy import fit_hierarchy
from drillsim.calibration.history import Page
from drillsim.scenario.organisation import Organisation

TRUTH = Truth()  # median 3m, p95 15m, reached 0.9 on duty and 0.5 off, escalation after 5m
VALUES = {"median": TRUTH.median, "p95": TRUTH.p95, "reach_on": TRUTH.reach_on, "reach_off": TRUTH.reach_off}


def covered(sample: Sample) -> dict[str, bool]:
    """Whether each 95% interval of the fit holds the truth."""
    found = fit(sample)
    assert found is not None
    spans = intervals(sample, found)
    result = {}
    for name, truth in VALUES.items():
        span = getattr(spans, name)
        result[name] = span.low <= truth <= span.high
    return result


def test_normal_tails_are_exact_far_out() -> None:
    z = np.array([-40.0, -8.0, -1.0, 0.0, 1.5, 8.0, 30.0, 40.0])
    expected = [math.log(0.5 * math.erfc(v / math.sqrt(2))) for v in z[:-1]]
    assert fitting.log_sf(z)[:-1] == pytest.approx(expected, rel=1e-12)
    # beyond erfc's range the asymptotic series: log φ(40) − log 40 + log(1 − 1/40² + 3/40⁴)
    far = -800 - 0.5 * math.log(2 * math.pi) - math.log(40) + math.log1p(-1 / 1600 + 3 / 40**4)
    assert fitting.log_sf(z)[-1] == pytest.approx(far, rel=1e-12)


def test_the_likelihoods_derivatives_are_its_derivatives() -> None:
    """The analytic gradient and Hessian (answers, censored pages of each duty class, the prior, and
    the p95 parameterisation) agree with finite differences."""
    rng = np.random.default_rng(5)
    duty = rng.choice([ON, OFF, REACHED], size=300, p=[0.5, 0.3, 0.2])
    sample = Sample.build(rng.lognormal(1, 1, 300), rng.random(300) < 0.6, duty)
    data = fitting._Data.of(sample)
    prior = Prior(Estimate(1.0, 0.8, 0.8, 0.6), 5)
    theta = np.array([1.1, -0.1, 1.5, 0.3])
    for objective in (
        lambda t: fitting._loglik(t, data, None),
        lambda t: fitting._loglik(t, data, prior),
        fitting._p95_objective(data, prior),
    ):
        _, gradient, hessian = objective(theta)
        step = np.eye(4) * 1e-6
        numeric_g = [(objective(theta + s)[0] - objective(theta - s)[0]) / 2e-6 for s in step]
        numeric_h = [(objective(theta + s)[1] - objective(theta - s)[1]) / 2e-6 for s in step]
        assert gradient == pytest.approx(numeric_g, abs=1e-5)
        assert hessian == pytest.approx(np.array(numeric_h), abs=1e-4)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_censored_fit_recovers_delay_and_reachability_within_its_confidence_region(seed: int) -> None:
    """1,500 pages (30% off duty), escalating after 5m: the truth lies in the fit's 95% confidence
    region (its likelihood within χ²₄(0.95)/2 of the maximum), and the estimates are close to it.

    (Each of the four 95% intervals on its own misses now and then — seed 2's median and on-duty
    reachability intervals both just miss, the truth's deviance being 8.3 on 4 degrees of freedom —
    which is what the coverage test below measures.)"""
    sample = synthetic_sample(seed, 1500)
    assert 0.3 < sample.censored / len(sample) < 0.5  # much is censored: the test is not easy
    found = fit(sample)
    assert found is not None
    truth = Estimate(math.log(TRUTH.median), TRUTH.sigma, TRUTH.reach_on, TRUTH.reach_off)
    assert 2 * (found.loglik - loglik(sample, truth)) < 9.4877  # the chi-squared (4) 95% quantile
    estimate = found.estimate
    assert estimate.median == pytest.approx(TRUTH.median, rel=0.2)
    assert estimate.p95 == pytest.approx(TRUTH.p95, rel=0.3)
    assert estimate.reach_on == pytest.approx(TRUTH.reach_on, abs=0.15)
    assert estimate.reach_off == pytest.approx(TRUTH.reach_off, abs=0.1)


def test_intervals_cover_the_truth_about_95_percent_of_the_time() -> None:
    """20 histories of 300 pages: each interval misses the truth at most 4 times (with true 95%
    coverage, 5 misses or more happen 1.6% of the time)."""
    misses = dict.fromkeys(VALUES, 0)
    for seed in range(100, 120):
        for name, ok in covered(synthetic_sample(seed, 300)).items():
            misses[name] += not ok
    assert max(misses.values()) <= 4, misses


@pytest.mark.soak
def test_intervals_cover_the_truth_95_percent_of_the_time_soak() -> None:
    """400 histories of 300 pages: coverage of each interval within 92–98%."""
    hits = dict.fromkeys(VALUES, 0)
    for seed in range(1000, 1400):
        for name, ok in covered(synthetic_sample(seed, 300)).items():
            hits[name] += ok
    assert all(0.92 <= count / 400 <= 0.98 for count in hits.values()), hits


def test_dropping_censored_pages_or_counting_them_as_answers_is_biased() -> None:
    """The same 3,000 pages three ways. Censored (right): the truth is in every interval. Censored
    pages dropped: only answers faster than the 5m escalation remain, so the median and p95 fall far
    below the truth. Censored pages counted as answers at 5m: a pile at the timeout that the tail
    never passes, so the p95 falls far below the truth (the median happens to land near it). Both
    wrong ways exclude the true p95 from their own intervals and make everyone reachable."""
    sample = synthetic_sample(4, 3000)
    assert covered(sample) == dict.fromkeys(VALUES, True)
    dropped = Sample.build(sample.minutes[sample.answered], [True] * sample.answers)
    as_answers = Sample.build(sample.minutes, [True] * len(sample))
    for wrong in (dropped, as_answers):
        found = fit(wrong)
        assert found is not None
        spans = intervals(wrong, found)
        assert spans.median is not None and spans.p95 is not None
        assert spans.p95.high < 0.7 * TRUTH.p95  # the long tail is lost
        assert found.estimate.reach(REACHED) == 1.0  # every page "answered": no one unreachable
    found = fit(dropped)
    assert found is not None
    median = intervals(dropped, found).median
    assert median is not None and median.high < 0.75 * TRUTH.median


def test_a_slow_person_and_an_unreachable_one_are_not_told_apart_by_a_short_timeout() -> None:
    """Answers only in the first minute, the rest censored at 1m: the pages cannot say whether the
    others were slow or never reached, and the intervals say so (open ends) instead of inventing
    precision."""
    rng = np.random.default_rng(8)
    answers = rng.uniform(0.3, 1.0, 12)
    sample = Sample.build([*answers, *[1.0] * 28], [True] * 12 + [False] * 28, [ON] * 40)
    found = fit(sample)
    assert found is not None
    spans = intervals(sample, found)
    assert spans.reach_on is not None and spans.p95 is not None
    assert spans.reach_on.open_high and spans.reach_on.low < 0.5  # anywhere from under half to all
    assert spans.p95.high / spans.p95.low > 5


def _organisation() -> Organisation:
    people = {
        pid: {"name": pid.title(), "roles": ["engineer"], "teams": ["ops"]} for pid in ("ann", "bob", "cat")
    }
    return Organisation.model_validate(
        {
            "id": "org",
            "name": "Org",
            "teams": {"ops": {"name": "Ops"}},
            "people": people,
            "escalation": {"all": {"levels": [{"timeout": "5m", "targets": [{"role": "engineer"}]}]}},
        }
    )


def _pages(person: str, minutes: np.ndarray) -> list[Page]:
    return [Page(person, float(m), True, REACHED, f"test {i}") for i, m in enumerate(minutes)]


def test_few_pages_shrink_toward_the_role_and_many_stay_their_own() -> None:
    """Ann answers 200 pages with a median of 8m, Cat 200 with 2m; Bob 3 pages in about a minute. The
    role pools all 403. Bob lands between his own fit and the role's, mostly at the role's; Ann stays
    at her own (the 5 pages the role is worth weigh little against her 200)."""
    rng = np.random.default_rng(21)
    pages = [
        *_pages("ann", rng.lognormal(math.log(8), 0.6, 200)),
        *_pages("cat", rng.lognormal(math.log(2), 0.6, 200)),
        *_pages("bob", np.array([0.8, 1.1, 1.5])),
    ]
    hierarchy = fit_hierarchy(_organisation(), pages, samples=0)
    groups = {g.label: g for g in hierarchy.groups}
    role, ann, bob = groups["role engineer"], groups["person ann"], groups["person bob"]
    assert role.estimate is not None and ann.fit is not None and bob.fit is not None
    assert ann.raw is not None and bob.raw is not None
    bob_raw, bob_fit, role_mu = bob.raw.estimate.mu, bob.fit.estimate.mu, role.estimate.mu
    assert bob_raw < bob_fit < role_mu
    assert (bob_fit - bob_raw) / (role_mu - bob_raw) > 0.5  # most of the way
    assert bob.fit.prior_share > 0.5
    assert ann.fit.estimate.mu == pytest.approx(ann.raw.estimate.mu, abs=0.03)
    assert ann.fit.prior_share < 0.03
    assert hierarchy.people["bob"][1] == "person bob"

    unshrunk = fit_hierarchy(_organisation(), pages, weight=0, samples=0)
    bob0 = next(g for g in unshrunk.groups if g.label == "person bob")
    assert bob0.fit is not None and bob0.fit.estimate.mu == pytest.approx(bob_raw)


def test_someone_with_one_answer_takes_a_shrunk_fit_and_someone_without_pages_the_roles() -> None:
    rng = np.random.default_rng(22)
    pages = [*_pages("ann", rng.lognormal(math.log(4), 0.6, 50)), *_pages("bob", np.array([1.0]))]
    hierarchy = fit_hierarchy(_organisation(), pages, samples=0)
    groups = {g.label: g for g in hierarchy.groups}
    assert groups["person bob"].raw is None and groups["person bob"].fit is not None  # one answer: no own fit
    role = groups["role engineer"].estimate
    assert hierarchy.people["cat"] == (role, "role engineer")


def test_goodness_of_fit_accepts_the_model_and_rejects_a_mixture() -> None:
    """300 pages censored by escalations and resolutions. Drawn from the model: p-values above 0.05.
    Drawn from a two-humped mixture of fast (30s) and slow (8m) answerers, fitted as one lognormal:
    below 0.05. 99 bootstrap samples each, fixed seeds."""

    def pages(seed: int, mixture: bool) -> Sample:
        rng = np.random.default_rng(seed)
        duty = rng.choice([ON, OFF], size=300, p=[0.7, 0.3])
        reached = rng.random(300) < np.where(duty == ON, 0.9, 0.5)
        if mixture:
            fast = rng.random(300) < 0.5
            delay = np.where(
                fast, rng.lognormal(math.log(0.5), 0.3, 300), rng.lognormal(math.log(8), 0.3, 300)
            )
        else:
            delay = rng.lognormal(math.log(3), TRUTH.sigma, 300)
        delay = np.where(reached, delay, np.inf)
        censor = np.where(rng.random(300) < 0.6, 15.0, rng.uniform(1, 60, 300))
        return Sample.build(np.minimum(delay, censor), delay <= censor, duty)

    for seed in (0, 1):
        for mixture in (False, True):
            sample = pages(seed, mixture)
            found = fit(sample)
            assert found is not None
            result = bootstrap(sample, found.estimate, np.random.default_rng(seed), 99)
            assert result.samples == 99 and result.p_value is not None
            assert (result.p_value < 0.05) == mixture, (seed, mixture, result)


def test_kaplan_meier_and_the_model_curve_agree_on_uncensored_pages() -> None:
    """Without censoring Kaplan–Meier is the empirical survival, and the model's curve is 1 − F."""
    sample = Sample.build([1.0, 2.0, 2.0, 4.0], [True] * 4)
    km = kaplan_meier(sample)
    assert km.times.tolist() == [1.0, 2.0, 4.0] and km.survival.tolist() == [0.75, 0.25, 0.0]
    estimate = Estimate(math.log(2), 0.5)
    model = expected_curve(sample, estimate, np.array([1.0, 2.0, 4.0]))
    assert model.survival == pytest.approx(1 - estimate.cdf(np.array([1.0, 2.0, 4.0])))
