"""The acknowledgement model, fitted by maximum likelihood with right censoring.

The model is the engine's (``engine.world.SimulatedCast``): a page reaches its person with
probability ``p`` (one for pages sent while they are on duty, one for pages sent off duty); reached,
they acknowledge after a lognormal delay ``exp(N(mu, sigma²))``, the same on and off duty; not
reached, never. A page is observed either **answered** at its delay, or **censored** at the time it
stopped waiting for this person (the incident escalated, someone else acknowledged it, it was
resolved, the drill ended): all we know is that the person had not answered by then. So

- answered after ``t``:        ``p · f(t)``
- censored at ``c``:            ``(1 − p) + p · S(c)``  (not reached, or reached but slower than ``c``)

with ``f`` and ``S`` the lognormal's density and survival. A censored page is never dropped (that
would keep only the fast answers) nor counted as an answer at ``c`` (that would invent answers):
both bias the delay down and the reachability up, which the tests show. Pages known to have
reached their person (a drill's players are in the room) have ``p = 1``: class ``REACHED``. Task
durations are the same model with every observation in that class.

**Identifiability.** Someone who never answers and someone slow look alike once a page is censored:
``p`` and the lognormal's tail beyond the censoring times trade off. They are told apart only
through the lognormal's shape below the censoring times (and censoring times that vary), so the
likelihood can be flat along that ridge; the profile-likelihood intervals show it (an interval that
runs to the end of the parameter's range is reported open), and a ``Prior`` (the parent fit of
``hierarchy``, worth a few pages) keeps small groups on the ridge's sensible end.

Parameters are held as ``theta = (mu, log sigma, logit p_on, logit p_off)``; the log-likelihood,
its gradient and Hessian are analytic, and a damped Newton method with box bounds maximises it
(the model has four parameters: scipy would add ~100 MB to install for one optimiser, and its
censored fits do not cover the mixture). Normal tails come from ``math.erfc``, accurate to the
last digit far into the tail where a censored page's ``S(c)`` lives.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from drillsim.scenario.distributions import Z95

Floats = NDArray[np.float64]
ON, OFF, REACHED = 0, 1, 2  # duty classes: paged on duty, paged off duty, known to have been reached
FLOOR = 0.5 / 60  # minutes: times are recorded to the second, so an answer "at once" took up to half of one
CHI2_95 = 3.841458820694124  # the chi-squared (1 degree of freedom) 95% quantile: profile intervals
LOGIT_BOUND = 12.0  # p in [6e-6, 1 − 6e-6]: a p at the bound is reported as 0 or 1
_LOWER = np.array([math.log(1e-3), math.log(0.01), -LOGIT_BOUND, -LOGIT_BOUND])
_UPPER = np.array([math.log(1e6), math.log(20.0), LOGIT_BOUND, LOGIT_BOUND])
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_ERFC = np.frompyfunc(math.erfc, 1, 1)


def log_sf(z: Floats) -> Floats:
    """log(1 − Φ(z)) for the standard normal, accurate in both tails."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    far = z > 37.0  # erfc underflows beyond: the asymptotic series is exact to double precision there
    near = ~far
    out[near] = np.log(0.5 * np.asarray(_ERFC(z[near] / math.sqrt(2)), dtype=float))
    zf = z[far]
    out[far] = -0.5 * zf**2 - _LOG_SQRT_2PI - np.log(zf) + np.log1p(-1 / zf**2 + 3 / zf**4)
    return out


def log_pdf(z: Floats) -> Floats:
    """log φ(z) for the standard normal."""
    return -0.5 * np.asarray(z, dtype=float) ** 2 - _LOG_SQRT_2PI


def expit(a: float) -> float:
    """The logistic function, 1 / (1 + e^−a)."""
    return 1.0 / (1.0 + math.exp(-a))


def logit(p: float) -> float:
    """The inverse of ``expit``, bounded to ±LOGIT_BOUND."""
    p = min(max(p, expit(-LOGIT_BOUND)), expit(LOGIT_BOUND))
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Sample:
    """Pages (or tasks): how long each was watched, whether it ended in an answer, its duty class."""

    minutes: Floats  # > 0: the delay to the answer, or to the censoring
    answered: NDArray[np.bool_]
    duty: NDArray[np.int8]  # ON, OFF or REACHED

    @classmethod
    def build(
        cls,
        minutes: Sequence[float] | Floats,
        answered: Sequence[bool] | NDArray[np.bool_],
        duty: Sequence[int] | NDArray[np.int8] | None = None,
    ) -> Sample:
        """A sample from plain sequences; times below FLOOR are raised to it; ``duty`` defaults to
        REACHED for every observation (durations, drills)."""
        times = np.maximum(np.asarray(minutes, dtype=float), FLOOR)
        classes = np.full(len(times), REACHED, np.int8) if duty is None else np.asarray(duty, np.int8)
        return cls(times, np.asarray(answered, dtype=bool), classes)

    def __len__(self) -> int:
        return len(self.minutes)

    @property
    def answers(self) -> int:
        return int(self.answered.sum())

    @property
    def censored(self) -> int:
        return len(self) - self.answers

    def count(self, duty: int, answered: bool | None = None) -> int:
        """Observations in a duty class (only the answered or censored ones, if asked)."""
        mask = self.duty == duty
        if answered is not None:
            mask &= self.answered == answered
        return int(mask.sum())


@dataclass(frozen=True)
class Estimate:
    """A fitted (or assumed) model: the lognormal delay and the chance a page reaches the person on and
    off duty (None: nothing says, no pages of that kind)."""

    mu: float
    sigma: float
    reach_on: float | None = None
    reach_off: float | None = None

    @property
    def median(self) -> float:
        return math.exp(self.mu)

    @property
    def p95(self) -> float:
        return math.exp(self.mu + Z95 * self.sigma)

    def reach(self, duty: int) -> float | None:
        """The reachability of a duty class (REACHED: 1)."""
        return (self.reach_on, self.reach_off, 1.0)[duty]

    def cdf(self, minutes: Floats) -> Floats:
        """P(delay ≤ t) of the lognormal (a reached person's answer)."""
        z = (np.log(np.asarray(minutes, dtype=float)) - self.mu) / self.sigma
        return np.exp(log_sf(-z))

    def theta(self) -> Floats:
        """(mu, log sigma, logit p_on, logit p_off), an unknown p as 0.5."""
        return np.array(
            [
                self.mu,
                math.log(self.sigma),
                logit(self.reach_on) if self.reach_on is not None else 0.0,
                logit(self.reach_off) if self.reach_off is not None else 0.0,
            ]
        )


@dataclass(frozen=True)
class Prior:
    """Shrinkage toward a parent fit (``centre``), worth ``weight`` pages of it: a normal prior on mu
    with variance sigma²/weight, one on log sigma with variance 1/(2·weight) (the information that
    many observations carry), and a Beta-like prior on each p, ``weight·p₀`` answered and
    ``weight·(1 − p₀)`` unanswered pseudo-pages, whose mode is p₀."""

    centre: Estimate
    weight: float


@dataclass(frozen=True)
class Fit:
    """A maximised (penalised, with a prior) log-likelihood: the estimate, the log-likelihood there,
    which parameters were free, and what the prior contributed."""

    estimate: Estimate
    loglik: float
    theta: Floats
    free: NDArray[np.bool_]
    information: Floats  # minus the Hessian at the optimum (4 × 4; rows of fixed parameters are 0)
    prior_share: float  # share of the log-median's precision that comes from the prior (0: none)


@dataclass(frozen=True)
class Interval:
    """A 95% profile-likelihood interval; an end that reached the parameter's range is ``open``."""

    low: float
    high: float
    open_low: bool = False
    open_high: bool = False


@dataclass(frozen=True)
class Intervals:
    """The 95% intervals of a fit's median, 95th percentile and reachabilities (None: not fitted)."""

    median: Interval | None = None
    p95: Interval | None = None
    reach_on: Interval | None = None
    reach_off: Interval | None = None


# --- the log-likelihood -----------------------------------------------------------------------------


@dataclass
class _Data:
    """A sample as the likelihood reads it: log times by kind of observation."""

    answered: Floats  # log minutes of every answer
    answered_in: tuple[int, int]  # answers per cure class (ON, OFF)
    reached: Floats  # log minutes of censored pages known to have reached (REACHED)
    censored: tuple[Floats, Floats]  # log minutes of censored pages per cure class (ON, OFF)
    pages: tuple[int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.pages = (
            self.answered_in[0] + len(self.censored[0]),
            self.answered_in[1] + len(self.censored[1]),
        )

    @classmethod
    def of(cls, sample: Sample) -> _Data:
        logs = np.log(sample.minutes)
        yes, no = sample.answered, ~sample.answered
        return cls(
            logs[yes],
            (sample.count(ON, True), sample.count(OFF, True)),
            logs[no & (sample.duty == REACHED)],
            (logs[no & (sample.duty == ON)], logs[no & (sample.duty == OFF)]),
        )


Derivatives = tuple[float, Floats, Floats]  # log-likelihood, gradient, Hessian


def _loglik(theta: Floats, data: _Data, prior: Prior | None) -> Derivatives:
    """The log-likelihood (penalised by ``prior``) at theta, with its gradient and Hessian."""
    mu, tau = float(theta[0]), float(theta[1])
    sigma = math.exp(tau)
    g, h = np.zeros(4), np.zeros((4, 4))
    # answered: log f(t) (+ log p for a cure class)
    z = (data.answered - mu) / sigma
    ll = float(np.sum(-tau - 0.5 * z**2 - data.answered - _LOG_SQRT_2PI))
    g[0] += z.sum() / sigma
    g[1] += np.sum(z**2 - 1)
    h[0, 0] -= len(z) / sigma**2
    h[0, 1] -= 2 * z.sum() / sigma
    h[1, 1] -= 2 * np.sum(z**2)
    for cls, answers in enumerate(data.answered_in):
        if answers:
            a = float(theta[2 + cls])
            p = expit(a)
            ll += answers * -math.log1p(math.exp(-a))
            g[2 + cls] += answers * (1 - p)
            h[2 + cls, 2 + cls] -= answers * p * (1 - p)
    # censored and known to have been reached: log S(c)
    if len(data.reached):
        z = (data.reached - mu) / sigma
        log_s = log_sf(z)
        r = np.exp(log_pdf(z) - log_s)  # the normal hazard at z
        ll += float(log_s.sum())
        k = z * (r - z) + 1
        g[0] += r.sum() / sigma
        g[1] += np.sum(r * z)
        h[0, 0] -= np.sum(r * (r - z)) / sigma**2
        h[0, 1] -= np.sum(r * k) / sigma
        h[1, 1] -= np.sum(r * z * k)
    # censored in a cure class: log((1 − p) + p·S(c))
    for cls, logs in enumerate(data.censored):
        if not len(logs):
            continue
        a = float(theta[2 + cls])
        p, log_p, log_q = expit(a), -math.log1p(math.exp(-a)), -math.log1p(math.exp(a))
        z = (logs - mu) / sigma
        log_s, log_f = log_sf(z), log_sf(-z)
        log_l = np.logaddexp(log_q, log_p + log_s)
        ll += float(log_l.sum())
        w = np.exp(log_p + log_pdf(z) - log_l)  # p·φ(z)/L
        fa = np.exp(log_f + log_p + log_q - log_l)  # F·p(1 − p)/L
        u = (1 - p) + fa
        i = 2 + cls
        g[0] += w.sum() / sigma
        g[1] += np.sum(w * z)
        g[i] -= fa.sum()
        h[0, 0] -= np.sum(w * (w - z)) / sigma**2
        h[0, 1] += np.sum(w * (z**2 - 1 - w * z)) / sigma
        h[1, 1] += np.sum(w * z * (z**2 - 1 - w * z))
        h[0, i] += np.sum(w * u) / sigma
        h[1, i] += np.sum(w * z * u)
        h[i, i] -= np.sum(fa * (1 - 2 * p) + fa**2)
    if prior is not None:
        ll += _penalise(theta, prior, data, g, h)
    h = np.triu(h) + np.triu(h, 1).T
    return ll, g, h


def _penalise(theta: Floats, prior: Prior, data: _Data, g: Floats, h: Floats) -> float:
    """Add the prior's log density (up to a constant) to g and h; return it."""
    c, k = prior.centre, prior.weight
    mu, tau = float(theta[0]), float(theta[1])
    precision = k / c.sigma**2
    value = -0.5 * precision * (mu - c.mu) ** 2 - k * (tau - math.log(c.sigma)) ** 2
    g[0] -= precision * (mu - c.mu)
    h[0, 0] -= precision
    g[1] -= 2 * k * (tau - math.log(c.sigma))
    h[1, 1] -= 2 * k
    for cls, p0 in enumerate((c.reach_on, c.reach_off)):
        if p0 is None:
            continue
        a = float(theta[2 + cls])
        p = expit(a)
        value += k * (p0 * -math.log1p(math.exp(-a)) + (1 - p0) * -math.log1p(math.exp(a)))
        g[2 + cls] += k * (p0 - p)
        h[2 + cls, 2 + cls] -= k * p * (1 - p)
    return value


# --- the optimiser ----------------------------------------------------------------------------------

Objective = Callable[[Floats], Derivatives]


def _maximise(
    objective: Objective, start: Floats, free: NDArray[np.bool_], lower: Floats, upper: Floats
) -> tuple[Floats, Derivatives]:
    """Newton's method with Levenberg damping, a step cap and halving, over the ``free`` coordinates
    inside [lower, upper] (a coordinate at a bound whose gradient points outside stays there)."""
    x = np.clip(start, lower, upper)
    current = objective(x)
    for _ in range(200):
        ll, g, h = current
        pinned = ((x <= lower) & (g < 0)) | ((x >= upper) & (g > 0))
        index = np.flatnonzero(free & ~pinned)
        if not len(index):
            break
        step = _newton_step(-h[np.ix_(index, index)], g[index])
        largest = np.abs(step).max()
        if largest > 3.0:  # never jump more than a factor e³ in a time or three logits in one step
            step *= 3.0 / largest
        t = 1.0
        while t > 1e-9:
            candidate = x.copy()
            candidate[index] = np.clip(x[index] + t * step, lower[index], upper[index])
            trial = objective(candidate)
            if math.isfinite(trial[0]) and trial[0] >= ll - 1e-12:
                break
            t /= 2
        else:
            break
        moved = np.abs(candidate - x).max()
        x, current = candidate, trial
        if moved < 1e-9 or (trial[0] - ll < 1e-11 and moved < 1e-6):
            break
    return x, current


def _newton_step(negative_hessian: Floats, gradient: Floats) -> Floats:
    """Solve (−H + λI)·s = g with the smallest λ ≥ 0 (of a doubling series) that makes it positive
    definite: Newton's step where the log-likelihood is concave, a gradient step where it is not."""
    size = len(gradient)
    damping = 0.0
    scale = max(1.0, float(np.abs(np.diag(negative_hessian)).max()))
    for _ in range(60):
        try:
            factor = np.linalg.cholesky(negative_hessian + damping * np.eye(size))
        except np.linalg.LinAlgError:
            damping = max(2 * damping, 1e-8 * scale)
            continue
        return np.asarray(np.linalg.solve(factor.T, np.linalg.solve(factor, gradient)), dtype=float)
    return gradient / scale


# --- fitting ----------------------------------------------------------------------------------------


def _free(data: _Data, prior: Prior | None) -> NDArray[np.bool_]:
    """mu and sigma always; a p when its class has pages or the prior has a value for it."""
    prior_has = (
        (prior.centre.reach_on is not None, prior.centre.reach_off is not None) if prior else (False, False)
    )
    return np.array([True, True, data.pages[0] > 0 or prior_has[0], data.pages[1] > 0 or prior_has[1]])


def _starts(sample: Sample, prior: Prior | None) -> list[Floats]:
    """Where the optimiser starts: from the answers alone (their log mean and spread, each class's
    answered share), and from the prior's centre when there is one."""
    logs = np.log(sample.minutes[sample.answered])
    mu = float(logs.mean()) if len(logs) else (prior.centre.mu if prior else 0.0)
    spread = float(logs.std()) if len(logs) > 1 else 1.0
    shares = [
        (sample.count(cls, True) + 1) / (sample.count(cls) + 2) if sample.count(cls) else 0.5
        for cls in (ON, OFF)
    ]
    starts = [np.array([mu, math.log(max(spread, 0.3)), logit(shares[0]), logit(shares[1])])]
    if prior is not None:
        starts.append(prior.centre.theta())
    return starts


def fit(sample: Sample, prior: Prior | None = None, start: Estimate | None = None) -> Fit | None:
    """The maximum-likelihood fit (the posterior mode with a ``prior``), or None when the sample cannot
    fix one: without a prior, at least two answers with different times are needed. ``start``, when
    given, is the only starting point (the bootstrap starts from the model it simulated)."""
    if prior is None and len(np.unique(sample.minutes[sample.answered])) < 2:
        return None
    data = _Data.of(sample)
    free = _free(data, prior)
    best: tuple[Floats, Derivatives] | None = None
    for theta0 in [start.theta()] if start is not None else _starts(sample, prior):
        found = _maximise(lambda t: _loglik(t, data, prior), theta0, free, _LOWER, _UPPER)
        if best is None or found[1][0] > best[1][0]:
            best = found
    assert best is not None
    theta, (ll, _, hessian) = best
    information = -hessian * np.outer(free, free)
    share = 0.0
    if prior is not None:
        prior_precision = prior.weight / prior.centre.sigma**2
        share = prior_precision / information[0, 0] if information[0, 0] > 0 else 1.0
    return Fit(_estimate(theta, free), ll, theta, free, information, min(share, 1.0))


def _estimate(theta: Floats, free: NDArray[np.bool_]) -> Estimate:
    return Estimate(
        float(theta[0]),
        math.exp(float(theta[1])),
        expit(float(theta[2])) if free[2] else None,
        expit(float(theta[3])) if free[3] else None,
    )


def loglik(sample: Sample, estimate: Estimate) -> float:
    """The (unpenalised) log-likelihood of ``estimate`` for ``sample``."""
    return _loglik(estimate.theta(), _Data.of(sample), None)[0]


# --- profile-likelihood intervals -------------------------------------------------------------------


def _p95_objective(data: _Data, prior: Prior | None) -> Objective:
    """The log-likelihood over (log p95, log sigma, logit p_on, logit p_off): mu = q − Z95·sigma, its
    derivatives by the chain rule."""

    def objective(phi: Floats) -> Derivatives:
        sigma = math.exp(float(phi[1]))
        theta = phi.copy()
        theta[0] = phi[0] - Z95 * sigma
        ll, g, h = _loglik(theta, data, prior)
        jacobian = np.eye(4)
        jacobian[0, 1] = -Z95 * sigma  # d mu / d log sigma
        g_phi = jacobian.T @ g
        h_phi = jacobian.T @ h @ jacobian
        h_phi[1, 1] += g[0] * -Z95 * sigma  # d² mu / d (log sigma)²
        return ll, g_phi, h_phi

    return objective


def intervals(sample: Sample, fitted: Fit, prior: Prior | None = None) -> Intervals:
    """95% profile-likelihood intervals of the median, the 95th percentile and each fitted p: the
    values whose profile log-likelihood is within CHI2_95/2 of the maximum. With a prior they are
    intervals of the penalised likelihood (approximate posterior intervals)."""
    data = _Data.of(sample)
    plain: Objective = lambda t: _loglik(t, data, prior)  # noqa: E731
    theta = fitted.theta
    phi = theta.copy()
    phi[0] = theta[0] + Z95 * math.exp(float(theta[1]))
    lower_q, upper_q = _LOWER.copy(), _UPPER.copy()
    lower_q[0], upper_q[0] = _LOWER[0], _UPPER[0] + Z95 * 20.0
    found: dict[str, Interval | None] = {}
    for name, objective, start, index, lower, upper in (
        ("median", plain, theta, 0, _LOWER, _UPPER),
        ("p95", _p95_objective(data, prior), phi, 0, lower_q, upper_q),
        ("reach_on", plain, theta, 2, _LOWER, _UPPER),
        ("reach_off", plain, theta, 3, _LOWER, _UPPER),
    ):
        if not fitted.free[index]:
            found[name] = None
            continue
        low, high = (
            _endpoint(objective, start, fitted.loglik, fitted.free, index, direction, lower, upper)
            for direction in (-1, 1)
        )
        transform = math.exp if index == 0 else expit
        found[name] = Interval(transform(low[0]), transform(high[0]), low[1], high[1])
    return Intervals(**found)


def _endpoint(
    objective: Objective,
    start: Floats,
    best: float,
    free: NDArray[np.bool_],
    index: int,
    direction: int,
    lower: Floats,
    upper: Floats,
) -> tuple[float, bool]:
    """Where the profile log-likelihood of coordinate ``index`` falls CHI2_95/2 below ``best``, going
    ``direction`` from ``start``: (value, True) when it never does inside the bounds (an open end).

    Works on the signed root of the deviance, r(x) = √(2·(best − profile(x))), which is close to
    linear in x: it brackets r = 1.96 by doubling steps from the Wald guess, then closes in by
    regula falsi (a bisection every third step, so a curved r cannot stall it)."""
    target = math.sqrt(CHI2_95)
    others = free.copy()
    others[index] = False
    state = start.copy()

    def root(value: float) -> float:
        nonlocal state
        point = state.copy()
        point[index] = value
        state, (ll, _, _) = _maximise(objective, point, others, lower, upper)
        return math.sqrt(max(2 * (best - ll), 0.0))

    curvature = -objective(start)[2][index, index]
    step = target / math.sqrt(curvature) if curvature > 0 else 1.0
    bound = float(upper[index] if direction > 0 else lower[index])
    inside, r_in = float(start[index]), 0.0
    outside: tuple[float, float] | None = None
    for _ in range(40):
        value = float(start[index]) + direction * step
        if (value - bound) * direction >= 0:
            r = root(bound)
            if r < target:
                return bound, True
            outside = (bound, r)
            break
        r = root(value)
        if r >= target:
            outside = (value, r)
            break
        inside, r_in, step = value, r, step * 2
    if outside is None:
        return inside, True
    far, r_far = outside
    for attempt in range(60):
        value = inside + (target - r_in) * (far - inside) / (r_far - r_in) if r_far > r_in else far
        if attempt % 3 == 2 or not min(inside, far) < value < max(inside, far):
            value = 0.5 * (inside + far)
        r = root(value)
        if abs(r - target) < 2e-3 or abs(far - inside) < 1e-7:
            return value, False
        if r < target:
            inside, r_in = value, r
        else:
            far, r_far = value, r
    return 0.5 * (inside + far), False
