"""Any SBML model through ``simulate_sbml`` and ``simulate_many(model=...)``.

References
----------
* BioModels (CC0, ``shared/data/models/sbml``): BIOMD0000000640 (Dalle Pezze 2016), BIOMD0000000175
  (Birtwistle 2007), BIOMD0000000822 (Dorvash 2019, rapamycin dosing as an SBML event), each run
  with libRoadRunner directly at the same tolerances and output times.
* Fujita_SciSignal2010 ``simulatedData`` (Benchmarking-Initiative/Benchmark-Models-PEtab @4d20850),
  known to deviate from a tight-tolerance simulation by up to ~1 % of each peak (tests/calibrate/test_fujita.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import roadrunner
import xarray as xr

from mtorsim import InputError
from mtorsim._data import data_dir
from mtorsim.simulate import IntegratorOptions, SbmlModel, TimedChange, simulate_many, simulate_sbml

_DATA = data_dir()
_SBML = _DATA / "models" / "sbml" if _DATA is not None else None
_FUJITA = _DATA / "models" / "petab" / "Fujita_SciSignal2010" if _DATA is not None else None
needs_data = pytest.mark.skipif(_SBML is None or not _SBML.is_dir(),
                                reason="shared data directory absent (set MTORSIM_DATA_DIR): models/sbml not found")


def _direct(path, times, selections, opts=IntegratorOptions(), params=None):
    rr = roadrunner.RoadRunner(str(path))
    rr.integrator.relative_tolerance, rr.integrator.absolute_tolerance = opts.rtol, opts.atol
    rr.integrator.maximum_num_steps = opts.max_steps
    for k, v in (params or {}).items():
        rr.setValue(k, v)
    rr.timeCourseSelections = ["time", *selections]
    return np.asarray(rr.simulate(times=list(times)))


@needs_data
@pytest.mark.parametrize("model_id, t_end, n", [
    ("BIOMD0000000640", 120.0, 61),
    ("BIOMD0000000175", 3600.0, 121),
    ("BIOMD0000000822", 2000.0, 201),   # the dose event fires at t >= 240
])
def test_matches_roadrunner_run_directly(model_id, t_end, n):
    path = _SBML / f"{model_id}.xml"
    ds = simulate_sbml(path, t_end=t_end, n_points=n)
    rr = roadrunner.RoadRunner(str(path))
    species = [*rr.model.getFloatingSpeciesIds(), *rr.model.getBoundarySpeciesIds()]
    assert list(ds.data_vars)[:len(species)] == species
    sel = [f"[{s}]" for s in species]
    direct = _direct(path, np.linspace(0, t_end, n), sel)
    np.testing.assert_array_equal(ds["time"].values, direct[:, 0])
    got = np.column_stack([ds[s].values for s in species])
    np.testing.assert_allclose(got, direct[:, 1:], rtol=1e-10, atol=1e-14)
    for key in ("model_sha256", "time_units", "parameter_set_id", "solver", "created", "version_mtorsim"):
        assert key in ds.attrs
    assert ds["time"].attrs["units"] == ds.attrs["time_units"]


@needs_data
def test_time_unit_is_read_and_hours_are_converted():
    path = _SBML / "BIOMD0000000640.xml"             # declares time in minutes
    ds = simulate_sbml(path, hours=2, n_points=5, selections=["Akt"])
    assert ds.attrs["time_units"] == "minute" and ds["time"].values[-1] == 120.0
    with pytest.raises(InputError, match="does not declare"):
        simulate_sbml(_SBML / "BIOMD0000000822.xml", hours=1)   # declares no time unit


@needs_data
def test_parameter_override_matches_roadrunner():
    path = _SBML / "BIOMD0000000640.xml"
    m = SbmlModel(path)
    pid = next(p for p in m.parameter_ids if p not in m.assignment_rule_ids and m.value(p) > 0)
    ds = simulate_sbml(path, t_end=120, n_points=25, parameters={pid: 3 * m.value(pid)}, selections=["Akt", "mTORC1"])
    direct = _direct(path, ds["time"].values, ["[Akt]", "[mTORC1]"], params={pid: 3 * m.value(pid)})
    np.testing.assert_allclose(np.column_stack([ds.Akt, ds.mTORC1]), direct[:, 1:], rtol=1e-10, atol=1e-14)


@needs_data
def test_timed_change_is_applied_between_segments():
    path = _SBML / "BIOMD0000000640.xml"
    ds = simulate_sbml(path, t_end=120, n_points=7, events=[TimedChange(60, {"Akt": 0.0})], selections=["Akt"])
    assert ds["Akt"].sel(time=60).item() == 0.0       # right-continuous: the value after the change
    before = simulate_sbml(path, t_end=60, n_points=4, selections=["Akt"])
    np.testing.assert_array_equal(ds["Akt"].values[:3], before["Akt"].values[:3])
    assert ds["Akt"].values[-1] > 0.0


@needs_data
def test_many_equals_a_loop_and_is_identical_across_backends(tmp_path):
    path = _SBML / "BIOMD0000000640.xml"
    m = SbmlModel(path)
    pid = next(p for p in m.parameter_ids if p not in m.assignment_rule_ids and m.value(p) > 0)
    sp = m.floating_species_ids[0]
    table = pd.DataFrame({"condition_id": [f"c{i}" for i in range(6)],
                          f"param:{pid}": m.value(pid) * np.array([0.25, 0.5, 1.0, 2.0, 4.0, np.nan]),
                          f"init:{sp}": [np.nan, np.nan, 1.0, np.nan, np.nan, 2.0],
                          "label:rep": list("aabbcc")})
    kw = dict(model=path, t_end=120.0, n_points=25, selections=["Akt", "mTORC1", sp], progress=False)
    serial = simulate_many(table, backend="serial", **kw)
    pool = simulate_many(table, backend="processes", n_workers=2, chunk_size=2, **kw)
    xr.testing.assert_identical(serial.drop_attrs(), pool.drop_attrs())
    assert pool.attrs["n_workers"] == 2 and serial.attrs["n_failed"] == 0
    assert list(serial["rep"].values) == list("aabbcc") and serial.sizes == {"condition": 6, "time": 25}
    for i, row in table.iterrows():
        params = {} if np.isnan(row[f"param:{pid}"]) else {pid: row[f"param:{pid}"]}
        init = {} if np.isnan(row[f"init:{sp}"]) else {sp: row[f"init:{sp}"]}
        one = simulate_sbml(path, t_end=120.0, n_points=25, parameters=params, species=init,
                            selections=["Akt", "mTORC1", sp])
        for v in one.data_vars:
            np.testing.assert_array_equal(serial[v].values[i], one[v].values, err_msg=f"{row.condition_id} {v}")
        assert serial["parameter_set_id"].values[i] == one.attrs["parameter_set_id"]
    # streaming + resume: a second run into the same directory recomputes nothing
    streamed = simulate_many(table, backend="serial", chunk_size=2, out=tmp_path / "run", **kw)
    again = simulate_many(table, backend="serial", chunk_size=2, out=tmp_path / "run", **kw)
    assert again.attrs["n_chunks_resumed"] == again.attrs["n_chunks"] == 3
    xr.testing.assert_identical(streamed.drop_attrs(), serial.drop_attrs())
    xr.testing.assert_identical(again.drop_attrs(), serial.drop_attrs())


def test_failures_are_recorded_per_condition():
    import antimony

    antimony.clearPreviousLoads()
    assert antimony.loadAntimonyString("model g\n species X = 1\n J: -> X; r * X\n r = 0.1\nend") >= 0
    sbml = antimony.getSBMLString("g")
    rows = [{"param:r": 0.1}, {"param:r": 80.0}, {"param:r": 0.2}]   # r = 80 overflows to inf by t = 10
    ds = simulate_many(rows, model=sbml, t_end=10.0, n_points=3, backend="serial", progress=False)
    assert list(ds.status.values) == ["ok", "failed", "ok"]
    assert ds.attrs["n_failed"] == 1 and np.isnan(ds["X"].values[1]).all()
    assert ds["X"].values[0, -1] == pytest.approx(np.exp(1.0), rel=1e-6)
    assert ds["error"].values[1]


@pytest.mark.parametrize("rows, kwargs, field", [
    ([{"param:nope": 1.0}], {}, "conditions.columns"),
    ([{"cell": "MCF7"}], {}, "conditions.columns"),
    ([{"param:r": "fast"}], {}, "conditions[row 0].param:r"),
    ([{"param:r": 1.0}], {"normalize": "cell"}, "normalize"),
    ([{"param:r": 1.0}], {"selections": ["nope"]}, "selections"),
])
def test_bad_sbml_tables_name_the_field(rows, kwargs, field):
    import antimony

    antimony.clearPreviousLoads()
    antimony.loadAntimonyString("model g\n species X = 1\n J: -> X; r * X\n r = 0.1\nend")
    with pytest.raises(InputError) as info:
        simulate_many(rows, model=antimony.getSBMLString("g"), t_end=1.0, backend="serial", progress=False, **kwargs)
    assert info.value.field.startswith(field), str(info.value)


@pytest.mark.skipif(_FUJITA is None or not _FUJITA.is_dir(),
                    reason="shared data directory absent (set MTORSIM_DATA_DIR): models/petab/Fujita_SciSignal2010")
@pytest.mark.parametrize("condition", ["condition_step_00_1", "condition_step_00_3", "condition_step_01_0",
                                       "condition_step_03_0", "condition_step_10_0", "condition_step_30_0"])
def test_fujita_sbml_reproduces_petab_simulated_data(condition):
    """simulate_sbml on the PEtab problem's SBML at the nominal parameters, for an EGF step.

    Observables (observables_Fujita_SciSignal2010.tsv): pAkt_tot = scaling_pAkt_tot·(pAkt + pAkt_S6),
    pS6_tot = scaling_pS6_tot·pS6. simulatedData names conditions model1_data1..6 in the order of
    the measurement table. Measured: max |difference| ≤ 0.9 % of each peak (the reference's own deviation).
    """
    params = pd.read_csv(_FUJITA / "parameters_Fujita_SciSignal2010.tsv", sep="\t").set_index("parameterId")
    conds = pd.read_csv(_FUJITA / "experimentalCondition_Fujita_SciSignal2010.tsv", sep="\t").set_index("conditionId")
    meas = pd.read_csv(_FUJITA / "measurementData_step_Fujita_SciSignal2010.tsv", sep="\t")
    ref = pd.read_csv(_FUJITA / "simulatedData_Fujita_SciSignal2010.tsv", sep="\t")
    order = list(dict.fromkeys(meas["simulationConditionId"]))
    ref_id = f"model1_data{order.index(condition) + 1}"
    nominal = params["nominalValue"].astype(float).to_dict()
    model_params = {k: v for k, v in nominal.items() if not k.startswith("scaling_")}
    model_params.update(conds.loc[condition, ["EGF_0", "EGF_rate", "EGF_end"]].astype(float).to_dict())
    times = np.sort(meas.loc[meas.simulationConditionId == condition, "time"].unique().astype(float))
    ds = simulate_sbml(_FUJITA / "model_Fujita_SciSignal2010.xml", times=times, parameters=model_params,
                       selections=["pAkt", "pAkt_S6", "pS6"], solver=IntegratorOptions(rtol=1e-10, atol=1e-14))
    ours = {"pAkt_tot": nominal["scaling_pAkt_tot"] * (ds["pAkt"] + ds["pAkt_S6"]).values,
            "pS6_tot": nominal["scaling_pS6_tot"] * ds["pS6"].values}
    for obs, sim in ours.items():
        r = ref[(ref.simulationConditionId == ref_id) & (ref.observableId == obs)].sort_values("time")
        np.testing.assert_array_equal(r["time"].to_numpy(float), times)
        rel = np.max(np.abs(sim - r["simulation"].to_numpy(float))) / np.max(np.abs(r["simulation"]))
        print(f"{condition} {obs}: max |ours - simulatedData| = {rel:.4%} of peak")
        assert rel < 1e-2


def test_cli_simulate_sbml_writes_a_table(tmp_path):
    import antimony
    import typer
    from typer.testing import CliRunner

    from mtorsim.cli._sbml_cmd import register

    antimony.clearPreviousLoads()
    antimony.loadAntimonyString("model g\n species X = 1\n J: -> X; -r * X\n r = 0.1\nend")
    (tmp_path / "g.xml").write_text(antimony.getSBMLString("g"))
    app = typer.Typer()
    register(app)

    @app.command()
    def _noop() -> None:
        pass

    res = CliRunner().invoke(app, ["simulate-sbml", str(tmp_path / "g.xml"), "--t-end", "10", "--points", "3",
                                   "--param", "r=0.2", "--out", str(tmp_path / "r.csv")])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "r.csv")
    assert list(table.columns) == ["time (model time units (undeclared))", "X"]
    np.testing.assert_allclose(table["X"], np.exp(-0.2 * np.array([0.0, 5.0, 10.0])), rtol=1e-6)
    bad = CliRunner().invoke(app, ["simulate-sbml", str(tmp_path / "g.xml"), "--t-end", "1", "--param", "r",
                                   "--out", str(tmp_path / "x.csv")])
    assert bad.exit_code != 0
