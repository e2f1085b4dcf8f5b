"""Every registered command follows the CLI conventions (docs/cli.md, src/mtorsim/cli/_common.py):
``--help`` with an example, the common options, exit code 2 with a one-line error on bad input,
1 on an unexpected failure, 3 on a solver failure, and the traceback only with ``--debug``."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from mtorsim.cli import app
from mtorsim.cli._common import command_paths, iter_commands

runner = CliRunner()
COMMANDS = dict(iter_commands())

#: commands that other parts of the project add and own (explorer, trials): checked only for a working
#: --help and Click's usage errors, so that their own conventions can land separately
NOT_OWNED_PREFIXES = ("serve", "trial")
#: commands whose only purpose is to print what they list: --quiet would leave them nothing to do
QUIET_EXEMPT = {"runs list", "runs show"}
#: commands that print a table: --format table|csv|json
FORMAT_REQUIRED = {"simulate", "cells", "drugs", "dose-response", "combo", "phenotype", "flagship", "pk", "bench",
                   "validate nelander", "validate scorecard", "runs list", "runs show", "citation"}
#: commands that draw random numbers (or record the seed of what did)
SEED_REQUIRED = {"calibrate", "calibrate-defaults", "report", "pk", "simulate-many"}
#: commands that write their result to a path given as an argument rather than with --out
POSITIONAL_OUTPUT = {"export-sbml", "export-antimony", "export-petab", "runs export", "runs rm", "lint-petab"}


def _owned(path: str) -> bool:
    return not path.startswith(NOT_OWNED_PREFIXES)


def _options(cmd) -> set[str]:
    return {o for p in cmd.params if p.param_type_name == "option" for o in p.opts}


def _error_lines(result) -> list[str]:
    text = result.stderr if result.stderr else result.output
    return [line for line in text.splitlines() if line.strip()]


def test_the_walk_finds_the_commands():
    paths = command_paths()
    assert {"simulate", "combo", "citation", "runs list", "validate scorecard", "petab evaluate"} <= set(paths)
    assert len(paths) == len(set(paths))


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_works_and_shows_an_example(path):
    r = runner.invoke(app, [*path.split(), "--help"])
    assert r.exit_code == 0, r.output
    if _owned(path):
        assert "Example" in (COMMANDS[path].help or ""), f"`mtorsim {path} --help` has no example"
        assert "Example" in r.output


@pytest.mark.parametrize("path", sorted(p for p in COMMANDS if _owned(p)))
def test_common_options(path):
    opts = _options(COMMANDS[path])
    if path not in QUIET_EXEMPT:
        assert "--quiet" in opts, f"mtorsim {path} has no --quiet"
    if path in FORMAT_REQUIRED:
        assert "--format" in opts, f"mtorsim {path} has no --format"
    if path in SEED_REQUIRED:
        assert "--seed" in opts, f"mtorsim {path} has no --seed"
    if path not in POSITIONAL_OUTPUT and path not in {"runs list", "runs show", "bench"}:
        assert "--out" in opts, f"mtorsim {path} writes nothing with --out"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_unknown_option_is_a_usage_error_with_exit_code_2(path):
    r = runner.invoke(app, [*path.split(), "--no-such-option"])
    assert r.exit_code == 2


BAD_INPUTS = {
    "unknown cell": ["simulate", "--cell", "MCF-8"],
    "bad dose unit": ["simulate", "--drug", "everolimus=10parsec"],
    "unknown drug in a screen": ["dose-response", "--drug", "everolimux", "--quiet"],
    "non-square grid": ["combo", "--grid", "3x4", "--quiet"],
    "unknown cell in phenotype": ["phenotype", "--cells", "NOPE-1"],
    "bad --format (cells)": ["cells", "--format", "xml"],
    "bad --format (drugs)": ["drugs", "--format", "yaml"],
    "bad --format (scorecard)": ["validate", "scorecard", "--format", "xml"],
    "bad --format (nelander)": ["validate", "nelander", "--format", "xml"],
    "bad --format (flagship)": ["flagship", "--format", "html"],
    "bad --format (bench)": ["bench", "--format", "xml"],
    "bad --format (citation)": ["citation", "--format", "xml"],
    "unknown drug in citation": ["citation", "--drug", "everolimux"],
    "no PK model": ["pk", "--drug", "nosuchdrug", "--regimen", "10 mg daily"],
    "missing SBML file": ["simulate-sbml", "no/such/model.xml", "--out", "x.csv"],
    "missing PEtab problem": ["petab", "evaluate", "no/such/problem.yaml"],
    "missing conditions table": ["simulate-many", "no/such/conditions.csv", "--out", "OUT"],
}


@pytest.mark.parametrize("args", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_with_exit_code_2(args, tmp_path):
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    lines = _error_lines(r)
    assert len(lines) == 1 and lines[0].startswith("error:"), r.output
    assert "Traceback" not in r.output


def test_unknown_run_in_the_store_is_bad_input(tmp_path):
    for args in (["citation", "--run", "nosuchrun"], ["runs", "show", "nosuchrun"]):
        r = runner.invoke(app, [*args, "--store", str(tmp_path / "store")])
        assert r.exit_code == 2, r.output
        assert len(_error_lines(r)) == 1


def test_debug_shows_the_exception_instead(monkeypatch):
    from mtorsim import InputError

    r = runner.invoke(app, ["--debug", "simulate", "--cell", "MCF-8"])
    assert isinstance(r.exception, InputError)
    r = runner.invoke(app, ["simulate", "--cell", "MCF-8"])
    assert r.exit_code == 2 and r.exception is None or isinstance(r.exception, SystemExit)


def test_unexpected_error_is_one_line_with_exit_code_1(monkeypatch):
    import mtorsim.biology

    def boom():
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(mtorsim.biology, "cells_table", boom)
    r = runner.invoke(app, ["cells"])
    assert r.exit_code == 1
    lines = _error_lines(r)
    assert len(lines) == 1 and "unexpected RuntimeError: disk on fire second line" in lines[0] and "--debug" in lines[0]


def test_solver_failure_has_exit_code_3(monkeypatch):
    import mtorsim
    from mtorsim import SimulationError

    def fail(*a, **k):
        raise SimulationError("treatment", "CVODE failed between 0 h and 1 h: CV_TOO_MUCH_WORK", context={"cell": "MCF7"})

    monkeypatch.setattr(mtorsim, "simulate", fail)
    r = runner.invoke(app, ["simulate", "--cell", "MCF7"])
    assert r.exit_code == 3
    assert _error_lines(r) == ["error: simulation failed during treatment: CVODE failed between 0 h and 1 h: "
                               "CV_TOO_MUCH_WORK (cell=MCF7)"]


def test_printed_tables_are_what_the_api_returns():
    from mtorsim import cells_table, drugs_table

    r = runner.invoke(app, ["cells", "--format", "csv"])
    assert r.exit_code == 0, r.output
    printed = pd.read_csv(io.StringIO(r.stdout), index_col=0)
    api = cells_table()
    assert list(printed.index) == list(api.index)
    assert list(printed["alterations"].fillna("")) == list(api["alterations"].fillna(""))
    r = runner.invoke(app, ["drugs", "--format", "json"])
    records = json.loads(r.stdout)
    assert [rec["drug"] for rec in records] == list(drugs_table().index)


def test_quiet_prints_nothing(tmp_path):
    r = runner.invoke(app, ["export-antimony", str(tmp_path / "m.ant"), "--quiet"])
    assert r.exit_code == 0 and r.output == ""
    assert "species" in (tmp_path / "m.ant").read_text()


def test_citation_of_a_recorded_run(tmp_path):
    """`mtorsim citation --run` reads the run's cell line and drugs back from the store."""
    import mtorsim
    from mtorsim.store import Store, record_simulation

    store = Store(tmp_path / "store")
    ds = mtorsim.simulate("T47D", drugs=["alpelisib=1uM"], hours=2, n_points=3)
    rid = record_simulation(ds, store=store)
    r = runner.invoke(app, ["citation", "--run", rid[:6], "--store", str(tmp_path / "store"), "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["run_id"] == rid and doc["kind"] == "simulate"
    items = {(s["kind"], s["item"]) for s in doc["sources"]}
    assert ("drug", "alpelisib → pi3k_alpha") in items
    assert any(k == "genotype" and i.startswith("T47D: ") for k, i in items)
    assert any(k == "method" and "libRoadRunner" in i for k, i in items)
    assert not any(k == "drug" and i.startswith("everolimus") for k, i in items)
    r = runner.invoke(app, ["citation", "--run", rid, "--store", str(tmp_path / "store"), "--format", "bibtex"])
    assert r.stdout.startswith("@article{somogyi2015,") and "doi = {10.1093/bioinformatics/btv363}" in r.stdout


def test_citation_of_a_combination_names_the_synergy_methods():
    from mtorsim import citation
    from mtorsim.evidence._citation import format_citation

    tab = citation("MCF7", ["everolimus", "fulvestrant"], kind="combo", methods=["bliss"])
    methods = " ".join(tab.loc[tab.kind == "method", "source"])
    assert "Bliss 1939" in methods and "Yadav" not in methods and "Hafner et al. 2016" in methods
    assert "data set" in set(tab.kind)  # the fate layer is fitted to HMS LINCS: named as a data set
    text = format_citation(tab, "text")
    assert "Methods (" in text and "Data sets (" in text


def test_simulate_prints_what_simulate_returns():
    import numpy as np

    import mtorsim

    r = runner.invoke(app, ["simulate", "--cell", "BT-474", "--drug", "alpelisib=1uM", "--hours", "24", "--points", "9",
                            "--format", "json"])
    assert r.exit_code == 0, r.output
    printed = pd.DataFrame(json.loads(r.stdout)).set_index("time_h")
    ds = mtorsim.simulate("BT-474", drugs=["alpelisib=1uM"], hours=24, n_points=9)
    for name in ("pAKT_S473", "pS6K1_T389"):
        expected = ds[name].sel(time=printed.index.values).values
        np.testing.assert_allclose(printed[name].values, expected, rtol=1e-12)
