"""Alterations, receptor status and traits → model parameters: the one place that maps them.

Each rule says which parameter it changes, to what, and why (source or 'assumed'). The
effect sizes are relative gains or losses chosen to be biologically ordered (e.g. PTEN-null
removes PTEN; HER2 amplification raises HER2 ~10-fold); they are not yet calibrated (issue 5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._errors import InputError


@dataclass(frozen=True)
class Effect:
    """Set (``op='set'``) or multiply (``op='mul'``) a model parameter."""

    parameter: str
    op: str
    value: float
    source: str


_HOTSPOT_HELICAL = {"E542K", "E545K", "Q546K", "Q546R", "E545A", "E545G"}
_HOTSPOT_KINASE = {"H1047R", "H1047L", "H1047Y", "G1049R"}
_PIK3CA_SRC = ("assumed effect size; PIK3CA hot-spot mutants are gain-of-function, signalling without "
               "receptor input (Kang, Bader & Vogt 2005 PNAS 102:802)")


def _pik3ca(change: str) -> list[Effect]:
    if change in _HOTSPOT_KINASE:
        basal, kcat = 0.6, 1.5
    elif change in _HOTSPOT_HELICAL:
        basal, kcat = 0.4, 1.3
    elif change == "mut":  # gene-level call without the protein change: between hot-spot and minor
        basal, kcat = 0.3, 1.25
    else:  # C2/ABD/other activating changes: weaker (e.g. K111N, N345K, C420R)
        basal, kcat = 0.2, 1.2
    return [Effect("pi3k_mut_basal", "set", basal, _PIK3CA_SRC), Effect("pi3k_mut_kcat", "set", kcat, _PIK3CA_SRC)]


_ESR1_SRC = ("assumed size; ESR1 ligand-binding-domain mutations make ERα constitutively active without oestradiol, "
             "Y537S more than D538G (Harrod et al. 2017 Oncogene 36:2286; Zhao et al. 2017 Cancer Res 77:5602: D538G cells "
             "are inhibited by antiestrogens more than Y537S); heterozygous tumours keep wild-type ERα beside the mutant")
_ESR1_AFF_SRC = ("Zhao et al. 2017 Cancer Res 77:5602 (abstract): Y537S/D538G ERα bind antiestrogens ~10-20-fold less "
                 "tightly than wild type; 1/15 is the midpoint (applied to tamoxifen and fulvestrant alike: assumed)")


def _esr1(change: str) -> list[Effect]:
    const = {"Y537S": 0.5, "Y537N": 0.4, "Y537C": 0.4, "D538G": 0.3, "E380Q": 0.2}.get(change)
    if const is None:
        if change not in ("mut", "LBD"):
            raise InputError("alteration", f"ESR1:{change}", "ESR1:Y537S|Y537N|Y537C|D538G|E380Q|mut|LBD")
        const = 0.4  # gene-level call: between the common alleles
    return [Effect("esr1_const", "set", const, _ESR1_SRC), Effect("esr1_mut_antag_aff", "set", 1.0 / 15.0, _ESR1_AFF_SRC)]


def alteration_effects(alteration: str) -> list[Effect]:
    """Parameter effects of one alteration written as ``GENE:change`` (e.g. ``PIK3CA:H1047R``).

    Unknown genes raise :class:`InputError`; genes recorded for information only (TP53, BRCA1...)
    have no effect and should be listed under ``info_alterations``.
    """
    m = re.fullmatch(r"([A-Z0-9]+):([A-Za-z0-9_*>.-]+)", alteration.strip())
    if not m:
        raise InputError("alteration", alteration, "GENE:change, e.g. PIK3CA:H1047R, PTEN:loss, ERBB2:amp, AKT1:E17K")
    gene, change = m.group(1), m.group(2)
    if gene == "PIK3CA":
        return _pik3ca(change)
    if gene == "PTEN":
        if change in ("loss", "null", "del"):
            return [Effect("level_PTEN", "set", 0.0, "PTEN-null: no lipid-phosphatase activity")]
        if change == "low":
            return [Effect("level_PTEN", "set", 0.3, "assumed: reduced PTEN protein ~30% of normal")]
        return [Effect("level_PTEN", "set", 0.0, "assumed: a PTEN mutation called in a cancer line (gene-level, e.g. GDSC1) is loss of function")]
    if gene == "AKT1":
        if change == "E17K":
            return [Effect("akt_membrane", "set", 0.3, "assumed effect size; AKT1 E17K binds PI(4,5)P2 and localises to the membrane without PIP3 (Carpten et al. 2007 Nature 448:439)")]
        if change in ("myr", "CA", "constitutive"):
            return [Effect("akt_membrane", "set", 1.5, "assumed: myristoylated/constitutively active Akt is membrane-anchored (deGraffenried et al. 2004, evidence C06)")]
    if gene == "ERBB2" and change in ("amp", "high"):
        return [Effect("level_HER2", "set", 10.0, "assumed: HER2-amplified lines carry ~10x HER2 (order of magnitude)")]
    if gene == "EGFR":
        if change == "amp":
            return [Effect("level_EGFR", "set", 8.0, "assumed: EGFR amplification ~8x EGFR")]
        if change == "high":
            return [Effect("level_EGFR", "set", 3.0, "assumed: EGFR-high without amplification ~3x")]
    if gene in ("KRAS", "HRAS", "NRAS"):
        return [Effect("kras_mut", "set", 2.0, "assumed: GAP-insensitive RAS mutant keeps Ras loaded with GTP independently of receptors")]
    if gene == "NF1" and change == "loss":
        return [Effect("kras_mut", "set", 0.5, "assumed: loss of the Ras GAP NF1 raises Ras-GTP moderately")]
    if gene == "BRAF":
        value = 1.0 if change == "V600E" else 0.4
        return [Effect("braf_mut", "set", value, "assumed: V600E strongly, other (class II/III, e.g. G464V) BRAF mutants weakly activate MEK")]
    if gene == "ESR1":
        return _esr1(change)
    if gene == "MTOR":
        return [Effect("mtor_mut", "set", 2.0, "assumed: activating MTOR mutations raise Rheb-independent mTORC1 activity")]
    if gene == "PIK3R1":
        return [Effect("pi3k_mut_basal", "set", 0.2, "assumed: p85-alpha mutants release p110-alpha inhibition")]
    if gene == "INPP4B" and change == "loss":
        return [Effect("k_ship", "mul", 0.5, "assumed: INPP4B loss lowers PTEN-independent phosphoinositide turnover")]
    raise InputError("alteration", alteration,
                     "a modelled alteration: PIK3CA:<change>, PTEN:loss|low, AKT1:E17K|myr, ERBB2:amp, EGFR:amp|high, "
                     "KRAS/HRAS/NRAS:<change>, NF1:loss, BRAF:<change>, ESR1:Y537S|D538G|mut, MTOR:<change>, PIK3R1:<change>, INPP4B:loss")


def receptor_effects(receptors: dict[str, str], alterations: tuple[str, ...]) -> list[Effect]:
    """Effects of receptor status: ER-negative lines express almost no ERα; HER2-positive lines without
    an explicit ERBB2:amp entry are treated as amplified."""
    out: list[Effect] = []
    er = (receptors.get("ER") or "").lower()
    if er == "negative":
        out.append(Effect("gene_ESR1", "set", 0.02, "ER-negative: ESR1 essentially not expressed"))
    elif er == "low":
        out.append(Effect("gene_ESR1", "set", 0.3, "assumed: ER-low line expresses ~30% ERα"))
    her2 = (receptors.get("HER2") or "").lower()
    if her2 == "positive" and not any(a.startswith("ERBB2:") for a in alterations):
        out += alteration_effects("ERBB2:amp")
    return out


TRAITS: dict[str, list[Effect]] = {
    "LTED": [
        Effect("gene_IGF1R", "mul", 3.0, "assumed size; LTED cells up-regulate IGF1R/InsR and PI3K/mTOR signalling (Miller et al. 2010, evidence C17)"),
        Effect("gene_IRS1", "mul", 2.0, "assumed size; LTED cells raise IGF-1R/InsR/IRS signalling to PI3K (evidence C17: increased p-AKT and p-S6K)"),
        Effect("level_HER2", "mul", 2.0, "assumed size; MCF7-LTED over-express HER2 (Martin et al. 2012, evidence C05; no number given)"),
        Effect("gene_HER3", "mul", 1.5, "assumed size; LTED cells raise HER3 phosphorylation with everolimus (Martin et al. 2012, evidence C05)"),
        Effect("K_167", "mul", 0.6, "assumed size; LTED cells keep ER activity without oestradiol through ligand-independent, "
               "PI3K/mTOR-driven AF-1 activation (evidence C17, C24; everolimus-sensitive, C05): AF-1 activity needs less S167 phosphorylation"),
        Effect("gene_ESR1", "mul", 1.5, "assumed size; LTED cells keep or raise ERα"),
    ],
    "aromatase": [Effect("aromatase_level", "set", 1.0, "MCF7-aro/T47D-aro overexpress CYP19A1 and make oestradiol from androstenedione (Boulay et al. 2005, evidence C04)")],
    "mtorc2_rapalog_sensitive": [Effect("mtorc2_rapalog_sens", "set", 1.0, "prolonged rapalog blocks mTORC2 assembly in this cell (Sarbassov et al. 2006; evidence C14)")],
}


def trait_effects(trait: str) -> list[Effect]:
    try:
        return TRAITS[trait]
    except KeyError:
        raise InputError("trait", trait, f"one of {', '.join(TRAITS)}") from None


def apply_effects(base: dict[str, float], effects: list[Effect]) -> dict[str, float]:
    """Apply effects in order to a parameter mapping (returns a new dict)."""
    out = dict(base)
    for e in effects:
        if e.parameter not in out:
            raise KeyError(f"genotype effect on unknown parameter {e.parameter!r}")
        out[e.parameter] = e.value if e.op == "set" else out[e.parameter] * e.value
    return out
