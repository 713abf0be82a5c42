"""Shared fixtures of the o2o Python tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


@pytest.fixture
def maps() -> Path:
    """docs/examples/maps: source maps and the exports they read."""
    return EXAMPLES / "maps"


@pytest.fixture(scope="session")
def sim_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated campaign of 2,000 customers in an event store (shared, read-only)."""
    import o2o

    d = tmp_path_factory.mktemp("sim") / "store"
    o2o.simulate(d, customers=2_000, seed=7)
    return d


@pytest.fixture
def sim_store_copy(sim_store: Path, tmp_path: Path) -> Path:
    """A private copy of the simulated store, for tests that write."""
    d = tmp_path / "store"
    shutil.copytree(sim_store, d)
    return d


def pytest_report_header() -> str:
    import o2o

    return f"o2o {o2o.__version__} from {os.path.dirname(o2o.__file__)}"
