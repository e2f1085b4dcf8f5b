"""GR values and metrics against the GRmetrics reference output and the HMS LINCS BRCA tables."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from mtorsim._data import data_dir
from mtorsim._errors import InputError
from mtorsim.response import (
    GRFit,
    compute_gr,
    gr50_from_params,
    gr_aoc,
    gr_curve,
    gr_max,
    gr_values,
    read_lincs_grmetrics,
)

HERE = Path(__file__).parent
TOY_DOSES_UM = np.array([0.001, 0.003162, 0.01, 0.03162, 0.1, 0.3162, 1, 3.162, 10])


def _toy():
    """GRmetrics toy example (datarail/gr_metrics, R output of GRfit); origin in the file header."""
    return pd.read_csv(HERE / "data" / "grmetrics_toy_bt20.tsv", sep="\t", comment="#")


def test_gr_value_formula_reference_example():
    # gr50_tools docstring (datarail/gr_metrics SRC/python/gr50/__init__.py, compute_gr_single)
    assert gr_values(1710, 1766.0, 492.8) == pytest.approx(0.965305500206, abs=1e-11)


def test_gr_value_anchors():
    # no effect -> 1; cytostasis (x = x0) -> 0; half the cells of time 0 -> -1 + 2^(-1/log2(xc/x0))
    assert gr_values([400.0, 100.0], 400.0, 100.0) == pytest.approx([1.0, 0.0])
    assert gr_values(50.0, 400.0, 100.0) == pytest.approx(2 ** (np.log2(0.5) / 2) - 1)


def test_gr_value_errors():
    with pytest.raises(InputError, match="cell_count__ctrl"):
        gr_values(100, 90, 100)
    with pytest.raises(InputError, match="cell_count"):
        gr_values(0, 200, 100)


@pytest.mark.parametrize("row", range(12))
def test_grfit_matches_grmetrics_reference(row):
    ref = _toy().iloc[row]
    counts = np.array(ref["counts"].split(","), float)
    table = pd.DataFrame({"concentration_uM": TOY_DOSES_UM, "cell_count": counts,
                          "cell_count__ctrl": ref["cell_count__ctrl"], "cell_count__time0": ref["cell_count__time0"]})
    gr = compute_gr(table)["GRvalue"]
    got = GRFit(conc_unit="uM").fit(table["concentration_uM"], gr).to_grmetrics()
    assert got["fit"] == ref["fit"]
    # observed metrics: exact
    assert got["GRmax"] == pytest.approx(ref["GRmax"], abs=1e-10)
    assert got["GR_AOC"] == pytest.approx(ref["GR_AOC"], abs=1e-10)
    if ref["fit"] == "sigmoid":
        # fitted metrics: drc (R) vs scipy least squares, agree to optimiser tolerance
        for ours, theirs in [("GEC50", "GEC50"), ("GR50", "GR50"), ("h_GR", "Hill"), ("r2", "r2")]:
            assert got[ours] == pytest.approx(ref[theirs], rel=1e-3), ours
        assert got["GRinf"] == pytest.approx(ref["GRinf"], abs=1e-5)
        assert got["pval"] == pytest.approx(ref["pval"], rel=1e-2)
    else:
        # flat fit convention: GEC50 = 0, h = 0.01, GRinf = mean GR, GR50 = +inf (mean > 0.5)
        assert got["GEC50"] == 0 and got["h_GR"] == 0.01 and got["GR50"] == np.inf
        assert got["GRinf"] == pytest.approx(ref["GRinf"], abs=1e-10)
        assert got["pval"] >= 0.05


def test_flat_fit_reports_censored_gr50():
    fit = GRFit(conc_unit="uM").fit(TOY_DOSES_UM, np.full(9, 0.9) + np.tile([0.01, -0.01, 0.0], 3))
    assert fit.fit_type_ == "flat"
    assert np.isnan(fit.gr50_) and fit.censoring_["gr50"] == "not reached (GR > 0.5)"
    assert fit.summary.loc["gec50", "flag"] == "flat fit"


def test_gr50_beyond_range_is_flagged():
    c = np.logspace(0, 3, 7)
    fit = GRFit().fit(c, gr_curve(c, grinf=0.45, gec50=300, hill=1.0))
    assert fit.fit_type_ == "sigmoid"
    assert np.isnan(fit.gr50_) and fit.censoring_["gr50"] == ">max dose"
    assert fit.to_grmetrics()["GR50"] > 1e3  # GRmetrics reports the extrapolation


def test_gr_aoc_and_grmax_definitions():
    c = np.array([1.0, 10.0, 100.0, 1.0, 10.0, 100.0])
    g = np.array([1.0, 0.5, 0.0, 1.0, 0.3, -0.2])
    # means 1, 0.4, -0.1 ; trapezoid of 1-GR over 2 decades: (0.3 + 0.85) / 2
    assert gr_aoc(c, g) == pytest.approx((0.5 * (0 + 0.6) + 0.5 * (0.6 + 1.1)) / 2)
    assert gr_max(c, g) == -0.2


def test_gr50_from_params_conventions():
    assert gr50_from_params(0.0, 10.0, 1.0) == pytest.approx(10.0)
    assert gr50_from_params(0.6, 10.0, 1.0) == np.inf
    assert gr50_from_params(0.3, 0.0, 0.01, flat_value=0.3) == -np.inf


# --- HMS LINCS BRCA published GR metrics (labsyspharm/brca-profiling @1e5e073) ---------------
lincs = pytest.mark.skipif(data_dir() is None, reason="shared data directory not available")


@lincs
def test_lincs_censoring_conventions():
    r = read_lincs_grmetrics(replicates=True)
    assert {"GR50_nM", "GEC50_nM", "GR50_flag", "fit"} <= set(r.columns)
    # every flat fit (GEC50 == 0) has an infinite (censored) GR50, as gr50_from_params gives
    assert (r.loc[r.fit == "flat", "GR50_flag"] != "").all()
    # '-inf' means GR below 0.5 throughout: the observed GRmax is below 0.5 there too
    assert (r.loc[r.GR50_flag == "below 0.5 at all doses", "GRmax"] < 0.5).all()
    assert r.GR50_nM.dropna().gt(0).all()


@lincs
def test_lincs_gr_aoc_reconstructed_from_published_parameters():
    """GR_AOC from the published (GEC50, GR50, GRmax) reproduces the published GR_AOC.

    The tables hold no per-dose GR values and no GRinf/h_GR. For sigmoid fits with GR50
    inside the model and GEC50 off the fit bounds, GRinf and h_GR are recovered from
    GR50 = GEC50 (0.5/(0.5 - GRinf))^(1/h), i.e. GRinf = 0.5 - 0.5 (GEC50/GR50)^h, and
    GRmax ~ GR(10 uM); the curve is then integrated with gr_aoc on the HMS LINCS design of
    9 half-log doses from 1 nM to 10 uM (assumed; the GEC50 fit bounds 1e-5 and 1000 uM in
    the table imply that range). GRmax is observed (not fitted) and the doses are assumed,
    so agreement is approximate: measured median |error| 0.076, Spearman 0.95 over 1858 curves.
    """
    r = read_lincs_grmetrics(replicates=True)
    s = r[(r.fit == "sigmoid") & (r.GR50_flag == "") & (r.GEC50_nM > 0.0101) & (r.GEC50_nM < 0.99e6)]
    doses = np.logspace(0, 4, 9)
    hs = np.linspace(0.1, 5, 100)
    ref, got = [], []
    for gec, g50, gmax, aoc in s[["GEC50_nM", "GR50_nM", "GRmax", "GR_AOC"]].itertuples(index=False):
        def resid(h):
            return gr_curve(1e4, grinf=0.5 - 0.5 * (gec / g50) ** h, gec50=gec, hill=h) - gmax
        v = np.array([resid(h) for h in hs])
        k = np.flatnonzero(np.sign(v[:-1]) != np.sign(v[1:]))
        if k.size == 0:
            continue
        h = optimize.brentq(resid, hs[k[0]], hs[k[0] + 1])
        grinf = 0.5 - 0.5 * (gec / g50) ** h
        if not -1 <= grinf <= 1:
            continue
        assert gr50_from_params(grinf, gec, h) == pytest.approx(g50, rel=1e-9)
        ref.append(aoc)
        got.append(gr_aoc(doses, gr_curve(doses, grinf=grinf, gec50=gec, hill=h)))
    ref, got = np.array(ref), np.array(got)
    assert ref.size > 1500
    assert np.median(np.abs(got - ref)) < 0.1
    assert stats.spearmanr(ref, got).statistic > 0.9
