"""``calibrate``, ``profile``, ``lint-petab`` and ``export-petab`` commands (registered on a fresh app,
so the tests do not depend on how the main application wires them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "calibrate"))
from _synthetic import write_problem  # noqa: E402  (the synthetic PEtab problem of tests/calibrate)

from mtorsim._data import data_dir  # noqa: E402
from mtorsim.cli._calibrate_cmd import register  # noqa: E402

app = typer.Typer()


@app.callback()
def _root() -> None:
    pass


register(app)
runner = CliRunner()


def test_calibrate_then_profile(tmp_path):
    problem = write_problem(tmp_path / "p", noise=0.05, seed=2)
    r = runner.invoke(app, ["calibrate", str(problem), "--starts", "2", "--out", str(tmp_path / "fit"), "--quiet"])
    assert r.exit_code == 0, r.output
    # the gradient method is printed (forward sensitivities, or finite differences when they are unavailable)
    assert "parameter set" in r.output and ("finite differences" in r.output or "sensitivities" in r.output)
    assert len(list((tmp_path / "fit" / "starts").glob("*.json"))) == 2
    r = runner.invoke(app, ["profile", str(problem), "--from", str(tmp_path / "fit"), "--parameter", "k1",
                            "--out", str(tmp_path / "prof")])
    assert r.exit_code == 0, r.output
    v = pd.read_csv(tmp_path / "prof" / "verdicts.tsv", sep="\t")
    assert v.loc[0, "verdict"] == "identifiable"
    assert (tmp_path / "prof" / "profile_k1.png").is_file()


def test_lint_reports_file_row_column_and_exit_code_2(tmp_path):
    problem = write_problem(tmp_path / "p")
    m = pd.read_csv(problem.parent / "measurements.tsv", sep="\t", dtype=str)
    m.loc[0, "time"] = "soon"
    m.to_csv(problem.parent / "measurements.tsv", sep="\t", index=False)
    r = runner.invoke(app, ["lint-petab", str(problem)])
    assert r.exit_code == 2 and "measurements.tsv" in r.output and "soon" in r.output
    r = runner.invoke(app, ["calibrate", str(problem), "--starts", "1", "--out", str(tmp_path / "fit")])
    assert r.exit_code == 2 and "row 2, column time" in r.output.replace("\n", " ")
    assert "Traceback" not in r.output


@pytest.mark.skipif(data_dir() is None or not (data_dir() / "phospho" / "nelander2008_MCF7").is_dir(),
                    reason="shared data directory absent (set MTORSIM_DATA_DIR)")
def test_export_petab(tmp_path):
    r = runner.invoke(app, ["export-petab", str(tmp_path / "x")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "x" / "mtorsim.yaml").is_file()
