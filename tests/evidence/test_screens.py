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


def test_alpelisib_growth_potency_matches_the_lincs_panel(shared_data):
    """HMS LINCS (Hafner et al.; shared/data/response): alpelisib's GR50 in the PIK3CA-mutant lines whose measured GR50
    lies inside the tested doses (geometric mean model / measured) must lie within 3x of the measured potency: the
    measured GR50s of those lines themselves spread about 3x either side of their geometric mean (151-1239 nM around
    387 nM), so a model inside that band is as close as the panel lets one line stand for another. With the
    catalogue's target-level potency (5 nM, assumed) the ratio was 0.016 (MCF7 9.7 vs 627 nM); the cellular potency
    factor (docs/design/kinase-inhibitor-potency.md) is fitted on a set of lines that includes most of these."""
    from mtorsim.biology import get_cell
    from mtorsim.calibrate._potency import PANEL_RANGE_NM
    table, _ = lincs_comparison(drugs=["alpelisib"])
    mutant = table["cell"].map(lambda c: any(a.startswith("PIK3CA:") for a in get_cell(c).alterations))
    inside = table["GR50_nM_measured"].between(*PANEL_RANGE_NM)
    both = table[mutant & inside].dropna(subset=["GR50_nM_model"])
    ratio = float(np.exp(np.mean(np.log(both.GR50_nM_model / both.GR50_nM_measured))))
    assert len(both) >= 5 and 1 / 3 < ratio < 3, both.to_string()


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "known deviation (docs/design/kinase-inhibitor-potency.md): in the model PIK3CA-wild-type ER+ cells depend on "
    "p110-alpha as much as mutant ones, so ZR-75-1 is nearly as alpelisib-sensitive as MCF7 (GR_AOC ~0.4 vs 0.05 "
    "measured); the same missing contrast gives SOLAR-1's non-mutant cohort the mutant cohort's benefit"))
def test_pik3ca_wild_type_zr751_resists_alpelisib(shared_data):
    """HMS LINCS (Hafner et al.; shared/data/response): ZR-75-1 (ER+, PIK3CA wild type) barely responds to alpelisib
    (GR_AOC 0.05, against 0.33 in PIK3CA-mutant MCF7); the model must keep it below half of MCF7's."""
    table, _ = lincs_comparison(drugs=["alpelisib"])
    aoc = table.set_index("cell")["GR_AOC_model"]
    assert aoc["ZR-75-1"] < 0.5 * aoc["MCF7"], aoc.to_string()


def test_pathway_activation_flag():
    assert pathway_activated("MCF7") and pathway_activated("MDA-MB-468") and not pathway_activated("MDA-MB-231")


def test_kinase_vs_rapalog_needs_both_classes():
    import pandas as pd
    assert kinase_vs_rapalog(pd.DataFrame({"drug_class": ["rapalog"], "GRmax_measured_median": [0.3], "GRmax_model_median": [0.5]})) == {"measured": None, "model": None}
