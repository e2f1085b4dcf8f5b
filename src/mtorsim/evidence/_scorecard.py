"""The scorecard (issue 5 §5): every evidence-backed check the project has, as one table.

Each row names its evidence record (``shared/evidence/evidence.yaml``; screens and data sets
without a record are named by their data set), the record's statement, what the model gives,
what was published or measured, and whether they agree.

The core-model checks run the same simulations with the same criteria as
``tests/evidence/test_published_behaviour.py`` (each function here names its test). Nelander 2008
is scored against the 80 % sign-agreement target; unless ``quick``, the virtual screens are
scored too (LINCS per-drug Spearman ≥ 0.5 for everolimus and alpelisib, O'Neil 2016 sign
agreement ≥ 75 %, the published combinations of :func:`published_combinations`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .._data import data_dir

__all__ = ["scorecard", "load_evidence", "CORE_CHECKS", "COLUMNS"]

COLUMNS = ("evidence", "group", "check", "statement", "model", "published", "agree")
EVIDENCE_ENV = "MTORSIM_EVIDENCE"

#: statements for the data sets that have no record in evidence.yaml
DATASET_STATEMENTS = {
    "Nelander2008": "MCF7 under single and paired inhibitors (IGF1R, PI3K, mTOR, MEK, EGFR): sign of the change of "
                    "pAKT, pS6K, pS6 and pERK (Nelander et al. 2008 Mol Syst Biol 4:216).",
    "LINCS-GR": "HMS LINCS breast-cancer panel (Hafner et al.): GR metrics of breast lines under pathway drugs.",
    "Imoto2022": "Imoto et al. 2022 iScience: pAkt and pERK time courses after EGF or heregulin in serum-starved breast lines.",
    "LINCS-heldout": "HMS LINCS breast panel: GR_AOC of lines held out of the fate-layer fit.",
    "ONeil2016": "O'Neil et al. 2016 Mol Cancer Ther: Loewe synergy of drug pairs in breast lines.",
}


# ---- evidence records -----------------------------------------------------------------------


def _evidence_path() -> Path | None:
    if os.environ.get(EVIDENCE_ENV):
        return Path(os.environ[EVIDENCE_ENV])
    d = data_dir()
    if d is not None and (d.parent / "evidence" / "evidence.yaml").is_file():
        return d.parent / "evidence" / "evidence.yaml"
    return None


@lru_cache(maxsize=1)
def load_evidence() -> dict[str, dict]:
    """The evidence records by id (empty when ``evidence.yaml`` is not found; set ``$MTORSIM_EVIDENCE``)."""
    path = _evidence_path()
    if path is None:
        return {}
    import yaml
    records = yaml.safe_load(path.read_text()).get("records", [])
    return {r["id"]: r for r in records}


def _statement(evidence: str, fallback: str) -> str:
    recs = load_evidence()
    parts = [f"{i}: {recs[i]['statement']}" for i in evidence.split("/") if i in recs]
    return " | ".join(parts) if parts else DATASET_STATEMENTS.get(evidence.split("-")[0] if evidence.startswith("LINCS") else evidence, fallback)


# ---- shared simulations ---------------------------------------------------------------------


class _Sims:
    """Memoised simulations shared by the checks of one scorecard (the tests' module fixtures)."""

    def __init__(self):
        self._cache: dict = {}

    def get(self, key: str, fn: Callable):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def mcf7_eve(self):
        from ..simulate import simulate
        return self.get("mcf7_eve", lambda: simulate("MCF7", drugs=["everolimus=10nM"], hours=48,
                                                     times=np.arange(0, 48.25, 0.25), normalize="cell"))

    def myr(self):
        from .. import define_cell
        return self.get("myr", lambda: define_cell("MCF7-myrAKT", base="MCF7", alterations=["AKT1:myr"]))


def _at(ds, name, t):
    return float(ds[name].sel(time=t, method="nearest"))


def _row(evidence, check, model, published, agree, group="core model"):
    return {"evidence": evidence, "group": group, "check": check, "model": model, "published": published, "agree": bool(agree)}


# ---- the core-model checks (tests/evidence/test_published_behaviour.py) ----------------------


def _c05_s6k1(s: _Sims):
    """test_everolimus_inhibits_s6k1_within_1h_and_keeps_it_down"""
    mx = float(s.mcf7_eve()["pS6K1_T389"].sel(time=slice(1, 48)).max())
    return _row("C01/C05", "everolimus 10 nM inhibits S6K1 T389 within 1 h and keeps it down to 48 h (MCF7)",
                f"pS6K1 max over 1-48 h = {mx:.3f} of untreated", "> 95 % S6K1 inactivation (≤ 0.10 left)", mx <= 0.10)


def _c01_akt(s: _Sims):
    """test_everolimus_raises_pakt_s473_by_24h"""
    ds = s.mcf7_eve()
    akt, s636, irs = _at(ds, "pAKT_S473", 24), _at(ds, "pIRS1_S636", 24), _at(ds, "IRS1_total", 24)
    return _row("C01/C05", "everolimus raises pAKT S473 by 24 h through relief of S6K1 ⊣ IRS1 (MCF7)",
                f"24 h: pAKT {akt:.2f}×, pIRS1 S636 {s636:.2f}×, IRS1 {irs:.2f}×",
                "pAKT up (> 1.2×), IRS1 S636 down (< 0.6×), IRS-1 induced (> 1.3×)", akt > 1.2 and s636 < 0.6 and irs > 1.3)


def _c01_igf1r(s: _Sims):
    """test_igf1r_blockade_prevents_the_akt_rise"""
    from ..simulate import simulate
    both = simulate("MCF7", drugs=["everolimus=10nM", "cixutumumab=10nM"], hours=24, normalize="cell")
    b, e = _at(both, "pAKT_S473", 24), _at(s.mcf7_eve(), "pAKT_S473", 24)
    return _row("C01", "IGF1R blockade (cixutumumab) prevents the everolimus-induced AKT rise",
                f"pAKT 24 h: everolimus {e:.2f}×, + cixutumumab {b:.2f}×", "rise prevented (≤ 1.0×, ≥ 0.3 below everolimus alone)",
                b <= 1.0 and b < e - 0.3)


def _c02_letrozole(s: _Sims):
    """test_letrozole_in_mcf7_aro_blunts_the_akt_rise"""
    from ..biology import Medium
    from ..simulate import simulate
    med = Medium("charcoal_stripped", androgen_nM=10.0)
    times = [0, 72, 96]
    eve = simulate("MCF7-aro", drugs=["everolimus=10nM@72h"], medium=med, times=times, normalize="none")
    eve_let = simulate("MCF7-aro", drugs=["letrozole=100nM", "everolimus=10nM@72h"], medium=med, times=times, normalize="none")
    rise = _at(eve, "pAKT_S473", 96) / _at(eve, "pAKT_S473", 72) - 1
    rise_let = _at(eve_let, "pAKT_S473", 96) / _at(eve_let, "pAKT_S473", 72) - 1
    irs = _at(eve_let, "IRS1_total", 72) / _at(eve, "IRS1_total", 72)
    igf = _at(eve_let, "IGF1R_total", 72) / _at(eve, "IGF1R_total", 72)
    ok = rise > 0.2 and rise_let < 0.5 * rise and irs < 0.7 and igf < 0.8
    return _row("C02", "letrozole (3 d) blunts the everolimus AKT rise in MCF7-aro, lowering IGF-1R and IRS-1",
                f"pAKT rise {rise:+.0%} vs {rise_let:+.0%} with letrozole; IRS1 {irs:.2f}×, IGF1R {igf:.2f}×",
                "rise abrogated by letrozole, which lowers IGF-1R and IRS-1/2", ok)


def _c02_deprivation(s: _Sims):
    """test_oestrogen_withdrawal_blunts_the_akt_rise"""
    from ..simulate import simulate
    full = simulate("MCF7", drugs=["everolimus=10nM"], estradiol="1nM", hours=24, normalize="cell")
    dep = simulate("MCF7", drugs=["everolimus=10nM"], medium="charcoal_stripped", hours=24, normalize="cell",
                   preequilibration_medium="charcoal_stripped")
    rf, rd = _at(full, "pAKT_S473", 24) - 1, _at(dep, "pAKT_S473", 24) - 1
    return _row("C02", "oestrogen deprivation blunts the everolimus AKT rise (MCF7)",
                f"pAKT rise {rf:+.0%} with oestradiol vs {rd:+.0%} deprived", "AKT feedback is ER-dependent (rise < 70 % of it)",
                rd < 0.7 * rf)


def _c11_4ebp1(s: _Sims):
    """test_rapalog_spares_4ebp1_and_it_recovers_within_6h (first part)"""
    ds = s.mcf7_eve()
    p4e, s6k = ds["p4EBP1_T37_46"], ds["pS6K1_T389"]
    inh4e = float((1 - p4e.sel(time=slice(0.5, 48))).max())
    inhs6k = float((1 - s6k.sel(time=slice(0.5, 48))).min())
    return _row("C11", "everolimus inhibits 4E-BP1 phosphorylation incompletely, much less than S6K1 (MCF7)",
                f"max 4E-BP1 inhibition {inh4e:.0%} vs min S6K1 inhibition {inhs6k:.0%}",
                "rapamycin-resistant 4E-BP1 phosphorylation (< half of S6K1's inhibition)", inh4e < 0.5 * inhs6k)


def _c12_recovery(s: _Sims):
    """test_rapalog_spares_4ebp1_and_it_recovers_within_6h (timing)"""
    ds = s.mcf7_eve()
    p4e = ds["p4EBP1_T37_46"]
    early = p4e.sel(time=slice(0, 3))
    nadir_t, nadir = float(early.idxmin()), float(early.min())
    at6, s6k6 = _at(ds, "p4EBP1_T37_46", 6), _at(ds, "pS6K1_T389", 6)
    ok = nadir < 0.9 and nadir_t <= 3 and at6 > 1 - 0.35 * (1 - nadir) and s6k6 < 0.1
    return _row("C12", "4E-BP1 dips in the first hours of everolimus and recovers by 6 h while S6K1 stays off",
                f"nadir {nadir:.2f} at {nadir_t:g} h, {at6:.2f} at 6 h; pS6K1 at 6 h {s6k6:.2f}",
                "dip at 1-3 h, re-phosphorylation within 6 h (≥ 65 % recovered), S6K stays inhibited", ok)


def _c13_tork(drug: str):
    def check(s: _Sims):
        """test_atp_competitive_mtor_inhibitors_suppress_4ebp1_and_akt_s473"""
        from ..simulate import simulate
        ds = simulate("MCF7", drugs=[drug], hours=24, normalize="cell")
        p4e, s6k, akt = _at(ds, "p4EBP1_T37_46", 24), _at(ds, "pS6K1_T389", 24), _at(ds, "pAKT_S473", 24)
        tr, tr_eve = _at(ds, "translation", 24), _at(s.mcf7_eve(), "translation", 24)
        ok = p4e < 0.3 and s6k < 0.1 and akt < 0.5 and tr < tr_eve
        return _row("C11/C13", f"{drug.split('=')[0]} ({drug.split('=')[1]}) blocks 4E-BP1, S6K1 and mTORC2 (AKT S473) and "
                    "translation more than a rapalog (MCF7, 24 h)",
                    f"p4E-BP1 {p4e:.2f}, pS6K1 {s6k:.2f}, pAKT {akt:.2f}; translation {tr:.2f} vs everolimus {tr_eve:.2f}",
                    "active-site inhibitors suppress 4E-BP1 and cap-dependent translation where rapamycin does not", ok)
    check.__name__ = f"_c13_{drug.split('=')[0]}"
    return check


def _c14_mtorc2(s: _Sims):
    """test_prolonged_rapamycin_lowers_akt_s473_only_in_mtorc2_sensitive_cells"""
    from .. import define_cell
    from ..simulate import simulate
    sensitive = define_cell("MCF7-mTORC2-sensitive", base="MCF7", traits=["mtorc2_rapalog_sensitive"])
    ds_s = simulate(sensitive, drugs=["sirolimus=10nM"], hours=48, normalize="cell")
    ds_n = simulate("MCF7", drugs=["sirolimus=10nM"], hours=48, normalize="cell")
    s48, s1, n48 = _at(ds_s, "pAKT_S473", 48), _at(ds_s, "pAKT_S473", 1), _at(ds_n, "pAKT_S473", 48)
    return _row("C14", "prolonged rapamycin lowers AKT S473 only in mTORC2-sensitive cells, and only after hours",
                f"sensitive: pAKT {s1:.2f} at 1 h, {s48:.2f} at 48 h; MCF7: {n48:.2f} at 48 h",
                "mTORC2 inhibited by ≥ 24 h rapamycin in some cell types", s48 < 0.8 and s1 > 0.9 and n48 > 1.0)


def _c19_basal(s: _Sims):
    """test_basal_pakt_is_higher_in_pten_null_and_pik3ca_mutant_lines"""
    from ..simulate import simulate

    def basal(cell):
        return _at(simulate(cell, hours=1, n_points=2), "pAKT_S473", 0)
    wt = {c: basal(c) for c in ("MDA-MB-231", "HCC1806")}
    pten = {c: basal(c) for c in ("MDA-MB-468", "BT-549")}
    pik = {c: basal(c) for c in ("MCF7", "T47D")}
    ok = min(pten.values()) > max(wt.values()) and min(pik.values()) > max(wt.values())
    fmt = lambda d: ", ".join(f"{k} {v:.2f}" for k, v in d.items())  # noqa: E731
    return _row("C19", "basal pAKT is higher in PTEN-null and PIK3CA-mutant lines than in wild-type ones",
                f"PTEN-null {fmt(pten)}; PIK3CA {fmt(pik)}; wild-type {fmt(wt)}", "PTEN loss activates Akt (higher basal pAKT)", ok)


def _c19_ps6(s: _Sims):
    """test_rapalog_suppresses_ps6_in_pten_null_lines_as_elsewhere"""
    from ..simulate import simulate
    inhib = {c: 1 - _at(simulate(c, drugs=["temsirolimus=10nM"], hours=24, normalize="cell"), "pS6_S235_236", 24)
             for c in ("MDA-MB-468", "BT-549", "MCF7", "MDA-MB-231")}
    ok = min(inhib.values()) > 0.7 and min(inhib["MDA-MB-468"], inhib["BT-549"]) > 0.9 * max(inhib["MCF7"], inhib["MDA-MB-231"])
    return _row("C19", "temsirolimus suppresses pS6 in PTEN-null lines as in the others",
                "pS6 inhibition " + ", ".join(f"{k} {v:.0%}" for k, v in inhib.items()),
                "S6 phosphorylation blocked in sensitive and resistant lines alike", ok)


def _c06_independence(s: _Sims):
    """test_active_akt_makes_mcf7_oestrogen_independent"""
    from ..simulate import simulate
    par = simulate("MCF7", medium="charcoal_stripped", hours=1, n_points=2)
    act = simulate(s.myr(), medium="charcoal_stripped", hours=1, n_points=2)
    er_p, er_a = _at(par, "ER_activity", 0), _at(act, "ER_activity", 0)
    cd_p, cd_a = _at(par, "cyclinD1", 0), _at(act, "cyclinD1", 0)
    return _row("C06", "constitutively active Akt makes MCF7 oestrogen-independent (ER activity, cyclin D1 drive without E2)",
                f"without oestrogen: ER activity {er_a:.2f} vs parental {er_p:.2f}; cyclin D1 {cd_a:.2f} vs {cd_p:.2f}",
                "oestrogen-independent ER activity and growth", er_a > 2 * er_p and cd_a > 1.3 * cd_p and cd_a >= 0.9)


def _c06_tamoxifen(s: _Sims):
    """test_active_akt_makes_mcf7_tamoxifen_resistant_and_a_rapalog_restores_it"""
    from ..simulate import simulate

    def er_left(cell, drugs):
        untreated = simulate(cell, estradiol="1nM", hours=48, normalize="none")
        treated = simulate(cell, drugs=drugs, estradiol="1nM", hours=48, normalize="none")
        return _at(treated, "ER_activity", 48) / _at(untreated, "ER_activity", 48)
    par = er_left("MCF7", ["4-hydroxytamoxifen=100nM"])
    myr = er_left(s.myr(), ["4-hydroxytamoxifen=100nM"])
    both = er_left(s.myr(), ["4-hydroxytamoxifen=100nM", "sirolimus=10nM"])
    return _row("C06/C07", "Akt-active MCF7 resist 4-OHT; rapamycin restores the tamoxifen effect (ER activity, 48 h)",
                f"ER activity left: parental + 4-OHT {par:.2f}; myr-Akt + 4-OHT {myr:.2f}; + sirolimus {both:.2f}",
                "tamoxifen-resistant; rapamycin restores sensitivity", par < 0.4 and myr > 1.5 * par and both < myr - 0.15)


def _c17_lted(s: _Sims):
    """test_lted_has_higher_pi3k_mtor_activity_and_depends_on_it_more"""
    from ..simulate import simulate
    lted = simulate("MCF7-LTED", medium="charcoal_stripped", hours=1, n_points=2)
    par = simulate("MCF7", hours=1, n_points=2)
    dep = simulate("MCF7", medium="charcoal_stripped", hours=1, n_points=2)
    a_l, a_p, a_d = (_at(x, "pAKT_S473", 0) for x in (lted, par, dep))
    s_l, s_d = _at(lted, "pS6K1_T389", 0), _at(dep, "pS6K1_T389", 0)

    def drive_left(cell, medium):
        return _at(simulate(cell, drugs=["dactolisib=100nM"], medium=medium, hours=24, normalize="cell"), "cyclinD1", 24)
    d_l, d_p = drive_left("MCF7-LTED", "charcoal_stripped"), drive_left("MCF7", "full")
    ok = a_l > 1.1 * a_p and a_l > 1.5 * a_d and s_l > 1.2 * s_d and d_l < 0.9 * d_p
    return _row("C17/C24", "LTED cells hyperactivate PI3K/mTOR and depend on it more (dactolisib)",
                f"pAKT LTED {a_l:.2f} vs MCF7 {a_p:.2f} (+E2) / {a_d:.2f} (deprived); pS6K1 {s_l:.2f} vs {s_d:.2f}; "
                f"cyclin D1 left under dactolisib {d_l:.2f} vs {d_p:.2f}",
                "increased p-AKT and p-S6K; PI3K/mTOR inhibition stops hormone-independent growth", ok)


def _c16_s6k1(s: _Sims):
    """test_oestradiol_raises_s6k1_and_s6k1_phosphorylates_er_s167 (C16)"""
    from ..simulate import simulate
    no_e2 = simulate("MCF7", medium="charcoal_stripped", hours=1, n_points=2)
    e2 = simulate("MCF7", estradiol="1nM", hours=1, n_points=2)
    a, b = _at(e2, "S6K1_total", 0), _at(no_e2, "S6K1_total", 0)
    return _row("C16", "oestradiol induces S6K1 expression (MCF7)", f"S6K1 protein {a:.2f} with E2 vs {b:.2f} without",
                "E2 induces S6K1 (RPS6KB1) via ERα (> 1.15×)", a > 1.15 * b)


def _c15_s167(s: _Sims):
    """test_oestradiol_raises_s6k1_and_s6k1_phosphorylates_er_s167 (C15)"""
    from ..simulate import simulate
    rapa = simulate("MCF7", drugs=["everolimus=10nM"], hours=6, normalize="cell")
    v = _at(rapa, "pER_S167", 6)
    return _row("C15", "S6K1 phosphorylates ERα S167: everolimus lowers pER S167 (MCF7, 6 h)", f"pER S167 {v:.2f} of untreated",
                "S6K1 → ERα S167 (mTOR inhibition lowers it; < 0.75×)", v < 0.75)


def _c21_trastuzumab(s: _Sims):
    """test_pten_loss_blunts_trastuzumab_effect_on_akt"""
    from .. import define_cell
    from ..simulate import simulate
    bt474_pten = define_cell("BT-474 PTEN-knockdown", base="BT-474", alterations=["PTEN:loss"])
    drop = {}
    for name, cell in (("intact", "BT-474"), ("pten_loss", bt474_pten)):
        drop[name] = 1 - _at(simulate(cell, drugs=["trastuzumab=70nM"], hours=24, normalize="cell"), "pAKT_S473", 24)
    return _row("C21", "PTEN loss blunts the trastuzumab effect on Akt (BT-474)",
                f"pAKT drop: PTEN intact {drop['intact']:.0%}, PTEN knock-down {drop['pten_loss']:.0%}",
                "PTEN loss → trastuzumab resistance at the level of Akt", drop["intact"] > 0.3 and drop["pten_loss"] < 0.5 * drop["intact"])


#: the core-model checks, in the order of the test file
CORE_CHECKS: tuple[Callable, ...] = (
    _c05_s6k1, _c01_akt, _c01_igf1r, _c02_letrozole, _c02_deprivation, _c11_4ebp1, _c12_recovery,
    _c13_tork("torin1=250nM"), _c13_tork("AZD8055=100nM"), _c13_tork("sapanisertib=250nM"), _c14_mtorc2,
    _c19_basal, _c19_ps6, _c06_independence, _c06_tamoxifen, _c17_lted, _c16_s6k1, _c15_s167, _c21_trastuzumab,
)

NELANDER_TARGET = 0.80
LINCS_TARGET = 0.5
ONEIL_TARGET = 0.75


def _nelander():
    from ._nelander import agreement_summary, nelander_agreement
    s = agreement_summary(nelander_agreement())
    return _row("Nelander2008", "sign of pAKT/pS6K/pS6/pERK changes in MCF7 under modelled inhibitors (24 h)",
                f"{s['agree']}/{s['comparisons']} agree ({s['fraction']:.0%})", f"target ≥ {NELANDER_TARGET:.0%} sign agreement",
                s["fraction"] >= NELANDER_TARGET, group="data set")


def _heldout_signalling() -> list[dict]:
    """The default network on the data held out of mtorsim.calibrate._defaults (docs/defaults.md)."""
    from ..calibrate import _defaults as D
    data = D.DefaultsData.load()
    summ = D.fit_summary(D.evaluate(D.nominal_log10(), data, split="holdout")).set_index("dataset")
    nel, imo = summ.loc["Nelander 2008"], summ.loc["Imoto 2022"]
    return [
        _row("Nelander2008", "held-out gefitinib pairs (conditions 17, 18, 19, 21): sign of readout changes",
             f"{nel['sign_agreement']:.0%} agree, RMSE {nel['rmse']:.2f} (scaled units)", f"target ≥ {NELANDER_TARGET:.0%} sign agreement",
             bool(nel["sign_agreement"] >= NELANDER_TARGET), group="calibration"),
        _row("Imoto2022", "held-out SK-BR-3: pAkt/pERK after EGF and heregulin (0, 30-120 min, min-max scaled)",
             f"Pearson r = {imo['pearson_r']:.2f}, RMSE {imo['rmse']:.2f}", "target r ≥ 0.5",
             bool(imo["pearson_r"] >= 0.5), group="calibration"),
    ]


def _screens() -> list[dict]:
    from ._screens import kinase_vs_rapalog, lincs_comparison, oneil_comparison, published_combinations
    rows = []
    wells, summary = lincs_comparison()
    by = summary.set_index("drug")
    from ..fate._calibrate import holdout_lines
    held = wells[wells["cell"].isin(holdout_lines(wells["cell"].unique()))]
    from scipy import stats
    rho_h = float(stats.spearmanr(held["GR_AOC_measured"], held["GR_AOC_model"]).statistic) if len(held) >= 4 else float("nan")
    rows.append(_row("LINCS-heldout", "fate layer fitted on 15 lines predicts GR_AOC of the 7 held-out lines (all drugs)",
                     f"Spearman ρ = {rho_h:.2f} over {len(held)} line×drug pairs", f"target ρ ≥ {LINCS_TARGET}",
                     np.isfinite(rho_h) and rho_h >= LINCS_TARGET, group="calibration"))
    rows.append(_potency_row())
    for drug in ("everolimus", "alpelisib"):
        rho = float(by.loc[drug, "spearman_GR_AOC"]) if drug in by.index else float("nan")
        rows.append(_row(f"LINCS-{drug}", f"{drug}: ranking of breast lines by GR_AOC follows HMS LINCS",
                         f"Spearman ρ = {rho:.2f} over {int(by.loc[drug, 'n_lines']) if drug in by.index else 0} lines",
                         f"target ρ ≥ {LINCS_TARGET}", np.isfinite(rho) and rho >= LINCS_TARGET, group="screens"))
    kv = kinase_vs_rapalog(summary)
    rows.append(_row("LINCS-GRmax", "mTOR kinase inhibitors reach lower GRmax than rapalogs", f"model: {kv['model']}",
                     f"measured: {kv['measured']}", kv["model"] is not None and kv["model"] == kv["measured"], group="screens"))
    oneil = oneil_comparison(grid=5)
    frac = float(oneil.agree.mean()) if len(oneil) else float("nan")
    rows.append(_row("ONeil2016", "sign of Loewe synergy for drug pairs and lines the model has",
                     f"{int(oneil.agree.sum())}/{len(oneil)} agree ({frac:.0%})", f"target ≥ {ONEIL_TARGET:.0%} sign agreement",
                     np.isfinite(frac) and frac >= ONEIL_TARGET, group="screens"))
    pub = published_combinations()
    for _, r in pub.iterrows():
        rows.append(_row(r["evidence"], r["statement"], r["model"], r["published"], r["agree"], group="published combinations"))
    return rows


def _potency_row() -> dict:
    """The kinase inhibitors' cellular potency factors (fitted on the training lines' GR50s,
    :func:`mtorsim.calibrate._potency.calibrate_potency`) against the held-out lines' GR50s: per drug the
    geometric-mean model/measured ratio; the row agrees when the median error over drugs is within 3x."""
    from ..calibrate._potency import calibrate_potency
    t = calibrate_potency().table.dropna(subset=["ratio_held_out_current"])
    ratios = dict(zip(t["drug"], t["ratio_held_out_current"]))
    typical = float(np.exp(np.median(np.abs(np.log(list(ratios.values())))))) if ratios else float("nan")
    return _row("LINCS-potency", "kinase inhibitors' cellular potency factors (fitted to the GR50s of 15 lines) predict the GR50 "
                "of the 7 held-out lines", f"typical (median) error {typical:.1f}x over {len(ratios)} drugs; model/measured "
                + ", ".join(f"{d} {r:.2g}" for d, r in sorted(ratios.items())), "within 3x",
                bool(np.isfinite(typical) and typical <= 3), group="calibration")


def _trials(results=None) -> list[dict]:
    """Every built-in virtual trial at its published size against its published numbers, as the median of
    ``DEFAULT_REPLICATES`` replicate trials (seeds 0, 1, …) with their range; a row agrees when at least half
    of the replicates do (``results``: trials already run at seed 0, reused by ``validate_trials``)."""
    from ..trial import validate_trials
    from ..trial._validate import DEFAULT_REPLICATES, DEFAULT_WORKERS
    df = validate_trials(seed=0, results=results, replicates=DEFAULT_REPLICATES, workers=DEFAULT_WORKERS)
    rows = []
    for r in df.itertuples():
        ev = "/".join(e.strip() for e in r.evidence.split(","))
        fmt = (lambda v: f"{v:.2f}") if "months" in r.endpoint or "hazard" in r.endpoint else (lambda v: f"{v:.0%}")
        rows.append(_row(ev, f"{r.trial}: {r.endpoint}, {r.arm}",
                         f"{fmt(r.simulated)} ({fmt(r.simulated_min)}–{fmt(r.simulated_max)}, {r.replicates} trials)",
                         f"{fmt(r.published)} ({r.criterion})", bool(r.agree), group="trials"))
    return rows


def _safe(fn, name: str, evidence: str) -> list[dict]:
    from .._errors import MtorsimError
    try:
        out = fn()
    except (MtorsimError, FileNotFoundError, KeyError, ValueError) as exc:
        return [_row(evidence, name, f"not computed: {type(exc).__name__}: {exc}", "", False)]
    return out if isinstance(out, list) else [out]


def scorecard(quick: bool = False, *, trial_results=None) -> pd.DataFrame:
    """Score the model against every evidence-backed check the project has.

    Parameters
    ----------
    quick : only the core-model mechanism checks, Nelander 2008 and the held-out signalling data (seconds);
        otherwise also the virtual screens against HMS LINCS, O'Neil 2016 and the published combinations,
        and the built-in virtual trials against their published results (minutes).
    trial_results : built-in trials already run at seed 0 and their published size ({name: TrialResult}),
        reused instead of run again (the report passes its BOLERO-2).

    Returns
    -------
    pandas.DataFrame
        One row per check with columns ``evidence`` (record id in evidence.yaml, ids joined by
        ``/``, or the data set), ``group``, ``check``, ``statement`` (from evidence.yaml),
        ``model`` (what the model gives), ``published`` (what was published or measured) and
        ``agree`` (bool). ``attrs`` holds ``agree`` and ``total``.

    Examples
    --------
    >>> card = scorecard(quick=True)                       # doctest: +SKIP
    >>> f"{card.agree.sum()}/{len(card)} agree"            # doctest: +SKIP
    """
    sims = _Sims()
    rows: list[dict] = []
    for check in CORE_CHECKS:
        rows += _safe(lambda c=check: c(sims), check.__doc__ or check.__name__, "core")
    if data_dir() is not None:
        rows += _safe(_nelander, "Nelander 2008 sign agreement", "Nelander2008")
        rows += _safe(_heldout_signalling, "held-out signalling data", "calibration")
        if not quick:
            rows += _safe(_screens, "virtual screens", "screens")
            rows += _safe(lambda: _trials(trial_results), "virtual trials", "trials")
    table = pd.DataFrame(rows)
    table["statement"] = [_statement(e, c) for e, c in zip(table["evidence"], table["check"])]
    table = table[list(COLUMNS)]
    table["agree"] = table["agree"].astype(bool)
    table.attrs.update({"agree": int(table["agree"].sum()), "total": int(len(table)), "quick": bool(quick)})
    return table
