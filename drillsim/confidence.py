"""Confidence intervals used across drillsim: Student's t for means, Wilson for proportions."""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def t_quantile_975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (to about 1e-4)."""
    exact = {1: 12.706204736, 2: 4.302652730, 3: 3.182446305, 4: 2.776445105, 5: 2.570581836}
    if df in exact:
        return exact[df]
    z = Z95
    return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3))


def wilson(met: int, n: int) -> tuple[float, float] | None:
    """The 95% Wilson score interval of a proportion met/n."""
    if n == 0:
        return None
    p, z2 = met / n, Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))
