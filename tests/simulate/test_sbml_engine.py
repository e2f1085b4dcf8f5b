"""``SbmlModel``: any SBML model through libRoadRunner, checked against roadrunner itself and SBML semantics.

Reference models (BioModels, CC0; ``shared/data/models/sbml``):
BIOMD0000000640 (Dalle Pezze 2016, 45 species), BIOMD0000000175 (Birtwistle 2007, 120 species),
BIOMD0000000822 (Dorvash 2019, rapamycin dosing as an SBML event).
"""

from __future__ import annotations

import antimony
import numpy as np
import pytest
import roadrunner
import xarray as xr

from mtorsim._data import data_dir
from mtorsim._errors import InputError, SimulationError
from mtorsim.simulate._sbml import IntegratorOptions, Overrides, SbmlModel, SteadyStateOptions

_DATA = data_dir()
_SBML = _DATA / "models" / "sbml" if _DATA is not None else None
needs_data = pytest.mark.skipif(_SBML is None or not _SBML.is_dir(),
                                reason="shared data directory absent (set MTORSIM_DATA_DIR): models/sbml not found")


def _antimony(text: str) -> str:
    antimony.clearPreviousLoads()
    assert antimony.loadAntimonyString(text) >= 0, antimony.getLastError()
    return antimony.getSBMLString(antimony.getMainModuleName())


TOY = _antimony("""
model toy
  compartment C = 1
  species S in C, T in C, U in C
  S = a0          # initial assignment from a parameter
  T = 2           # initial concentration
  U = 4 * p       # initial assignment from a parameter that has one itself
  a0 = 1; k = 1
  p = 2 * k
  J0: S -> T; k * S * C
  J1: T -> S; 0.5 * T * C
end
""")


# -- against roadrunner directly ------------------------------------------------------------------
@needs_data
@pytest.mark.parametrize("model_id, t_end, n", [
    ("BIOMD0000000640", 120.0, 61),
    ("BIOMD0000000175", 3600.0, 121),
    ("BIOMD0000000822", 2000.0, 201),   # the dose event fires at t >= 240
])
def test_published_models_match_roadrunner(model_id, t_end, n):
    path = _SBML / f"{model_id}.xml"
    opts = IntegratorOptions(rtol=1e-8, atol=1e-12)
    times = np.linspace(0.0, t_end, n)
    model = SbmlModel(path, integrator=opts)
    ours = model.simulate(times)
    model.simulate(times, parameters={model.parameter_ids[0]: 0.5 * model.value(model.parameter_ids[0])}
                   if model.parameter_ids else None)  # perturb, then check that a fresh call resets fully
    ours_again = model.simulate(times)

    rr = roadrunner.RoadRunner(str(path))
    rr.integrator.relative_tolerance, rr.integrator.absolute_tolerance = opts.rtol, opts.atol
    rr.integrator.maximum_num_steps = opts.max_steps
    species = list(rr.model.getFloatingSpeciesIds()) + list(rr.model.getBoundarySpeciesIds())
    rr.timeCourseSelections = ["time"] + [f"[{s}]" for s in species]
    direct = np.asarray(rr.simulate(times=list(times)))

    assert list(ours.data_vars) == species
    np.testing.assert_array_equal(ours["time"].values, direct[:, 0])
    got = np.column_stack([ours[s].values for s in species])
    np.testing.assert_allclose(got, direct[:, 1:], rtol=1e-10, atol=1e-14)
    again = np.column_stack([ours_again[s].values for s in species])
    np.testing.assert_allclose(again, direct[:, 1:], rtol=1e-10, atol=1e-14)


@needs_data
def test_event_fires_in_the_wrapper():
    """BIOMD0000000822 doses rapamycin by an event from t = 240 on; nothing is dosed before."""
    model = SbmlModel(_SBML / "BIOMD0000000822.xml")
    ds = model.simulate(np.linspace(0, 2000, 201), selections=["Rapamycin_Dose", "Cytosolic_Rapamycin"])
    before, after = ds.sel(time=slice(0, 230)), ds.sel(time=slice(300, 2000))
    assert float(before["Rapamycin_Dose"].max()) == 0.0 and float(before["Cytosolic_Rapamycin"].max()) == 0.0
    assert float(after["Rapamycin_Dose"].min()) > 0.0 and float(after["Cytosolic_Rapamycin"].min()) > 0.0


# -- SBML semantics of initialisation ---------------------------------------------------------------
def test_parameter_used_by_initial_assignment_takes_effect():
    m = SbmlModel(TOY)
    m.initialise(parameters={"a0": 5.0, "k": 3.0})
    assert m.value("S") == pytest.approx(5.0)
    assert m.value("p") == pytest.approx(6.0)        # parameter initial assignment re-evaluated
    assert m.value("U") == pytest.approx(24.0)       # and the species that depends on it
    m.initialise(parameters={"k": 2.0})               # a0 back to its file value
    assert m.value("S") == pytest.approx(1.0) and m.value("p") == pytest.approx(4.0)
    m.initialise()
    assert (m.value("a0"), m.value("k"), m.value("p")) == pytest.approx((1.0, 1.0, 2.0))


def test_compartment_size_keeps_concentrations_and_species_override_wins():
    m = SbmlModel(TOY)
    m.initialise(compartments={"C": 3.0}, species={"S": 7.0})
    assert m.value("C") == pytest.approx(3.0)
    assert m.value("S") == pytest.approx(7.0)   # overrides the initial assignment S = a0
    assert m.value("T") == pytest.approx(2.0)   # concentration kept when the volume changes
    assert m.rr.getValue("T") == pytest.approx(6.0)  # amount = concentration × volume
    m.initialise(species={"S": float("nan")})   # NaN keeps the model's initial value
    assert m.value("C") == pytest.approx(1.0) and m.value("S") == pytest.approx(1.0)


def test_preequilibration_reaches_analytic_steady_state_and_nan_keeps_it():
    m = SbmlModel(TOY)
    # steady state of S <-> T with k = 1, back rate 0.5: S = 0.5/(1.5) * (S0 + T0) = 1
    ds = m.simulate([0.0, 1.0], parameters={"k": 1.0}, species={"S": float("nan")},
                    preequilibration=Overrides(parameters={"k": 1.0}), selections=["S", "T"])
    assert ds["S"].values[0] == pytest.approx(1.0, rel=1e-6)
    assert ds["T"].values[0] == pytest.approx(2.0, rel=1e-6)
    # a new simulation condition after the steady state: only S reset; time restarts at 0
    ds = m.simulate([0.0, 50.0], parameters={"k": 0.5}, species={"S": 3.0},
                    preequilibration=Overrides(parameters={"k": 1.0}), selections=["S", "T"])
    assert ds["S"].values[0] == pytest.approx(3.0)
    assert ds["T"].values[0] == pytest.approx(2.0, rel=1e-6)
    assert ds["S"].values[-1] == pytest.approx(2.5, rel=1e-6)  # (3 + 2) / 2 at k = back rate
    assert ds.attrs["preequilibrated"] is True


def test_no_steady_state_raises_with_stage():
    growth = _antimony("model g\n species X = 1\n J: -> X; r * X\n r = 0.1\nend")
    m = SbmlModel(growth, steady_state=SteadyStateOptions(max_time=1e3))
    with pytest.raises(SimulationError) as info:
        m.simulate([0.0, 1.0], preequilibration=True)
    assert info.value.stage == "pre-equilibration"
    assert "dX/dt" in str(info.value)


def test_solver_failure_raises_simulation_error():
    m = SbmlModel(TOY, integrator=IntegratorOptions(max_steps=1))
    with pytest.raises(SimulationError) as info:
        m.simulate([0.0, 1e6])
    assert info.value.stage == "simulation"


# -- results and inputs ---------------------------------------------------------------------------
def test_result_is_labelled():
    m = SbmlModel(TOY)
    ds = m.simulate([0.0, 0.5, 1.0], selections=["S", "p", "J0"])
    assert isinstance(ds, xr.Dataset)
    assert ds["S"].dims == ("time",) and list(ds["time"].values) == [0.0, 0.5, 1.0]
    assert ds["S"].attrs["quantity"] == "concentration"
    assert ds["p"].attrs["quantity"] == "parameter" and ds["J0"].attrs["quantity"] == "reaction"
    assert ds.attrs["engine"].startswith("libroadrunner") and ds.attrs["rtol"] == 1e-8


@pytest.mark.parametrize("kwargs, field", [
    ({"parameters": {"nope": 1.0}}, "parameters"),
    ({"species": {"k": 1.0}}, "species"),
    ({"compartments": {"S": 1.0}}, "compartments"),
    ({"parameters": {"k": "fast"}}, "parameters"),
])
def test_bad_ids_and_values_are_named(kwargs, field):
    m = SbmlModel(TOY)
    with pytest.raises(InputError, match=field):
        m.simulate([0.0, 1.0], **kwargs)


@pytest.mark.parametrize("make", [
    lambda: IntegratorOptions(rtol=2.0),
    lambda: IntegratorOptions(atol=-1.0),
    lambda: IntegratorOptions(max_steps=0),
    lambda: SteadyStateOptions(max_time=1.0, first_horizon=10.0),
])
def test_options_validate_themselves(make):
    with pytest.raises(InputError):
        make()


def test_times_must_increase():
    with pytest.raises(InputError, match="times"):
        SbmlModel(TOY).simulate([0.0, 2.0, 1.0])


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="missing.xml"):
        SbmlModel(tmp_path / "missing.xml")
