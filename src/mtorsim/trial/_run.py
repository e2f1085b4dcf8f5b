"""Running a virtual trial: patients → exposure (PK, adverse events and dose modifications) → tumour
rates (response surfaces) → lesions, RECIST → endpoints and statistics.

Where the time goes is measured by ``benchmarks/bench_trial.py``. Per patient: the PK profiles on a
3-hour grid (exact linear solution; daily regimens tiled once at steady state), the surface lookups
(vectorised over days) and the tumour update; the adverse-event model runs once per chunk of patients
(vectorised over them, each patient drawing from its own generator); the network is simulated only for
the surfaces, ``n_classes × grid`` times per trial.

Checkpoints: with ``out``, each chunk of patients is written atomically to ``out/chunks/NNNN.parquet``
(+ its adverse events) as it finishes; a rerun with the same spec and seed reuses finished chunks, so
an interrupted trial resumes and gives the same result as an uninterrupted one.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from .._io import write_frame_atomic, write_text_atomic
from .._version import versions
from ..biology import get_drug
from ..clinic._regimen import DEFAULT_BSA_M2, DEFAULT_WEIGHT_KG
from ._patients import DAYS_PER_MONTH, Patient, Population, patients_table, sample_patients
from ._spec import TrialSpec, load_spec
from ._surface import ResponseSurface, _potency_nM, response_surface
from ._tumour import first_new_lesion_day, grow, recist, sld

PK_STEP_H = 3.0
#: clinical benefit: CR or PR, or stable disease lasting >= 24 weeks (BOLERO-2's definition, A06), i.e. still
#: stable at the assessment scheduled at 24 weeks (done within its visit window)
CBR_SD_DAYS = 24 * 7
#: assessment visit window (days either side of the scheduled day); assumed: protocols allow about a week
VISIT_WINDOW_D = 7.0


@dataclass(frozen=True)
class ArmPlan:
    """What the runner needs per arm: signalling drugs (tumour concentration axes), oestradiol drugs and
    regimens."""
    name: str
    signalling: tuple[str, ...]
    estradiol: tuple[str, ...]
    regimens: dict


def arm_plans(spec: TrialSpec) -> dict[str, ArmPlan]:
    from ..clinic import get_pk
    plans = {}
    for arm in spec.arms:
        sig, e2, regs = [], [], {}
        for dd in arm.drugs:
            regs[dd.drug] = dd.regimen
            (e2 if get_pk(dd.drug).estradiol is not None else sig).append(dd.drug)
        plans[arm.name] = ArmPlan(arm.name, tuple(sig), tuple(e2), regs)
    return plans


# ---- exposure -------------------------------------------------------------------------------------
def _daily(t: np.ndarray, y: np.ndarray, n_days: int, how: str) -> np.ndarray:
    """Daily mean or minimum of a series sampled every PK_STEP_H hours from t = 0."""
    per = int(round(24.0 / PK_STEP_H))
    y = y[: n_days * per].reshape(n_days, per)
    return y.mean(axis=1) if how == "mean" else y.min(axis=1)


def _parent_equivalent_nM(m, conc: dict) -> np.ndarray:
    """Tumour concentration of the parent plus its active metabolites expressed as parent: a metabolite
    acting competitively at the parent's slots adds ``C_m × IC50_parent / IC50_m`` (occupancies ``C/IC50``
    add in one slot, as in :mod:`mtorsim.clinic._exposure`); e.g. endoxifen and 4-hydroxytamoxifen,
    ~36× as potent as tamoxifen at the ER. The surface has one axis per drug, so a metabolite acting at
    another slot, or with a Hill slope other than 1, cannot be represented and is refused."""
    total = np.asarray(conc["tumour_nM"], dtype=float)
    parent = {tg.slot: tg for tg in get_drug(m.drug).targets}
    for mt in m.metabolites:
        targets = list(mt.targets or ())
        if not targets:
            continue
        slot, ic50, hill = targets[0]
        if len(targets) > 1 or slot not in parent or float(hill) != 1.0 or float(parent[slot].hill) != 1.0:
            raise InputError(f"pk.{m.drug}.metabolites.{mt.name}.targets", targets,
                             "one target at a slot of the parent, Hill slope 1 (needed by the trial's exposure-response surface)")
        total = total + np.asarray(conc[f"{mt.name}_tumour_nM"], dtype=float) * float(parent[slot].ic50_nM) / float(ic50)
    return total


def drug_exposure(drug: str, regimen: str, n_days: int, rng: np.random.Generator, *, bsa_m2: float = DEFAULT_BSA_M2,
                  weight_kg: float = DEFAULT_WEIGHT_KG) -> dict[str, np.ndarray]:
    """One patient's daily exposures for one drug at the FULL dose (mg/m² and mg/kg doses with the patient's body
    size): ``tumour_nM`` (daily mean; active
    metabolites included as parent-equivalent concentration),
    ``estradiol_fraction`` (daily mean, aromatase inhibitors), ``toxicity_metric`` (the adverse-event model's daily
    exposure: the minimum, or the mean for a ``*_daily_mean`` metric). Daily (or shorter) regimens are computed until steady state (5 slowest half-lives) and
    then tiled with their period; others are computed over the whole horizon."""
    from ..clinic import get_pk, parse_regimen
    from ..clinic._toxicity import _model as tox_model, metric_source, toxicity_drugs
    m = get_pk(drug).individual(rng, "trial patient")
    reg = parse_regimen(regimen, drug=m.drug)
    period_d = (reg.period_h or 0) / 24.0
    settle_d = int(math.ceil(5 * m.slowest_half_life_h / 24.0))
    tile = reg.period_h is not None and period_d <= 7 and period_d == int(period_d) and not reg.days and \
        reg.cycle_on_days is None and settle_d + 2 * period_d < n_days
    days_pk = settle_d + int(2 * period_d) if tile else n_days
    t = np.arange(0.0, days_pk * 24.0, PK_STEP_H)
    doses = reg.dose_table(float(t[-1]) + PK_STEP_H, bsa_m2=bsa_m2, weight_kg=weight_kg, route=m.route)
    conc = m.concentrations(doses, t)
    out = {}
    if "estradiol_fraction" in conc:
        out["estradiol_fraction"] = _daily(t, conc["estradiol_fraction"], days_pk, "mean")
    else:
        out["tumour_nM"] = _daily(t, _parent_equivalent_nM(m, conc), days_pk, "mean")
    if m.drug in toxicity_drugs():
        var, stat = metric_source(tox_model(m.drug).metric)
        out["toxicity_metric"] = _daily(t, conc[var], days_pk, stat)
    if tile:
        p = int(period_d)
        for k, v in out.items():
            last = v[-p:]
            reps = int(math.ceil((n_days - days_pk) / p))
            out[k] = np.concatenate([v, np.tile(last, reps)])[:n_days]
    return out


# ---- horizons and overall survival ----------------------------------------------------------------------
def pfs_horizon_days(spec: TrialSpec) -> int:
    """Days simulated for PFS, responses and adverse events: the PFS data cut (``follow_up.months``)."""
    return int(math.ceil(spec.follow_up["months"] * DAYS_PER_MONTH)) + 1


def horizon_days(spec: TrialSpec) -> int:
    """Days each patient's tumour is simulated: the PFS data cut, or the OS data cut when later."""
    n = pfs_horizon_days(spec)
    if "os" in spec.endpoints:
        n = max(n, int(math.ceil(spec.follow_up.get("os_months", spec.follow_up["months"]) * DAYS_PER_MONTH)) + 1)
    return n


def _overall_survival(p: Patient, spec: TrialSpec, lesions: np.ndarray, assess: np.ndarray, new_day: float, rc: dict,
                      n_days: int, every: float, confirm: bool, rng: np.random.Generator, reading: np.ndarray) -> dict:
    """OS of one patient: death ``post_progression_d`` after radiological progression (the same law in
    every arm, population.yaml ``survival``); censored at the OS data cut, ``os_months`` after the first
    randomisation minus the patient's entry day. Progression after the PFS data cut (or after the patient
    left radiological follow-up, ``dropout_day``) is found on visits continued to the OS data cut (survival
    follow-up outlasts both); the PFS visits are reused, so a progression seen for PFS is the same day here."""
    os_cut = min(spec.follow_up.get("os_months", spec.follow_up["months"]) * DAYS_PER_MONTH - p.entry_day, n_days - 1)
    pd_day = rc["pd_day"]
    if math.isnan(pd_day):
        last = float(assess[-1]) if len(assess) else 0.0
        extra = np.arange(every * (len(assess) + 1), os_cut + 1e-9, every)
        more = np.clip(np.round(extra + rng.uniform(-VISIT_WINDOW_D, VISIT_WINDOW_D, len(extra))), last + 1, os_cut)
        if len(more):
            visits = np.maximum.accumulate(np.concatenate([assess, more]))
            pd_day = recist(lesions, visits, new_day, confirm=confirm, reading=reading)["pd_day"]
    death = pd_day + p.post_progression_d if math.isfinite(pd_day) else math.inf
    died = bool(death <= os_cut)
    return {"os_months": (death if died else max(os_cut, 0.0)) / DAYS_PER_MONTH, "died": died,
            "progressed_by_os_cut": bool(math.isfinite(pd_day) and pd_day <= os_cut)}


def _last_non_pd_day(rc: dict, assess: np.ndarray) -> float:
    """Day of the last assessment that did not show progression (0: none)."""
    cats = rc["categories"]
    n_ok = len(cats) - (1 if cats and cats[-1] == "PD" else 0)
    return float(assess[n_ok - 1]) if n_ok else 0.0


# ---- one patient ------------------------------------------------------------------------------------
#: days over which a patient's exposure is summarised for exposure-response analyses (days 8-28: past the
#: first week, where most drugs reach steady state, within the first cycle, before most dose changes)
EXPOSURE_WINDOW_DAYS = (7, 28)


def _exposure_columns(exposure: "_Exposure") -> dict:
    """``exposure_<drug>_nM``: the patient's mean tumour-site concentration of each signalling drug at the FULL
    dose over :data:`EXPOSURE_WINDOW_DAYS` (the drug as prescribed, before any dose change: the exposure of an
    exposure-response analysis, which clinical ones take from the population PK model's individual parameters).
    Proportional to the individual's AUC (dose / CL) for a given regimen."""
    a, b = EXPOSURE_WINDOW_DAYS
    return {f"exposure_{drug}_nM": float(np.mean(ex["tumour_nM"][a:b])) for drug, ex in exposure.drugs.items() if "tumour_nM" in ex}


#: stream of a patient's adverse-event draws (a generator of its own, seeded from the patient's PK seed and
#: the drug's place in the arm), so that a chunk's patients can be simulated together
_TOX_STREAM = 7


@dataclass
class _Exposure:
    """One patient's drug exposures at the full dose (``drug_exposure`` per drug) and the generator the rest
    of the patient's simulation continues with."""
    rng: np.random.Generator
    drugs: dict = field(default_factory=dict)


def _patient_exposure(p: Patient, plan: ArmPlan, n_days: int) -> _Exposure:
    rng = np.random.default_rng(p.pk_seed)
    return _Exposure(rng, {drug: drug_exposure(drug, plan.regimens[drug], n_days, rng, bsa_m2=p.bsa_m2, weight_kg=p.weight_kg)
                           for drug in plan.signalling + plan.estradiol})


def _toxicity(pats: list[Patient], plans: dict, exposures: list[_Exposure], n_days: int) -> list[dict]:
    """Adverse events and daily dose fractions of every patient of a chunk, simulated together per
    (arm, drug): a list with one ``{drug: (dose_fraction, events)}`` per patient. Each patient's events come
    from its own generator, so they do not depend on the chunk."""
    from ..clinic import dose_levels_mg, parse_regimen
    from ..clinic._toxicity import simulate_toxicity_patients, toxicity_drugs
    out: list[dict] = [{} for _ in pats]
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (p, ex) in enumerate(zip(pats, exposures)):
        for drug, e in ex.drugs.items():
            if "toxicity_metric" in e and drug in toxicity_drugs():
                groups.setdefault((p.arm, drug), []).append(i)
    days = np.arange(n_days, dtype=float)
    for (arm, drug), idx in groups.items():
        plan = plans[arm]
        k = (plan.signalling + plan.estradiol).index(drug)
        amount = parse_regimen(plan.regimens[drug], drug=drug).amount
        rngs = [np.random.default_rng([pats[i].pk_seed, _TOX_STREAM, k]) for i in idx]
        tox = simulate_toxicity_patients(drug, np.stack([exposures[i].drugs[drug]["toxicity_metric"] for i in idx]), days=days,
                                         rngs=rngs, dose_levels_mg=dose_levels_mg(drug, amount))
        by_row = dict(tuple(tox.events.groupby("patient", sort=False))) if len(tox.events) else {}
        for r, i in enumerate(idx):
            ev = by_row.get(r, tox.events.iloc[:0]).copy()
            ev["drug"] = drug
            out[i][drug] = (tox.dose_fraction[r], ev)
    return out


def _host_effect(conc: dict[str, np.ndarray], pop: Population, n_days: int) -> np.ndarray | None:
    """Daily fraction of the tumour's untreated net growth rate removed by mTORC1 inhibition in its host tissue
    (anti-angiogenic effect of rapalogs: Guba et al. 2002 Nat Med 8:128), on every clone: ``E · u / (1 + u)`` with
    ``u = Σ C / (k · IC50)`` over the rapalogs in the tumour, ``E`` the maximal reduction and ``k`` the host tissue's
    potency relative to the target IC50 (fitted to the exposure-response of everolimus, evidence B08: population.yaml).
    mTOR kinase inhibitors are not given it: the source is about rapalogs, and the one kinase-inhibitor trial
    (sapanisertib + fulvestrant) gave hazard ratios far below the published ones with it."""
    e_max = pop.value("tumour", "mtor_host_growth_reduction")
    if e_max <= 0:
        return None
    k = pop.value("tumour", "mtor_host_potency_factor")
    u = np.zeros(n_days)
    for d, c in conc.items():
        if get_drug(d).drug_class == "rapalog":
            u = u + np.asarray(c, dtype=float) / (_potency_nM(d) * k)
    return e_max * u / (1.0 + u) if u.any() else None


def simulate_patient(p: Patient, surface: ResponseSurface, spec: TrialSpec, n_days: int, pop: Population,
                     exposure: _Exposure, toxicity: dict) -> tuple[dict, pd.DataFrame]:
    """Everything about one patient, from its exposures and adverse events (its entries of
    :func:`_patient_exposure` and :func:`_toxicity`): a row of outcomes and the adverse-event table."""
    rng = exposure.rng
    conc: dict[str, np.ndarray] = {}
    e2 = np.ones(n_days)
    aes = []
    dose_frac: dict[str, np.ndarray] = {}
    for drug, ex in exposure.drugs.items():
        f = np.ones(n_days)
        if drug in toxicity:
            f, ev = toxicity[drug]
            aes.append(ev)
        dose_frac[drug] = f
        if "tumour_nM" in ex:
            conc[drug] = ex["tumour_nM"] * f
        if "estradiol_fraction" in ex:
            # an interruption of an aromatase inhibitor lets oestradiol recover in proportion (assumed)
            e2 = e2 * (1.0 - (1.0 - ex["estradiol_fraction"]) * f)
    r = surface({d: conc[d] for d in surface.drugs + surface.fate_only}, e2)
    rel_div = np.clip(r["rel_div"], 0.0, None)
    kill = np.clip(r["death"] + r["mitotic"], 0.0, None)
    g0 = math.log(2) / p.doubling_time_d
    S, R = grow(rel_div, kill, g0=g0, phi=p.cell_loss_factor, resistant_fraction=p.resistant_fraction,
                acquired_rate=pop.value("tumour", "acquired_resistance_rate"), host=_host_effect(conc, pop, n_days))
    burden = S + R
    lesions = sld(burden, p.sld0_mm)
    new_day = first_new_lesion_day(burden, pop.value("tumour", "new_lesion_rate"), rng)
    every = spec.assessment["every_weeks"] * 7.0
    pfs_days = pfs_horizon_days(spec)
    horizon = min(pfs_days - 1, p.dropout_day)
    # scheduled visits with a +/- VISIT_WINDOW_D window (assumed; trials allow such windows), kept in order
    sched = np.arange(every, horizon + 1e-9, every)
    assess = np.clip(np.round(sched + rng.uniform(-VISIT_WINDOW_D, VISIT_WINDOW_D, len(sched))), 1, horizon)
    assess = np.maximum.accumulate(assess)
    # reading error of each scan (baseline first), drawn for every visit the longest follow-up can hold
    n_reads = int((n_days - 1) // every) + 3
    reading = np.exp(pop.value("tumour", "reading_error_log_sd") * rng.standard_normal(n_reads))
    confirm = bool(spec.assessment.get("confirm_response"))
    rc = recist(lesions, assess, new_day, confirm=confirm, reading=reading)
    progressed = not math.isnan(rc["pd_day"])
    pfs_day = rc["pd_day"] if progressed else rc["last_assessment_day"]
    on_treatment_until = pfs_day if progressed else horizon
    os_rec = {}
    if "os" in spec.endpoints:
        os_rec = _overall_survival(p, spec, lesions, assess, new_day, rc, n_days, every, confirm, rng, reading)
    # Ki67 is read as proportional to the division rate (assumed): day-15 Ki67 = baseline x rel_div(day 15)
    ki67_0 = pop.value("tumour", "ki67_baseline_median_pct") * math.exp(pop.value("tumour", "ki67_baseline_log_sd") * rng.standard_normal())
    ki67_15 = ki67_0 * float(rel_div[min(14, n_days - 1)])
    row = {"patient": p.id, "arm": p.arm, "ki67_baseline_pct": ki67_0, "ki67_day15_pct": ki67_15,
           "ki67_response": bool(math.log(max(ki67_15, 1e-9)) < 1.0), "pfs_months": pfs_day / DAYS_PER_MONTH, "progressed": progressed,
           "best_response": rc["best_response"],
           "clinical_benefit": rc["best_response"] in ("CR", "PR") or (rc["best_response"] == "SD" and _last_non_pd_day(rc, assess) >= CBR_SD_DAYS - VISIT_WINDOW_D),
           "sld_nadir_change": float(np.min(lesions[: int(on_treatment_until) + 1]) / p.sld0_mm - 1.0),
           "new_lesion_day": new_day, "rel_div_day15": float(rel_div[min(14, n_days - 1)]),
           "mean_dose_fraction": float(np.mean([f[: max(1, int(on_treatment_until))].mean() for f in dose_frac.values()])) if dose_frac else 1.0,
           **_exposure_columns(exposure), **os_rec}
    ae = pd.concat(aes, ignore_index=True) if aes else pd.DataFrame(columns=["patient", "event", "grade", "onset_day", "action", "drug"])
    if len(ae):
        ae = ae[ae["onset_day"] <= on_treatment_until].copy()
        ae["patient"] = p.id
        ae["arm"] = p.arm
    return row, ae


# ---- chunks, checkpoints, the whole trial --------------------------------------------------------------
def _surfaces(spec: TrialSpec, patients: list[Patient], pop: Population = Population(), parameters: tuple = ()) -> dict:
    plans = arm_plans(spec)
    e2_base = pop.value("tumour", "estradiol_baseline_nM")
    days = pop.value("tumour", "response_delay_d")
    out = {}
    for p in patients:
        key = (p.arm, p.patient_class)
        if key not in out:
            out[key] = response_surface(p.patient_class, plans[p.arm].signalling, e2_base_nM=e2_base, days=days,
                                        parameters=parameters)
    return out


def _network_parameters(parameters) -> tuple:
    """Network parameter overrides as sorted, validated ``(name, value)`` pairs."""
    if not parameters:
        return ()
    from ..model import build_network
    known = build_network().parameters
    items = []
    for k, v in dict(parameters).items():
        if k not in known:
            raise InputError("parameters", k, "a parameter of the mtorsim network (mtorsim.model.build_network().parameters)")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise InputError(f"parameters.{k}", v, "a finite, non-negative number")
        items.append((str(k), float(v)))
    return tuple(sorted(items))


def run_chunk(spec: TrialSpec, seed: int, indices: list[int], surfaces: dict,
              pop: Population = Population(), parameters: tuple = ()) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Patients ``indices``: (outcomes, patient characteristics, adverse events).

    BLAS runs single-threaded here: each patient's PK propagators are matrix exponentials of 3-5 compartments,
    where threads only add hand-over cost, and on a loaded machine a threaded OpenBLAS made the PK stage 4-10x
    slower (benchmarks/bench_trial.py; Dask workers are single-threaded already)."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1, user_api="blas"):
        return _run_chunk(spec, seed, indices, surfaces, pop, parameters)


def _run_chunk(spec: TrialSpec, seed: int, indices: list[int], surfaces: dict,
               pop: Population, parameters: tuple) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    plans = arm_plans(spec)
    n_days = horizon_days(spec)
    pats = sample_patients(spec, seed, indices, pop)
    rows, aes = [], []
    exposures = [_patient_exposure(p, plans[p.arm], n_days) for p in pats]
    toxicity = _toxicity(pats, plans, exposures, n_days)
    for p, ex, tox in zip(pats, exposures, toxicity):
        s = surfaces.get((p.arm, p.patient_class)) or response_surface(
            p.patient_class, plans[p.arm].signalling, e2_base_nM=pop.value("tumour", "estradiol_baseline_nM"),
            days=pop.value("tumour", "response_delay_d"), parameters=parameters)
        row, ae = simulate_patient(p, s, spec, n_days, pop, ex, tox)
        rows.append(row)
        if len(ae):
            aes.append(ae)
    ae_all = pd.concat(aes, ignore_index=True) if aes else pd.DataFrame(columns=["patient", "arm", "drug", "event", "grade", "onset_day", "action"])
    return pd.DataFrame(rows), patients_table(pats), ae_all


@dataclass
class TrialResult:
    spec: TrialSpec
    seed: int
    outcomes: pd.DataFrame          # one row per patient
    patients: pd.DataFrame          # characteristics
    adverse_events: pd.DataFrame
    summary: dict = field(default_factory=dict)

    def plot_km(self, ax=None, endpoint: str = "pfs"):
        """Kaplan–Meier plot of ``pfs`` or ``os`` (trials with the os endpoint) with the at-risk table."""
        from ._stats import plot_km
        if endpoint not in ("pfs", "os") or (endpoint == "os" and "os_months" not in self.outcomes):
            raise InputError("endpoint", endpoint, "pfs" + (" or os" if "os_months" in self.outcomes else " (this trial has no os endpoint)"))
        return plot_km(self.outcomes, ax=ax, title=self.spec.title, endpoint=endpoint)


#: the subpackages whose files (code and data) a trial's result depends on beyond its spec: a checkpoint written by
#: another version of any of them is refused on resume
MODEL_PACKAGES = ("trial", "biology", "clinic", "model", "fate", "simulate")


@lru_cache(maxsize=1)
def model_fingerprint() -> str:
    """SHA-256 (16 hex digits) of the mtorsim version and every .py / .yaml / .csv / .json file of ``MODEL_PACKAGES``
    (once per process): a resumed trial must have been started by the same model, not only the same spec and seed."""
    import hashlib
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(str(versions().get("mtorsim")).encode())
    for sub in MODEL_PACKAGES:
        for f in sorted((root / sub).rglob("*")):
            if f.suffix in (".py", ".yaml", ".csv", ".json") and f.is_file():
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def run_trial(spec, *, seed: int = 0, patients: int | None = None, out: str | Path | None = None, chunk_size: int = 50,
              progress: bool = True, resume: bool = True, scheduler=None, n_workers: int = 1,
              population=None, parameters=None) -> TrialResult:
    """Run a virtual trial.

    Parameters
    ----------
    spec : a built-in name (``bolero2``), a YAML path or a :class:`TrialSpec`.
    seed : all randomness (patients, arms, PK, adverse events, tumours) follows from it.
    patients : override the spec's number of patients.
    out : folder for checkpoints and outputs (``summary.json``, ``patients.parquet``,
        ``adverse_events.parquet``, ``km.png``); resumable.
    scheduler : ``None`` (in-process), ``"local"`` (a Dask LocalCluster of ``n_workers``), an address or
        a ``distributed.Client``: chunks run as Dask tasks; results are identical whatever runs them.
    population : overrides of ``trial/data/population.yaml`` as ``{(section, key): value}`` or a
        :class:`~._patients.Population` (e.g. for calibration); recorded in the summary and the checkpoint
        manifest.
    parameters : network parameter overrides ``{name: value}`` for every patient's tumour (e.g. a member of a
        posterior ensemble: ``calibrate.predict_bands(kind="function", fn=...)``); recorded likewise.
    """
    spec = load_spec(spec)
    if patients is not None:
        spec = spec.with_patients(patients)
    if not (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        raise InputError("seed", seed, "a non-negative integer")
    if not (isinstance(chunk_size, int) and chunk_size >= 1):
        raise InputError("chunk_size", chunk_size, "a positive integer")
    pop = Population.make(population)
    net_par = _network_parameters(parameters)
    n = spec.patients
    chunks = [list(range(k, min(n, k + chunk_size))) for k in range(0, n, chunk_size)]
    manifest = {"spec_sha256": spec.sha256, "model_sha256": model_fingerprint(), "seed": seed, "patients": n, "chunk_size": chunk_size,
                "population": [[f"{a}.{b}", v] for (a, b), v in pop.overrides],
                "network_parameters": [[k, v] for k, v in net_par]}
    done: set[int] = set()
    cdir = None
    if out is not None:
        out = Path(out)
        cdir = out / "chunks"
        cdir.mkdir(parents=True, exist_ok=True)
        mpath = out / "manifest.json"
        if mpath.exists() and resume:
            old = json.loads(mpath.read_text())
            if old != manifest:
                diff = sorted(k for k in manifest if old.get(k) != manifest[k])
                raise InputError("out", str(out), f"an empty folder or one of the same run (differs in {', '.join(diff)}; use resume=False)")
            done = {k for k in range(len(chunks)) if (cdir / f"{k:04d}.parquet").exists() and (cdir / f"{k:04d}.ae.parquet").exists()
                    and (cdir / f"{k:04d}.pt.parquet").exists()}
        else:
            for f in cdir.glob("*.parquet"):
                f.unlink()
        write_text_atomic(mpath, json.dumps(manifest))
    t0 = time.perf_counter()
    all_patients = sample_patients(spec, seed, None, pop)
    surfaces = _surfaces(spec, all_patients, pop, net_par)
    t_surf = time.perf_counter() - t0
    results: dict[int, tuple] = {}
    for k in done:
        results[k] = (pd.read_parquet(cdir / f"{k:04d}.parquet"), pd.read_parquet(cdir / f"{k:04d}.pt.parquet"),
                      pd.read_parquet(cdir / f"{k:04d}.ae.parquet"))

    def finish(k, res):
        results[k] = res
        if cdir is not None:
            write_frame_atomic(res[2], cdir / f"{k:04d}.ae.parquet")
            write_frame_atomic(res[1], cdir / f"{k:04d}.pt.parquet")
            write_frame_atomic(res[0], cdir / f"{k:04d}.parquet")   # written last: marks the chunk done

    todo = [k for k in range(len(chunks)) if k not in done]
    from rich.progress import Progress
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task(f"{spec.name}: patients", total=n, completed=sum(len(chunks[k]) for k in done))
        if scheduler is None:
            for k in todo:
                finish(k, run_chunk(spec, seed, chunks[k], surfaces, pop, net_par))
                bar.advance(task, len(chunks[k]))
        else:
            from distributed import Client, LocalCluster, as_completed
            cluster = client = None
            if scheduler == "local":
                cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
                client = Client(cluster)
            elif isinstance(scheduler, str):
                client = Client(scheduler)
            else:
                client = scheduler
            try:
                surf_f = client.scatter(surfaces, broadcast=True)
                futs = {client.submit(run_chunk, spec, seed, chunks[k], surf_f, pop, net_par, pure=False): k for k in todo}
                for fut in as_completed(futs):
                    k = futs[fut]
                    finish(k, fut.result())
                    bar.advance(task, len(chunks[k]))
            finally:
                if cluster is not None:
                    client.close()
                    cluster.close()
    order = sorted(results)
    outcomes = pd.concat([results[k][0] for k in order], ignore_index=True)
    pts = pd.concat([results[k][1] for k in order], ignore_index=True)
    aes = [results[k][2] for k in order if len(results[k][2])]
    ae = pd.concat(aes, ignore_index=True) if aes else pd.DataFrame(columns=["patient", "arm", "drug", "event", "grade", "onset_day", "action"])
    from ._stats import summarise
    summary = summarise(spec, outcomes, ae, pts)
    summary["run"] = {"seed": seed, "patients": n, "spec_sha256": spec.sha256, "model_sha256": manifest["model_sha256"], "spec": spec.source,
                      "population_overrides": manifest["population"],
                      "network_parameters": manifest["network_parameters"],
                      "surfaces": len(surfaces), "surface_seconds": round(t_surf, 3),
                      "seconds": round(time.perf_counter() - t0, 3), "chunks_resumed": len(done), "versions": versions()}
    res = TrialResult(spec, seed, outcomes, pts, ae, summary)
    if out is not None:
        _write_outputs(res, out)
    return res


def _write_outputs(res: TrialResult, out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    merged = res.patients.merge(res.outcomes, on=["patient", "arm"])
    write_frame_atomic(merged, out / "patients.parquet")
    merged.to_csv(out / "patients.csv", index=False)
    write_frame_atomic(res.adverse_events.astype({"grade": "int64"}) if len(res.adverse_events) else res.adverse_events, out / "adverse_events.parquet")
    write_text_atomic(out / "summary.json", json.dumps(res.summary, indent=2, default=float))
    fig = res.plot_km().figure
    fig.savefig(out / "km.png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    if "os_months" in res.outcomes:
        fig = res.plot_km(endpoint="os").figure
        fig.savefig(out / "km_os.png", dpi=120, bbox_inches="tight")
        plt.close(fig)
