"""Shared by every test environment: Hypothesis's profiles and the grouping of tests for parallel workers
(the rest is in ``tests/support``)."""

from __future__ import annotations

import os

import pytest

try:
    from hypothesis import HealthCheck as _HealthCheck
    from hypothesis import settings as _hypothesis_settings
except ImportError:  # an environment without hypothesis runs no property test
    pass
else:
    # CI replays the same generated examples on every run, so that main stays green for a reason
    # the diff shows; developers' runs draw new examples and keep finding new counterexamples.
    # No timing limits in either: the suite runs on a busy 2-core machine with parallel workers, where
    # a per-example deadline or the too_slow health check fails tests for the load, not the code.
    _untimed = {"deadline": None, "suppress_health_check": [_HealthCheck.too_slow]}
    _hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True, **_untimed)
    _hypothesis_settings.register_profile("dev", print_blob=True, **_untimed)
    _hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks (it appends "@group" to node IDs)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``--dist loadgroup``, a test that uses a module-scoped fixture runs on its module's one
    worker: xdist would otherwise hand the module's tests to several workers and each would build
    the fixture (a Checkov or Prowler run) again. A test that names its own ``xdist_group`` keeps it;
    an expensive session-scoped fixture needs one named by its tests (e.g. the Checkov corpus run).
    Without xdist the mark is inert."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        info = getattr(item, "_fixtureinfo", None)  # pytest's own record of the fixtures a test uses
        if info is None:
            continue
        if any(defs and defs[-1].scope == "module" for defs in info.name2fixturedefs.values()):
            item.add_marker(pytest.mark.xdist_group(f"module:{item.nodeid.split('::', 1)[0]}"))
