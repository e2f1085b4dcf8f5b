"""citation(): every number a run relies on is listed with its source and status."""

from mtorsim import citation


def test_citation_lists_model_genotype_and_drug_sources():
    tab = citation("MCF7", ["everolimus=10nM"])
    assert set(tab["kind"]) >= {"model parameter", "genotype", "drug", "cell line"}
    assert (tab["source"].str.len() > 0).all()
    eve = tab[tab["kind"] == "drug"].iloc[0]
    assert eve["unit"] == "nM" and "B14" in eve["source"]
    # the status is read off the source text; the model has assumed, publication and evidence-backed values
    assert {"assumed", "publication"} <= set(tab["status"])
    assert tab.loc[tab.item.str.startswith("MCF7: pi3k_mut_basal"), "source"].str.contains("Kang").all()
