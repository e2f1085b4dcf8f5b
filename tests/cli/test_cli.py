"""The command line: thin over the API, one-line errors, exit codes."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from mtorsim.cli import app
from mtorsim.cli._app import _register

_register()
runner = CliRunner()


def test_simulate_writes_a_tidy_csv(tmp_path):
    out = tmp_path / "x.csv"
    r = runner.invoke(app, ["simulate", "--cell", "mcf-7", "--drug", "everolimus=10nM", "--hours", "24", "--out", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert set(df.observable) >= {"pAKT_S473", "pS6K1_T389"}
    assert (df.cell == "MCF7").all()


def test_unknown_drug_is_one_line_with_exit_code_2():
    r = runner.invoke(app, ["simulate", "--drug", "everolimux=10nM"])
    assert r.exit_code == 2
    assert "everolimus" in r.output and "Traceback" not in r.output


def test_bad_hours_exit_code_2():
    r = runner.invoke(app, ["simulate", "--hours", "0"])
    assert r.exit_code == 2 and "hours" in r.output


def test_catalogue_commands():
    assert "MCF7" in runner.invoke(app, ["cells"]).output
    assert "everolimus" in runner.invoke(app, ["drugs"]).output


def test_export_sbml(tmp_path):
    r = runner.invoke(app, ["export-sbml", str(tmp_path / "m.xml")])
    assert r.exit_code == 0 and (tmp_path / "m.xml").stat().st_size > 10000


def test_flagship_writes_table_and_plot(tmp_path):
    r = runner.invoke(app, ["flagship", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "flagship.png").stat().st_size > 10000
    df = pd.read_csv(tmp_path / "flagship.csv")
    assert set(df.treatment) == {"untreated", "everolimus 10nM"}
