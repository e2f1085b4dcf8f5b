"""Shared fixtures. Warnings are errors (pyproject: filterwarnings = error)."""

from __future__ import annotations

import pytest

from mtorsim._data import data_dir


@pytest.fixture(scope="session")
def shared_data():
    d = data_dir()
    if d is None:
        pytest.skip("shared data directory absent: set MTORSIM_DATA_DIR or place ../shared/data beside the project")
    return d
