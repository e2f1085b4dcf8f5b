"""The model's inputs: drug-target slots and experimental conditions.

A drug never appears in the network by name. The catalogue (``biology/data/drugs.yaml``) maps
each drug to one or more *slots* with a potency; the network reads, for each slot, the
normalised exposure ``u_<slot> = sum_i C_i / IC50_i`` (dimensionless) and turns it into a
fractional effect ``f_<slot> = u^h / (1 + u^h)``. This keeps regimens and drugs as data
applied to the model (STYLE.md §3) and lets a pharmacokinetic layer drive ``u_<slot>`` over time.
"""

from __future__ import annotations

#: slot name -> what a drug acting through it does in the network
DRUG_SLOTS: dict[str, str] = {
    "rapalog": "FKBP12-dependent allosteric mTORC1 inhibition (strong on S6K1, partial and transient on 4E-BP1; slow mTORC2 sequestration in sensitive cells)",
    "mtor_kinase": "ATP-competitive mTOR kinase inhibition (mTORC1 and mTORC2, all substrates)",
    "pi3k_alpha": "p110-alpha (PIK3CA) catalytic inhibition",
    "pi3k_beta": "p110-beta (PIK3CB) catalytic inhibition",
    "akt_catalytic": "ATP-competitive AKT kinase inhibition (substrate phosphorylation blocked)",
    "akt_allosteric": "allosteric AKT inhibition (PH-domain lock: membrane recruitment and T308/S473 phosphorylation blocked)",
    "er_antagonist": "SERM binding ER-alpha in competition with oestradiol; partial agonist",
    "er_degrader": "SERD binding ER-alpha in competition with oestradiol and driving its degradation",
    "aromatase": "aromatase (CYP19A1) inhibition: no oestradiol synthesis from androgen",
    "her2_antibody": "HER2 extracellular-domain antibody: blocks ligand-independent HER2/HER3 signalling",
    "her2_kinase": "HER2 tyrosine-kinase inhibition",
    "egfr_kinase": "EGFR tyrosine-kinase inhibition",
    "igf1r": "IGF1R/InsR blockade (antibody or kinase inhibitor)",
    "mek": "MEK1/2 inhibition",
    "ampk_activator": "AMPK activation through energy stress (metformin, AICAR)",
    "microtubule": "microtubule stabilisation (no direct signalling effect; read by the cell-fate layer)",
}

#: conditions (medium) -> unit and meaning; values are model parameters set per treatment
CONDITIONS: dict[str, tuple[str, str]] = {
    "estradiol": ("nM", "17-beta-oestradiol in the medium"),
    "androgen": ("nM", "aromatase substrate (androstenedione/testosterone) in the medium"),
    "insulin_igf": ("relative", "insulin/IGF-1 stimulation; 1 = full serum"),
    "egf": ("relative", "EGF-family ligand stimulation of EGFR; 1 = full serum"),
    "heregulin": ("relative", "heregulin (NRG1) stimulation of HER3; 1 = full serum"),
    "energy_stress": ("relative", "AMP:ATP stress driving AMPK; 0 = fed"),
}
