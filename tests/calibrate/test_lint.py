"""Bad input: malformed or inconsistent PEtab tables are reported with file, row and column before any fit.

Each test writes a deliberately broken copy of a problem to ``tmp_path`` (the synthetic problem of
_synthetic.py, and Brännmark 2010 from the shared data when present).
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from _synthetic import write_problem
from mtorsim._data import data_dir
from mtorsim._errors import InputError
from mtorsim.calibrate import calibrate, lint_petab


def _edit(path, fn):
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, sep="\t", index=False)


def _find(issues, file, row, column):
    return [i for i in issues if i.file == file and i.row == row and i.column == column]


def test_a_clean_problem_has_no_errors(synthetic):
    assert [i for i in lint_petab(synthetic) if i.severity == "error"] == []


def test_bad_cells_are_located_by_file_row_and_column(tmp_path):
    problem = write_problem(tmp_path / "p")
    folder = problem.parent

    def meas(df):
        df.loc[2, "time"] = "abc"            # file row 4
        df.loc[4, "observableId"] = "obs_X"  # file row 6
        df.loc[5, "simulationConditionId"] = "nowhere"
        return df

    def par(df):
        df.loc[0, "lowerBound"] = "-1"       # log10 parameter with a negative bound (row 2)
        df.loc[1, "parameterScale"] = "ln"   # row 3
        return df

    _edit(folder / "measurements.tsv", meas)
    _edit(folder / "parameters.tsv", par)
    issues = lint_petab(problem)
    assert _find(issues, "measurements.tsv", 4, "time")
    assert _find(issues, "measurements.tsv", 6, "observableId")
    assert _find(issues, "measurements.tsv", 7, "simulationConditionId")
    assert _find(issues, "parameters.tsv", 2, "lowerBound")
    assert _find(issues, "parameters.tsv", 3, "parameterScale")
    with pytest.raises(InputError) as exc:
        calibrate(problem, starts=1, progress=False)
    msg = str(exc.value)
    assert "measurements.tsv, row 4, column time" in msg and "parameters.tsv, row 3, column parameterScale" in msg


def test_formula_and_override_problems(tmp_path):
    problem = write_problem(tmp_path / "p")
    folder = problem.parent
    _edit(folder / "observables.tsv", lambda df: df.assign(observableFormula="s * B + unknown_thing",
                                                           noiseDistribution="cauchy"))
    _edit(folder / "measurements.tsv", lambda df: df.assign(noiseParameters=["0.1"] + [""] * (len(df) - 1)))
    issues = lint_petab(problem)
    assert _find(issues, "observables.tsv", 2, "observableFormula")
    assert _find(issues, "observables.tsv", 2, "noiseDistribution")
    assert _find(issues, "measurements.tsv", 2, "noiseParameters")  # one value, no placeholder


def test_missing_columns_duplicates_and_missing_files(tmp_path):
    problem = write_problem(tmp_path / "p")
    folder = problem.parent
    _edit(folder / "parameters.tsv", lambda df: pd.concat([df, df.iloc[[0]]]).drop(columns=["estimate"]))
    (folder / "conditions.tsv").unlink()
    issues = lint_petab(problem)
    assert _find(issues, "parameters.tsv", 1, "estimate")
    assert _find(issues, "parameters.tsv", 6, "parameterId")  # duplicate of row 2
    assert any(i.file == "problem.yaml" and "conditions.tsv not found" in i.message for i in issues)


def test_unknown_condition_column_and_non_numeric_condition_value(tmp_path):
    problem = write_problem(tmp_path / "p")
    _edit(problem.parent / "conditions.tsv", lambda df: df.assign(not_in_model="1", k1="fast"))
    issues = lint_petab(problem)
    assert _find(issues, "conditions.tsv", 1, "not_in_model")
    assert _find(issues, "conditions.tsv", 2, "k1")


@pytest.mark.skipif(data_dir() is None or not (data_dir() / "models" / "petab" / "Brannmark_JBC2010").is_dir(),
                    reason="shared data directory absent (set MTORSIM_DATA_DIR)")
def test_broken_copy_of_brannmark(tmp_path):
    src = data_dir() / "models" / "petab" / "Brannmark_JBC2010"
    dst = tmp_path / "brannmark"
    shutil.copytree(src, dst)
    for f in dst.iterdir():
        f.chmod(0o644)
    assert [i for i in lint_petab(dst / "Brannmark_JBC2010.yaml") if i.severity == "error"] == []
    path = dst / "measurementData_Brannmark_JBC2010.tsv"
    _edit(path, lambda df: df.assign(measurement=["n/a"] + list(df["measurement"][1:])))
    _edit(dst / "parameters_Brannmark_JBC2010.tsv",
          lambda df: df.assign(upperBound=["1e-9"] + list(df["upperBound"][1:])))
    issues = lint_petab(dst / "Brannmark_JBC2010.yaml")
    assert _find(issues, path.name, 2, "measurement")
    assert _find(issues, "parameters_Brannmark_JBC2010.tsv", 2, "upperBound")
