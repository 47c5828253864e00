"""pytest configuration shared by every pyj4 test.

What it provides:
  * ``no_leaks`` fixture (or ``@pytest.mark.no_leaks``): asserts that ``pj.memory()["allocated_bytes"]``
    is back at its value from before the test once the test's objects are gone.
  * ``@pytest.mark.cuda`` tests are skipped unless the CUDA backend is available;
    ``@pytest.mark.parity`` tests are skipped unless torch is installed (the ``parity`` extra).
  * Hypothesis: no per-example deadline (the JVM's JIT makes first calls slow); derandomized on CI.
  * The header (and, under ``-q``, the summary) names the active backend.

pyj4 is imported lazily, so a broken package shows up as failing tests, not as a broken session.
"""
from __future__ import annotations

import gc
import os
import sys

import pytest

try:
    from hypothesis import HealthCheck, settings

    settings.register_profile("pyj4", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile(
        "pyj4-ci", parent=settings.get_profile("pyj4"), derandomize=True, database=None, print_blob=True
    )
    _ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("pyj4-ci" if _ci else "pyj4"))
except ImportError:  # hypothesis is a test extra; tests that need it import it themselves
    pass


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "no_leaks: assert that pj.memory()['allocated_bytes'] returns to its baseline after the test"
    )


def _runtime_summary() -> str:
    from pyj4 import _jvm

    jars = _jvm.classpath()
    import jpype
    import pyj4 as pj

    backend = pj.backend()  # starts the JVM
    java = ".".join(map(str, jpype.getJVMVersion()))
    return f"pyj4 backend: {backend} (available: {', '.join(pj.backends())}); java {java}; {len(jars)} jars"


def pytest_report_header(config: pytest.Config) -> list[str]:
    try:
        return [_runtime_summary()]
    except Exception as e:  # noqa: BLE001 - the header must never break the session
        return [f"pyj4 backend: unavailable ({type(e).__name__}: {e})"]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    # Under -q the header is not printed; name the backend at the end instead (if the tests started it).
    if config.get_verbosity() < 0 and "pyj4" in sys.modules:
        try:
            import jpype

            if jpype.isJVMStarted():
                terminalreporter.write_line(_runtime_summary())
        except Exception:  # noqa: BLE001
            pass


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("no_leaks") and "no_leaks" not in getattr(item, "fixturenames", ()):
            item.fixturenames.append("no_leaks")

    if any(item.get_closest_marker("cuda") for item in items):
        try:
            import pyj4 as pj

            has_cuda = "cuda" in pj.backends()
        except Exception:  # noqa: BLE001
            has_cuda = False
        if not has_cuda:
            skip = pytest.mark.skip(reason="CUDA backend not available in this process")
            for item in items:
                if item.get_closest_marker("cuda"):
                    item.add_marker(skip)

    if any(item.get_closest_marker("parity") for item in items):
        try:
            import torch  # noqa: F401

            has_torch = True
        except ImportError:
            has_torch = False
        if not has_torch:
            skip = pytest.mark.skip(reason="torch not installed (pip install -e '.[parity]')")
            for item in items:
                if item.get_closest_marker("parity"):
                    item.add_marker(skip)


def _allocated() -> int:
    import pyj4 as pj

    gc.collect()
    return int(pj.memory()["allocated_bytes"])


@pytest.fixture
def no_leaks():
    """Fails the test if off-heap bytes allocated during it are still allocated after it."""
    before = _allocated()
    yield
    after = _allocated()
    # <=, not ==: memory that earlier tests left to the Java GC may be freed during this one; a leak
    # of this test still shows as growth.
    assert after <= before, (
        f"off-heap memory leak: allocated_bytes was {before} before the test and {after} after "
        f"({after - before:+d} bytes)"
    )
