"""Virtual screens against real ones (issue 4 §4). These tests check the comparison machinery and
the agreements that hold; the numbers that do not yet reach the issue's targets are reported by
`mtorsim validate screens`, not asserted."""

from __future__ import annotations

import numpy as np
import pytest

from mtorsim.evidence._screens import kinase_vs_rapalog, lincs_comparison, lincs_table, pathway_activated


def test_lincs_table_maps_names_to_the_catalogue(shared_data):
    t = lincs_table()
    assert {"MCF7", "T47D", "MDA-MB-231", "BT-474"} <= set(t.cell)
    assert {"everolimus", "alpelisib", "torin2"} <= set(t.drug)
    assert t["GR50_nM"].isna().any()          # censored values stay NaN, never numbers


def test_alpelisib_ranking_follows_the_lincs_panel(shared_data):
    """HMS LINCS (Hafner et al.; shared/data/response): PIK3CA-mutant lines are the most alpelisib-sensitive,
    PTEN-null lines (p110-beta-driven) among the least; the model's GR_AOC ranking must follow (Spearman >= 0.5)."""
    table, summary = lincs_comparison(drugs=["alpelisib"])
    rho = float(summary.set_index("drug").loc["alpelisib", "spearman_GR_AOC"])
    assert rho >= 0.5, table.sort_values("GR_AOC_measured").to_string()


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "known deviation (session 7, docs/design/kinase-inhibitor-potency.md): the catalogue's target-level potencies make "
    "the ATP-competitive PI3K/AKT/mTOR inhibitors 3-60x too potent in the model's cells; alpelisib's GR50 is ~0.016x "
    "the measured one (MCF7 9.7 vs 627 nM). The fix (a biochemical-to-cellular rule fitted to the panel, a fate refit, "
    "the trials rerun) is not made yet"))
def test_alpelisib_growth_potency_matches_the_lincs_panel(shared_data):
    """HMS LINCS (Hafner et al.; shared/data/response): alpelisib's GR50 in the lines where both the model and the
    measurement have one (geometric mean model / measured) must lie within 3x of the measured potency: the measured
    GR50s of the PIK3CA-mutant lines themselves spread about 3x either side of their geometric mean (151-1239 nM
    around 387 nM), so a model inside that band is as close as the panel lets one line stand for another."""
    table, _ = lincs_comparison(drugs=["alpelisib"])
    both = table.dropna(subset=["GR50_nM_model", "GR50_nM_measured"])
    ratio = float(np.exp(np.mean(np.log(both.GR50_nM_model / both.GR50_nM_measured))))
    assert len(both) >= 5 and 1 / 3 < ratio < 3, ratio


def test_pathway_activation_flag():
    assert pathway_activated("MCF7") and pathway_activated("MDA-MB-468") and not pathway_activated("MDA-MB-231")


def test_kinase_vs_rapalog_needs_both_classes():
    import pandas as pd
    assert kinase_vs_rapalog(pd.DataFrame({"drug_class": ["rapalog"], "GRmax_measured_median": [0.3], "GRmax_model_median": [0.5]})) == {"measured": None, "model": None}
