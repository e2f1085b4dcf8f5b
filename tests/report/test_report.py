"""`mtorsim report --quick` (issue 7 §1): a self-contained page, its JSON, its record in the store."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from mtorsim.report import network_edges
from mtorsim.report._report import SECTIONS
from mtorsim.store import Store


def _app():
    from mtorsim.cli._app import _register, app
    from mtorsim.cli._report_cmd import register
    _register()
    if not any(c.name == "report" for c in app.registered_commands):
        register(app)
    return app


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    store = tmp_path_factory.mktemp("store")
    result = CliRunner().invoke(_app(), ["report", "--out", str(out), "--quick", "--seed", "7", "--store", str(store), "--quiet"])
    assert result.exit_code == 0, result.output
    return out, store, result.output


def test_html_has_every_section_and_embedded_images(quick_report):
    out, _, _ = quick_report
    html = (out / "report.html").read_text(encoding="utf-8")
    for title in SECTIONS.values():
        assert f">{title}</h2>" in html
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', html)) >= 6
    assert "Virtual BOLERO-2" in html and "hazard ratio" in html and "at-risk" in html


def test_html_loads_nothing_from_outside(quick_report):
    html = (quick_report[0] / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"https?://", html)
    assert "<script" not in html and "<link" not in html


def test_report_json_records_versions_seed_and_parameter_set(quick_report):
    out, _, _ = quick_report
    meta = json.loads((out / "report.json").read_text())
    assert meta["seed"] == 7 and meta["quick"] is True
    assert {"mtorsim", "numpy", "libroadrunner", "matplotlib"} <= set(meta["versions"])
    assert re.fullmatch(r"[0-9a-f]{12}", meta["parameter_set_id"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert meta["parameter_set_id"] in html and "seed 7" in html


def test_run_is_recorded_in_the_store(quick_report):
    out, store, output = quick_report
    meta = json.loads((out / "report.json").read_text())
    runs = Store(store).list(kind="report")
    assert len(runs) == 1 and runs["status"].iloc[0] == "finished"
    assert meta["run_id"] == runs["run_id"].iloc[0]
    card = Store(store).load(meta["run_id"], "scorecard")
    assert card["agree"].dtype == bool
    assert re.search(r"scorecard: \d+/\d+ agree", output)


def test_no_tmp_files_left(quick_report):
    assert sorted(p.name for p in quick_report[0].iterdir()) == ["report.html", "report.json"]


def test_network_edges_are_all_in_the_model():
    edges = network_edges()
    assert len(edges) >= 40
    assert edges["in_network"].all(), edges[~edges.in_network].to_string()


def test_bad_seed_is_one_line_error(tmp_path):
    result = CliRunner().invoke(_app(), ["report", "--out", str(tmp_path), "--quick", "--seed", "-1", "--no-store"])
    assert result.exit_code == 2
    assert "seed" in result.output
