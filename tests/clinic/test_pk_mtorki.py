"""PK of the ATP-competitive mTOR kinase inhibitor sapanisertib (issue 6: trials "with mTOR kinase
inhibitors instead of rapalogs"), and a small virtual trial that uses it.

Reference numbers and their origin (also in the PK record's ``source`` strings in
``biology/data/drugs.yaml``): Patel C et al. 2020 Clin Pharmacol Drug Dev 9:876 (doi 10.1002/cpdd.808),
dedicated QTc study, single 40 mg oral dose in 44 patients, non-compartmental analysis: geometric mean
Cmax 297 ng/mL, AUCinf 2480 ng*h/mL, CL/F 16.1 L/h, t1/2 9.5 h, median Tmax 1.52 h; geometric mean Cmax
36.9 ng/mL on 4 mg once daily and 235 ng/mL on 30 mg once weekly (Table 4 footnotes). Read in the
transcription of the paper in nlmixr2/nlmixr2lib (inst/modeldb/specificDrugs/Patel_2020_sapanisertib_QTcF.R).
Cmax, Tmax and t1/2 after 40 mg were fitted (ka, V1, V2); the 4 mg daily and 30 mg weekly Cmax are not
fitted and are the predictions checked here.
"""

from __future__ import annotations

import numpy as np
import pytest

from mtorsim.clinic import exposure_metrics, get_pk, pk_population, pk_profile

MW = 309.33  # g/mol, computed from C15H15N7O


@pytest.fixture(scope="module")
def single_40mg():
    p = pk_profile("sapanisertib", "40 mg once", hours=96, step_h=0.01)
    c, t = p.plasma.values, p.time.values
    return c, t


def test_single_40mg_dose_reproduces_Patel2020_fitted_numbers(single_40mg):
    c, t = single_40mg
    assert c.max() == pytest.approx(297, rel=0.03)  # geometric mean Cmax (fitted)
    assert t[c.argmax()] == pytest.approx(1.52, abs=0.1)  # median Tmax (fitted)
    auc = float(np.trapezoid(c, t)) + c[-1] / (np.log(2) / get_pk("sapanisertib").terminal_half_life_h)
    assert auc == pytest.approx(2480, rel=0.02)  # AUCinf = 40 mg / CL/F
    assert get_pk("sapanisertib").terminal_half_life_h == pytest.approx(9.5, rel=0.02)


def test_daily_and_weekly_Cmax_predictions_Patel2020_not_fitted():
    daily = exposure_metrics("sapanisertib", "4 mg daily")["plasma (ng/mL)"]
    weekly = exposure_metrics("sapanisertib", "30 mg weekly")["plasma (ng/mL)"]
    assert daily["Cmax_ss"] == pytest.approx(36.9, rel=0.2)  # model 31.9
    assert weekly["Cmax_ss"] == pytest.approx(235, rel=0.1)  # model 222
    assert daily["AUC_period_ss"] == pytest.approx(4000 / 16.1, rel=0.01)  # linear: AUCtau,ss = dose / CL/F
    # a 9.5-h half-life: little accumulation on daily dosing, washout within the week on weekly dosing
    assert daily["Cmin_ss"] < 0.15 * daily["Cmax_ss"]
    assert weekly["Cmin_ss"] < 1e-3 * weekly["Cmax_ss"]


def test_molar_units_synonyms_and_sources():
    m = get_pk("MLN0128")
    assert {get_pk(n).drug for n in ("MLN0128", "TAK-228", "INK128", "sapanisertib")} == {"sapanisertib"}
    assert m.molar_mass_g_per_mol == pytest.approx(MW, abs=0.01)
    p = pk_profile("TAK-228", "3 mg daily", days=2, step_h=0.5)
    assert np.allclose(p.plasma_nM.values, p.plasma.values / MW * 1000.0)
    assert all(src.strip() for src in m.sources().values())  # every number carries a source


def test_population_varies_exposure():
    pop = pk_population("sapanisertib", "3 mg daily", 40, seed=3, days=3, step_h=1.0)
    peak = pop.plasma.max("time").values
    assert np.all(peak > 0)
    assert 0.2 < float(np.std(np.log(peak))) < 1.0  # CV 52.9 % on CL/F (Patel 2020 Cmax CV, assumed for CL/F)


# ------------------------------------------------------------------------------------------------ a user trial
TRIAL = """\
name: sapanisertib-fulvestrant
title: "sapanisertib + fulvestrant vs fulvestrant"
patients: 20
randomisation: {SAP+FUL: 1, FUL: 1}
population: {er: positive, her2: negative, prior_therapy: ai_resistant}
arms:
  - name: SAP+FUL
    drugs:
      - {drug: sapanisertib, regimen: "3 mg daily"}
      - {drug: fulvestrant, regimen: "500 mg im on days 1,15,29 then every 28 days"}
  - name: FUL
    drugs:
      - {drug: fulvestrant, regimen: "500 mg im on days 1,15,29 then every 28 days"}
assessment: {every_weeks: 8, confirm_response: false}
follow_up: {months: 6, dropout_per_year: 0.05}
endpoints: [pfs, orr, cbr]
"""


def test_a_user_trial_with_sapanisertib_runs(tmp_path):
    from mtorsim.trial import run_trial

    spec = tmp_path / "sap.yaml"
    spec.write_text(TRIAL)
    # one patient class (no PIK3CA/PTEN/ESR1 alteration) keeps the response surfaces to two: ~7 s
    pop = {("frequencies", "PIK3CA_mutation"): 0.0, ("frequencies", "PTEN_loss"): 0.0,
           ("frequencies", "ESR1_mutation_after_ai"): 0.0}
    r = run_trial(str(spec), seed=0, progress=False, population=pop)
    arms = r.summary["arms"]
    assert set(arms) == {"SAP+FUL", "FUL"} and arms["SAP+FUL"]["n"] + arms["FUL"]["n"] == 20
    assert "SAP+FUL vs FUL" in r.summary["comparisons"]
    # direction, not size: sapanisertib reaches the tumour and slows division on top of fulvestrant ...
    rel = r.outcomes.groupby("arm").rel_div_day15.median()
    assert rel["SAP+FUL"] < 0.5 * rel["FUL"]
    # ... and does not shorten PFS (20 patients: the hazard ratio itself is too noisy to assert)
    assert arms["SAP+FUL"]["median_pfs_months"] >= arms["FUL"]["median_pfs_months"]
