"""Pharmacokinetics, regimens and exposure-driven signalling (issue 6 §1).

Exact-solution checks use closed forms (Bateman function, bi-exponential IV bolus, constant-rate
infusion); the models are checked against the evidence records named in each test
(``shared/evidence/evidence.yaml``: B01-B19, A26) and against label numbers given in the PK
records' sources (``biology/data/drugs.yaml``, key ``pk``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from mtorsim._errors import InputError, UnknownNameError
from mtorsim.clinic import (PKModel, PKParameter, Regimen, dosing_table, exposure_metrics, get_pk, parse_regimen, pk_drugs,
                            pk_population, pk_profile, pk_table, simulate_exposure)


def _p(name, v):
    return PKParameter(name, float(v), "", "test")


def _model(route, **kw):
    return PKModel("everolimus", route, {k: _p(k, v) for k, v in kw.items()}, "plasma", 958.22, _p("fu", 1), _p("tf", 1))


def _doses(times, amount, route, duration=0.0):
    return pd.DataFrame({"time_h": list(times), "amount": amount, "route": route, "duration_h": duration})


# ------------------------------------------------------------------------------------------ regimens
@pytest.mark.parametrize("text, every, n_28d", [("10 mg daily", 24, 29), ("50 mg weekly", 168, 5), ("400 mg twice daily", 12, 57),
                                                ("25 mg every 3 days", 72, 10), ("10 mg qd", 24, 29)])
def test_regimen_intervals(text, every, n_28d):
    r = parse_regimen(text, "everolimus")
    assert r.every_h == every
    assert len(r.dose_table(28 * 24)) == n_28d


def test_loading_schedule_then_monthly():
    r = parse_regimen("500 mg im on days 1,15,29 then every 28 days", "fulvestrant")
    t = r.dose_table(120 * 24)["time_h"].to_numpy() / 24 + 1
    assert list(t) == [1, 15, 29, 57, 85, 113] and r.route == "im" and r.period_h == 28 * 24


def test_cycles_holds_reductions_and_infusions():
    r = parse_regimen("400 mg twice daily 4 days on 3 days off", "capivasertib")
    days = r.dose_table(14 * 24 - 1)["day"].to_numpy()
    assert sorted(set(days)) == [1, 2, 3, 4, 8, 9, 10, 11] and r.period_h == 168
    # cycle-day notation: "days 1-5 every 14 days" is 5 days on 9 off (HORIZON's oral temsirolimus schedule)
    r = parse_regimen("30 mg daily on days 1-5 every 14 days", "everolimus")
    assert sorted(set(r.dose_table(28 * 24 - 1)["day"])) == [1, 2, 3, 4, 5, 15, 16, 17, 18, 19] and r.period_h == 14 * 24
    assert parse_regimen("1000 mg/m2 twice daily days 1-14 of a 21-day cycle", "paclitaxel").cycle_off_days == 7
    assert parse_regimen("125 mg daily days 1-21 q28d", "everolimus").cycle_on_days == 21
    with pytest.raises(InputError, match="regimen.cycle"):
        parse_regimen("30 mg daily on days 2-5 every 14 days", "everolimus")     # a cycle must start on day 1
    r = parse_regimen("10 mg daily; hold days 8-14; 5 mg from day 15", "everolimus")
    tab = r.dose_table(21 * 24 - 1)
    assert not ((tab.day >= 8) & (tab.day <= 14)).any()
    assert set(tab[tab.day >= 15].amount) == {5.0} and set(tab[tab.day < 8].amount) == {10.0}
    r = parse_regimen("80 mg/m2 iv weekly over 1 h", "paclitaxel")
    tab = r.dose_table(0.0, bsa_m2=2.0)
    assert r.infusion_h == 1.0 and tab.amount.iloc[0] == 160.0 and tab.duration_h.iloc[0] == 1.0
    r = parse_regimen("300 mg daily 3 weeks on 1 week off", "alpelisib")
    assert r.cycle_on_days == 21 and r.cycle_off_days == 7
    assert parse_regimen("10 mg daily", "everolimus").with_hold(2, 3).with_dose(4, 5).dose_table(5 * 24)["amount"].tolist() == [10, 5, 5, 5]


def test_weight_based_doses():
    """mg/kg doses (trastuzumab's 4 mg/kg load then 2 mg/kg weekly) become mg with the patient's weight; the default
    weight is 70 kg; a change must be in the regimen's unit and the weight plausible."""
    r = parse_regimen("4 mg/kg iv weekly over 90 min; 2 mg/kg from day 2", "trastuzumab")
    assert r.unit == "mg/kg" and r.infusion_h == 1.5
    tab = r.dose_table(15 * 24, weight_kg=62.0)
    assert tab.amount.tolist() == [248.0, 124.0, 124.0] and set(tab.unit) == {"mg"}
    assert r.dose_table(0.0).amount.iloc[0] == 280.0
    with pytest.raises(InputError) as e:
        parse_regimen("4 mg/kg iv weekly; 136 mg from day 2", "trastuzumab")
    assert e.value.field == "regimen.change"
    with pytest.raises(InputError) as e:
        r.dose_table(24.0, weight_kg=5.0)
    assert e.value.field == "weight_kg"
    c62 = pk_profile("trastuzumab", "2 mg/kg iv weekly over 90 min", days=14, weight_kg=62.0)["plasma"].values
    c93 = pk_profile("trastuzumab", "2 mg/kg iv weekly over 90 min", days=14, weight_kg=93.0)["plasma"].values
    assert np.allclose(c93[1:], 1.5 * c62[1:])          # linear PK: the dose scales with weight


@pytest.mark.parametrize("text, field", [("ten mg daily", "regimen.amount"), ("10 mg dialy", "regimen.schedule"),
                                         ("10 mg daily; hold days x", "regimen.modifier"), ("-5 mg daily", "regimen.amount"),
                                         ("10 mg daily over 25 h", "regimen.infusion_h"), ("10 kg daily", "regimen.amount"),
                                         ("10 mg on days 3,1", "regimen.days"), ("", "regimen")])
def test_bad_regimens_name_the_field(text, field):
    with pytest.raises(InputError) as e:
        parse_regimen(text, "everolimus")
    assert e.value.field == field


def test_dosing_table_combines_regimens():
    tab = dosing_table([parse_regimen("10 mg daily", "everolimus"), parse_regimen("25 mg daily", "exemestane")], 48)
    assert list(tab.columns) == ["drug", "time_h", "day", "amount", "unit", "route", "duration_h"]
    assert len(tab) == 6 and tab.time_h.is_monotonic_increasing


# ------------------------------------------------------------------------------------------ exact solution
def test_one_compartment_oral_matches_bateman():
    ka, cl, v, F, dose = 1.3, 10.0, 50.0, 0.7, 100.0
    m = _model("oral", ka=ka, CL=cl, V1=v, F=F)
    t = np.linspace(0, 48, 97)
    k = cl / v
    ref = F * dose / v * ka / (ka - k) * (np.exp(-k * t) - np.exp(-ka * t)) * 1000
    np.testing.assert_allclose(m.central_ng_per_mL(_doses([0.0], dose, "oral"), t), ref, rtol=1e-9, atol=1e-9)


def test_two_compartment_bolus_matches_biexponential_and_superposition():
    cl, v1, q, v2, dose = 5.0, 20.0, 8.0, 100.0, 10.0
    m = _model("iv", CL=cl, V1=v1, Q=q, V2=v2)
    k10, k12, k21 = cl / v1, q / v1, q / v2
    s = k10 + k12 + k21
    a = (s + math.sqrt(s * s - 4 * k10 * k21)) / 2
    b = (s - math.sqrt(s * s - 4 * k10 * k21)) / 2
    t = np.linspace(0.01, 100, 200)
    def bolus(tt):
        return dose / v1 * ((a - k21) / (a - b) * np.exp(-a * tt) + (k21 - b) / (a - b) * np.exp(-b * tt)) * 1000

    ref = bolus(t)
    np.testing.assert_allclose(m.central_ng_per_mL(_doses([0.0], dose, "iv"), t), ref, rtol=1e-9)
    assert m.terminal_half_life_h == pytest.approx(math.log(2) / b)
    two = m.central_ng_per_mL(_doses([0.0, 30.0], dose, "iv"), t)
    shifted = np.where(t > 30, bolus(np.maximum(t - 30, 0)), 0.0)
    np.testing.assert_allclose(two[t > 30], (ref + shifted)[t > 30], rtol=1e-9)


def test_constant_infusion_approaches_rate_over_clearance():
    m = _model("iv", CL=4.0, V1=10.0)
    c = m.central_ng_per_mL(_doses([0.0], 400.0, "iv", duration=100.0), np.array([2.0, 100.0]))
    assert c[1] == pytest.approx(4.0 / 4.0 * 1000 * (1 - math.exp(-0.4 * 100)), rel=1e-9)
    assert c[0] == pytest.approx(1000 * (1 - math.exp(-0.8)), rel=1e-9)


# ------------------------------------------------------------------------------------------ everolimus (B01, B04, B05, B06, B10, B13)
def test_everolimus_half_life_B01():
    assert 26 <= get_pk("everolimus").terminal_half_life_h <= 38  # B01: 30 h (26-38)


def test_everolimus_10mg_daily_troughs_B10_B13_and_steady_state_B04():
    m = exposure_metrics("everolimus", "10 mg daily")
    wb = m["whole_blood (ng/mL)"]
    assert 8.1 <= wb["Ctrough_day8"] <= 28.0 and abs(wb["Ctrough_day8"] / 15.3 - 1) < 0.25  # B13 median 15.3 (8.1-28.0)
    assert 9.0 <= wb["Cmin_ss"] <= 22.8  # B10 interquartile range of troughs
    assert wb["Ctrough_day8"] >= 0.9 * wb["Cmin_ss"]  # B04: steady state by day 8
    assert wb["AUC_period_ss"] == pytest.approx(10e3 / 17.4, rel=1e-3)  # AUC = F*dose/CL (B05)


@pytest.mark.xfail(strict=True, reason="known deviation: B05's ka (0.647/h) with its small V1 gives Tmax 0.7 h, "
                                       "earlier than B04's median 2 h (range 0.9-6 h); see docs/pk.md")
def test_everolimus_tmax_B04():
    p = pk_profile("everolimus", "10 mg once", hours=24, step_h=0.05)
    tmax = float(p.time.values[np.argmax(p.whole_blood.values)])
    assert 0.9 <= tmax <= 6  # B04: 2 h (0.9-6)


def test_everolimus_dose_proportional_auc_B01():
    a5 = exposure_metrics("everolimus", "5 mg daily")["whole_blood (ng/mL)"]["AUC_period_ss"]
    a10 = exposure_metrics("everolimus", "10 mg daily")["whole_blood (ng/mL)"]["AUC_period_ss"]
    assert a10 / a5 == pytest.approx(2.0, rel=1e-6)


def test_everolimus_population_troughs_B10():
    pop = pk_population("everolimus", "10 mg daily", 400, seed=7, days=8, step_h=1.0)
    q = np.percentile(pop.whole_blood.sel(time=168.0).values, [25, 50, 75])
    assert 9.0 <= q[1] <= 22.8  # median inside B10's middle quartiles (9.0-22.8)
    assert q[0] < 12.9 < q[2]  # and the B10 median inside the simulated IQR
    again = pk_population("everolimus", "10 mg daily", 3, seed=7, days=2, step_h=1.0)
    np.testing.assert_array_equal(again.whole_blood.values, pk_population("everolimus", "10 mg daily", 3, seed=7, days=2,
                                                                          step_h=1.0).whole_blood.values)


def test_whole_blood_and_plasma_kept_apart_B06_B07():
    m = get_pk("everolimus")
    x = np.array([1.0, 15.0, 75.0, 400.0])
    np.testing.assert_allclose(m.blood_from_plasma(m.plasma_from_blood(x)), x, rtol=1e-10)
    ref = pk_profile("everolimus", "10 mg daily", days=3)
    low = pk_profile("everolimus", "10 mg daily", days=3, hematocrit=0.20)
    np.testing.assert_allclose(low.plasma.values, ref.plasma.values)  # B06: plasma PK unchanged by haematocrit
    ratio = float(low.whole_blood.sel(time=60.0) / ref.whole_blood.sel(time=60.0))
    assert 0.4 <= ratio <= 0.7  # B06: haematocrit 45 % -> 20 % lowers whole-blood exposure ~50 % (here from 38 %)
    assert (ref.plasma.values[1:] < ref.whole_blood.values[1:]).all()
    assert ref.whole_blood.attrs["units"] == "ng/mL" and ref.tumour_nM.attrs["units"] == "nM"


# ------------------------------------------------------------------------------------------ other drugs
def test_fulvestrant_slow_im_absorption_and_loading_dose_B18():
    p = pk_profile("fulvestrant", "250 mg once", days=84, step_h=2.0)
    assert 6.0 <= float(p.time.values[np.argmax(p.plasma.values)]) / 24 <= 8.0  # B18: Tmax 6.96-6.98 d
    assert float(p.plasma.sel(time=84 * 24.0)) > 0.1  # measurable to 84 d (B18)
    m = exposure_metrics("fulvestrant", "250 mg every 28 days")["plasma (ng/mL)"]
    assert m["Cmax_ss"] == pytest.approx(15.8, rel=0.1) and m["Cmin_ss"] == pytest.approx(7.4, rel=0.1)  # label (fitted)
    ld = dosing_table([Regimen.parse("500 mg once", "fulvestrant"), Regimen.parse("250 mg on days 15,29 then every 28 days", "fulvestrant")],
                      90 * 24)
    lp = pk_profile("fulvestrant", ld, days=90, step_h=4.0)
    assert float(lp.plasma.max()) == pytest.approx(19.7, rel=0.3)  # B18: loading-dose regimen Cmax 19.7 ng/mL (not fitted)
    # loading dose reaches the monthly steady-state trough within the first month (rationale of B18)
    assert float(lp.plasma.sel(time=28 * 24.0)) >= 0.8 * m["Cmin_ss"]


def test_exemestane_oestradiol_suppression_B17():
    p = pk_profile("exemestane", "25 mg once", days=8, step_h=0.5)
    supp = 1 - p.estradiol_fraction
    assert float(supp.sel(time=72.0)) >= 0.85  # B17: 85-95 % within 2-3 days of one dose
    assert float(supp.sel(time=120.0)) >= 0.85 * float(supp.max())  # maximal suppression persists >= 4-5 days
    ss = 1 - float(pk_profile("exemestane", "25 mg daily", days=28).estradiol_fraction[-1])
    assert 0.85 <= ss <= 0.95  # B17


@pytest.mark.parametrize("drug, regimen, col, metric, target, rel", [
    ("capivasertib", "400 mg twice daily", "plasma (ng/mL)", "Cmax_ss", 1371, 0.1),   # Truqap label (fitted)
    ("capivasertib", "400 mg twice daily", "plasma (ng/mL)", "AUC_period_ss", 8069, 0.01),
])
def test_label_steady_state_numbers(drug, regimen, col, metric, target, rel):
    assert exposure_metrics(drug, regimen)[col][metric] == pytest.approx(target, rel=rel)


@pytest.mark.parametrize("drug, regimen, cmax, auc", [("temsirolimus", "25 mg once over 30 min", 585, 1627),
                                                      ("paclitaxel", "175 mg/m2 once over 3 h", 3650, 15007)])
def test_iv_single_dose_label_numbers(drug, regimen, cmax, auc):
    p = pk_profile(drug, regimen, hours=400, step_h=0.05)
    var = "whole_blood" if "whole_blood" in p and get_pk(drug).matrix == "whole_blood" else "plasma"
    assert float(p[var].max()) == pytest.approx(cmax, rel=0.05)
    assert float(p[var].integrate("time")) == pytest.approx(auc, rel=0.1)


def test_alpelisib_and_capivasertib_schedules():
    a = pk_profile("alpelisib", "300 mg daily", days=10)
    assert float(a.plasma.sel(time=48.0)) >= 0.9 * float(a.plasma.sel(time=216.0))  # steady state by day 3 (label)
    c = pk_profile("capivasertib", "400 mg twice daily 4 days on 3 days off", days=14, step_h=0.25)
    cmax = float(c.plasma.max())
    off = c.plasma.sel(time=slice(7 * 24 + 96, 14 * 24 - 1))
    assert 0.003 <= float(off.min()) / cmax and float(off.max()) / cmax <= 0.2  # label: 0.5-15 % of Cmax on off days


# ------------------------------------------------------------------------------------------ data and provenance
def test_every_pk_number_has_unit_and_source():
    tab = pk_table()
    assert set(pk_drugs()) >= {"everolimus", "temsirolimus", "exemestane", "fulvestrant", "alpelisib", "capivasertib", "paclitaxel"}
    assert tab.source.str.len().min() >= 3
    for s in tab.source:
        assert s.startswith(("assumed", "derived", "fitted")) or any(k in s for k in ("B0", "B1", "label", "Fachinformation", "PMID", "B18",
                                                                                     "monograph", "abstract", "doi", "SmPC")), s
    for d in pk_drugs():
        m = get_pk(d)
        assert m.molar_mass_g_per_mol > 0
        assert all(v for v in m.sources().values())


def test_unknown_drug_and_route_errors():
    with pytest.raises(UnknownNameError):
        get_pk("no-such-drug")
    with pytest.raises(InputError, match=r"without a PK model; drugs with one: .*alpelisib") as e:
        get_pk("metformin")  # in the catalogue, no PK model: every drug with one is named
    assert not isinstance(e.value, UnknownNameError) and "sapanisertib" in str(e.value)
    with pytest.raises(InputError) as e:
        pk_profile("everolimus", "10 mg iv daily", days=2)
    assert e.value.field == "regimen.route"


def test_individuals_are_seeded_and_log_normal():
    m = get_pk("everolimus")
    rng = np.random.default_rng(0)
    cl = np.array([m.individual(rng).value("CL") for _ in range(3000)])
    assert np.std(np.log(cl)) == pytest.approx(math.sqrt(math.log1p(0.351 ** 2)), rel=0.08)
    assert float(np.exp(np.mean(np.log(cl)))) == pytest.approx(17.4, rel=0.05)


def test_profile_round_trips_through_netcdf(tmp_path):
    p = pk_profile("everolimus", "10 mg daily", days=3)
    p.to_netcdf(tmp_path / "p.nc")
    with xr.open_dataset(tmp_path / "p.nc") as q:
        xr.testing.assert_identical(p, q.load())


# ------------------------------------------------------------------------------------------ pharmacodynamics
@pytest.fixture(scope="module")
def daily_10mg():
    return simulate_exposure("MCF7", pk_profile("everolimus", "10 mg daily", days=28, step_h=0.5))


@pytest.fixture(scope="module")
def weekly_70mg():
    return simulate_exposure("MCF7", pk_profile("everolimus", "70 mg weekly", days=28, step_h=0.5))


def test_near_complete_pS6_inhibition_at_10mg_daily_B03(daily_10mg):
    ss = daily_10mg.sel(time=slice(192, 240))
    assert float(ss.pS6_S235_236.max()) <= 0.2  # B03: near-complete pS6 inhibition at 10 mg/d
    assert float(ss.pS6K1_T389.max()) <= 0.1


def test_pAKT_rises_in_the_tumour_B03(daily_10mg):
    # B03: pAKT rose in about half of tumours. The model has one MCF7-like tumour (feedback intact),
    # so this only checks that the feedback-driven rise happens; its frequency needs a population.
    ss = daily_10mg.sel(time=slice(192, 240))
    assert float(ss.pAKT_S473.min()) > 1.2


def test_S6K1_inhibition_persists_a_week_after_weekly_doses_B02_B14():
    res = {}
    for dose in (20, 50):
        ds = simulate_exposure("MCF7", pk_profile("everolimus", f"{dose} mg weekly", days=7, step_h=0.5), hours=168)
        res[dose] = float(ds.pS6K1_T389.sel(time=167.0))
        assert float(ds.pS6K1_T389.sel(time=slice(1, 167)).max()) < 0.8  # B02: inhibited for >= 7 d at >= 20 mg/week
    assert res[50] < res[20]
    # B14: > 95 % S6K1 inactivation at a sustained 20 nM everolimus (ex vivo)
    import mtorsim
    assert float(mtorsim.simulate("MCF7", drugs="everolimus=20nM", hours=24, normalize="cell").pS6K1_T389[-1]) < 0.05


def test_daily_beats_weekly_on_mTORC1_coverage_A26(daily_10mg, weekly_70mg):
    # A26 (Ellard 2009): daily 10 mg active (RR 12 %), weekly 70 mg inactive (0 %). Mechanistic
    # counterpart: daily dosing keeps pS6 suppressed; weekly dosing lets it recover between doses.
    d, w = daily_10mg.sel(time=slice(168, 672)), weekly_70mg.sel(time=slice(168, 672))
    assert float(d.pS6_S235_236.mean()) < float(w.pS6_S235_236.mean())
    assert float((d.pS6_S235_236 < 0.3).mean()) > float((w.pS6_S235_236 < 0.3).mean()) + 0.1
    assert float(w.pS6_S235_236.sel(time=slice(600, 672)).max()) > 0.3


def test_aromatase_inhibitor_lowers_er_activity_and_inputs_are_recorded():
    ds = simulate_exposure("MCF7", pk_profile("exemestane", "25 mg daily", days=7), hours=168)
    assert float(ds.estradiol[-1]) == pytest.approx(0.1 * float(pk_profile("exemestane", "25 mg daily", days=7).estradiol_fraction.interp(time=167.5)), rel=0.05)
    assert float(ds.ER_activity[-1]) < 0.8
    combo = simulate_exposure("MCF7", [pk_profile("everolimus", "10 mg daily", days=3), pk_profile("exemestane", "25 mg daily", days=3)])
    assert "u_rapalog" in combo and "estradiol" in combo and combo.attrs["normalization"] == "cell"
    with pytest.raises(InputError):
        simulate_exposure("MCF7", pk_profile("everolimus", "10 mg daily", days=1), hours=48)


# ------------------------------------------------------------------------------------------ CLI
def test_pk_command(tmp_path):
    import typer
    from typer.testing import CliRunner

    from mtorsim.cli._pk_cmd import register

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    r = CliRunner().invoke(app, ["pk", "--drug", "everolimus", "--regimen", "10 mg daily", "--days", "28",
                                 "--plot", str(tmp_path / "p.png"), "--out", str(tmp_path / "p.csv")])
    assert r.exit_code == 0, r.output
    assert "Cmin_ss" in r.output and "Ctrough_day8" in r.output
    assert (tmp_path / "p.png").stat().st_size > 0 and (tmp_path / "p.csv").stat().st_size > 0
    bad = CliRunner().invoke(app, ["pk", "--drug", "everolimus", "--regimen", "10 mg dialy"])
    assert bad.exit_code == 2 and "regimen.schedule" in bad.output
    # body-size doses: trastuzumab 2 mg/kg weekly at 62 and 93 kg; a steady-state Cmin that scales with the weight
    cmin = []
    for w in ("62", "93"):
        r = CliRunner().invoke(app, ["pk", "--drug", "trastuzumab", "--regimen", "2 mg/kg iv weekly over 90 min",
                                     "--weight", w, "--format", "csv"])
        assert r.exit_code == 0, r.output
        row = next(line for line in r.output.splitlines() if line.startswith("Cmin_ss"))
        cmin.append(float(row.split(",")[1]))
    assert cmin[1] == pytest.approx(1.5 * cmin[0], rel=1e-6)
    bad = CliRunner().invoke(app, ["pk", "--drug", "trastuzumab", "--regimen", "2 mg/kg iv weekly", "--weight", "5"])
    assert bad.exit_code == 2 and "weight_kg" in bad.output
