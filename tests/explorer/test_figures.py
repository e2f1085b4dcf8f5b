"""What the explorer draws is what the API returns for the same validated input."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("plotly", reason="plotly (installed with dash) is needed for the explorer's figures")

import mtorsim  # noqa: E402
from mtorsim.explorer import parse_scenario  # noqa: E402
from mtorsim.explorer._figures import (DEFAULT_OBSERVABLES, dose_response_figure, in_worker, run_dose_response,  # noqa: E402
                                       run_scenario, scenario_network, timecourse_figure)
from mtorsim.explorer._validate import parse_dose_response  # noqa: E402
from mtorsim.report._network_diagram import node_activity  # noqa: E402

FORM = {"cell": "MCF7", "drug_0": "everolimus", "dose_0": "10nM", "extra_drugs": "fulvestrant=100nM@6h",
        "hours": "24", "network_time": "12"}


def _trace(fig, meta):
    (tr,) = [t for t in fig.data if t.meta == meta]
    return tr


def test_timecourse_traces_equal_simulate():
    sc = parse_scenario(FORM)
    treated, untreated = in_worker(run_scenario, sc), in_worker(run_scenario, sc.untreated())
    fig = timecourse_figure(treated, untreated, DEFAULT_OBSERVABLES)
    api = mtorsim.simulate("MCF7", drugs=["everolimus=10nM", "fulvestrant=100nM@6h"], hours=24)
    api0 = mtorsim.simulate("MCF7", hours=24)
    for obs in DEFAULT_OBSERVABLES:
        np.testing.assert_array_equal(_trace(fig, obs).x, api.time.values)
        np.testing.assert_array_equal(_trace(fig, obs).y, api[obs].values)
        np.testing.assert_array_equal(_trace(fig, f"{obs} (untreated)").y, api0[obs].values)
    # and the treatment shows: everolimus takes pS6K1 down
    assert _trace(fig, "pS6K1_T389").y[-1] < 0.5 * _trace(fig, "pS6K1_T389 (untreated)").y[-1]


def test_network_colours_equal_node_activity():
    sc = parse_scenario(FORM)
    treated, untreated = in_worker(run_scenario, sc), in_worker(run_scenario, sc.untreated())
    fig, act = scenario_network(treated, untreated, sc)
    expected = node_activity(mtorsim.simulate("MCF7", drugs=["everolimus=10nM", "fulvestrant=100nM@6h"], hours=24),
                             mtorsim.simulate("MCF7", hours=24), time=12.0)
    nodes = _trace(fig, "node_activity")
    np.testing.assert_array_equal(np.asarray(nodes.customdata, float), expected.to_numpy())
    assert act["mTORC1"] == expected["mTORC1"] < 0      # everolimus inhibits mTORC1
    outlined = {lab for lab, w in zip(nodes.text, nodes.marker.line.width) if w > 1}
    assert outlined == {"mTORC1", "ERα activity"}      # the targets of everolimus and fulvestrant


def test_dose_response_points_equal_the_api():
    sc = parse_scenario({"drug_0": "alpelisib", "dose_0": "1uM"})
    req = parse_dose_response({"dr_doses": "10nM..10uM", "dr_n": 4}, sc)
    fig = dose_response_figure(in_worker(run_dose_response, req))
    api = mtorsim.dose_response("MCF7", "alpelisib", doses="10nM..10uM", n_doses=4)
    np.testing.assert_allclose(_trace(fig, "viability").x, api.data.dose_nM.values, rtol=1e-12)
    np.testing.assert_array_equal(_trace(fig, "viability").y, api.data.viability.values.ravel())
    np.testing.assert_array_equal(_trace(fig, "GR").y, api.data.GR.values.ravel())


def test_results_are_cached_on_what_simulate_receives():
    from dataclasses import replace
    sc = parse_scenario(FORM)
    first = in_worker(run_scenario, sc)
    assert in_worker(run_scenario, replace(sc, network_time_h=3.0)) is first           # same simulate() input
    assert in_worker(run_scenario, parse_scenario({**FORM, "dose_0": " 10 nM", "cell": "mcf-7"})) is first  # same input, other spelling
    assert in_worker(run_scenario, parse_scenario({**FORM, "dose_0": "20nM"})) is not first


def test_trial_panel_draws_the_trial_api_kaplan_meier():
    """The explorer's small trial is mtorsim.trial.run_trial for the same validated input."""
    from lifelines import KaplanMeierFitter

    from mtorsim.explorer._figures import run_small_trial, trial_figure
    from mtorsim.explorer._validate import parse_trial
    from mtorsim.trial import run_trial
    req = parse_trial({"trial_name": "bolero2", "trial_patients": 30, "trial_seed": "3"})
    fig = trial_figure(in_worker(run_small_trial, req, worker="screen"))
    api = run_trial("bolero2", seed=3, patients=30, progress=False)
    for arm, g in api.outcomes.groupby("arm"):
        sf = KaplanMeierFitter().fit(g.pfs_months, g.progressed).survival_function_
        (tr,) = [t for t in fig.data if t.meta == arm]
        np.testing.assert_array_equal(tr.x, sf.index.to_numpy(float))
        np.testing.assert_array_equal(tr.y, sf.iloc[:, 0].to_numpy(float))


@pytest.mark.parametrize("form,field", [({"trial_name": "nope", "trial_patients": 30, "trial_seed": 0}, "trial"),
                                        ({"trial_name": "bolero2", "trial_patients": 5000, "trial_seed": 0}, "patients"),
                                        ({"trial_name": "bolero2", "trial_patients": "__import__('os')", "trial_seed": 0}, "patients"),
                                        ({"trial_name": "bolero2", "trial_patients": 30, "trial_seed": -1}, "seed")])
def test_trial_panel_input_is_validated(form, field):
    from mtorsim._errors import InputError
    from mtorsim.explorer._validate import parse_trial
    with pytest.raises(InputError, match=field):
        parse_trial(form)
