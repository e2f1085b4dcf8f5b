"""Fixtures of the calibration tests: the synthetic problem of ``_synthetic.py`` in a tmp folder."""

from __future__ import annotations

import pytest

from _synthetic import write_problem


@pytest.fixture
def synthetic(tmp_path):
    return write_problem(tmp_path / "synth")
