"""Exposure–response surfaces: the cell-fate layer's rates as a function of drug exposure, per patient class.

The multiscale coupling of the trial layer (issue 6 §4): a patient's tumour rates depend on the
tumour-site concentrations of the arm's signalling drugs and on the oestradiol level. Instead of
integrating the network along every patient's 700 days of dosing, each *patient class* (genotype,
receptor status, prior therapy) gets a surface precomputed on a grid, once per trial:

* axes: ``log10(C + C_floor)`` of each signalling drug (0 and 9 concentrations from IC50/100 to
  IC50×1000, per the catalogue's potency) and the oestradiol fraction of the patient's baseline
  (0.01 … 1, log grid);
* values, relative to the class's untreated state at baseline oestradiol after
  ``response_delay_d`` days of constant exposure (the slow states — RTK re-expression, ER turnover —
  settle within a week): relative division ``rel_div`` (r_div / r0), drug-induced death ``death``
  ((r_apo − r_apo0) / r0) and mitotic death ``mitotic`` (r_mit / r0), from :mod:`mtorsim.fate`;
* lookups are linear in the grid coordinates (``scipy.interpolate.RegularGridInterpolator``); the
  error against direct evaluation is measured by :func:`interpolation_error` and tested.

The cost then does not grow with the number of doses: a trial of 700 patients needs
``n_classes × grid`` network simulations, whatever its length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..biology import CellLine, Medium, define_cell, get_drug
from ..fate import FateParameters, microtubule_effect, rates
from ..fate._fate import cyclin_d1_independence
from ..simulate import simulate

#: concentration grid per drug: 0 plus IC50 × 10^k, k from -2 to 3 (9 points)
GRID_DECADES = np.linspace(-2.0, 3.0, 9)
#: oestradiol grid (fraction of the patient's baseline)
E2_GRID = np.array([0.01, 0.03, 0.1, 0.3, 1.0])
#: the floor added before taking log10 of a concentration (fraction of the drug's potency)
FLOOR_FRACTION = 1e-3


@dataclass(frozen=True)
class PatientClass:
    """What the cell layer needs to know about a tumour: pathway genotype, receptors, prior therapy."""
    pik3ca: bool = False
    pten_loss: bool = False
    her2: bool = False
    er: bool = True
    ai_resistant: bool = False
    esr1_mut: bool = False
    er_expression: float = 1.0
    akt1: bool = False

    @property
    def label(self) -> str:
        parts = ["PIK3CA-mut" if self.pik3ca else "PIK3CA-wt", "PTEN-loss" if self.pten_loss else "PTEN-intact"] + \
                (["AKT1-E17K"] if self.akt1 else []) + [
                 "HER2+" if self.her2 else "HER2-", "ER+" if self.er else "ER-",
                 ("AI-resistant (ESR1-mutant)" if self.esr1_mut else "AI-resistant (LTED-like)") if self.ai_resistant
                 else "endocrine-sensitive"]
        if self.er_expression != 1.0:
            parts.append(f"ERα x{self.er_expression:g}")
        return ", ".join(parts)

    def cell(self) -> CellLine:
        """The cell layer's representation (``define_cell``): alterations, receptors, the LTED trait.

        An AI-resistant tumour is resistant either through an ESR1 ligand-binding-domain mutation
        (constitutive ERα, ``ESR1:mut``) or through the LTED-like growth-factor/PI3K/mTOR rewiring, not both
        (assumed: alternative routes to oestrogen independence; the mutant does not need the rewiring)."""
        alterations = (["PIK3CA:mut"] if self.pik3ca else []) + (["PTEN:loss"] if self.pten_loss else []) + \
                      (["ERBB2:amp"] if self.her2 else []) + (["ESR1:mut"] if self.esr1_mut else []) + \
                      (["AKT1:E17K"] if self.akt1 else [])
        receptors = {"ER": "positive" if self.er else "negative", "PR": "positive" if self.er else "negative",
                     "HER2": "positive" if self.her2 else "negative"}
        return define_cell(f"virtual tumour [{self.label}]", alterations=alterations, receptors=receptors,
                           traits=("LTED",) if self.ai_resistant and not self.esr1_mut else (),
                           expression={"ER": self.er_expression} if self.er_expression != 1.0 else None)


def _potency_nM(drug: str) -> float:
    d = get_drug(drug)
    return float(min(t.ic50_nM for t in d.targets))


#: slots read only by the cell-fate layer, never by the network (microtubule poisons: mitotic death)
FATE_ONLY_SLOTS = frozenset({"microtubule"})


def is_fate_only(drug: str) -> bool:
    """A drug all of whose targets act only in the fate layer (paclitaxel, vinorelbine): it does not change the
    network's signals, so a surface needs no axis for it."""
    d = get_drug(drug)
    return bool(d.targets) and all(t.slot in FATE_ONLY_SLOTS for t in d.targets)


@dataclass
class ResponseSurface:
    """Rates of one patient class over (drug concentrations..., oestradiol fraction).

    ``drugs`` are the grid's axes (drugs the network reads); ``fate_only`` drugs (microtubule poisons) add
    their mitotic death analytically at lookup, ``k_mitotic · f_microtubule(C) · rel_div`` — exactly what
    :func:`mtorsim.fate.rates` computes, since they leave division and apoptosis unchanged — so a
    chemotherapy partner does not multiply the grid by ten."""
    patient_class: PatientClass
    drugs: tuple[str, ...]
    axes: tuple[np.ndarray, ...]          # log10(C + floor) per drug, then log10(E2 fraction)
    floors_nM: tuple[float, ...]
    rel_div: np.ndarray
    death: np.ndarray
    mitotic: np.ndarray
    fate_only: tuple[str, ...] = ()
    k_mitotic: float = 0.0
    _interp: dict = field(default_factory=dict, repr=False)

    def microtubule_effect(self, conc_nM: dict[str, np.ndarray]) -> np.ndarray | float:
        """:func:`mtorsim.fate.microtubule_effect` of the fate-only drugs at these exposures."""
        return microtubule_effect({d: conc_nM.get(d, 0.0) for d in self.fate_only})

    def _coords(self, conc_nM: dict[str, np.ndarray], e2_fraction: np.ndarray) -> np.ndarray:
        e2 = np.clip(np.asarray(e2_fraction, dtype=float), E2_GRID[0], E2_GRID[-1])
        cols = []
        for d, floor, ax in zip(self.drugs, self.floors_nM, self.axes):
            c = np.asarray(conc_nM.get(d, np.zeros_like(e2)), dtype=float)
            cols.append(np.clip(np.log10(np.maximum(c, 0.0) + floor), ax[0], ax[-1]))
        cols.append(np.log10(e2))
        return np.stack(np.broadcast_arrays(*cols), axis=-1)

    def __call__(self, conc_nM: dict[str, np.ndarray], e2_fraction: np.ndarray) -> dict[str, np.ndarray]:
        """Interpolated ``rel_div``, ``death`` and ``mitotic`` at the given exposures (any matching shapes)."""
        from scipy.interpolate import RegularGridInterpolator
        x = self._coords(conc_nM, e2_fraction)
        out = {}
        for name in ("rel_div", "death", "mitotic"):
            f = self._interp.get(name)
            if f is None:
                f = self._interp[name] = RegularGridInterpolator(self.axes + (np.log10(E2_GRID),), getattr(self, name), method="linear")
            out[name] = f(x.reshape(-1, x.shape[-1])).reshape(x.shape[:-1])
        if self.fate_only:
            out["mitotic"] = out["mitotic"] + self.k_mitotic * self.microtubule_effect(conc_nM) * out["rel_div"]
        return out


def _direct(pc: PatientClass, conc_nM: dict[str, float], e2_fraction: float, *, e2_base_nM: float, days: float,
            fate: FateParameters, parameters: tuple = ()) -> tuple[float, float, float]:
    """rel_div, death, mitotic of one class at one constant exposure (network + fate layer); ``parameters``:
    network parameter overrides as sorted ``(name, value)`` pairs."""
    cell = pc.cell()
    drugs = [f"{d}={c:.12g}nM" for d, c in conc_nM.items() if c > 0]
    base = Medium("full", estradiol_nM=e2_base_nM)
    med = Medium("full", estradiol_nM=e2_base_nM * e2_fraction)
    sig = simulate(cell, drugs=drugs, medium=med, preequilibration_medium=base, times=[0.0, days * 24.0], normalize="cell",
                   parameters=dict(parameters) or None)
    r = rates(sig, doubling_time=1.0, microtubule_effect=microtubule_effect(conc_nM), params=fate,
              cd1_independent=cyclin_d1_independence(cell, fate))
    r0 = math.log(2)
    end = {k: float(r[k].isel(time=-1)) for k in ("division_rate", "apoptosis_rate", "mitotic_death_rate")}
    return end["division_rate"] / r0, max(0.0, end["apoptosis_rate"] - fate.r_apo0) / r0, end["mitotic_death_rate"] / r0


@lru_cache(maxsize=64)
def response_surface(pc: PatientClass, drugs: tuple[str, ...], *, e2_base_nM: float, days: float = 7.0,
                     fate: FateParameters = FateParameters(), parameters: tuple = ()) -> ResponseSurface:
    """Compute (and cache in the process) the surface of ``pc`` for the signalling ``drugs``; ``parameters``:
    network parameter overrides as sorted ``(name, value)`` pairs (e.g. a posterior ensemble member)."""
    names = tuple(get_drug(d).name for d in drugs)
    fate_only = tuple(d for d in names if is_fate_only(d))
    drugs = tuple(d for d in names if d not in fate_only)
    floors, axes, concs = [], [], []
    for d in drugs:
        ic50 = _potency_nM(d)
        grid = np.concatenate([[0.0], ic50 * 10.0 ** GRID_DECADES])
        floor = ic50 * FLOOR_FRACTION
        floors.append(floor)
        axes.append(np.log10(grid + floor))
        concs.append(grid)
    shape = tuple(len(c) for c in concs) + (len(E2_GRID),)
    vals = {k: np.empty(shape) for k in ("rel_div", "death", "mitotic")}
    for idx in np.ndindex(*shape):
        conc = {d: float(concs[j][idx[j]]) for j, d in enumerate(drugs)}
        rd, de, mi = _direct(pc, conc, float(E2_GRID[idx[-1]]), e2_base_nM=e2_base_nM, days=days, fate=fate,
                             parameters=parameters)
        vals["rel_div"][idx], vals["death"][idx], vals["mitotic"][idx] = rd, de, mi
    return ResponseSurface(pc, drugs, tuple(axes), tuple(floors), vals["rel_div"], vals["death"], vals["mitotic"],
                           fate_only=fate_only, k_mitotic=float(fate.k_mitotic))


def interpolation_error(surface: ResponseSurface, *, e2_base_nM: float, days: float = 7.0, n: int = 12, seed: int = 0,
                        fate: FateParameters = FateParameters()) -> dict[str, float]:
    """Largest absolute error of the interpolated net relative growth (rel_div − death − mitotic) against
    direct evaluation at ``n`` random points between the grid nodes (log-uniform in concentration)."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(n):
        conc = {}
        for d, ax, floor in zip(surface.drugs, surface.axes, surface.floors_nM):
            conc[d] = float(max(10 ** rng.uniform(ax[1], ax[-1]) - floor, 0.0))
        for d in surface.fate_only:               # the analytic part is checked too, over the same decades
            conc[d] = float(_potency_nM(d) * 10 ** rng.uniform(GRID_DECADES[0], GRID_DECADES[-1]))
        e2 = float(10 ** rng.uniform(np.log10(E2_GRID[0]), 0.0))
        direct = _direct(surface.patient_class, conc, e2, e2_base_nM=e2_base_nM, days=days, fate=fate)
        got = surface({k: np.array(v) for k, v in conc.items()}, np.array(e2))
        net_i = float(got["rel_div"] - got["death"] - got["mitotic"])
        net_d = direct[0] - direct[1] - direct[2]
        worst = max(worst, abs(net_i - net_d))
    return {"max_abs_error_net_relative_growth": worst, "points": n}
