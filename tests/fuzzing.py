"""How many inputs a property test checks: a modest number in CI, many more under ``make soak``.

``fuzz(prop, *strategies, examples=N)`` gives two pytest tests of one property: the first checks
N inputs and runs with the suite; the second, marked ``soak``, checks ``SOAK_FACTOR`` × N and runs
only with ``make soak`` (``pytest -m soak``). Assign both to ``test_...`` names in a test module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy

SOAK_FACTOR = 20


def fuzz(
    prop: Callable[..., None], *strategies: SearchStrategy[Any], examples: int, **named: SearchStrategy[Any]
) -> tuple[Callable[..., None], Callable[..., None]]:
    """(CI test, soak test) checking ``prop`` on inputs drawn from ``strategies`` (positional, as
    ``given`` takes them) and ``named``. Pytest fixtures ``prop`` asks for are passed as usual."""

    def checking(count: int) -> Callable[..., None]:
        return settings(
            max_examples=count,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )(given(*strategies, **named)(prop))

    return checking(examples), pytest.mark.soak(checking(examples * SOAK_FACTOR))
