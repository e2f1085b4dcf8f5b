"""The scorecard (issue 5 §5): one row per evidence-backed check, with booleans."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from mtorsim.evidence._scorecard import COLUMNS, scorecard

CORE_IDS = {"C01", "C02", "C05", "C11", "C12", "C13", "C14", "C19", "C06", "C07", "C17", "C24", "C15", "C16", "C21"}


@pytest.fixture(scope="module")
def quick_card():
    t = time.perf_counter()
    card = scorecard(quick=True)
    return card, time.perf_counter() - t


def test_quick_scorecard_has_a_row_for_each_core_evidence_id(quick_card):
    card, _ = quick_card
    assert tuple(card.columns) == COLUMNS
    ids = {i for e in card["evidence"] for i in e.split("/")}
    assert CORE_IDS <= ids
    assert card["agree"].dtype == bool
    assert card["model"].str.len().gt(0).all() and card["published"].str.len().gt(0).all()


def test_core_checks_agree_as_the_evidence_tests_assert(quick_card):
    """tests/evidence/test_published_behaviour.py asserts these same criteria, so they must all agree."""
    card, _ = quick_card
    core = card[card.group == "core model"]
    assert core["agree"].all(), core[~core.agree].to_string()


def test_statements_come_from_the_evidence_base(quick_card, shared_data):
    card, _ = quick_card
    row = card[card.evidence == "C14"].iloc[0]
    assert "Sarbassov" in row["statement"] or "mTORC2" in row["statement"]
    assert (card.evidence == "Nelander2008").any()


def test_quick_scorecard_is_fast(quick_card):
    assert quick_card[1] < 20


def test_validate_scorecard_json_and_last_line():
    from mtorsim.cli._app import _register, app
    from mtorsim.cli._report_cmd import register
    _register()
    if not any(c.name == "report" for c in app.registered_commands):
        register(app)
    result = CliRunner().invoke(app, ["validate", "scorecard", "--quick", "--json"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    payload = json.loads(lines[0])
    assert payload["total"] == len(payload["checks"]) and payload["agree"] <= payload["total"]
    assert lines[-1] == f"scorecard: {payload['agree']}/{payload['total']} agree"
