"""The PI3K/Akt/mTOR/MAPK/ERα network of breast cancer cells — the one source of truth.

Read top to bottom, the modules follow the signal: growth-factor receptors and IRS1, PI3K and
PTEN, Akt, mTORC2, TSC/Rheb/mTORC1, the mTORC1 substrates, Ras/MAPK, AMPK, ERα, FOXO and the
outputs the cell-fate layer reads. Time is in hours. Activities are fractions (0..1) of the
protein's total; expressed proteins (receptors, IRS1, S6K1, ERα, cyclin D1, MCL1) are amounts
relative to a reference level. Observables are reported relative to untreated MCF7 in full
medium by the simulation layer.

Every parameter carries a unit and a source. Seventeen kinetic constants (ErbB, PI3K, Akt, S6K1 and
MAPK-feedback rates) are fitted to Imoto 2022 + Nelander 2008 around their literature/assumed values
(``fitted(...)`` below; ``mtorsim calibrate-defaults --layer signalling``, docs/defaults.md). Elsewhere,
where a number is a choice, its source says ``assumed:`` with the reasoning, and where the choice was
made so that a published behaviour holds, it names the evidence record.

Genotype parameters (``gene_*``, ``level_*``, ``*_mut``) are 1 or 0 for the reference cell
(MCF7 minus its PIK3CA mutation); the biology layer (``biology/_genotype.py``) is the only
place that changes them.
"""

from __future__ import annotations

from functools import lru_cache

from ._inputs import CONDITIONS, DRUG_SLOTS
from ._motifs import drug_effect, expressed, relaxation, switch
from ._network import Network

# Recurring provenance statements (kept in one place so the docs can list them).
FAST = "assumed: phospho-cycles turn over within minutes in cultured cells (t1/2 ~5-10 min); order of magnitude"
WEIGHT = "assumed: relative weight of this input, chosen so that the untreated MCF7 state is mid-range (no saturation)"
GENO = "genotype parameter: reference value for a wild-type cell; changed only by biology/_genotype.py"
TURNOVER_RTK = "assumed: receptor/adaptor protein half-life of several hours (t1/2 ~ 7 h)"
CALIBRATED = ("fitted to Imoto 2022 + Nelander 2008 (mtorsim calibrate-defaults --layer signalling, all 17 kinetic parameters, "
              "prior 0.25 decade, Imoto σ floor 0.3, 25 evaluations; docs/defaults.md)")


def fitted(prior: float, prior_source: str) -> str:
    """Source of a calibrated parameter: the calibration, then the literature/assumed prior value and its source."""
    return f"{CALIBRATED}; prior θ₀ = {prior:g} ({prior_source})"


def _inputs(net: Network) -> None:
    net.module("inputs")
    net.par("k_dephos", 6, "1/h", FAST, "generic dephosphorylation rate of a phospho-site")
    defaults = {"estradiol": 0.1, "androgen": 0.0, "insulin_igf": 1.0, "egf": 1.0, "heregulin": 0.0, "energy_stress": 0.0}
    for name, (unit, desc) in CONDITIONS.items():
        src = ("assumed: oestrogenic activity of full medium (10% FBS with phenol red) taken as ~0.1 nM oestradiol"
               if name == "estradiol" else "condition set per treatment (biology/_conditions.py); full-medium default")
        net.par(name, defaults[name], unit, src, desc)
    for slot, desc in DRUG_SLOTS.items():
        if slot in ("er_antagonist", "er_degrader"):
            # competitive binding with oestradiol: u = C/Ki enters the ERα occupancy directly
            net.par(f"u_{slot}", 0.0, "1", "set by the drug catalogue: sum of C/Ki over drugs in this slot", f"normalised exposure, {desc}")
        else:
            drug_effect(net, slot, desc)


def _genotype(net: Network) -> None:
    net.module("genotype")
    p = net.par
    p("gene_IGF1R", 1, "1", GENO, "IGF1R/InsR expression multiplier")
    p("gene_IRS1", 1, "1", GENO, "IRS1 expression multiplier")
    p("gene_HER3", 1, "1", GENO, "HER3 (ERBB3) expression multiplier")
    p("gene_ESR1", 1, "1", GENO, "ERα (ESR1) expression multiplier; ~0 in ER-negative lines")
    p("gene_S6K1", 1, "1", GENO, "S6K1 (RPS6KB1) expression multiplier")
    p("level_HER2", 1, "1", GENO, "HER2 (ERBB2) level relative to a non-amplified line")
    p("level_EGFR", 1, "1", GENO, "EGFR level relative to MCF7")
    p("level_PTEN", 1, "1", GENO, "PTEN lipid-phosphatase level (0 = null)")
    p("level_PI3Kb", 1, "1", GENO, "p110-beta activity multiplier")
    p("level_AKT", 1, "1", GENO, "total Akt multiplier")
    p("level_TSC", 1, "1", GENO, "TSC1/2 complex level")
    p("pi3k_mut_basal", 0, "1/h", GENO, "receptor-independent p110-alpha activation by a PIK3CA hot-spot mutation (Kang, Bader & Vogt 2005 PNAS 102:802: gain of function)")
    p("pi3k_mut_kcat", 1, "1", GENO, "catalytic-output multiplier of mutant p110-alpha")
    p("akt_membrane", 0, "1", GENO, "PIP3-independent Akt membrane localisation (AKT1 E17K binds PI(4,5)P2: Carpten et al. 2007 Nature 448:439; myristoylated Akt)")
    p("kras_mut", 0, "1/h", GENO, "GAP-insensitive Ras activation by an activating RAS mutation")
    p("braf_mut", 0, "1", GENO, "Ras-independent Raf activity of a BRAF mutant")
    p("mtor_mut", 0, "1/h", GENO, "Rheb-independent mTORC1 activation by an activating MTOR mutation")
    p("aromatase_level", 0, "nM/h per nM", GENO, "aromatase (CYP19A1) expression: oestradiol made per androgen (MCF7-aro)")
    p("mtorc2_rapalog_sens", 0, "1", GENO, "1 if prolonged rapalog sequesters mTOR away from mTORC2 in this cell (evidence C14: cell-type specific)")
    p("esr1_const", 0, "1", GENO, "constitutive (ligand-independent) activity of ERα carrying a ligand-binding-domain "
      "mutation (Y537S, D538G), relative to oestradiol-bound ERα; 0 for wild type (Harrod et al. 2017 Oncogene 36:2286: "
      "MCF7 Y537S knock-in has constitutive ER activity and oestrogen-independent growth)")
    p("esr1_mut_antag_aff", 1, "1", GENO, "binding affinity of antagonists and degraders for the constitutively active mutant "
      "ERα relative to wild type (1 for wild type; Y537S/D538G bind antiestrogens ~10-20-fold less tightly: Zhao et al. 2017 "
      "Cancer Res 77:5602)")
    p("er_lig_indep", 1.0, "1", "assumed: fully AF-1-phosphorylated apo-ERα reaches the activity of liganded ERα (ligand-independent activation, evidence C15; Campbell et al. 2001)", "maximal apo-ERα transactivation by AF-1 phosphorylation")
    p("aa_level", 1, "1", "assumed: amino acids replete in culture medium", "amino-acid input to mTORC1 (Rag GTPases)")


def _receptors(net: Network) -> None:
    net.module("receptors and IRS1")
    p = net.par
    p("kd_rtk", 0.1, "1/h", TURNOVER_RTK, "receptor degradation rate")
    p("ks_rtk", 0.1, "1/h", "assumed: equal to kd_rtk so that the reference level is ~1", "receptor synthesis rate")
    p("b_rtk", 0.2, "1", WEIGHT, "basal IGF1R transcription")
    p("w_igf_er", 2.0, "1", "assumed weight; ERα induces IGF1R (Yang et al. 2018, evidence C02: RAD001 feedback via ER-dependent IGF-1R/InsR/IRS)", "ER-driven IGF1R transcription")
    p("w_rtk_fox", 0.6, "1", "assumed weight; FOXO induces RTK expression on Akt inhibition (Chandarlapaty et al. 2011 Cancer Cell 19:58)", "FOXO-driven receptor transcription")
    expressed(net, "IGF1R", synthesis="ks_rtk * gene_IGF1R * (b_rtk + w_igf_er * ER_tx + w_rtk_fox * FOXO_n)",
              k_deg="kd_rtk", description="IGF1R/InsR total (relative)")
    p("k_igf_on", 6, "1/h", FAST, "IGF1R activation by insulin/IGF-1 at full serum")
    p("k_igf_off", 6, "1/h", FAST, "IGF1R inactivation (dephosphorylation/internalisation)")
    switch(net, "IGF1R_a", drive="k_igf_on * insulin_igf * (1 - f_igf1r)", k_off="k_igf_off",
           description="active (phosphorylated) fraction of IGF1R/InsR", initial=0.5)
    net.rule("sig_IGF", "IGF1R * IGF1R_a", "relative", "active IGF1R/InsR")

    p("kd_irs", 0.1, "1/h", "assumed: IRS1 half-life ~7 h in unstimulated cells", "basal IRS1 degradation")
    p("kd_irs_s636", 6, "1", "assumed: S6K1-phosphorylated IRS1 is degraded ~7x faster (Harrington et al. 2004 J Cell Biol 166:213; Shah, Wang & Hunter 2004 Curr Biol 14:1650: IRS1 depletion by S6K)", "S636-dependent IRS1 degradation")
    p("b_irs", 0.2, "1", WEIGHT, "basal IRS1 transcription")
    p("w_irs_er", 3.0, "1", "assumed weight; oestradiol induces IRS-1 in MCF7 (Lee et al. 1999 Mol Endocrinol 13:787; evidence C02)", "ER-driven IRS1 transcription")
    p("w_irs_fox", 0.3, "1", "assumed weight; FOXO-driven IRS expression (Chandarlapaty et al. 2011)", "FOXO-driven IRS1 transcription")
    expressed(net, "IRS1", synthesis="kd_irs * gene_IRS1 * (b_irs + w_irs_er * ER_tx + w_irs_fox * FOXO_n)",
              k_deg="kd_irs", degradation_factor="1 + kd_irs_s636 * IRS1_S636", description="IRS1 total (relative)")
    p("k_s636", 13.02, "1/h per S6K1", fitted(10, "assumed: S6K1 phosphorylates IRS1 S636/S639 (Harrington 2004; evidence C01)"), "S6K1 -> IRS1 S636")
    p("k_s636_off", 2, "1/h", FAST, "IRS1 S636 dephosphorylation")
    switch(net, "IRS1_S636", drive="k_s636 * S6K1_act", k_off="k_s636_off",
           description="S6K1-phosphorylated (inhibitory) fraction of IRS1: the S6K1 -| IRS1 negative feedback", initial=0.5)
    p("k_irs_y", 8, "1/h per IGF1R", FAST, "IGF1R -> IRS1 tyrosine phosphorylation")
    p("k_irs_y_off", 6, "1/h", FAST, "IRS1 tyrosine dephosphorylation")
    p("w_s636_block", 0.8, "1", "assumed: S636-phosphorylated IRS1 is a poor IGF1R substrate (Harrington 2004)", "inhibition of IRS1 pY by pS636")
    switch(net, "IRS1_pY", drive="k_irs_y * sig_IGF * (1 - w_s636_block * IRS1_S636)", k_off="k_irs_y_off",
           description="tyrosine-phosphorylated (PI3K-recruiting) fraction of IRS1", initial=0.3)
    net.rule("sig_IRS", "IRS1 * IRS1_pY", "relative", "active IRS1")

    p("K_erk_rtk", 0.4062, "1", fitted(0.5, "assumed: ERK-dependent inhibitory T669/T677 phosphorylation of EGFR/HER2 (Turke et al. 2012 Cancer Res 72:3228)"), "ERK feedback on ErbB receptors, half-inhibition")
    net.rule("fb_erk_rtk", "1 / (1 + ERK_pp / K_erk_rtk)", "1", "ERK -| ErbB receptor feedback")
    p("w_lap_egfr", 0.2, "1", "assumed: HER2 kinase inhibition removes the HER2-transactivated share of EGFR signalling", "HER2 kinase share of EGFR activation")
    p("k_egfr_on", 7.878, "1/h", fitted(6, FAST), "EGFR activation by EGF-family ligands at full serum")
    p("k_egfr_off", 5.158, "1/h", fitted(6, FAST), "EGFR inactivation")
    switch(net, "EGFR_a", drive="k_egfr_on * egf * (1 - f_egfr_kinase) * (1 - w_lap_egfr * f_her2_kinase) * fb_erk_rtk", k_off="k_egfr_off",
           description="active fraction of EGFR", initial=0.4)
    net.rule("sig_EGFR", "level_EGFR * EGFR_a", "relative", "active EGFR")

    p("b_her3", 0.5, "1", WEIGHT, "basal HER3 transcription")
    expressed(net, "HER3", synthesis="ks_rtk * gene_HER3 * (b_her3 + w_rtk_fox * FOXO_n)", k_deg="kd_rtk",
              description="HER3 total (relative); FOXO-induced (Chandarlapaty et al. 2011)")
    p("k_her3_on", 4.328, "1/h", fitted(6, FAST), "HER2/HER3 activation rate constant")
    p("k_her3_off", 7.89, "1/h", fitted(6, FAST), "HER2/HER3 inactivation")
    p("c_her2_li", 0.1, "1", "assumed: ligand-independent HER2/HER3 dimerisation grows with HER2 level (strong only when HER2 is amplified)", "HER2-driven HER3 activation per unit HER2")
    p("e_tras", 0.8, "1", "assumed: trastuzumab blocks most ligand-independent HER2/HER3 signalling, not heregulin-driven dimers", "trastuzumab efficacy on ligand-independent dimers")
    switch(net, "HER3_a", drive="k_her3_on * (heregulin + c_her2_li * level_HER2 * (1 - e_tras * f_her2_antibody)) * (1 - f_her2_kinase) * fb_erk_rtk",
           k_off="k_her3_off", description="phosphorylated fraction of HER3 in HER2/HER3 dimers", initial=0.1)
    net.rule("sig_HER3", "HER3 * HER3_a", "relative", "active HER2/HER3")


def _pi3k_akt(net: Network) -> None:
    net.module("PI3K, PTEN and Akt")
    p = net.par
    p("k_pi3k_irs", 12, "1/h per IRS1", WEIGHT, "IRS1 -> p110-alpha recruitment")
    p("k_pi3k_her3", 9.61, "1/h per HER3", fitted(10, WEIGHT), "HER3 (six YXXM sites) -> p110-alpha recruitment")
    p("k_pi3k_egfr", 0.5863, "1/h per EGFR", fitted(0.5, WEIGHT), "EGFR (via Gab1) -> p110-alpha")
    p("k_pi3k_ras", 1, "1/h per Ras", WEIGHT, "Ras-GTP -> p110-alpha (RBD)")
    p("k_pi3k_off", 14.35, "1/h", fitted(12, FAST), "p110-alpha release")
    switch(net, "PI3K_a", drive="k_pi3k_irs * sig_IRS + k_pi3k_her3 * sig_HER3 + k_pi3k_egfr * sig_EGFR + k_pi3k_ras * Ras_GTP + pi3k_mut_basal",
           k_off="k_pi3k_off", description="membrane-recruited, active fraction of p110-alpha", initial=0.3)
    p("kc_a", 5, "1/h", WEIGHT, "p110-alpha PIP3 production")
    p("kc_b", 0.2, "1/h", "assumed: p110-beta gives a small, receptor-independent share of PIP3 in PTEN-intact cells and sustains it in PTEN-null cells (Wee et al. 2008 PNAS 105:13057)", "p110-beta PIP3 production")
    p("k_pten", 4.125, "1/h", fitted(6, FAST), "PTEN PIP3 dephosphorylation")
    p("k_ship", 0.05, "1/h", "assumed: SHIP and other PIP3 phosphatases are minor next to PTEN, so that p110-beta alone keeps PIP3 high in PTEN-null cells (their p110-beta dependence: Wee et al. 2008 PNAS 105:13057)", "PTEN-independent PIP3 removal")
    p("w_tras_pten", 1.0, "1", "assumed weight; trastuzumab activates PTEN via Src inhibition in HER2-amplified cells (Nagata et al. 2004 Cancer Cell 6:117, evidence C21)", "trastuzumab -> PTEN activation")
    p("K_her2_excess", 4, "1", "assumed: half-maximal HER2 excess for the trastuzumab-PTEN effect", "HER2 excess scale")
    net.rule("her2_excess", "max(0, level_HER2 - 1) / (max(0, level_HER2 - 1) + K_her2_excess)", "1", "HER2 amplification measure (0 for normal HER2)")
    net.rule("PTEN_eff", "level_PTEN * (1 + w_tras_pten * f_her2_antibody * her2_excess)", "1", "effective PTEN activity")
    net.spec("PIP3", 0.3, "1", "PIP3 as a fraction of its maximum", kind="fraction")
    net.rxn("PIP3_synthesis", (), ("PIP3",),
            "(kc_a * PI3K_a * pi3k_mut_kcat * (1 - f_pi3k_alpha) + kc_b * level_PI3Kb * (1 - f_pi3k_beta)) * (1 - PIP3)",
            "PI3K (p110-alpha, p110-beta) phosphorylates PI(4,5)P2")
    net.rxn("PIP3_removal", ("PIP3",), (), "(k_pten * PTEN_eff + k_ship) * PIP3", "PTEN and SHIP dephosphorylate PIP3")
    net.rule("PIP3_eff", "PIP3 + akt_membrane", "1", "Akt membrane recruitment (PIP3 or PIP3-independent mutant)")

    p("k_pdk1", 6, "1/h", FAST, "PDK1 -> Akt T308 at full PIP3")
    p("k_akt_pp", 2.944, "1/h", fitted(6, FAST), "Akt T308/S473 dephosphorylation (PP2A/PHLPP)")
    p("w_hijack", 0.7, "1", "assumed: ATP-competitive Akt inhibitors protect Akt from dephosphorylation, so pT308/pS473 rise while activity falls (Okuzumi et al. 2009 Nat Chem Biol 5:484)", "phosphatase protection by ATP-site inhibitors")
    switch(net, "AKT_T308", drive="k_pdk1 * PIP3_eff * (1 - f_akt_allosteric)", k_off="k_akt_pp * (1 - w_hijack * f_akt_catalytic)",
           description="T308-phosphorylated fraction of Akt", initial=0.3)
    p("k_m2_akt", 14, "1/h", FAST, "mTORC2 -> Akt S473 at full mTORC2 and PIP3 (Sarbassov et al. 2005 Science 307:1098)")
    switch(net, "AKT_S473", drive="k_m2_akt * mTORC2_eff * PIP3_eff * (1 - f_akt_allosteric)", k_off="k_akt_pp * (1 - w_hijack * f_akt_catalytic)",
           description="S473-phosphorylated fraction of Akt", initial=0.3)
    p("w_t308", 0.4, "1", "assumed: T308 alone gives a fraction of full activity; S473 raises it several-fold (Alessi et al. 1996 EMBO J 15:6541)", "Akt activity with T308 only")
    net.rule("AKT_act", "level_AKT * AKT_T308 * (w_t308 + (1 - w_t308) * AKT_S473) * (1 - f_akt_catalytic)", "relative", "Akt kinase activity toward substrates")

    net.module("mTORC2")
    p("k_m2_basal", 1, "1/h", WEIGHT, "PI3K-independent mTORC2 activity")
    p("k_m2_pip3", 8, "1/h", "assumed weight; PIP3 activates mTORC2 through the SIN1 PH domain (Liu et al. 2015 Cancer Discov 5:1194)", "PIP3 -> mTORC2")
    p("k_m2_off", 6, "1/h", FAST, "mTORC2 inactivation")
    switch(net, "mTORC2_a", drive="k_m2_basal + k_m2_pip3 * PIP3", k_off="k_m2_off", description="active fraction of mTORC2", initial=0.4)
    p("k_seq", 0.1, "1/h", "assumed: mTORC2 assembly is blocked over ~24 h of rapamycin (Sarbassov et al. 2006 Mol Cell 22:159; evidence C14)", "rate of rapalog sequestration of mTOR from mTORC2")
    relaxation(net, "mTORC2_seq", target="mtorc2_rapalog_sens * f_rapalog", rate="k_seq",
               description="fraction of mTORC2 lost to rapalog-FKBP12 sequestration of mTOR (only in sensitive cells)")
    net.rule("mTORC2_eff", "mTORC2_a * (1 - mTORC2_seq) * (1 - f_mtor_kinase)", "1", "mTORC2 kinase activity")


def _mtorc1(net: Network) -> None:
    net.module("TSC, Rheb and mTORC1")
    p = net.par
    p("k_akt_tsc", 50, "1/h per Akt", "assumed; Akt phosphorylates TSC2 T1462 (Manning et al. 2002 Mol Cell 10:151)", "Akt -> TSC2 T1462")
    switch(net, "TSC2_pT1462", drive="k_akt_tsc * AKT_act", k_off="k_dephos", description="Akt-phosphorylated fraction of TSC2 (T1462)", initial=0.4)
    p("k_akt_pras", 50, "1/h per Akt", "assumed; Akt phosphorylates PRAS40 T246 and relieves its inhibition of mTORC1 (Sancak et al. 2007 Mol Cell 25:903)", "Akt -> PRAS40 T246")
    switch(net, "PRAS40_pT246", drive="k_akt_pras * AKT_act", k_off="k_dephos", description="Akt-phosphorylated fraction of PRAS40", initial=0.4)
    p("a_tsc_akt", 0.8, "1", WEIGHT, "loss of TSC GAP activity with T1462 phosphorylation")
    p("a_tsc_erk", 0.5, "1", "assumed weight; ERK (S664) and RSK (S1798) phosphorylation inactivate TSC2 (Ma et al. 2005 Cell 121:179; Roux et al. 2004 PNAS 101:13489)", "loss of TSC GAP activity with ERK/RSK sites")
    p("a_tsc_ampk", 2, "1", "assumed weight; AMPK phosphorylates and activates TSC2 (Inoki, Zhu & Guan 2003 Cell 115:577)", "gain of TSC GAP activity with AMPK")
    net.rule("TSC_gap", "level_TSC * (1 - a_tsc_akt * TSC2_pT1462) * (1 - a_tsc_erk * ERK_pp) * (1 + a_tsc_ampk * AMPK_a)", "1", "TSC complex GAP activity toward Rheb")
    p("k_rheb_gef", 2, "1/h", WEIGHT, "Rheb GTP loading")
    p("k_rheb_gap", 8, "1/h", WEIGHT, "TSC-stimulated Rheb GTP hydrolysis")
    switch(net, "Rheb_GTP", drive="k_rheb_gef", k_off="k_rheb_gap * TSC_gap", description="GTP-bound fraction of Rheb", initial=0.4)
    p("k_m1_rheb", 12, "1/h", FAST, "Rheb -> mTORC1 activation")
    p("k_m1_off", 6, "1/h", FAST, "mTORC1 inactivation")
    p("w_pras", 1.5, "1", WEIGHT, "inhibition of mTORC1 by unphosphorylated PRAS40")
    p("a_ampk_raptor", 0.5, "1", "assumed weight; AMPK phosphorylates raptor S792 (Gwinn et al. 2008 Mol Cell 30:214)", "AMPK -| raptor")
    switch(net, "mTORC1_a",
           drive="(k_m1_rheb * Rheb_GTP * aa_level + mtor_mut) * (1 - a_ampk_raptor * AMPK_a) / (1 + w_pras * (1 - PRAS40_pT246))",
           k_off="k_m1_off", description="active fraction of mTORC1 (before drugs)", initial=0.4)
    net.rule("m1_S6K", "mTORC1_a * (1 - f_rapalog) * (1 - f_mtor_kinase)", "1", "mTORC1 activity toward S6K1 (rapalog-sensitive)")
    p("e4_fast", 0.6, "1", "assumed: rapamycin initially inhibits 4E-BP1 phosphorylation partially (Choo et al. 2008 PNAS 105:17414, evidence C12; Thoreen et al. 2009, evidence C11)", "initial rapalog efficacy on 4E-BP1")
    p("e4_slow", 0.1, "1", "assumed: after hours 4E-BP1 phosphorylation is largely rapamycin-resistant (evidence C12)", "late rapalog efficacy on 4E-BP1")
    p("k_4e_escape", 0.5, "1/h", "assumed: recovery of 4E-BP1 phosphorylation within ~6 h of rapamycin (evidence C12)", "rate of 4E-BP1 escape from rapalog")
    relaxation(net, "rapa_4E_escape", target="f_rapalog", rate="k_4e_escape",
               description="time-dependent escape of 4E-BP1 phosphorylation from rapalog inhibition")
    net.rule("m1_4EBP", "mTORC1_a * (1 - f_rapalog * (e4_fast + (e4_slow - e4_fast) * rapa_4E_escape)) * (1 - f_mtor_kinase)", "1",
             "mTORC1 activity toward 4E-BP1 T37/46 (rapalog-resistant, ATP-site-sensitive)")

    net.module("mTORC1 substrates and translation")
    p("kd_s6k", 0.05, "1/h", "assumed: S6K1 protein half-life ~14 h", "S6K1 degradation")
    p("b_s6k", 0.6, "1", WEIGHT, "basal S6K1 transcription")
    p("w_s6k_er", 0.5, "1", "assumed weight; oestradiol induces RPS6KB1 via ERα (evidence C16)", "ER-driven S6K1 transcription")
    expressed(net, "S6K1", synthesis="kd_s6k * gene_S6K1 * (b_s6k + w_s6k_er * ER_tx)", k_deg="kd_s6k",
              description="S6K1 total (relative); ERα-induced (evidence C16)")
    p("k_s6k_on", 5.328, "1/h", fitted(10, FAST), "mTORC1 -> S6K1 T389")
    p("k_s6k_off", 8, "1/h", FAST, "S6K1 T389 dephosphorylation")
    switch(net, "S6K1_pT389", drive="k_s6k_on * m1_S6K", k_off="k_s6k_off", description="T389-phosphorylated fraction of S6K1", initial=0.3)
    net.rule("S6K1_act", "S6K1 * S6K1_pT389", "relative", "active S6K1")
    p("k_s6_s6k", 20, "1/h per S6K1", FAST, "S6K1 -> S6 S235/236")
    p("k_s6_rsk", 0.3, "1/h per ERK", "assumed: RSK contributes a minor share of S6 S235/236 phosphorylation (Roux et al. 2007 J Biol Chem 282:14056)", "RSK -> S6 S235/236")
    switch(net, "S6_p", drive="k_s6_s6k * S6K1_act + k_s6_rsk * ERK_pp", k_off="k_dephos", description="S235/236-phosphorylated fraction of ribosomal protein S6", initial=0.5)
    p("k_4ebp_on", 12, "1/h", FAST, "mTORC1 -> 4E-BP1 T37/46")
    switch(net, "EBP1_p", drive="k_4ebp_on * m1_4EBP", k_off="k_dephos", description="T37/46-phosphorylated fraction of 4E-BP1", initial=0.6)
    p("K_4ebp", 3, "1", WEIGHT, "eIF4E sequestration by hypophosphorylated 4E-BP1")
    net.rule("eIF4E_free", "1 / (1 + K_4ebp * (1 - EBP1_p))", "1", "fraction of eIF4E free of 4E-BP1")
    p("w_tr_s6", 0.3, "1", WEIGHT, "share of translation that depends on S6K1/S6")
    net.rule("translation_rate", "eIF4E_free * (1 - w_tr_s6 + w_tr_s6 * S6_p)", "relative", "cap-dependent translation")


def _mapk(net: Network) -> None:
    net.module("Ras/Raf/MEK/ERK")
    p = net.par
    p("k_ras_b", 0.2, "1/h", WEIGHT, "basal Ras activation")
    p("k_ras_egfr", 4.3, "1/h per EGFR", fitted(4, WEIGHT), "EGFR (Grb2/SOS) -> Ras")
    p("k_ras_her3", 4.023, "1/h per HER3", fitted(4, WEIGHT), "HER2/HER3 (Shc/Grb2) -> Ras")
    p("k_ras_pi3k", 2.242, "1/h per PI3K", fitted(3, "assumed weight; MAPK activation after mTORC1 inhibition depends on PI3K (Carracedo et al. 2008 J Clin Invest 118:3065)"), "PI3K-dependent Ras activation")
    p("K_sos", 0.3098, "1", fitted(0.5, "assumed: ERK phosphorylation of SOS1 inhibits Ras activation (negative feedback)"), "ERK -| SOS half-inhibition")
    p("k_ras_gap", 6, "1/h", FAST, "Ras GTP hydrolysis (GAP)")
    switch(net, "Ras_GTP", drive="(k_ras_b + k_ras_egfr * sig_EGFR + k_ras_her3 * sig_HER3 + k_ras_pi3k * PI3K_a * (1 - f_pi3k_alpha)) / (1 + ERK_pp / K_sos) + kras_mut",
           k_off="k_ras_gap", description="GTP-bound fraction of Ras", initial=0.2)
    p("k_raf", 12, "1/h", FAST, "Ras -> Raf activation")
    p("K_erk_raf", 0.5002, "1", fitted(0.6, "assumed: ERK phosphorylates Raf and blocks its activation (Dougherty et al. 2005 Mol Cell 17:215)"), "ERK -| Raf half-inhibition")
    p("K_akt_raf", 0.1, "relative Akt", WEIGHT, "half-maximal Akt inhibition of Raf")
    p("a_akt_raf", 0.5, "1", "assumed weight; Akt phosphorylates Raf S259 (Zimmermann & Moelling 1999 Science 286:1741)", "Akt -| Raf")
    switch(net, "Raf_a", drive="k_raf * (Ras_GTP + braf_mut) * (1 - a_akt_raf * AKT_act / (AKT_act + K_akt_raf)) / (1 + ERK_pp / K_erk_raf)",
           k_off="k_dephos", description="active fraction of Raf", initial=0.2)
    switch(net, "MEK_pp", drive="k_mek * Raf_a", k_off="k_dephos", description="phosphorylated fraction of MEK1/2 (S217/221)", initial=0.2)
    p("k_mek", 12, "1/h", FAST, "Raf -> MEK")
    p("k_erk", 20, "1/h", FAST, "MEK -> ERK")
    p("k_erk_off", 6, "1/h", FAST, "ERK dephosphorylation (DUSPs)")
    switch(net, "ERK_pp", drive="k_erk * MEK_pp * (1 - f_mek)", k_off="k_erk_off", description="doubly phosphorylated fraction of ERK1/2 (with RSK)", initial=0.3)

    net.module("AMPK")
    p("k_ampk", 6, "1/h", FAST, "AMPK activation scale (LKB1)")
    p("ampk_basal", 0.2, "1", WEIGHT, "AMPK activation in fed cells")
    p("ampk_drug_max", 2, "1", "assumed: maximal AMPK activation by metformin relative to the fed basal drive", "AMPK activator efficacy")
    switch(net, "AMPK_a", drive="k_ampk * (ampk_basal + energy_stress + ampk_drug_max * f_ampk_activator)", k_off="k_dephos",
           description="T172-phosphorylated fraction of AMPK", initial=0.15)


def _er_foxo(net: Network) -> None:
    net.module("oestrogen receptor alpha")
    p = net.par
    p("k_arom", 0.01, "1", "assumed: steady oestradiol of ~1% of the androgen substrate at the aromatase level of MCF7-aro (10 nM androstenedione gives ~0.1 nM oestradiol, an oestrogenic medium)", "aromatisation scale")
    net.rule("E2_eff", "estradiol + k_arom * aromatase_level * androgen * (1 - f_aromatase)", "nM", "oestradiol available to ERα")
    p("Kd_E2", 0.1, "nM", "assumed: sub-nanomolar oestradiol affinity of ERα (order 0.1 nM)", "ERα-oestradiol dissociation constant")
    net.rule("er_denom", "1 + E2_eff / Kd_E2 + u_er_antagonist + u_er_degrader", "1", "competitive binding denominator")
    net.rule("occ_E2", "(E2_eff / Kd_E2) / er_denom", "1", "fraction of ERα bound to oestradiol")
    net.rule("occ_SERM", "u_er_antagonist / er_denom", "1", "fraction of ERα bound to a SERM")
    net.rule("occ_SERD", "u_er_degrader / er_denom", "1", "fraction of ERα bound to a SERD")
    net.rule("occ_apo", "1 / er_denom", "1", "unliganded fraction of ERα")
    p("kd_er", 0.15, "1/h", "assumed: ERα half-life ~4-5 h (Nawaz et al. 1999 PNAS 96:1858)", "ERα degradation")
    p("d_lig", 1, "1", "assumed: oestradiol doubles ERα turnover (ligand-induced proteasomal degradation, Nawaz et al. 1999)", "ligand-induced ERα degradation")
    p("d_serd", 9, "1", "assumed: fulvestrant-bound ERα is degraded ~10x faster (pure anti-oestrogen/degrader; Wakeling et al. 1991 Cancer Res 51:3867)", "SERD-induced ERα degradation")
    p("b_er", 0.7, "1", WEIGHT, "basal ESR1 transcription")
    p("w_er_fox", 0.6, "1", "assumed weight; FOXO3a induces ESR1 (Guo & Sonenshein 2004 Mol Cell Biol 24:8681)", "FOXO-driven ESR1 transcription")
    expressed(net, "ER", synthesis="kd_er * gene_ESR1 * (b_er + w_er_fox * FOXO_n)", k_deg="kd_er",
              degradation_factor="1 + d_lig * occ_E2 + d_serd * occ_SERD", description="ERα protein (relative)")
    p("k_167_s6k", 30, "1/h per S6K1", "assumed weight; S6K1 phosphorylates ERα S167 (Yamnik & Holz 2010, evidence C15)", "S6K1 -> ERα S167")
    p("k_167_akt", 15, "1/h per Akt", "assumed weight; Akt phosphorylates ERα S167 (Campbell et al. 2001 J Biol Chem 276:9817)", "Akt -> ERα S167")
    p("k_167_rsk", 2, "1/h per ERK", "assumed weight; RSK phosphorylates ERα S167 (evidence C15: non-overlapping MAPK/RSK input)", "RSK -> ERα S167")
    p("k_167_off", 24, "1/h", FAST, "ERα S167 dephosphorylation")
    switch(net, "ER_pS167", drive="k_167_s6k * S6K1_act + k_167_akt * AKT_act + k_167_rsk * ERK_pp", k_off="k_167_off",
           description="S167-phosphorylated fraction of ERα", initial=0.3)
    p("a167", 1.5, "1", "assumed: S167 phosphorylation by S6K1 enhances liganded ERα transactivation, so mTORC1 inhibition lowers ER activity (evidence C15: Yamnik & Holz; Becker et al. 2011)", "pS167 boost of liganded ERα")
    p("serm_agonism", 0.05, "1", "assumed: tamoxifen-bound ERα keeps ~10% (AF-1) activity in breast cells (partial agonist)", "SERM partial agonism")
    p("serm_167", 1.0, "1", "assumed: AF-1 phosphorylation (S167/S118) turns tamoxifen into an agonist, the Akt/mTOR route to tamoxifen resistance (Campbell et al. 2001; evidence C06)", "maximal pS167-dependent SERM agonism")
    p("K_167", 0.5, "1", "assumed: AF-1-driven activity of tamoxifen-bound or unliganded ERα needs phosphorylation well above the basal level of MCF7 (tamoxifen is an antagonist there)", "pS167 giving half-maximal AF-1 activity")
    p("n_167", 4, "1", "assumed: steep (switch-like) dependence of AF-1 activity on phosphorylation", "Hill coefficient of AF-1 activity")
    net.rule("AF1", "pow(ER_pS167, n_167) / (pow(K_167, n_167) + pow(ER_pS167, n_167))", "1", "ligand-independent AF-1 activity from S167 phosphorylation")
    # the mutant receptor binds degraders esr1_mut_antag_aff-fold less, so it is degraded less than the wild-type
    # pool ER stands for: its level is ER times the ratio of the two degradation factors (quasi-steady state; ERα
    # turns over in hours)
    net.rule("occ_SERD_mut", "esr1_mut_antag_aff * u_er_degrader / (1 + esr1_mut_antag_aff * (u_er_antagonist + u_er_degrader))",
             "1", "fraction of LBD-mutant ERα bound to a SERD")
    net.rule("er_mut_sparing", "(1 + d_lig * occ_E2 + d_serd * occ_SERD) / (1 + d_lig * occ_E2 + d_serd * occ_SERD_mut)",
             "1", "LBD-mutant ERα level relative to the wild-type pool under a SERD (1 without one)")
    net.rule("ER_tx", "ER * (occ_E2 * (1 + a167 * ER_pS167) + occ_SERM * (serm_agonism + serm_167 * AF1) + occ_apo * er_lig_indep * AF1"
             " + esr1_const * er_mut_sparing / (1 + esr1_mut_antag_aff * (u_er_antagonist + u_er_degrader)))",
             "relative", "ERα transcriptional activity")

    net.module("FOXO")
    p("k_fox_in", 2, "1/h", FAST, "FOXO nuclear import")
    p("k_fox_out0", 0.5, "1/h", "assumed: slow Akt-independent FOXO export", "basal FOXO export")
    p("k_fox_out", 30, "1/h per Akt", "assumed; Akt phosphorylation (T32/S253) exports FOXO via 14-3-3 (Brunet et al. 1999 Cell 96:857)", "Akt-driven FOXO export")
    switch(net, "FOXO_n", drive="k_fox_in", k_off="k_fox_out * AKT_act + k_fox_out0", description="nuclear (active) fraction of FOXO1/3a", initial=0.3)


def _outputs(net: Network) -> None:
    net.module("cell-fate outputs")
    p = net.par
    p("K_gsk", 0.07, "relative Akt", "assumed: Akt inhibits GSK3 (S9/S21) half-maximally at this activity (Cross et al. 1995 Nature 378:785)", "Akt -| GSK3")
    net.rule("GSK3_a", "1 / (1 + AKT_act / K_gsk)", "1", "active fraction of GSK3")
    p("kd_ccnd", 1.4, "1/h", "assumed: cyclin D1 half-life ~30 min (Diehl et al. 1998 Genes Dev 12:3499)", "cyclin D1 basal degradation")
    p("a_gsk_ccnd", 1.0, "1", "assumed weight; GSK3 T286 phosphorylation triggers cyclin D1 export and degradation (Diehl et al. 1998)", "GSK3-driven cyclin D1 degradation")
    p("b_ccnd", 0.3, "1", WEIGHT, "basal CCND1 transcription")
    p("w_ccnd_er", 0.7, "1", "assumed weight; CCND1 is an ERα target gene in MCF7", "ER-driven CCND1 transcription")
    p("w_ccnd_erk", 0.6, "1", "assumed weight; ERK/AP-1 drive CCND1", "ERK-driven CCND1 transcription")
    expressed(net, "CCND1", synthesis="kd_ccnd * (b_ccnd + w_ccnd_er * ER_tx + w_ccnd_erk * ERK_pp) * translation_rate",
              k_deg="kd_ccnd", degradation_factor="1 + a_gsk_ccnd * GSK3_a", description="cyclin D1 protein (relative): G1-S drive")
    p("kd_mcl1", 1.2, "1/h", "assumed: MCL1 half-life ~30-40 min", "MCL1 degradation")
    p("a_gsk_mcl1", 1.0, "1", "assumed weight; GSK3 phosphorylation targets MCL1 for degradation (Maurer et al. 2006 Mol Cell 21:749)", "GSK3-driven MCL1 degradation")
    p("w_mcl1_erk", 0.5, "1", "assumed weight; ERK stabilises/induces MCL1", "ERK share of MCL1 synthesis")
    expressed(net, "MCL1", synthesis="kd_mcl1 * (1 - w_mcl1_erk + w_mcl1_erk * ERK_pp) * translation_rate", k_deg="kd_mcl1",
              degradation_factor="1 + a_gsk_mcl1 * GSK3_a", description="MCL1 protein (relative): survival")
    p("w_bad_rsk", 0.5, "1", WEIGHT, "RSK (S112) relative to Akt (S136) in BAD phosphorylation")
    p("K_bad", 0.1, "1", WEIGHT, "half-maximal BAD phosphorylation")
    net.rule("BAD_p", "(AKT_act + w_bad_rsk * ERK_pp) / (AKT_act + w_bad_rsk * ERK_pp + K_bad)", "1",
             "phosphorylated (inactive) fraction of BAD: Akt S136 (Datta et al. 1997 Cell 91:231) and RSK S112")
    net.rule("survival_signal", "MCL1 * (0.5 + 0.5 * BAD_p)", "relative", "anti-apoptotic signal (MCL1 level and BAD inactivation)")


def _observables(net: Network) -> None:
    o = net.obs
    o("pIRS1_S636", "IRS1 * IRS1_S636", "IRS1 phosphorylated at S636/S639 by S6K1")
    o("pAKT_T308", "level_AKT * AKT_T308", "Akt phosphorylated at T308 (PDK1)")
    o("pAKT_S473", "level_AKT * AKT_S473", "Akt phosphorylated at S473 (mTORC2)")
    o("pPRAS40_T246", "PRAS40_pT246", "PRAS40 phosphorylated at T246 (Akt)")
    o("pTSC2_T1462", "TSC2_pT1462", "TSC2 phosphorylated at T1462 (Akt)")
    o("mTORC1_activity", "m1_S6K", "mTORC1 kinase activity toward S6K1")
    o("mTORC2_activity", "mTORC2_eff", "mTORC2 kinase activity")
    o("pS6K1_T389", "S6K1 * S6K1_pT389", "S6K1 phosphorylated at T389")
    o("pS6_S235_236", "S6_p", "ribosomal protein S6 phosphorylated at S235/236")
    o("p4EBP1_T37_46", "EBP1_p", "4E-BP1 phosphorylated at T37/46")
    o("pERK1_2", "ERK_pp", "ERK1/2 phosphorylated at T202/Y204")
    o("ER_activity", "ER_tx", "ERα transcriptional activity")
    o("pER_S167", "ER * ER_pS167", "ERα phosphorylated at S167")
    o("FOXO_nuclear", "FOXO_n", "nuclear FOXO")
    o("HER3_total", "HER3", "HER3 protein")
    o("IGF1R_total", "IGF1R", "IGF1R/InsR protein")
    o("translation", "translation_rate", "cap-dependent translation")
    o("cyclinD1", "CCND1", "cyclin D1 protein")
    # further readouts
    o("IRS1_total", "IRS1", "IRS1 protein")
    o("pIRS1_Y", "IRS1 * IRS1_pY", "tyrosine-phosphorylated IRS1")
    o("PI3K_activity", "(kc_a * PI3K_a * pi3k_mut_kcat * (1 - f_pi3k_alpha) + kc_b * level_PI3Kb * (1 - f_pi3k_beta)) / kc_a", "class I PI3K lipid-kinase activity")
    o("PIP3", "PIP3", "PIP3")
    o("AKT_activity", "AKT_act", "Akt kinase activity toward substrates")
    o("Rheb_GTP", "Rheb_GTP", "GTP-loaded Rheb")
    o("S6K1_total", "S6K1", "S6K1 protein")
    o("eIF4E_free", "eIF4E_free", "eIF4E not bound by 4E-BP1")
    o("pMEK1_2", "MEK_pp", "MEK1/2 phosphorylated at S217/221")
    o("Ras_GTP", "Ras_GTP", "GTP-loaded Ras")
    o("AMPK_activity", "AMPK_a", "AMPK T172 phosphorylation")
    o("ER_total", "ER", "ERα protein")
    o("pHER3", "sig_HER3", "phosphorylated HER3")
    o("MCL1", "MCL1", "MCL1 protein")
    o("pBAD", "BAD_p", "phosphorylated BAD")
    o("survival", "survival_signal", "survival signal (MCL1/BAD axis)")


@lru_cache(maxsize=1)
def build_network() -> Network:
    """Build the mtorsim network (cached; the returned value is frozen and must not be mutated)."""
    net = Network("mtorsim_breast", "PI3K/Akt/mTOR, MAPK and ERα signalling in breast cancer cells (mtorsim)")
    for part in (_inputs, _genotype, _receptors, _pi3k_akt, _mtorc1, _mapk, _er_foxo, _outputs, _observables):
        part(net)
    return net.freeze()
