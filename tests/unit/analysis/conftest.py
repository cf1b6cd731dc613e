"""Fixtures of the analysis tests: one Kiwi (about 1 s to load) for the whole session."""

from __future__ import annotations

import pytest

from highpipe.analysis.morph import Morphology


@pytest.fixture(scope="session")
def morph() -> Morphology:
    return Morphology()
