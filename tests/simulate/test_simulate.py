"""simulate(): labelled results, units, provenance, treatments, errors."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import mtorsim
from mtorsim import InputError, SimulationError, UnknownNameError, simulate
from mtorsim.simulate import Engine, SolverOptions, get_engine


def test_result_is_a_labelled_dataset_with_units_and_provenance():
    ds = simulate("MCF7", drugs=["everolimus=10nM"], hours=48, n_points=49)
    assert isinstance(ds, xr.Dataset)
    assert ds.time.attrs["units"] == "h" and float(ds.time[-1]) == 48.0
    assert "pAKT_S473" in ds and ds["pAKT_S473"].attrs["units"].startswith("relative to untreated MCF7")
    for key in ("version_mtorsim", "version_libroadrunner", "parameter_set_id", "cell", "treatment", "medium"):
        assert key in ds.attrs


def test_reference_normalisation_is_one_for_untreated_mcf7():
    ds = simulate("MCF7", hours=24, n_points=5)
    for v in ds.data_vars.values():
        np.testing.assert_allclose(v.values, 1.0, rtol=1e-6)


def test_cell_normalisation_is_one_for_the_cells_own_untreated_state():
    ds = simulate("MDA-MB-468", hours=12, n_points=4, normalize="cell")
    np.testing.assert_allclose(ds["pAKT_S473"].values, 1.0, rtol=1e-6)
    ref = simulate("MDA-MB-468", hours=12, n_points=4)
    assert float(ref["pAKT_S473"][0]) > 1.5          # PTEN-null: above MCF7


def test_washout_returns_towards_baseline():
    ds = simulate("MCF7", drugs=["everolimus=10nM@0h-6h"], times=[0, 3, 6, 48], normalize="cell")
    assert float(ds["pS6K1_T389"].sel(time=3)) < 0.2
    assert float(ds["pS6K1_T389"].sel(time=48)) > 0.8


def test_late_start_leaves_early_times_untouched():
    ds = simulate("MCF7", drugs=["everolimus=10nM@12h"], times=[0, 6, 12, 13], normalize="cell")
    np.testing.assert_allclose(ds["pS6K1_T389"].sel(time=[0, 6, 12]).values, 1.0, rtol=1e-6)
    assert float(ds["pS6K1_T389"].sel(time=13)) < 0.3


def test_same_input_same_output():
    a = simulate("T47D", drugs=["alpelisib=1uM"], hours=24, n_points=7)
    b = simulate("T47D", drugs=["alpelisib=1uM"], hours=24, n_points=7)
    xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())


def test_drug_mapping_and_dose_objects_are_equivalent():
    a = simulate("MCF7", drugs={"everolimus": "10nM"}, hours=6, n_points=4)
    b = simulate("MCF7", drugs=[mtorsim.Dose.make("RAD001", "0.01uM")], hours=6, n_points=4)
    np.testing.assert_allclose(a["pAKT_S473"], b["pAKT_S473"])


@pytest.mark.parametrize("kwargs,field", [
    ({"cell": "MCF-8"}, "cell"),
    ({"drugs": ["everolimsu=10nM"]}, "drug"),
    ({"drugs": ["everolimus=-10nM"]}, "dose of everolimus"),
    ({"drugs": ["everolimus=10 parsecs"]}, "dose of everolimus"),
    ({"drugs": ["everolimus"]}, "drug"),
    ({"hours": 0}, "hours"),
    ({"hours": -5}, "hours"),
    ({"hours": "soon"}, "hours"),
    ({"medium": "champagne"}, "medium"),
    ({"normalize": "maybe"}, "normalize"),
    ({"times": [0, 5, 2]}, "times"),
    ({"parameters": {"no_such_parameter": 1.0}}, "parameters"),
])
def test_bad_input_names_the_option(kwargs, field):
    with pytest.raises(InputError) as info:
        simulate(**kwargs)
    assert info.value.field.startswith(field)


def test_unknown_cell_suggests_close_matches():
    with pytest.raises(UnknownNameError) as info:
        simulate("MDA-MB-23")
    assert "MDA-MB-231" in info.value.close_matches


def test_solver_failure_in_pre_equilibration_is_reported_with_its_stage():
    with pytest.raises(SimulationError) as info:
        simulate("MCF7", solver=SolverOptions(max_steps=2), hours=1)
    assert info.value.stage == "pre-equilibration"
    assert info.value.context["cell"] == "MCF7"


def test_solver_failure_during_treatment_is_reported_with_its_stage():
    eng = get_engine()
    from mtorsim.simulate._simulate import cell_parameters
    params = cell_parameters(mtorsim.get_cell("MCF7"), mtorsim.Medium("full"), None, eng)
    state = eng.steady_state(params)
    with pytest.raises(SimulationError) as info:
        eng.run(params, state, [(0.0, 10.0, {"u_rapalog": float("nan")})], np.array([0.0, 5.0, 10.0]))
    assert info.value.stage == "treatment"


def test_a_missing_steady_state_is_reported(monkeypatch):
    from mtorsim.simulate import _engine
    monkeypatch.setattr(_engine, "PREEQ_HORIZONS", (0.01,))
    eng = Engine()
    from mtorsim.simulate._simulate import cell_parameters
    params = cell_parameters(mtorsim.get_cell("MCF7"), mtorsim.Medium("full"), None, eng)
    with pytest.raises(SimulationError, match="no steady state"):
        eng.steady_state(params)


def test_writes_csv_and_netcdf(tmp_path):
    from mtorsim._io import write_result
    ds = simulate("MCF7", drugs=["everolimus=10nM"], hours=6, n_points=4)
    write_result(ds, tmp_path / "a.csv")
    write_result(ds, tmp_path / "a.nc")
    import pandas as pd
    df = pd.read_csv(tmp_path / "a.csv")
    import json
    meta = json.loads((tmp_path / "a.csv.json").read_text())
    assert meta["parameter_set_id"] == ds.attrs["parameter_set_id"]
    assert list(df.columns) == ["cell", "treatment", "time_h", "observable", "value", "unit"]
    back = xr.open_dataset(tmp_path / "a.nc")
    xr.testing.assert_allclose(back.load(), ds)
    assert back.attrs["parameter_set_id"] == ds.attrs["parameter_set_id"]
    back.close()
