"""Hypothesis settings for the fuzz targets: a short run in the suite, a long one by scripts/fuzz.

A target says how many examples it runs in the test suite; ``PUSHSDK_FUZZ_EXAMPLES``
(set by ``scripts/fuzz``) replaces that count for every target at once.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

#: The environment variable that turns the suite's short runs into long fuzzing runs.
EXAMPLES_VAR = "PUSHSDK_FUZZ_EXAMPLES"


def fuzz_settings(examples: int) -> settings:
    """``examples`` in the suite, or ``$PUSHSDK_FUZZ_EXAMPLES`` under scripts/fuzz."""
    override = os.environ.get(EXAMPLES_VAR)
    return settings(
        max_examples=int(override) if override else examples,
        deadline=None,  # a loaded machine must not fail a target for being slow
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
