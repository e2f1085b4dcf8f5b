"""Virtual patients: genotype and receptor status from documented frequencies, prior-therapy state,
PK variability and a sampled tumour, all from one seeded generator per patient.

Patient ``i`` of a trial run with seed ``s`` draws everything from
``numpy.random.default_rng(SeedSequence(s).spawn(n)[i])``, so a patient's draws do not depend on how
the trial is chunked or on the number of workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from .._errors import InputError
from ..clinic._regimen import DEFAULT_BSA_M2, DEFAULT_WEIGHT_KG
from ._spec import DAYS_PER_MONTH, TrialSpec
from ._surface import PatientClass


@lru_cache(maxsize=1)
def population_parameters() -> dict:
    """``trial/data/population.yaml``: frequencies and tumour parameters, each {value, unit, source}."""
    return yaml.safe_load(resources.files("mtorsim.trial").joinpath("data/population.yaml").read_text())


def value(section: str, key: str) -> float:
    """A population or tumour parameter's value from ``population.yaml`` (no overrides)."""
    return float(population_parameters()[section][key]["value"])


@dataclass(frozen=True)
class Population:
    """The population and tumour parameters a trial runs with: ``population.yaml`` plus explicit
    overrides ``{(section, key): value}`` (e.g. for calibration). Immutable, hashable and picklable, so it
    travels to Dask workers with the rest of a run's inputs."""
    overrides: tuple[tuple[tuple[str, str], float], ...] = ()

    @classmethod
    def make(cls, overrides=None) -> "Population":
        if overrides is None:
            return cls()
        if isinstance(overrides, Population):
            return overrides
        known = population_parameters()
        items = []
        for (section, key), v in dict(overrides).items():
            if section not in known or key not in known[section]:
                raise InputError("population", f"{section}.{key}", "a parameter of trial/data/population.yaml")
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise InputError(f"population.{section}.{key}", v, "a finite number")
            items.append(((section, key), float(v)))
        return cls(tuple(sorted(items)))

    def value(self, section: str, key: str) -> float:
        for k, v in self.overrides:
            if k == (section, key):
                return v
        return value(section, key)


def parameter_table() -> pd.DataFrame:
    """Every population and tumour parameter with unit and source."""
    rows = []
    for section, entries in population_parameters().items():
        for k, v in entries.items():
            rows.append({"section": section, "parameter": k, "value": v["value"], "unit": v["unit"], "source": v["source"]})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Patient:
    id: int
    arm: str
    patient_class: PatientClass
    doubling_time_d: float        # untreated in-vivo net doubling time
    cell_loss_factor: float       # phi: share of newly divided cells lost (in-vivo division b = g0 / (1 - phi))
    resistant_fraction: float
    sld0_mm: float
    pk_seed: int                  # child seed for PK individuals and toxicity
    dropout_day: float            # administrative/other censoring (days); inf if none within follow-up
    entry_day: float = 0.0        # randomisation day after the first patient's (uniform over the accrual period)
    post_progression_d: float = math.inf   # survival after progression (days; trials with the os endpoint)
    weight_kg: float = DEFAULT_WEIGHT_KG   # body size, for mg/kg and mg/m2 doses (drawn: population.yaml ``body``)
    bsa_m2: float = DEFAULT_BSA_M2


#: stream of a patient's body-size draws, a child of its PK seed: an independent generator, so that adding body size
#: changed none of the draws made before it
_BODY_STREAM = 0xB0D1


def body_size(pk_seed: int, pop: Population = Population()) -> tuple[float, float]:
    """A patient's weight (kg; log-normal with the population's mean and SD) and body-surface area (m²; the mean BSA
    scaled by weight^exponent, height not drawn), from its own stream."""
    z = float(np.random.default_rng([pk_seed, _BODY_STREAM]).standard_normal())
    mean, sd = pop.value("body", "weight_kg_mean"), pop.value("body", "weight_kg_sd")
    for key, v, ok in (("weight_kg_mean", mean, 35.0 <= mean <= 200.0), ("weight_kg_sd", sd, sd >= 0.0),
                       ("bsa_m2_mean", pop.value("body", "bsa_m2_mean"), 0.5 <= pop.value("body", "bsa_m2_mean") <= 3.5)):
        if not ok:
            raise InputError(f"population.body.{key}", v, {"weight_kg_mean": "a mean adult weight in kg (35-200)",
                                                            "weight_kg_sd": "a non-negative SD in kg",
                                                            "bsa_m2_mean": "a mean body-surface area in m2 (0.5-3.5)"}[key])
    log_sd = math.sqrt(math.log1p((sd / mean) ** 2))
    w = min(max(mean * math.exp(log_sd * z - 0.5 * log_sd ** 2), 35.0), 200.0)
    bsa = pop.value("body", "bsa_m2_mean") * (w / mean) ** pop.value("body", "bsa_weight_exponent")
    return w, bsa


def patient_rngs(seed: int, n: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


def arm_assignment(spec: TrialSpec, n: int, seed: int) -> list[str]:
    """Block randomisation by the ratio (blocks of sum(ratio), shuffled with a seed derived from ``seed``)."""
    block = [a for a, r in spec.randomisation.items() for _ in range(r)]
    rng = np.random.default_rng([seed, 0xA11])
    out: list[str] = []
    while len(out) < n:
        b = list(block)
        rng.shuffle(b)
        out.extend(b)
    return out[:n]


def _select(criterion: str, present: str, drawn: bool) -> bool:
    """A genotype under an inclusion criterion: ``present`` (e.g. 'mutant') forces it, 'any' keeps the draw,
    anything else (wild type, intact) excludes it."""
    return drawn if criterion == "any" else criterion == present


def sample_patient(i: int, arm: str, spec: TrialSpec, rng: np.random.Generator, pop: Population = Population()) -> Patient:
    """One virtual patient from the population the spec's inclusion criteria select."""
    crit = spec.population
    er = crit.get("er", "positive")
    her2 = crit.get("her2", "negative")
    # draws in a fixed order, one each, so adding a field later does not shift the others
    u = rng.random(6)
    # receptor status of an unselected population: HER2 first, then hormone receptors given HER2 (joint SEER frequencies)
    her2_pos = True if her2 == "positive" else (False if her2 == "negative" else bool(u[1] < pop.value("frequencies", "HER2_positive")))
    p_er = pop.value("frequencies", "HR_positive_if_HER2_positive" if her2_pos else "HR_positive_if_HER2_negative")
    er_pos = True if er == "positive" else (False if er == "negative" else bool(u[0] < p_er))
    # genotype criteria (a biomarker-selected cohort) fix the genotype; the draw is made all the same so that
    # the later draws, and an unselected trial's patients, do not depend on them
    pik3ca = _select(crit.get("pik3ca", "any"), "mutant", bool(u[2] < pop.value("frequencies", "PIK3CA_mutation")))
    pten = _select(crit.get("pten", "any"), "lost", bool(u[3] < pop.value("frequencies", "PTEN_loss")))
    ai_res = bool(u[4] < float(crit.get("ai_resistant_fraction", 1.0))) and er_pos
    # a neoadjuvant design treats untreated primary tumours: their own growth parameters (population.yaml)
    sec = "primary_tumour" if spec.neoadjuvant else "tumour"
    z = rng.standard_normal(3)
    td = pop.value(sec, "doubling_time_median_d") * math.exp(pop.value(sec, "doubling_time_log_sd") * z[0])
    fr = min(0.5, pop.value("tumour", "resistant_fraction_median") * math.exp(pop.value("tumour", "resistant_fraction_log_sd") * z[1]))
    sld = pop.value(sec, "baseline_sld_median_mm") * math.exp(pop.value("tumour", "baseline_sld_log_sd") * z[2])
    sld = max(sld, 10.0)   # RECIST measurable disease: target lesions >= 10 mm
    rate = spec.follow_up.get("dropout_per_year", 0.0) / 365.25
    drop = float(rng.exponential(1.0 / rate)) if rate > 0 else math.inf
    pk_seed = int(rng.integers(0, 2 ** 63 - 1))
    # drawn last so that the draws above are unchanged by it
    phi_med = pop.value(sec, "cell_loss_factor")
    phi_sd = pop.value("tumour", "cell_loss_factor_logit_sd")
    zphi = float(rng.standard_normal())
    phi = 1.0 / (1.0 + math.exp(-(math.log(phi_med / (1.0 - phi_med)) + phi_sd * zphi))) if 0 < phi_med < 1 else phi_med
    # ESR1 ligand-binding-domain mutations are selected by aromatase inhibitors in the metastatic setting and
    # rare in untreated tumours, so only AI-resistant ER+ patients carry them (drawn last, as above)
    esr1 = ai_res and _select(crit.get("esr1", "any"), "mutant", bool(rng.random() < pop.value("frequencies", "ESR1_mutation_after_ai")))
    er_x = pop.value("tumour", "ai_resistant_er_expression") if (ai_res and er_pos and not esr1) else 1.0
    # overall survival (drawn last, only for trials with the os endpoint, so other trials' draws are unchanged)
    entry, pps = 0.0, math.inf
    if "os" in spec.endpoints:
        entry = float(rng.uniform(0.0, spec.follow_up.get("accrual_months", 0.0) * DAYS_PER_MONTH))
        pps = pop.value("survival", "post_progression_median_months") * DAYS_PER_MONTH * \
            math.exp(pop.value("survival", "post_progression_log_sd") * float(rng.standard_normal()))
    # AKT1 E17K (added after the draws above, so that they are unchanged by it)
    akt1 = _select(crit.get("akt1", "any"), "mutant", bool(rng.random() < pop.value("frequencies", "AKT1_mutation")))
    pc = PatientClass(pik3ca=pik3ca, pten_loss=pten, her2=her2_pos, er=er_pos, ai_resistant=ai_res, esr1_mut=esr1, er_expression=er_x,
                      akt1=akt1)
    weight, bsa = body_size(pk_seed, pop)
    return Patient(i, arm, pc, td, phi, fr, sld, pk_seed, drop, entry, pps, weight, bsa)


def sample_patients(spec: TrialSpec, seed: int, indices=None, pop: Population = Population()) -> list[Patient]:
    """Patients ``indices`` (default all) of the trial with ``seed``."""
    n = spec.patients
    arms = arm_assignment(spec, n, seed)
    rngs = patient_rngs(seed, n)
    idx = range(n) if indices is None else indices
    return [sample_patient(i, arms[i], spec, rngs[i], pop) for i in idx]


def patients_table(patients: list[Patient]) -> pd.DataFrame:
    return pd.DataFrame([{"patient": p.id, "arm": p.arm, "PIK3CA_mutant": p.patient_class.pik3ca,
                          "PTEN_loss": p.patient_class.pten_loss, "HER2_positive": p.patient_class.her2,
                          "ER_positive": p.patient_class.er, "AI_resistant": p.patient_class.ai_resistant,
                          "ESR1_mutant": p.patient_class.esr1_mut, "AKT1_mutant": p.patient_class.akt1,
                          # the AKT pathway as CAPItello-291 defined it: a PIK3CA, AKT1 or PTEN alteration
                          "AKT_pathway_altered": p.patient_class.pik3ca or p.patient_class.akt1 or p.patient_class.pten_loss,
                          "doubling_time_d": p.doubling_time_d, "cell_loss_factor": p.cell_loss_factor, "resistant_fraction": p.resistant_fraction,
                          "sld0_mm": p.sld0_mm, "dropout_day": p.dropout_day, "entry_day": p.entry_day,
                          "post_progression_d": p.post_progression_d, "weight_kg": p.weight_kg, "bsa_m2": p.bsa_m2}
                         for p in patients])
