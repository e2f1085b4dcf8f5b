"""Browser inputs → validated, hashable scenarios, with the same parsers as the CLI and the API.

Everything that arrives from the page is untrusted: each value is type-checked, length-limited and
parsed by the package's own validators (:meth:`Dose.make` / :meth:`Dose.parse`, :class:`Medium`,
:func:`define_cell`, :func:`parse_duration_hours`, :func:`parse_dose_range`), which raise
:class:`~mtorsim.InputError` with a one-line message naming the field, the value and what is allowed.
Nothing typed is evaluated as code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .._errors import InputError
from .._units import parse_concentration, parse_duration_hours
from ..biology import CellLine, Dose, Medium, define_cell, drug_names, get_cell, get_drug
from ..biology._genotype import TRAITS

__all__ = ["DoseResponseRequest", "Scenario", "parse_dose_response", "parse_scenario", "MAX_HOURS", "N_DRUG_ROWS"]

#: the explorer's limits (interactive use on a small machine; the API itself has none of these)
MAX_HOURS = 336.0           # two weeks of simulated time
MAX_TEXT = 200              # characters in one text field
MAX_EXTRA_DOSES = 6         # doses in the free-text field
MAX_DR_DOSES = 9            # doses in the dose-response panel
MIN_DR_DOSES = 4            # HillFit needs n_free + 1 = 4 points
N_DRUG_ROWS = 3             # drug rows in the form
N_POINTS = 97               # output times, as mtorsim.simulate's default
NORMALISATIONS = ("reference", "cell", "none")
RECEPTOR_STATES = ("positive", "low", "negative")


@dataclass(frozen=True)
class Scenario:
    """One validated explorer input: what :func:`mtorsim.simulate` is called with (hashable, so cached)."""

    cell: CellLine
    doses: tuple[Dose, ...] = ()
    medium: Medium = Medium()
    hours: float = 48.0
    normalize: str = "reference"
    network_time_h: float = 24.0

    def simulate_kwargs(self) -> dict:
        """Keyword arguments for ``mtorsim.simulate(self.cell, **kwargs)``."""
        return {"drugs": list(self.doses), "medium": self.medium, "hours": self.hours, "n_points": N_POINTS,
                "normalize": self.normalize}

    def untreated(self) -> "Scenario":
        return Scenario(self.cell, (), self.medium, self.hours, self.normalize, self.network_time_h)


@dataclass(frozen=True)
class DoseResponseRequest:
    """A validated dose-response request: catalogue line, drug, medium preset, doses in nM."""

    cell: str
    drug: str
    medium: str
    doses_nM: tuple[float, ...]


def _text(form: Mapping, key: str, *, field: str | None = None, default: str = "") -> str:
    """The value of a text field: None/'' → default; anything but a short string is refused."""
    v = form.get(key)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise InputError(field or key, v, "text")
    s = str(v).strip()
    if len(s) > MAX_TEXT:
        raise InputError(field or key, s[:40] + "…", f"at most {MAX_TEXT} characters")
    return s or default


def _choice(form: Mapping, key: str, allowed, *, field: str | None = None, default: str | None = None) -> str | None:
    v = form.get(key)
    if v is None or v == "":
        return default
    if not isinstance(v, str) or v not in allowed:
        raise InputError(field or key, v, f"one of {', '.join(allowed)}")
    return v


def _cell(form: Mapping) -> CellLine:
    mode = _choice(form, "cell_mode", ("catalogue", "custom"), field="cell mode", default="catalogue")
    if mode == "catalogue":
        return get_cell(_text(form, "cell", field="cell", default="MCF7"))
    name = _text(form, "custom_name", field="genotype name", default="my genotype")
    base = _text(form, "custom_base", field="base cell line")
    alts = [a.strip() for a in _text(form, "custom_alterations", field="alterations").replace(";", ",").split(",") if a.strip()]
    traits = form.get("custom_traits") or []
    if not isinstance(traits, (list, tuple)) or any(t not in TRAITS for t in traits):
        raise InputError("traits", traits, f"a list of {', '.join(TRAITS)}")
    er = _choice(form, "custom_er", RECEPTOR_STATES, field="ER status")
    receptors = {"ER": er} if er else None
    if base:
        return define_cell(name, base=base, alterations=alts, traits=tuple(traits), receptors=receptors)
    return define_cell(name, alterations=alts, traits=tuple(traits), receptors=receptors or {"ER": "positive"})


def _doses(form: Mapping) -> tuple[Dose, ...]:
    doses: list[Dose] = []
    for i in range(N_DRUG_ROWS):
        drug = _text(form, f"drug_{i}", field=f"drug {i + 1}")
        if not drug:
            continue
        dose = _text(form, f"dose_{i}", field=f"dose of {drug}")
        if not dose:
            raise InputError(f"dose of {drug}", "", "a concentration such as 10nM, 1uM or 50ng/mL")
        start = _text(form, f"start_{i}", field=f"start time of {drug}", default="0")
        stop = _text(form, f"stop_{i}", field=f"stop time of {drug}") or None
        doses.append(Dose.make(drug, dose, start=start, stop=stop))
    extra = [p for p in _text(form, "extra_drugs", field="more drugs").split(";") if p.strip()]
    if len(extra) > MAX_EXTRA_DOSES:
        raise InputError("more drugs", len(extra), f"at most {MAX_EXTRA_DOSES} doses separated by ';'")
    doses += [Dose.parse(p) for p in extra]
    return tuple(doses)


def _medium(form: Mapping) -> Medium:
    preset = _text(form, "medium", field="medium", default="full")
    e2 = _text(form, "estradiol", field="estradiol")
    return Medium(preset, estradiol_nM=parse_concentration(e2, field="estradiol") if e2 else None)


def parse_scenario(form: Mapping) -> Scenario:
    """Validate the explorer's form (a mapping of field id → browser value) into a :class:`Scenario`.

    Raises :class:`~mtorsim.InputError` (one line: field, value, what is allowed) on any bad value.
    """
    if not isinstance(form, Mapping):
        raise InputError("form", type(form).__name__, "a mapping of field names to values")
    cell = _cell(form)
    medium = _medium(form)
    doses = _doses(form)
    hours = parse_duration_hours(_text(form, "hours", field="hours", default="48"), field="hours")
    if hours > MAX_HOURS:
        raise InputError("hours", hours, f"at most {MAX_HOURS:g} h in the explorer (use the API or CLI for longer runs)")
    normalize = _choice(form, "normalize", NORMALISATIONS, field="normalize", default="reference")
    t_net = parse_duration_hours(_text(form, "network_time", field="network time", default="24"), field="network time",
                                 allow_zero=True)
    if t_net > hours:
        raise InputError("network time", t_net, f"a time within the simulated {hours:g} h")
    return Scenario(cell, doses, medium, hours, normalize, t_net)


def parse_dose_response(form: Mapping, scenario: Scenario) -> DoseResponseRequest | None:
    """The dose-response request for the scenario's first drug (None when there is no drug).

    Raises :class:`~mtorsim.InputError` for a bad dose range, a user-defined genotype (the screen
    API takes catalogue lines) or a medium with overrides (screens take a preset).
    """
    from ..response import parse_dose_range

    if not scenario.doses:
        return None
    if scenario.cell.user_defined:
        raise InputError("cell", scenario.cell.name, "a catalogue cell line for the dose-response panel "
                         "(mtorsim.dose_response screens catalogue lines)")
    if scenario.medium != Medium(scenario.medium.preset):
        raise InputError("estradiol", scenario.medium.label, "the medium's own oestradiol for the dose-response panel "
                         "(mtorsim.dose_response takes a medium preset); clear the estradiol field")
    n_raw = form.get("dr_n")
    try:
        n = int(n_raw) if n_raw not in (None, "") and not isinstance(n_raw, bool) else 5
    except (TypeError, ValueError):
        raise InputError("number of doses", n_raw, f"an integer from {MIN_DR_DOSES} to {MAX_DR_DOSES}") from None
    if not (MIN_DR_DOSES <= n <= MAX_DR_DOSES) or (isinstance(n_raw, float) and not float(n_raw).is_integer()):
        raise InputError("number of doses", n_raw, f"an integer from {MIN_DR_DOSES} to {MAX_DR_DOSES}")
    rng = _text(form, "dr_doses", field="dose range", default="0.1nM..10uM")
    doses = np.asarray(parse_dose_range(rng, n, field="dose range"), dtype=float)
    if not (MIN_DR_DOSES <= len(doses) <= MAX_DR_DOSES):
        raise InputError("dose range", rng, f"{MIN_DR_DOSES} to {MAX_DR_DOSES} doses")
    if not all(math.isfinite(d) and d > 0 for d in doses):
        raise InputError("dose range", rng, "positive, finite doses")
    return DoseResponseRequest(scenario.cell.name, scenario.doses[0].drug.name, scenario.medium.preset,
                               tuple(float(d) for d in doses))


def usable_drugs() -> list[str]:
    """Catalogue drugs with a potency for every target (the ones :meth:`Dose.make` accepts)."""
    return [d for d in drug_names() if not get_drug(d).missing_potency]


@dataclass(frozen=True)
class TrialRequest:
    """A small virtual trial from the explorer: a built-in spec, a reduced size and a seed."""
    trial: str
    patients: int
    seed: int


TRIAL_PATIENTS = (10, 300)


def parse_trial(form: Mapping) -> TrialRequest:
    """Validate the trial panel: a built-in trial name, 10-300 patients, a seed 0..2**31-1 (nothing is evaluated)."""
    from ..trial import builtin_trials
    name = _choice(form, "trial_name", builtin_trials(), field="trial", default="bolero2")
    out = {}
    for key, field_, lo, hi in (("trial_patients", "patients", *TRIAL_PATIENTS), ("trial_seed", "seed", 0, 2 ** 31 - 1)):
        raw = form.get(key)
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)) or (isinstance(raw, str) and len(raw) > 12):
            raise InputError(field_, raw, f"an integer from {lo} to {hi}")
        try:
            v = float(raw)
        except ValueError:
            raise InputError(field_, raw, f"an integer from {lo} to {hi}") from None
        if not (v == int(v) and lo <= v <= hi):
            raise InputError(field_, raw, f"an integer from {lo} to {hi}")
        out[field_] = int(v)
    return TrialRequest(name, out["patients"], out["seed"])
