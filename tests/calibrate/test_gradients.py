"""Gradients from forward sensitivities against central finite differences of the same objective.

The finite differences are the independent check: they use only objective values (the plain
evaluator, no sensitivity equations), at tight CVODE tolerances, away from the optimum so that the
gradient is large against the differences' truncation and integration errors.
"""

from __future__ import annotations

import numpy as np
import pytest

from _synthetic import write_preeq_problem, write_problem
from mtorsim._data import data_dir
from mtorsim._errors import InputError
from mtorsim.calibrate import Objective
from mtorsim.simulate._sbml import IntegratorOptions

TIGHT = IntegratorOptions(rtol=1e-10, atol=1e-12)


def _both(path, step, x=None, shift=0.1):
    sens = Objective(path, gradient="sensitivities", integrator=TIGHT)
    fd = Objective(path, gradient="fd", fd_step=step, integrator=TIGHT)
    assert "forward sensitivities" in sens.gradient_method and "finite differences" in fd.gradient_method
    if x is None:  # alternate up/down shifts: a point away from the optimum, inside the bounds
        x = sens.nominal + shift * (-1.0) ** np.arange(len(sens.ids))
    f_s, g_s = sens.value_and_grad(x)
    f_d, g_d = fd.value_and_grad(x)
    return sens, (f_s, g_s), (f_d, g_d)


def test_sensitivity_gradient_matches_finite_differences_on_the_synthetic_problem(tmp_path):
    # a0 enters through an initial assignment (A = a0), s through the observable formula
    path = write_problem(tmp_path / "s", estimate=("k1", "k2", "a0", "s"))
    obj, (f_s, g_s), (f_d, g_d) = _both(path, 1e-5)
    assert f_s == pytest.approx(f_d, rel=1e-7)
    assert np.all(np.abs(g_d) > 1.0)  # the check is not on a flat point
    np.testing.assert_allclose(g_s, g_d, rtol=1e-5)


def test_sensitivity_gradient_through_preequilibration_conditions_and_noise_models(tmp_path):
    path = write_preeq_problem(tmp_path / "p")
    obj, (f_s, g_s), (f_d, g_d) = _both(path, 1e-4, shift=0.05)
    assert f_s == pytest.approx(f_d, rel=1e-7)
    scale = np.max(np.abs(g_d))
    assert scale > 10.0
    np.testing.assert_allclose(g_s, g_d, rtol=1e-5, atol=1e-6 * scale)
    # x0 only sets the initial state, which pre-equilibration forgets: its gradient is zero
    assert abs(g_s[obj.ids.index("x0")]) < 1e-6 * scale
    assert abs(g_s[obj.ids.index("u_stim")]) > 1.0  # the condition cell that names an estimated parameter


def test_sensitivity_gradient_on_fujita_2010():
    """Fujita 2010 (PEtab benchmark collection, Benchmarking-Initiative/Benchmark-Models-PEtab): 19
    parameters, initial assignments from estimated parameters, observable scalings."""
    d = data_dir()
    path = None if d is None else d / "models" / "petab" / "Fujita_SciSignal2010" / "Fujita_SciSignal2010.yaml"
    if path is None or not path.is_file():
        pytest.skip("shared data directory absent (set MTORSIM_DATA_DIR): Fujita_SciSignal2010 not found")
    # finite differences need a larger step here: at 1e-5 on log10 they are dominated by CVODE's error
    obj, (f_s, g_s), (f_d, g_d) = _both(path, 1e-3)
    assert f_s == pytest.approx(f_d, rel=1e-6)
    err = np.linalg.norm(g_s - g_d) / np.linalg.norm(g_d)
    assert err < 2e-3, dict(zip(obj.ids, zip(g_s, g_d)))


def test_sensitivities_refuse_to_run_where_they_fell_back(tmp_path):
    path = write_problem(tmp_path / "ev", event=True)
    obj = Objective(path, gradient="sensitivities")
    assert "events" in obj.gradient_method and "finite differences" in obj.gradient_method
    f, g = obj.value_and_grad(obj.nominal + 0.1)  # the fallback works
    assert np.isfinite(f) and np.all(np.isfinite(g))
    with pytest.raises(InputError, match="sensitivit"):
        obj.value_and_grad_sensitivities(obj.nominal)
    with pytest.raises(InputError, match="gradient"):
        Objective(path, gradient="adjoint")


def test_a_point_where_the_sensitivity_equations_fail_gets_a_finite_difference_gradient(tmp_path, monkeypatch):
    from mtorsim._errors import SimulationError
    from mtorsim.calibrate._sensitivity import SensitivityEvaluator

    path = write_problem(tmp_path / "s")
    obj = Objective(path, gradient="sensitivities")
    x = obj.nominal + 0.1
    f_ok, g_ok = obj.value_and_grad(x)
    assert obj.n_fd_fallbacks == 0

    def fail(self, values):
        raise SimulationError("simulation", "CVODE failed: CV_TOO_MUCH_WORK (made up)")

    monkeypatch.setattr(SensitivityEvaluator, "__call__", fail)
    f, g = obj.value_and_grad(x)
    assert obj.n_fd_fallbacks == 1
    assert f == pytest.approx(f_ok, rel=1e-6)
    np.testing.assert_allclose(g, g_ok, rtol=1e-4)
    f_bad, g_bad = obj.value_and_grad(np.full(len(x), np.nan))  # not evaluable at all: a failed point
    assert f_bad == np.inf and not np.any(g_bad)


_SUITE_CASES = ("0004", "0009", "0011", "0013", "0015", "0016", "0019")


@pytest.mark.parametrize("case", _SUITE_CASES)
def test_sensitivity_gradient_on_petab_conformance_cases(case):
    """PEtab v1 test suite (PEtab-dev/petab_test_suite, ``shared/data/peer-tests/petab_test_suite_v1``):
    observable parameters (0004), pre-equilibration (0009, 0011), condition-table parameters (0013),
    estimated noise parameters (0015), a log10 observable (0016) and initial values from a parameter
    through the condition table (0019); all 20 cases agree (checked by hand, rel. error <= 1.2e-4)."""
    d = data_dir()
    folder = None if d is None else d / "peer-tests" / "petab_test_suite_v1" / "sbml" / case
    if folder is None or not folder.is_dir():
        pytest.skip("shared data directory absent (set MTORSIM_DATA_DIR): PEtab v1 conformance suite not found")
    path = next(p for p in folder.glob("*.yaml") if "solution" not in p.name)
    sens = Objective(path, gradient="sensitivities", integrator=TIGHT, lint=False)
    fd = Objective(path, gradient="fd", fd_step=1e-5, integrator=TIGHT, lint=False)
    assert "forward sensitivities" in sens.gradient_method
    x = np.clip(sens.nominal + 0.05, sens.lower, sens.upper)
    (f_s, g_s), (f_d, g_d) = sens.value_and_grad(x), fd.value_and_grad(x)
    assert f_s == pytest.approx(f_d, rel=1e-7)
    np.testing.assert_allclose(g_s, g_d, rtol=5e-4, atol=1e-4 * np.max(np.abs(g_d)))
    assert sens.n_fd_fallbacks == 0


def test_chunked_sensitivity_models_give_the_same_gradient(tmp_path):
    path = write_preeq_problem(tmp_path / "p")
    whole = Objective(path, gradient="sensitivities", integrator=TIGHT, sensitivity_chunk=100)
    single = Objective(path, gradient="sensitivities", integrator=TIGHT, sensitivity_chunk=1)
    assert len(whole._sens_chunks) == 1 and len(single._sens_chunks) == len(single._sens.dynamic_all) > 2
    x = whole.nominal + 0.05
    (f_w, g_w), (f_s, g_s) = whole.value_and_grad(x), single.value_and_grad(x)
    assert f_w == pytest.approx(f_s, rel=1e-8)
    np.testing.assert_allclose(g_s, g_w, rtol=1e-6, atol=1e-8 * np.max(np.abs(g_w)))
    with pytest.raises(InputError, match="sensitivity_chunk"):
        Objective(path, gradient="sensitivities", sensitivity_chunk=0)
