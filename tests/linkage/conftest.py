"""A small generated borough, imported and linked, shared by the linkage tests."""

from pathlib import Path

import pytest

from lantern.intake.generator import generate
from lantern.intake.importer import import_paths
from lantern.linkage.selectors import read_truth


@pytest.fixture(scope="session")
def small_borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generate about 4,000 person records of Hackney once per test session."""
    out = tmp_path_factory.mktemp("hackney")
    generate(out, years=1, scale=0.3, boroughs="E09000012", seed=5, workers=1)
    return out


@pytest.fixture
def imported(small_borough: Path, db: None) -> dict[tuple[str, str], str]:
    """Import the small borough (each record its own person until linked); return the truth."""
    import_paths([small_borough], workers=1)
    return read_truth(small_borough / "truth.jsonl")
