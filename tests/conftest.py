"""Shared by every test environment: Hypothesis's profiles (the rest is in ``tests/support``)."""

from __future__ import annotations

import os

try:
    from hypothesis import settings as _hypothesis_settings
except ImportError:  # an environment without hypothesis runs no property test
    pass
else:
    # CI replays the same generated examples on every run, so that main stays green for a reason
    # the diff shows; developers' runs draw new examples and keep finding new counterexamples.
    _hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
    _hypothesis_settings.register_profile("dev", print_blob=True)
    _hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")
