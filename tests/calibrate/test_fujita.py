"""Published PEtab benchmark problems (Fujita 2010, Brännmark 2010) through ``evaluate_petab``.

References
----------
* Problems and ``simulatedData_*.tsv``: Benchmarking-Initiative/Benchmark-Models-PEtab @4d20850
  (``shared/data/models/petab``).
* Nominal log-likelihoods from an independent implementation: PEtab.jl's test suite
  (sebapersson/PEtab.jl, ``test_loglikelihood`` with Rodas4P, abstol = reltol = 1e-12, tolerance 1e-3):
  Fujita_SciSignal2010 cost −53.08377736998929 (i.e. llh = +53.08377736998929),
  Brannmark_JBC2010 cost 141.889113770537 (llh = −141.889113770537).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from mtorsim._data import data_dir
from mtorsim._errors import InputError, SimulationError
from mtorsim.calibrate import PetabEvaluator, evaluate_petab
from mtorsim.simulate._sbml import IntegratorOptions

_DATA = data_dir()
pytestmark = pytest.mark.skipif(
    _DATA is None or not (_DATA / "models" / "petab" / "Fujita_SciSignal2010").is_dir(),
    reason="shared data directory absent (set MTORSIM_DATA_DIR): models/petab benchmark problems not found")

FUJITA_LLH_PETABJL = 53.08377736998929
BRANNMARK_LLH_PETABJL = -141.889113770537


def _dir(name):
    return _DATA / "models" / "petab" / name


@pytest.fixture(scope="module")
def fujita():
    return PetabEvaluator(_dir("Fujita_SciSignal2010") / "Fujita_SciSignal2010.yaml")


@pytest.fixture(scope="module")
def fujita_nominal(fujita):
    return fujita()


@pytest.fixture(scope="module")
def fujita_reference():
    return pd.read_csv(_dir("Fujita_SciSignal2010") / "simulatedData_Fujita_SciSignal2010.tsv", sep="\t")


def test_fujita_nominal_llh_matches_petab_jl(fujita_nominal):
    assert fujita_nominal.ok
    assert fujita_nominal.llh == pytest.approx(FUJITA_LLH_PETABJL, abs=1e-3)
    assert fujita_nominal.chi2 == pytest.approx(761.0655, abs=1e-3)


def test_fujita_objective_matches_petab_library(fujita, fujita_nominal):
    from petab.v1.calculate import calculate_chi2, calculate_llh

    p = fujita.problem
    args = (p.measurement_df, fujita_nominal.simulations, p.observable_df, p.parameter_df)
    assert fujita_nominal.llh == pytest.approx(calculate_llh(*args), rel=1e-12)
    assert fujita_nominal.chi2 == pytest.approx(calculate_chi2(*args), rel=1e-12)


def _aligned(res, ref):
    sim = res.simulations
    assert list(sim["observableId"]) == list(ref["observableId"])
    np.testing.assert_array_equal(sim["time"].to_numpy(float), ref["time"].to_numpy(float))
    # the reference names conditions model1_data1..6 in the same order as the measurement table
    assert sim["simulationConditionId"].nunique() == ref["simulationConditionId"].nunique()
    return sim["simulation"].to_numpy(float), ref["simulation"].to_numpy(float)


def test_fujita_reproduces_simulated_data_to_one_percent_of_each_peak(fujita_nominal, fujita_reference):
    """Each time course agrees with ``simulatedData`` within 1 % of its peak (measured: ≤ 0.9 %)."""
    ours, ref = _aligned(fujita_nominal, fujita_reference)
    df = fujita_reference.assign(diff=np.abs(ours - ref), absref=np.abs(ref))
    peak = df.groupby(["simulationConditionId", "observableId"])["absref"].transform("max")
    assert float((df["diff"] / peak).max()) < 1e-2


@pytest.mark.xfail(strict=True, reason=(
    "simulatedData_Fujita_SciSignal2010.tsv was not produced at the problem's nominal parameters with a "
    "tight solver: the log-likelihood it implies is 52.840 (petab.v1.calculate), whereas PEtab.jl's "
    "reference (53.083777) and ours (53.083784) agree; pointwise it differs from us by up to 39 % "
    "where pEGFR has decayed to <1 % of its peak (t = 3600 s)"))
def test_fujita_reproduces_simulated_data_pointwise(fujita_nominal, fujita_reference):
    ours, ref = _aligned(fujita_nominal, fujita_reference)
    np.testing.assert_allclose(ours, ref, rtol=1e-3, atol=1e-12)


def test_fujita_simulated_data_implies_a_different_llh(fujita, fujita_reference):
    """Documents the reference file's own log-likelihood (see the xfail above)."""
    from petab.v1.calculate import calculate_llh

    p = fujita.problem
    sim = p.measurement_df.rename(columns={"measurement": "simulation"})
    sim["simulation"] = fujita_reference["simulation"].to_numpy(float)
    assert calculate_llh(p.measurement_df, sim, p.observable_df, p.parameter_df) == pytest.approx(52.8402, abs=1e-3)


def test_fujita_scaled_parameters_round_trip(fujita, fujita_nominal):
    scaled = {pid: math.log10(v) for pid, v in fujita.nominal.items()}  # all parameters are log10-scaled
    res = fujita(scaled, scaled=True)
    assert res.llh == pytest.approx(fujita_nominal.llh, rel=1e-9)


def test_fujita_parameter_change_changes_objective(fujita, fujita_nominal):
    res = fujita({"scaling_pAkt_tot": 2 * fujita.nominal["scaling_pAkt_tot"]})
    assert res.llh < fujita_nominal.llh
    again = fujita()
    assert again.llh == fujita_nominal.llh  # no state leaks between evaluations


def test_unknown_parameter_is_named(fujita):
    with pytest.raises(InputError, match="not_a_parameter"):
        fujita({"not_a_parameter": 1.0})


def test_solver_failure_is_recorded_or_raised():
    yaml_path = _dir("Fujita_SciSignal2010") / "Fujita_SciSignal2010.yaml"
    ev = PetabEvaluator(yaml_path, integrator=IntegratorOptions(max_steps=3))
    res = ev()
    assert not res.ok and math.isnan(res.llh) and math.isnan(res.chi2)
    assert set(res.conditions["status"]) == {"failed"}
    assert res.conditions["message"].str.contains("CVODE").all()
    with pytest.raises(SimulationError) as info:
        ev(on_failure="raise")
    assert info.value.stage == "simulation"
    assert info.value.context["simulationConditionId"].startswith("condition_step")


def test_invalid_problem_reports_petab_lint(tmp_path):
    """A measurement that names an unknown observable fails with petab's lint message."""
    src = _dir("Fujita_SciSignal2010")
    for f in src.iterdir():
        if f.is_file():
            (tmp_path / f.name).write_bytes(f.read_bytes())
    meas = tmp_path / "measurementData_step_Fujita_SciSignal2010.tsv"
    df = pd.read_csv(meas, sep="\t")
    df.loc[3, "observableId"] = "pERK_tot"
    df.to_csv(meas, sep="\t", index=False)
    with pytest.raises(InputError, match="pERK_tot"):
        evaluate_petab(tmp_path / "Fujita_SciSignal2010.yaml")


def test_brannmark_evaluates_with_preequilibration():
    d = _dir("Brannmark_JBC2010")
    res = evaluate_petab(d / "Brannmark_JBC2010.yaml")
    assert res.ok, res.conditions
    assert (res.conditions["preequilibrationConditionId"] == "Dose_0").all()
    assert res.llh == pytest.approx(BRANNMARK_LLH_PETABJL, abs=1e-3)
    ref = pd.read_csv(d / "simulatedData_Brannmark_JBC2010.tsv", sep="\t")
    np.testing.assert_allclose(res.simulations["simulation"].to_numpy(float), ref["simulation"].to_numpy(float),
                               rtol=1e-4)


def test_fujita_side_by_side_with_pypesto(fujita_nominal):
    """pyPESTO's roadrunner objective on Fujita (``fval`` = −llh) against mtorsim's, in the same run.

    pyPESTO 0.7's roadrunner importer refuses timepoint-specific observable/noise overrides, which Fujita
    uses; petab's own ``flatten_timepoint_specific_output_overrides`` rewrites them as separate
    observables (the standard workaround; the likelihood is unchanged). Measured: pyPESTO −53.08396,
    mtorsim 53.08378 (PEtab.jl reference 53.083777)."""
    pypesto_rr = pytest.importorskip("pypesto.objective.roadrunner", reason="pypesto is not installed")
    from petab.v1 import Problem, flatten_timepoint_specific_output_overrides

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = Problem.from_yaml(_dir("Fujita_SciSignal2010") / "Fujita_SciSignal2010.yaml")
        flatten_timepoint_specific_output_overrides(p)
        try:
            objective = pypesto_rr.PetabImporterRR(p).create_objective()
        except ValueError as exc:
            if "Timepoint-specific parameter overrides" in str(exc):
                pytest.xfail(f"pyPESTO's roadrunner importer cannot evaluate Fujita: {exc}")
            raise
        fval = float(objective(np.asarray(p.x_nominal_free_scaled)))
    assert -fval == pytest.approx(fujita_nominal.llh, abs=1e-3)


def test_cli_evaluate_writes_simulation_table(tmp_path):
    import typer
    from typer.testing import CliRunner

    from mtorsim.cli._petab_cmd import register

    app = typer.Typer()
    register(app)

    @app.command()
    def _noop() -> None:  # a second command keeps `petab` a sub-command
        pass

    problem = _dir("Fujita_SciSignal2010") / "Fujita_SciSignal2010.yaml"
    result = CliRunner().invoke(app, ["petab", "evaluate", str(problem), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "53.0837" in result.output and "761.06" in result.output
    table = pd.read_csv(tmp_path / "simulations.tsv", sep="\t")
    assert "simulation" in table.columns and len(table) == 144
    bad = CliRunner().invoke(app, ["petab", "evaluate", str(tmp_path / "missing.yaml")])
    assert bad.exit_code != 0 and "missing.yaml" in bad.output
