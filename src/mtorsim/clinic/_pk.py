"""Pharmacokinetic models as data (``pk:`` records in ``biology/data/drugs.yaml``) and their exact solution.

Every model here is *linear*: an absorption depot (oral/IM/SC, first order, bioavailability F,
optional lag) feeding a central compartment with up to two peripheral compartments, or IV
bolus/zero-order infusion into the central compartment. The amounts obey ``dx/dt = A x + b r(t)``
with a constant matrix ``A``; between events (doses, infusion starts and stops, output times) the
solution is the matrix exponential ``x(t+Δ) = e^{AΔ} x(t) + Γ(Δ) r`` (``scipy.linalg.expm`` of the
augmented matrix), so profiles are exact (superposition) and cost one small matrix product per
event, whatever the number of doses.

Concentrations are kept apart by matrix (STYLE.md §4):

* the model's own matrix (``whole_blood`` for everolimus, whose popPK is fitted to whole-blood
  data; ``plasma`` for the others);
* ``plasma`` (ng/mL), converted from whole blood with the record's blood:plasma relation
  (everolimus: erythrocyte binding with the haematocrit, evidence B07; B06);
* ``plasma_nM`` (molar, with the molar mass from the catalogue), ``unbound_nM`` (× the unbound
  fraction in plasma) and ``tumour_nM``: the concentration the signalling model reads as if it
  were the nominal concentration of a cell experiment. By default it is the unbound plasma
  concentration × an assumed tissue factor; a record may instead follow whole blood
  (``tumour_driver: whole_blood``, the rapalogs: see ``docs/pk.md`` for why).

Parameters are apparent (/F) where the source reports them so; every value carries its unit and
source. Inter-individual variability is log-normal: ``P_i = P · exp(η)``, ``η ~ N(0, ω²)`` with
``ω² = ln(1 + CV²)``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import scipy.linalg
import xarray as xr
import yaml

from .._errors import InputError, UnknownNameError
from .._units import Q_
from .._version import versions
from ..biology import get_drug
from ._regimen import DEFAULT_BSA_M2, DEFAULT_WEIGHT_KG, Regimen, parse_regimen

#: canonical units of the structural parameters (values are converted to these at load)
CANONICAL_UNITS = {"CL": "L/h", "Q": "L/h", "Q3": "L/h", "V1": "L", "V2": "L", "V3": "L", "ka": "1/h", "F": "",
                   "tlag": "h", "ntr": ""}
EXTRAVASCULAR = ("oral", "im", "sc")
MATRICES = ("whole_blood", "plasma")


@dataclass(frozen=True)
class PKParameter:
    """One PK number: value in canonical units (:data:`CANONICAL_UNITS`), the unit it was given in, its source,
    and an optional inter-individual CV (fraction) with its own source."""

    name: str
    value: float
    unit: str
    source: str
    cv: float | None = None
    cv_source: str = ""

    def __post_init__(self) -> None:
        if not (isinstance(self.value, (int, float)) and math.isfinite(self.value) and self.value >= 0):
            raise InputError(f"pk.{self.name}", self.value, "a finite, non-negative number")
        if not self.source:
            raise InputError(f"pk.{self.name}.source", self.source, "a source: an evidence id, a publication, or 'assumed: why'")
        if self.cv is not None and not (0 <= self.cv < 5):
            raise InputError(f"pk.{self.name}.cv", self.cv, "a coefficient of variation as a fraction (0.35 = 35 %)")


def _param(name: str, raw, default_unit: str = "") -> PKParameter:
    if not isinstance(raw, dict) or "value" not in raw:
        raise InputError(f"pk.{name}", raw, "a mapping {value, unit, source[, cv, cv_source]}")
    unit = str(raw.get("unit", default_unit) or "")
    value = float(raw["value"])
    target = CANONICAL_UNITS.get(name, unit)
    if target and unit and unit != target:
        try:
            value = float(Q_(value, unit).to(target).magnitude)
        except Exception:  # pint raises several error types
            raise InputError(f"pk.{name}.unit", unit, f"a unit convertible to {target}") from None
    cv = raw.get("cv")
    return PKParameter(name, value, unit or target, str(raw.get("source", "")), None if cv is None else float(cv),
                       str(raw.get("cv_source", "")))


@dataclass(frozen=True)
class EstradiolSuppression:
    """Oestradiol suppression by an aromatase inhibitor: aromatase activity ``A`` (1 = untreated) with
    resynthesis and drug-driven loss, and the oestradiol that depends on it::

        dA/dt = kdeg (1 - A) - kinact · C / (KI + C) · A
        E2 / E2_baseline = 1 - Imax (1 - A)

    ``C`` is the plasma concentration (ng/mL). For an irreversible inactivator (exemestane)
    ``kdeg`` is enzyme resynthesis; ``Imax`` is the fraction of oestradiol that is aromatase-derived
    and can be suppressed.
    """

    Imax: PKParameter
    kinact: PKParameter
    KI: PKParameter
    kdeg: PKParameter

    def fraction(self, times_h: np.ndarray, conc: np.ndarray) -> np.ndarray:
        """E2 fraction over ``times_h`` for plasma concentrations ``conc`` (exact for piecewise-linear C averaged per step)."""
        a = np.empty(len(times_h))
        a[0] = 1.0
        kdeg, kin, ki = self.kdeg.value, self.kinact.value, self.KI.value
        for i in range(1, len(times_h)):
            dt = times_h[i] - times_h[i - 1]
            c = 0.5 * (conc[i] + conc[i - 1])
            k = kin * c / (ki + c) if c > 0 else 0.0
            ass = kdeg / (kdeg + k)
            a[i] = ass + (a[i - 1] - ass) * math.exp(-(kdeg + k) * dt)
        return 1.0 - self.Imax.value * (1.0 - a)


@dataclass(frozen=True)
class Metabolite:
    """A metabolite formed from the parent (or from another metabolite) by a linear pathway::

        dA_m/dt = fm · (CL_src / V_src) · A_src − (CL / V) · A_m

    Amounts are kept in parent-mg equivalents (moles are conserved), so the molar concentration is
    ``A_m / MW_parent / V`` (nM after unit conversion). ``fm`` and ``V`` are apparent: only
    ``fm / CL`` (steady-state metabolite:source ratio) and ``V / CL`` (half-life) are identifiable
    from plasma data, and the sources say which was derived from what. ``targets`` are the
    metabolite's potencies at the signalling slots (``(slot, ic50_nM, hill)``; from the catalogue
    when the metabolite has an entry there).
    """

    name: str
    source: str
    fm: PKParameter
    CL: PKParameter
    V: PKParameter
    molar_mass_g_per_mol: float
    fu_plasma: PKParameter
    targets: tuple = ()
    note: str = ""

    @property
    def compartment(self) -> str:
        return f"metabolite:{self.name}"


@dataclass(frozen=True)
class PKModel:
    """A linear PK model for one drug (see the module docstring).

    Everyday fields: ``drug``, ``route`` (oral, iv, im, sc), ``parameters`` (name → :class:`PKParameter`:
    CL, V1 and optionally ka, F, tlag, Q, V2, Q3, V3), ``matrix`` (what the central concentration is:
    whole_blood or plasma), ``molar_mass_g_per_mol``.

    Expert fields: ``fu_plasma`` (unbound fraction in plasma), ``tumour_driver`` (which
    concentration the tumour-site exposure follows: ``unbound_plasma``, the default, or
    ``whole_blood``), ``tumour_factor`` (tumour-site concentration / driver concentration), ``blood_plasma`` (how to convert between
    whole blood and plasma: ``{"model": "ratio", "value": …}`` or ``{"model": "erythrocyte_binding",
    "Bmax_ng_per_mL", "Kd_ng_per_mL", "Kns", "hematocrit"}``), ``estradiol`` (an
    :class:`EstradiolSuppression`), ``checks`` (published summary numbers the model is tested against),
    ``note``.
    """

    drug: str
    route: str
    parameters: dict = field(hash=False)
    matrix: str
    molar_mass_g_per_mol: float
    fu_plasma: PKParameter
    tumour_factor: PKParameter
    blood_plasma: dict = field(default_factory=dict, hash=False)
    estradiol: EstradiolSuppression | None = None
    tumour_driver: str = "unbound_plasma"
    checks: dict = field(default_factory=dict, hash=False, compare=False)
    note: str = ""
    individual_id: str = "typical"
    metabolites: tuple = ()

    def __post_init__(self) -> None:
        if self.route not in ("oral", "iv", "im", "sc"):
            raise InputError(f"pk.{self.drug}.route", self.route, "oral, iv, im or sc")
        if self.matrix not in MATRICES:
            raise InputError(f"pk.{self.drug}.matrix", self.matrix, "whole_blood or plasma")
        for req in ("CL", "V1"):
            if req not in self.parameters:
                raise InputError(f"pk.{self.drug}.parameters", sorted(self.parameters), f"a value for {req}")
        names = {"parent"}
        for mt in self.metabolites:
            if mt.source not in names:
                raise InputError(f"pk.{self.drug}.metabolites.{mt.name}.source", mt.source,
                                 f"'parent' or a metabolite listed before it ({', '.join(sorted(names))})")
            if mt.molar_mass_g_per_mol < 0:
                raise InputError(f"pk.{self.drug}.metabolites.{mt.name}.molar_mass_g_per_mol", mt.molar_mass_g_per_mol,
                                 "a positive molar mass (g/mol), or 0 when not known (no ng/mL output)")
            names.add(mt.name)
        if self.route in EXTRAVASCULAR and "ka" not in self.parameters:
            raise InputError(f"pk.{self.drug}.parameters", sorted(self.parameters), "ka for an extravascular route")
        if ("Q" in self.parameters) != ("V2" in self.parameters):
            raise InputError(f"pk.{self.drug}.parameters", sorted(self.parameters), "Q and V2 together")
        if self.tumour_driver not in ("unbound_plasma", "whole_blood"):
            raise InputError(f"pk.{self.drug}.tumour_driver", self.tumour_driver, "unbound_plasma or whole_blood")
        if not (self.molar_mass_g_per_mol and self.molar_mass_g_per_mol > 0):
            raise InputError(f"pk.{self.drug}.molar_mass_g_per_mol", self.molar_mass_g_per_mol, "a positive molar mass (g/mol)")

    # -- parameters -------------------------------------------------------------------------------
    def value(self, name: str, default: float | None = None) -> float:
        p = self.parameters.get(name)
        if p is None:
            if default is None:
                raise KeyError(name)
            return default
        return p.value

    @property
    def n_transit(self) -> int:
        """Transit compartments between the depot and the central compartment (all at rate ka); 0 = first-order absorption."""
        return int(round(self.value("ntr", 0.0)))

    @property
    def compartments(self) -> tuple[str, ...]:
        c = ("depot",) + tuple(f"transit{k + 1}" for k in range(self.n_transit)) if self.route in EXTRAVASCULAR else ()
        c += ("central",)
        if "Q" in self.parameters:
            c += ("peripheral",)
        if "Q3" in self.parameters:
            c += ("peripheral2",)
        return c + tuple(m.compartment for m in self.metabolites)

    def rate_matrix(self) -> np.ndarray:
        """``A`` of ``dx/dt = A x`` for the amounts (mg) in :attr:`compartments` (1/h)."""
        names = self.compartments
        n = len(names)
        i = {c: k for k, c in enumerate(names)}
        A = np.zeros((n, n))
        v1 = self.value("V1")
        c = i["central"]
        A[c, c] -= self.value("CL") / v1
        if "depot" in i:
            ka = self.value("ka")
            chain = ["depot"] + [f"transit{k + 1}" for k in range(self.n_transit)] + ["central"]
            for src, dst in zip(chain[:-1], chain[1:]):
                A[i[src], i[src]] -= ka
                A[i[dst], i[src]] += ka
        for q, v, name in (("Q", "V2", "peripheral"), ("Q3", "V3", "peripheral2")):
            if name in i:
                kq = self.value(q)
                A[c, c] -= kq / v1
                A[i[name], c] += kq / v1
                A[c, i[name]] += kq / self.value(v)
                A[i[name], i[name]] -= kq / self.value(v)
        k_out = {"parent": (c, self.value("CL") / v1)}
        for mt in self.metabolites:
            src, k_src = k_out[mt.source]
            j = i[mt.compartment]
            A[j, src] += mt.fm.value * k_src  # formation: a fraction fm of the source's elimination
            A[j, j] -= mt.CL.value / mt.V.value
            k_out[mt.name] = (j, mt.CL.value / mt.V.value)
        return A

    @property
    def terminal_half_life_h(self) -> float:
        """Slowest disposition (or, for flip-flop kinetics, absorption) half-life, from the eigenvalues of ``A``."""
        n = len(self.compartments) - len(self.metabolites)
        lam = np.linalg.eigvals(self.rate_matrix()[:n, :n]).real
        return float(math.log(2) / np.min(np.abs(lam)))

    @property
    def slowest_half_life_h(self) -> float:
        """Slowest half-life of the parent and its metabolites (what steady state has to wait for)."""
        lam = np.linalg.eigvals(self.rate_matrix()).real
        return float(math.log(2) / np.min(np.abs(lam)))

    def individual(self, rng: np.random.Generator, individual_id: str = "") -> "PKModel":
        """A virtual individual: each parameter with a CV drawn log-normally (ω² = ln(1 + CV²)).

        Parent parameters are drawn first (in record order), then each metabolite's fm, CL and V, so
        adding a metabolite does not change the parent's draws."""
        def draw(p: PKParameter) -> PKParameter:
            if p.cv:
                omega = math.sqrt(math.log1p(p.cv ** 2))
                return replace(p, value=p.value * math.exp(rng.normal(0.0, omega)))
            return p

        params = {k: draw(p) for k, p in self.parameters.items()}
        mets = tuple(replace(m, fm=draw(m.fm), CL=draw(m.CL), V=draw(m.V)) for m in self.metabolites)
        return replace(self, parameters=params, metabolites=mets, individual_id=individual_id or "sampled")

    # -- exact solution ---------------------------------------------------------------------------
    def amounts(self, doses: pd.DataFrame, times_h: np.ndarray) -> np.ndarray:
        """Amounts (mg) in each compartment at ``times_h`` for a dosing table (columns time_h, amount [mg],
        route, duration_h); values at a dose time are *pre-dose* (troughs)."""
        times_req = np.asarray(times_h, dtype=float)
        times_h, inverse = np.unique(times_req, return_inverse=True)
        A = self.rate_matrix()
        names = self.compartments
        n = len(names)
        c = names.index("central")
        boluses: dict[float, np.ndarray] = {}
        rate_steps: dict[float, float] = {}
        F = self.value("F", 1.0)
        tlag = self.value("tlag", 0.0)
        for row in doses.itertuples(index=False):
            route = getattr(row, "route", None) or self.route
            if route != self.route and not (route in EXTRAVASCULAR and self.route in EXTRAVASCULAR):
                raise InputError("regimen.route", route, f"{self.route} (the route of the {self.drug} PK model)")
            amt = float(row.amount)
            if self.route in EXTRAVASCULAR:
                t = float(row.time_h) + tlag
                boluses.setdefault(t, np.zeros(n))[0] += F * amt
            elif float(getattr(row, "duration_h", 0.0) or 0.0) > 0:
                dur = float(row.duration_h)
                t0 = float(row.time_h)
                rate_steps[t0] = rate_steps.get(t0, 0.0) + amt / dur
                rate_steps[t0 + dur] = rate_steps.get(t0 + dur, 0.0) - amt / dur
            else:
                boluses.setdefault(float(row.time_h), np.zeros(n))[c] += amt
        # the state changes only at events (doses, infusion starts and ends): propagate from event to event,
        # then every requested time from the last event strictly before it (values at an event time are
        # pre-event), vectorised over the times; propagators are cached by interval length
        cache: dict[float, tuple[np.ndarray, np.ndarray]] = {}

        def propagator(dt: float) -> tuple[np.ndarray, np.ndarray]:
            key = round(dt, 9)
            prop = cache.get(key)
            if prop is None:
                M = np.zeros((n + 1, n + 1))
                M[:n, :n] = A * dt
                M[c, n] = dt
                E = scipy.linalg.expm(M)
                prop = cache[key] = (E[:n, :n], E[:n, n])
            return prop

        events = np.unique(np.concatenate([[0.0], list(boluses), list(rate_steps)]))
        post_x = np.zeros((len(events), n))   # state just after each event
        post_rate = np.zeros(len(events))     # infusion rate just after each event
        x = np.zeros(n)
        rate = 0.0
        prev = events[0]
        for k, t in enumerate(events):
            if t > prev:
                P, q = propagator(t - prev)
                x = P @ x + q * rate
            if t in boluses:
                x = x + boluses[t]
            if t in rate_steps:
                rate = max(rate + rate_steps[t], 0.0) if abs(rate + rate_steps[t]) > 1e-12 else 0.0
            post_x[k], post_rate[k] = x, rate
            prev = t
        out = np.zeros((len(times_h), n))
        ev = np.searchsorted(events, times_h, side="left") - 1   # last event strictly before each time
        has = ev >= 0
        if has.any():
            d = np.round(times_h[has] - events[ev[has]], 9)
            uniq, which = np.unique(d, return_inverse=True)
            props = [propagator(float(u)) for u in uniq]
            Ps = np.stack([pq[0] for pq in props])[which]
            qs = np.stack([pq[1] for pq in props])[which]
            out[has] = np.einsum("kij,kj->ki", Ps, post_x[ev[has]]) + qs * post_rate[ev[has]][:, None]
        return np.maximum(out, 0.0)[inverse]

    def central_ng_per_mL(self, doses: pd.DataFrame, times_h: np.ndarray) -> np.ndarray:
        """Concentration in the model's own matrix (ng/mL = amount[mg] / V1[L] × 1000)."""
        a = self.amounts(doses, times_h)
        return a[:, self.compartments.index("central")] / self.value("V1") * 1000.0

    # -- matrices ---------------------------------------------------------------------------------
    def _binding(self) -> tuple[float, float, float, float]:
        bp = self.blood_plasma
        return (float(bp["Bmax_ng_per_mL"]), float(bp["Kd_ng_per_mL"]), float(bp["Kns"]), float(bp["hematocrit"]))

    def blood_from_plasma(self, cp: np.ndarray, hematocrit: float | None = None) -> np.ndarray | None:
        bp = self.blood_plasma
        if not bp:
            return None
        if bp["model"] == "ratio":
            return np.asarray(cp) * float(bp["value"])
        bmax, kd, kns, hct0 = self._binding()
        h = hct0 if hematocrit is None else hematocrit
        crb = bmax * cp / (kd + cp) + kns * cp
        return h * crb + (1.0 - h) * cp

    def plasma_from_blood(self, cwb: np.ndarray, hematocrit: float | None = None) -> np.ndarray:
        bp = self.blood_plasma
        if not bp:
            raise InputError(f"pk.{self.drug}.blood_plasma", bp, "a blood:plasma relation to convert whole blood to plasma")
        if bp["model"] == "ratio":
            return np.asarray(cwb) / float(bp["value"])
        bmax, kd, kns, hct0 = self._binding()
        h = hct0 if hematocrit is None else hematocrit
        a = h * kns + (1.0 - h)
        b = h * bmax
        cwb = np.asarray(cwb, dtype=float)
        p = a * kd + b - cwb
        return (-p + np.sqrt(p * p + 4.0 * a * cwb * kd)) / (2.0 * a)

    def concentrations(self, doses: pd.DataFrame, times_h: np.ndarray, *, hematocrit: float | None = None) -> dict[str, np.ndarray]:
        """Concentrations in every matrix (see the module docstring), keyed by variable name.

        ``hematocrit`` (expert, fraction): a patient's haematocrit. Following evidence B06 it changes
        whole-blood exposure but not plasma exposure: plasma is computed at the model's reference
        haematocrit and whole blood is re-derived at the patient's.
        """
        if hematocrit is not None and not (0.1 <= hematocrit <= 0.7):
            raise InputError("hematocrit", hematocrit, "a fraction between 0.1 and 0.7")
        amounts = self.amounts(doses, times_h)
        central = amounts[:, self.compartments.index("central")] / self.value("V1") * 1000.0
        out: dict[str, np.ndarray] = {}
        if self.matrix == "whole_blood":
            plasma = self.plasma_from_blood(central)
            out["whole_blood"] = central if hematocrit is None else self.blood_from_plasma(plasma, hematocrit)
        else:
            plasma = central
            wb = self.blood_from_plasma(plasma, hematocrit)
            if wb is not None:
                out["whole_blood"] = wb
        out["plasma"] = plasma
        out["plasma_nM"] = plasma / self.molar_mass_g_per_mol * 1000.0
        out["unbound_nM"] = out["plasma_nM"] * self.fu_plasma.value
        if self.tumour_driver == "whole_blood":
            driver = out["whole_blood"] / self.molar_mass_g_per_mol * 1000.0
        else:
            driver = out["unbound_nM"]
        out["tumour_nM"] = driver * self.tumour_factor.value
        for mt in self.metabolites:
            nM = amounts[:, self.compartments.index(mt.compartment)] / self.molar_mass_g_per_mol / mt.V.value * 1e6
            out[f"{mt.name}_plasma_nM"] = nM
            if mt.molar_mass_g_per_mol > 0:
                out[f"{mt.name}_plasma"] = nM * mt.molar_mass_g_per_mol / 1000.0
            out[f"{mt.name}_unbound_nM"] = nM * mt.fu_plasma.value
            out[f"{mt.name}_tumour_nM"] = nM * mt.fu_plasma.value * self.tumour_factor.value
        if self.estradiol is not None:
            out["estradiol_fraction"] = self.estradiol.fraction(np.asarray(times_h, dtype=float), plasma)
        return out

    def sources(self) -> dict[str, str]:
        s = {k: p.source for k, p in self.parameters.items()}
        s.update({f"cv_{k}": p.cv_source for k, p in self.parameters.items() if p.cv})
        s["fu_plasma"] = self.fu_plasma.source
        s["tumour_factor"] = self.tumour_factor.source
        s["tumour_driver"] = self.tumour_driver
        if self.blood_plasma:
            s["blood_plasma"] = str(self.blood_plasma.get("source", ""))
        if self.estradiol is not None:
            for f in ("Imax", "kinact", "KI", "kdeg"):
                s[f"estradiol_{f}"] = getattr(self.estradiol, f).source
        for mt in self.metabolites:
            for f in ("fm", "CL", "V", "fu_plasma"):
                s[f"{mt.name}_{f}"] = getattr(mt, f).source
            if getattr(mt, "CL").cv:
                s[f"{mt.name}_cv_CL"] = mt.CL.cv_source
        return s

    def metabolite_targets(self) -> dict[str, list]:
        """Signalling-slot potencies of each metabolite, keyed by its tumour-site variable
        (``<name>_tumour_nM``): lists of ``[slot, ic50_nM, hill]`` (read by the exposure layer)."""
        return {f"{m.name}_tumour_nM": [list(t) for t in m.targets] for m in self.metabolites}


def variable_units(name: str) -> tuple[str, str]:
    """Unit and description of a profile variable (parent variables and ``<metabolite>_<kind>``)."""
    if name in VARIABLE_UNITS:
        return VARIABLE_UNITS[name]
    for suffix in ("_plasma_nM", "_unbound_nM", "_tumour_nM", "_plasma"):
        if name.endswith(suffix):
            unit, desc = VARIABLE_UNITS[suffix[1:]]
            return unit, f"{name[: -len(suffix)]} (metabolite): {desc}"
    raise KeyError(name)


VARIABLE_UNITS = {"whole_blood": ("ng/mL", "whole-blood concentration"),
                  "plasma": ("ng/mL", "total plasma concentration"),
                  "plasma_nM": ("nM", "total plasma concentration (molar)"),
                  "unbound_nM": ("nM", "unbound plasma concentration"),
                  "tumour_nM": ("nM", "tumour-site concentration read by the signalling model (driver concentration x tumour factor)"),
                  "estradiol_fraction": ("1", "circulating oestradiol relative to the untreated baseline")}


# ------------------------------------------------------------------------------------------------ catalogue
@lru_cache(maxsize=1)
def _records() -> dict[str, dict]:
    raw = yaml.safe_load(resources.files("mtorsim.biology").joinpath("data/drugs.yaml").read_text())
    return {name: e["pk"] for name, e in raw.items() if isinstance(e, dict) and e.get("pk")}


def pk_drugs() -> list[str]:
    """Drugs with a PK record in the catalogue."""
    return list(_records())


@lru_cache(maxsize=None)
def get_pk(drug: str) -> PKModel:
    """The typical-patient PK model of a drug (by any catalogue name or synonym)."""
    d = get_drug(drug)
    rec = _records().get(d.name)
    if rec is None:
        # a catalogue drug, so "did you mean" would mislead: name every drug that has a model
        raise InputError("drug (with a PK model)", d.name,
                         f"a catalogue drug without a PK model; drugs with one: {', '.join(pk_drugs())} (docs/pk.md)")
    params = {k: _param(k, v) for k, v in (rec.get("parameters") or {}).items()}
    mm = rec.get("molar_mass_g_per_mol") or d.molar_mass_g_per_mol
    fu = _param("fu_plasma", rec.get("fu_plasma") or {"value": 1.0, "source": "assumed: no unbound fraction recorded; total = unbound"})
    tf = _param("tumour_factor", rec.get("tumour_factor") or {"value": 1.0, "source": "assumed: tumour unbound = plasma unbound"})
    e2 = None
    if rec.get("estradiol_suppression"):
        es = rec["estradiol_suppression"]
        conv = {"Imax": "", "kinact": "1/h", "KI": "ng/mL", "kdeg": "1/h"}
        e2 = EstradiolSuppression(**{k: _param_any(k, es[k], u) for k, u in conv.items()})
    mets = tuple(_metabolite(d.name, name, spec) for name, spec in (rec.get("metabolites") or {}).items())
    return PKModel(drug=d.name, route=str(rec.get("route", "oral")), parameters=params, matrix=str(rec.get("matrix", "plasma")),
                   molar_mass_g_per_mol=float(mm) if mm else 0.0, fu_plasma=fu, tumour_factor=tf,
                   blood_plasma=dict(rec.get("blood_plasma") or {}), estradiol=e2,
                   tumour_driver=str((rec.get("tumour_driver") or {}).get("value", "unbound_plasma")), checks=dict(rec.get("checks") or {}),
                   note=str(rec.get("note", "")), metabolites=mets)


def _metabolite(drug: str, name: str, spec: dict) -> Metabolite:
    """A ``metabolites:`` entry of a PK record. Potencies come from the catalogue entry of the
    metabolite when there is one, else from the entry's own ``targets`` (each with a source)."""
    if not isinstance(spec, dict):
        raise InputError(f"pk.{drug}.metabolites.{name}", spec, "a mapping {source, fm, CL, V, molar_mass_g_per_mol, fu_plasma[, targets]}")
    for key in ("source", "fm", "CL", "V", "fu_plasma"):
        if key not in spec:
            raise InputError(f"pk.{drug}.metabolites.{name}", sorted(spec), f"a value for {key}")
    try:
        cat = get_drug(name)
    except UnknownNameError:
        cat = None
    if cat is not None:
        targets = tuple((t.slot, float(t.ic50_nM), float(t.hill)) for t in cat.targets)
        mm = spec.get("molar_mass_g_per_mol") or cat.molar_mass_g_per_mol
    else:
        targets = tuple((str(t["slot"]), float(t["ic50_nM"]), float(t.get("hill", 1.0))) for t in spec.get("targets") or [])
        mm = spec.get("molar_mass_g_per_mol")
        for t in spec.get("targets") or []:
            if not t.get("source"):
                raise InputError(f"pk.{drug}.metabolites.{name}.targets", t, "a potency with a source")
    mm = float(mm["value"] if isinstance(mm, dict) else mm) if mm else 0.0
    return Metabolite(name=name, source=str(spec["source"]), fm=_param("fm", spec["fm"]), CL=_param("CL", spec["CL"]),
                      V=replace(_param("V1", spec["V"]), name="V"), molar_mass_g_per_mol=mm, fu_plasma=_param("fu_plasma", spec["fu_plasma"]),
                      targets=targets, note=str(spec.get("note", "")))


def _param_any(name: str, raw: dict, target: str) -> PKParameter:
    unit = str(raw.get("unit", target) or "")
    value = float(raw["value"])
    if target and unit and unit != target:
        value = float(Q_(value, unit).to(target).magnitude)
    return PKParameter(name, value, unit or target, str(raw.get("source", "")))


def pk_table() -> pd.DataFrame:
    """Every PK parameter of every drug, with unit and source (tidy)."""
    rows = []
    for name in pk_drugs():
        m = get_pk(name)
        for k, p in m.parameters.items():
            rows.append({"drug": name, "parameter": k, "value": p.value, "unit": CANONICAL_UNITS.get(k, p.unit),
                         "cv": p.cv, "source": p.source})
        for p in (m.fu_plasma, m.tumour_factor):
            rows.append({"drug": name, "parameter": p.name, "value": p.value, "unit": "1", "cv": None, "source": p.source})
        for mt in m.metabolites:
            for p, unit in ((mt.fm, "1"), (mt.CL, "L/h"), (mt.V, "L"), (mt.fu_plasma, "1")):
                rows.append({"drug": name, "parameter": f"{mt.name}.{p.name}", "value": p.value, "unit": unit, "cv": p.cv, "source": p.source})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------ profiles
def _model(drug, individual) -> PKModel:
    if isinstance(drug, PKModel):
        return drug
    m = get_pk(drug)
    if individual is None:
        return m
    if isinstance(individual, PKModel):
        return individual
    if isinstance(individual, (int, np.integer)):
        return m.individual(np.random.default_rng(int(individual)), f"seed {int(individual)}")
    raise InputError("individual", individual, "None (typical patient), an integer seed, or a PKModel")


def _times(days, hours, times, step_h) -> np.ndarray:
    if times is not None:
        t = np.asarray(list(times), dtype=float)
        if t.ndim != 1 or len(t) < 2 or np.any(np.diff(t) <= 0) or t[0] < 0:
            raise InputError("times", times, "a strictly increasing sequence of non-negative hours")
        return t
    total = hours if hours is not None else (None if days is None else float(days) * 24.0)
    if total is None or not (math.isfinite(total) and total > 0):
        raise InputError("days", days, "a positive number of days (or give hours / times)")
    if not (step_h > 0):
        raise InputError("step_h", step_h, "a positive step in hours")
    n = int(round(total / step_h))
    return np.linspace(0.0, n * step_h, n + 1)


def pk_profile(drug: str | PKModel, regimen: str | Regimen | pd.DataFrame, *, days: float | None = 28, hours: float | None = None,
               times=None, step_h: float = 0.5, individual=None, hematocrit: float | None = None,
               bsa_m2: float = DEFAULT_BSA_M2, weight_kg: float = DEFAULT_WEIGHT_KG) -> xr.Dataset:
    """Concentration–time profile of one drug under one regimen.

    Parameters
    ----------
    drug : drug name (any catalogue spelling) or a :class:`PKModel`.
    regimen : a regimen string (``"10 mg daily"``), a :class:`Regimen`, or a dosing table
        (columns ``time_h``, ``amount`` [mg], ``route``, ``duration_h``).
    days, hours, times, step_h : the output grid (default 28 days every 0.5 h).

    Expert knobs
    ------------
    individual : ``None`` (typical patient), an integer seed (one virtual patient drawn from the
        inter-individual variability), or a :class:`PKModel` (e.g. from :meth:`PKModel.individual`).
    hematocrit : the patient's haematocrit (fraction); changes whole blood, not plasma (B06).
    bsa_m2, weight_kg : body size for mg/m² and mg/kg doses (default 1.7 m² and 70 kg, assumed typical adult).

    Returns
    -------
    xarray.Dataset over ``time`` (h): ``whole_blood`` (ng/mL, where defined), ``plasma`` (ng/mL),
    ``plasma_nM``, ``unbound_nM``, ``tumour_nM`` (nM), ``estradiol_fraction`` (aromatase inhibitors);
    the dosing table as ``dose_time``/``dose_amount``; units, sources and parameters in attrs.
    """
    m = _model(drug, individual)
    t = _times(days, hours, times, step_h)
    if isinstance(regimen, pd.DataFrame):
        doses, label, period = regimen, "dosing table", None
    else:
        reg = parse_regimen(regimen, drug=m.drug)
        doses = reg.dose_table(float(t[-1]), bsa_m2=bsa_m2, weight_kg=weight_kg, route=m.route)
        label, period = reg.label, reg.period_h
    conc = m.concentrations(doses, t, hematocrit=hematocrit)
    data_vars = {k: xr.Variable(("time",), v, attrs={"units": variable_units(k)[0], "long_name": variable_units(k)[1]})
                 for k, v in conc.items()}
    data_vars["dose_amount"] = xr.Variable(("dose",), doses["amount"].to_numpy(dtype=float), attrs={"units": "mg"})
    ds = xr.Dataset(data_vars, coords={"time": xr.Variable(("time",), t, attrs={"units": "h", "long_name": "time since first dose"}),
                                       "dose_time": xr.Variable(("dose",), doses["time_h"].to_numpy(dtype=float), attrs={"units": "h"})})
    ds.attrs.update({
        "drug": m.drug, "regimen": label, "model_matrix": m.matrix, "route": m.route,
        "dosing_period_h": float(period) if period else float("nan"),
        "individual": m.individual_id,
        "hematocrit": float(hematocrit if hematocrit is not None else m.blood_plasma.get("hematocrit", float("nan"))),
        "terminal_half_life_h": m.terminal_half_life_h,
        "parameters": json.dumps({k: p.value for k, p in m.parameters.items()}),
        "parameter_units": json.dumps({k: CANONICAL_UNITS.get(k, p.unit) for k, p in m.parameters.items()}),
        "sources": json.dumps(m.sources()),
        "metabolite_targets": json.dumps(m.metabolite_targets()),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **{f"version_{k}": v for k, v in versions().items()},
    })
    return ds


def pk_population(drug: str, regimen: str | Regimen, n: int, *, seed: int, days: float = 28, step_h: float = 1.0,
                  hematocrit: float | None = None) -> xr.Dataset:
    """``n`` virtual patients (seeded; patient ``i`` uses the i-th child of ``seed``) stacked along ``patient``."""
    if not (isinstance(n, int) and n >= 1):
        raise InputError("n", n, "a positive integer number of patients")
    base = get_pk(drug)
    seeds = np.random.SeedSequence(seed).spawn(n)
    people = [base.individual(np.random.default_rng(s), f"{seed}/{i}") for i, s in enumerate(seeds)]
    # one full profile gives the grid, dosing table and attributes; the others only need their concentrations
    first = pk_profile(people[0], regimen, days=days, step_h=step_h, hematocrit=hematocrit)
    t = first["time"].values
    doses = pd.DataFrame({"time_h": first["dose_time"].values, "amount": first["dose_amount"].values, "route": first.attrs["route"],
                          "duration_h": parse_regimen(regimen, drug=base.drug).infusion_h})
    concs = [{k: first[k].values for k in first.data_vars if k != "dose_amount"}]
    concs += [m.concentrations(doses, t, hematocrit=hematocrit) for m in people[1:]]
    data_vars = {k: xr.Variable(("patient", "time"), np.stack([c[k] for c in concs]), attrs=first[k].attrs) for k in concs[0]}
    data_vars["dose_amount"] = xr.Variable(("patient", "dose"), np.tile(first["dose_amount"].values, (n, 1)), attrs=first["dose_amount"].attrs)
    ds = xr.Dataset(data_vars, coords={"patient": np.arange(n), "time": first["time"], "dose_time": first["dose_time"]})
    ds.attrs.update({k: v for k, v in first.attrs.items() if k not in ("individual", "parameters", "terminal_half_life_h")})
    ds.attrs["seed"] = int(seed)
    return ds


# ------------------------------------------------------------------------------------------------ metrics
def exposure_metrics(drug: str | PKModel, regimen: str | Regimen, *, individual=None, hematocrit: float | None = None,
                     bsa_m2: float = DEFAULT_BSA_M2, weight_kg: float = DEFAULT_WEIGHT_KG, trough_day: int = 8) -> pd.DataFrame:
    """Steady-state exposure per dosing period and the day-``trough_day`` trough, in every matrix.

    Steady state is reached by simulating ``ceil(10 t½ / period) + 1`` periods (t½ the terminal
    half-life); Cmin/Cmax/Cavg/AUC are taken over the last period on a fine grid (period/2000).
    For on/off cycles the period is the whole cycle (e.g. 7 days for 4 on / 3 off) and AUC is per
    cycle. ``Ctrough_dayN`` is the concentration just before any dose at the start of day N
    (t = (N−1)·24 h): the classical "day-8 trough" of a daily regimen.

    Returns a DataFrame indexed by metric (Cmin_ss, Cmax_ss, Cavg_ss, AUC_period_ss, Ctrough_day8)
    with one column per matrix (``whole_blood (ng/mL)``, ``plasma (ng/mL)``, ``unbound (nM)``, …)
    and the period, half-life and regimen in ``attrs``. AUC units are ng·h/mL (nM·h for molar columns).
    """
    m = _model(drug, individual)
    reg = parse_regimen(regimen, drug=m.drug)
    period = reg.period_h
    if period is None:
        raise InputError("regimen", reg.label, "a repeating regimen (steady state needs a dosing interval)")
    start = (reg.days[-1] - 1) * 24.0 + (reg.every_h or 0.0) if reg.days else 0.0
    k = int(math.ceil(10.0 * m.slowest_half_life_h / period)) + 1
    t0 = start + k * period
    fine = np.linspace(t0, t0 + period, 2001)
    trough_t = (trough_day - 1) * 24.0
    times = np.concatenate([[trough_t], fine]) if trough_t < t0 else np.sort(np.concatenate([fine, [trough_t]]))
    doses = reg.dose_table(float(times[-1]), bsa_m2=bsa_m2, weight_kg=weight_kg, route=m.route)
    conc = m.concentrations(doses, times, hematocrit=hematocrit)
    sel = np.searchsorted(times, fine)
    it = int(np.searchsorted(times, trough_t))
    cols = {"whole_blood": "whole_blood (ng/mL)", "plasma": "plasma (ng/mL)", "plasma_nM": "plasma (nM)",
            "unbound_nM": "unbound (nM)", "tumour_nM": "tumour (nM)"}
    for mt in m.metabolites:
        cols[f"{mt.name}_plasma_nM"] = f"{mt.name} plasma (nM)"
    table = {}
    for key, col in cols.items():
        if key not in conc:
            continue
        c = conc[key][sel]
        auc = float(np.trapezoid(c, fine)) if hasattr(np, "trapezoid") else float(np.trapz(c, fine))
        table[col] = {"Cmin_ss": float(c.min()), "Cmax_ss": float(c.max()), "Cavg_ss": auc / period,
                      "AUC_period_ss": auc, f"Ctrough_day{trough_day}": float(conc[key][it])}
    df = pd.DataFrame(table)
    df.index.name = "metric"
    df.attrs.update({"drug": m.drug, "regimen": reg.label, "period_h": period, "terminal_half_life_h": m.terminal_half_life_h,
                     "AUC_units": "ng*h/mL (nM*h for molar columns)"})
    return df
