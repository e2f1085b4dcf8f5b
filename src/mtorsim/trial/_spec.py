"""Trial specifications: a YAML file with a documented schema (``docs/trials.md``), validated with
file, line and field in every error.

Schema (top level)::

    name: bolero2                      # identifier (letters, digits, - and _)
    title: "..."                       # free text
    evidence: [A03, A04]               # evidence ids this trial is checked against (optional)
    patients: 724                      # total number randomised (>= 1)
    randomisation: {EVE+EXE: 2, EXE: 1}   # arm name -> ratio (positive integers)
    population:                        # inclusion criteria (optional; defaults shown)
      er: positive                     # positive | negative | any
      her2: negative                   # positive | negative | any
      prior_therapy: ai_resistant      # ai_resistant | endocrine_sensitive | mixed
      ai_resistant_fraction: 1.0       # only for 'mixed'
      pik3ca: any                      # mutant | wild_type | any (biomarker-selected cohorts, e.g. SOLAR-1)
      pten: any                        # lost | intact | any
      esr1: any                        # mutant | wild_type | any (mutant needs prior_therapy ai_resistant)
      akt1: any                        # mutant | wild_type | any (AKT1 E17K)
    arms:
      - name: EVE+EXE
        drugs:
          - {drug: everolimus, regimen: "10 mg daily"}
          - {drug: exemestane, regimen: "25 mg daily"}
    assessment: {every_weeks: 6, confirm_response: false}   # RECIST 1.1 schedule
    follow_up: {months: 18, dropout_per_year: 0.05}         # PFS data cut: months after randomisation
    # with the os endpoint: os_months (OS data cut, months after the FIRST randomisation) and
    # accrual_months (patients randomised uniformly over this period), e.g. {os_months: 50, accrual_months: 18}
    endpoints: [pfs, orr, cbr, adverse_events]              # also: ki67 (neoadjuvant), os
    neoadjuvant: {weeks: 16, ki67_day: 15}                  # optional: a neoadjuvant design
    published: {...}                   # optional: numbers to compare with (validate trials)
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .._errors import InputError, UnknownNameError

TOP_FIELDS = {"name", "title", "evidence", "patients", "randomisation", "population", "arms", "assessment", "follow_up",
              "endpoints", "neoadjuvant", "published", "notes"}
POPULATION_FIELDS = {"er", "her2", "prior_therapy", "ai_resistant_fraction", "pik3ca", "pten", "esr1", "akt1"}
#: genotype inclusion criteria: field -> allowed values ("any", the default, selects nobody out)
GENOTYPE_CRITERIA = {"pik3ca": ("mutant", "wild_type", "any"), "pten": ("lost", "intact", "any"),
                     "esr1": ("mutant", "wild_type", "any"), "akt1": ("mutant", "wild_type", "any")}
ARM_FIELDS = {"name", "drugs"}
DRUG_FIELDS = {"drug", "regimen"}
ASSESSMENT_FIELDS = {"every_weeks", "confirm_response"}
FOLLOW_UP_FIELDS = {"months", "dropout_per_year", "os_months", "accrual_months"}
NEOADJUVANT_FIELDS = {"weeks", "ki67_day"}
ENDPOINTS = {"pfs", "orr", "cbr", "adverse_events", "ki67", "os", "ttp"}
#: days in a month (365.25 / 12): trial months are converted to days with it everywhere
DAYS_PER_MONTH = 30.4375


class SpecError(InputError):
    """A trial spec is invalid: names the file, line and field."""

    def __init__(self, path: str, line: int | None, field_: str, value, allowed: str):
        where = f"{path}:{line}" if line else path
        self.path, self.line = path, line
        super().__init__(f"{where}: {field_}", value, allowed)


@dataclass(frozen=True)
class DrugDose:
    drug: str
    regimen: str


@dataclass(frozen=True)
class Arm:
    name: str
    drugs: tuple[DrugDose, ...]


@dataclass(frozen=True)
class TrialSpec:
    name: str
    title: str
    patients: int
    randomisation: dict
    arms: tuple[Arm, ...]
    population: dict = field(default_factory=dict)
    assessment: dict = field(default_factory=dict)
    follow_up: dict = field(default_factory=dict)
    endpoints: tuple[str, ...] = ("pfs", "orr", "cbr", "adverse_events")
    evidence: tuple[str, ...] = ()
    neoadjuvant: dict | None = None
    published: dict = field(default_factory=dict)
    source: str = "<dict>"

    @property
    def sha256(self) -> str:
        d = {k: v for k, v in self.as_dict().items() if k not in ("published", "source", "title")}
        return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "patients": self.patients, "randomisation": self.randomisation,
                "arms": [{"name": a.name, "drugs": [{"drug": d.drug, "regimen": d.regimen} for d in a.drugs]} for a in self.arms],
                "population": self.population, "assessment": self.assessment, "follow_up": self.follow_up,
                "endpoints": list(self.endpoints), "evidence": list(self.evidence), "neoadjuvant": self.neoadjuvant,
                "published": self.published, "source": self.source}

    def with_patients(self, n: int) -> "TrialSpec":
        from dataclasses import replace
        if not (isinstance(n, int) and not isinstance(n, bool) and n >= 1):
            raise InputError("patients", n, "a positive integer")
        return replace(self, patients=n)


# ---- YAML with line numbers ------------------------------------------------------------------------
def _compose(text: str, path: str):
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SpecError(path, mark.line + 1 if mark else None, "yaml", str(getattr(exc, "problem", exc)), "valid YAML") from None


def _to_python(node):
    """(value, line) trees: mappings -> {key: (value, line)}, sequences -> [(value, line)]."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k, v in node.value:
            out[k.value] = _to_python(v)
        return out, line
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(v) for v in node.value], line
    return _scalar(node), line


def _scalar(node):
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _plain(tree):
    v, _ = tree
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


class _Checker:
    def __init__(self, path: str):
        self.path = path

    def fail(self, tree, field_: str, allowed: str, value=None):
        raise SpecError(self.path, tree[1] if tree else None, field_, _plain(tree) if value is None and tree else value, allowed)

    def mapping(self, tree, field_: str, allowed_keys: set[str]) -> dict:
        v, line = tree
        if not isinstance(v, dict):
            self.fail(tree, field_, "a mapping")
        for k, sub in v.items():
            if k not in allowed_keys:
                raise SpecError(self.path, sub[1], f"{field_}.{k}" if field_ else k, k,
                                f"a known field ({', '.join(sorted(allowed_keys))})")
        return v

    def integer(self, tree, field_: str, lo: int = 1) -> int:
        v = tree[0]
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            self.fail(tree, field_, f"an integer >= {lo}")
        return v

    def number(self, tree, field_: str, lo: float, hi: float | None = None) -> float:
        v = tree[0]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < lo or (hi is not None and v > hi):
            self.fail(tree, field_, f"a number >= {lo}" + (f" and <= {hi}" if hi is not None else ""))
        return float(v)

    def choice(self, tree, field_: str, options: tuple[str, ...]) -> str:
        v = tree[0]
        if v not in options:
            self.fail(tree, field_, "one of " + ", ".join(options))
        return v


def parse_spec(text: str, path: str = "<string>") -> TrialSpec:
    """Parse and validate a trial spec (YAML text)."""
    from ..biology import get_drug
    from ..clinic import get_pk, parse_regimen
    node = _compose(text, path)
    if node is None:
        raise SpecError(path, None, "spec", "", "a YAML mapping with name, patients, arms, ...")
    tree = _to_python(node)
    ck = _Checker(path)
    top = ck.mapping(tree, "", TOP_FIELDS)
    for req in ("name", "patients", "arms"):
        if req not in top:
            raise SpecError(path, tree[1], req, None, "a required field")
    name = str(top["name"][0])
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        ck.fail(top["name"], "name", "letters, digits, - and _")
    patients = ck.integer(top["patients"], "patients", 1)
    arms_tree = top["arms"]
    if not isinstance(arms_tree[0], list) or not arms_tree[0]:
        ck.fail(arms_tree, "arms", "a non-empty list of arms")
    arms = []
    for i, at in enumerate(arms_tree[0]):
        a = ck.mapping(at, f"arms[{i}]", ARM_FIELDS)
        if "name" not in a or "drugs" not in a:
            raise SpecError(path, at[1], f"arms[{i}]", _plain(at), "a mapping with name and drugs")
        aname = str(a["name"][0])
        dt = a["drugs"]
        if not isinstance(dt[0], list) or not dt[0]:
            ck.fail(dt, f"arms[{i}].drugs", "a non-empty list of {drug, regimen}")
        doses = []
        for j, dd in enumerate(dt[0]):
            where = f"arms[{i}].drugs[{j}]"
            d = ck.mapping(dd, where, DRUG_FIELDS)
            if "drug" not in d or "regimen" not in d:
                raise SpecError(path, dd[1], where, _plain(dd), "a mapping {drug, regimen}")
            try:
                drug = get_drug(str(d["drug"][0])).name
            except UnknownNameError as exc:
                raise SpecError(path, d["drug"][1], f"{where}.drug", d["drug"][0], str(exc).split("; ", 1)[-1]) from None
            try:
                get_pk(drug)
            except UnknownNameError:
                from ..clinic import pk_drugs
                raise SpecError(path, d["drug"][1], f"{where}.drug", drug, "a drug with a PK model (" + ", ".join(pk_drugs()) + ")") from None
            regimen = str(d["regimen"][0])
            try:
                reg = parse_regimen(regimen, drug=drug)
            except InputError as exc:
                raise SpecError(path, d["regimen"][1], f"{where}.regimen", regimen, str(exc)) from None
            if reg.amount <= 0:
                raise SpecError(path, d["regimen"][1], f"{where}.regimen", regimen, "a positive dose")
            doses.append(DrugDose(drug, regimen))
        arms.append(Arm(aname, tuple(doses)))
    names = [a.name for a in arms]
    if len(set(names)) != len(names):
        ck.fail(arms_tree, "arms", "distinct arm names", names)
    rand = {a: 1 for a in names}
    if "randomisation" in top:
        rt = ck.mapping(top["randomisation"], "randomisation", set(names))
        rand = {a: ck.integer(rt[a], f"randomisation.{a}", 1) if a in rt else 0 for a in names}
        if not all(rand.values()):
            ck.fail(top["randomisation"], "randomisation", "a ratio for every arm: " + ", ".join(names))
    pop = {"er": "positive", "her2": "negative", "prior_therapy": "ai_resistant", "ai_resistant_fraction": 1.0}
    if "population" in top:
        p = ck.mapping(top["population"], "population", POPULATION_FIELDS)
        if "er" in p:
            pop["er"] = ck.choice(p["er"], "population.er", ("positive", "negative", "any"))
        if "her2" in p:
            pop["her2"] = ck.choice(p["her2"], "population.her2", ("positive", "negative", "any"))
        if "prior_therapy" in p:
            pop["prior_therapy"] = ck.choice(p["prior_therapy"], "population.prior_therapy", ("ai_resistant", "endocrine_sensitive", "mixed"))
        if "ai_resistant_fraction" in p:
            pop["ai_resistant_fraction"] = ck.number(p["ai_resistant_fraction"], "population.ai_resistant_fraction", 0.0, 1.0)
        if pop["prior_therapy"] == "endocrine_sensitive":
            pop["ai_resistant_fraction"] = 0.0
        elif pop["prior_therapy"] == "ai_resistant":
            pop["ai_resistant_fraction"] = 1.0
        # genotype criteria enter the dict only when given, so specs without them keep their digest
        for key, options in GENOTYPE_CRITERIA.items():
            if key in p:
                pop[key] = ck.choice(p[key], f"population.{key}", options)
        if pop.get("esr1") == "mutant" and not (pop["prior_therapy"] == "ai_resistant" and pop["er"] == "positive"):
            # ESR1 mutations are acquired under aromatase inhibitors (population.yaml): only AI-resistant ER+ tumours carry them
            ck.fail(p["esr1"], "population.esr1",
                    "'mutant' only with prior_therapy: ai_resistant and er: positive (ESR1 mutations are acquired under aromatase inhibitors)")
    assess = {"every_weeks": 8.0, "confirm_response": False}
    if "assessment" in top:
        a = ck.mapping(top["assessment"], "assessment", ASSESSMENT_FIELDS)
        if "every_weeks" in a:
            assess["every_weeks"] = ck.number(a["every_weeks"], "assessment.every_weeks", 1.0, 52.0)
        if "confirm_response" in a:
            if not isinstance(a["confirm_response"][0], bool):
                ck.fail(a["confirm_response"], "assessment.confirm_response", "true or false")
            assess["confirm_response"] = a["confirm_response"][0]
    fu = {"months": 24.0, "dropout_per_year": 0.05}
    if "follow_up" in top:
        f = ck.mapping(top["follow_up"], "follow_up", FOLLOW_UP_FIELDS)
        if "months" in f:
            fu["months"] = ck.number(f["months"], "follow_up.months", 0.5, 120.0)
        if "dropout_per_year" in f:
            fu["dropout_per_year"] = ck.number(f["dropout_per_year"], "follow_up.dropout_per_year", 0.0, 5.0)
        if "os_months" in f:
            fu["os_months"] = ck.number(f["os_months"], "follow_up.os_months", 1.0, 240.0)
        if "accrual_months" in f:
            fu["accrual_months"] = ck.number(f["accrual_months"], "follow_up.accrual_months", 0.0, 120.0)
    if fu["months"] * DAYS_PER_MONTH < assess["every_weeks"] * 7:
        raise SpecError(path, top.get("follow_up", tree)[1], "follow_up.months", fu["months"],
                        f"at least one assessment interval ({assess['every_weeks']:g} weeks): an impossible schedule otherwise")
    if "accrual_months" in fu and fu["accrual_months"] >= fu.get("os_months", fu["months"]):
        raise SpecError(path, top["follow_up"][1], "follow_up.accrual_months", fu["accrual_months"],
                        f"shorter than the OS data cut (os_months = {fu.get('os_months', fu['months']):g}): every patient needs follow-up")
    endpoints = ("pfs", "orr", "cbr", "adverse_events")
    if "endpoints" in top:
        et = top["endpoints"]
        if not isinstance(et[0], list):
            ck.fail(et, "endpoints", "a list of " + ", ".join(sorted(ENDPOINTS)))
        for e in et[0]:
            if e[0] not in ENDPOINTS:
                ck.fail(e, "endpoints", "one of " + ", ".join(sorted(ENDPOINTS)))
        endpoints = tuple(e[0] for e in et[0])
    neo = None
    if "neoadjuvant" in top:
        n = ck.mapping(top["neoadjuvant"], "neoadjuvant", NEOADJUVANT_FIELDS)
        neo = {"weeks": ck.number(n["weeks"], "neoadjuvant.weeks", 1.0, 52.0) if "weeks" in n else 16.0,
               "ki67_day": ck.number(n["ki67_day"], "neoadjuvant.ki67_day", 1.0, 365.0) if "ki67_day" in n else 15.0}
    evidence = tuple(str(e) for e in _plain(top["evidence"])) if "evidence" in top else ()
    if "published" in top:
        _check_published(ck, top["published"], {a.name: [d.drug for d in a.drugs] for a in arms})
    return TrialSpec(name=name, title=str(top["title"][0]) if "title" in top else name, patients=patients, randomisation=rand,
                     arms=tuple(arms), population=pop, assessment=assess, follow_up=fu, endpoints=endpoints,
                     evidence=evidence, neoadjuvant=neo, published=_plain(top["published"]) if "published" in top else {},
                     source=path)


#: published-block keys whose mapping is keyed by arm name (``validate trials`` reads them per arm)
PUBLISHED_PER_ARM = ("median_pfs_months", "median_os_months", "orr", "cbr", "ki67_response")


#: exposure-response measures ``validate trials`` can compare (``published.exposure_response.<arm>.<drug>``)
EXPOSURE_RESPONSE_MEASURES = ("pfs_hr_per_doubling", "tumour_shrinkage_or_per_doubling", "orr_or_per_doubling")


def _check_exposure_response(ck: _Checker, sub, arm_drugs: dict[str, list[str]]) -> None:
    """``published.exposure_response``: arm -> drug of that arm -> measure -> ``{value, ci: [lo, hi]}`` or
    ``{no_relationship: true}`` (a published analysis that found none)."""
    for arm, per_drug in sub[0].items():
        if arm == "source":
            continue
        if arm not in arm_drugs:
            raise SpecError(ck.path, per_drug[1], f"published.exposure_response.{arm}", arm, "the name of an arm (" + ", ".join(arm_drugs) + ")")
        if not isinstance(per_drug[0], dict):
            ck.fail(per_drug, f"published.exposure_response.{arm}", "a mapping drug -> measures")
        for drug, measures in per_drug[0].items():
            if drug not in arm_drugs[arm]:
                raise SpecError(ck.path, measures[1], f"published.exposure_response.{arm}.{drug}", drug,
                                "a drug of the arm (" + ", ".join(arm_drugs[arm]) + ")")
            if not isinstance(measures[0], dict):
                ck.fail(measures, f"published.exposure_response.{arm}.{drug}", "a mapping measure -> {value, ci} or {no_relationship: true}")
            for m, v in measures[0].items():
                field_ = f"published.exposure_response.{arm}.{drug}.{m}"
                if m not in EXPOSURE_RESPONSE_MEASURES:
                    raise SpecError(ck.path, v[1], field_, m, "one of " + ", ".join(EXPOSURE_RESPONSE_MEASURES))
                val = _plain(v)
                ok = isinstance(val, dict) and (val == {"no_relationship": True} or (
                    set(val) == {"value", "ci"} and isinstance(val["ci"], list) and len(val["ci"]) == 2
                    and all(isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in [val["value"], *val["ci"]])
                    and val["ci"][0] <= val["value"] <= val["ci"][1]))
                if not ok:
                    raise SpecError(ck.path, v[1], field_, val, "{value: V, ci: [LO, HI]} with 0 < LO <= V <= HI, or {no_relationship: true}")


def _check_published(ck: _Checker, tree, arm_drugs: dict[str, list[str]]) -> None:
    """The ``published`` block is free-form except where ``validate trials`` looks things up by name: per-arm
    numbers must name an arm of the spec, subgroup hazard ratios a known subgroup and exposure-response entries an
    arm, one of its drugs and a known measure (a misspelt name would otherwise give a row that silently never
    agrees). ``arm_drugs``: each arm's name and drugs."""
    from ._stats import SUBGROUPS
    arm_names = list(arm_drugs)
    if not isinstance(tree[0], dict):
        ck.fail(tree, "published", "a mapping")
    for key, sub in tree[0].items():
        if not isinstance(sub[0], dict):
            continue
        if key == "exposure_response":
            _check_exposure_response(ck, sub, arm_drugs)
            continue
        if key == "hazard_ratio_subgroups":
            for label, v in sub[0].items():
                if label != "source" and label not in SUBGROUPS:
                    raise SpecError(ck.path, v[1], f"published.{key}.{label}", label, "a subgroup (" + ", ".join(SUBGROUPS) + ")")
        elif key.startswith(PUBLISHED_PER_ARM) or (key.startswith("hazard_ratio") and key != "hazard_ratio_os"
                                                   and "value" not in sub[0]):     # one HR per experimental arm
            for arm, v in sub[0].items():
                if arm != "source" and arm not in arm_names:
                    raise SpecError(ck.path, v[1], f"published.{key}.{arm}", arm, "the name of an arm (" + ", ".join(arm_names) + ")")


BUILTIN_DIR = Path(__file__).parent / "data" / "trials"


def builtin_trials() -> list[str]:
    """Names of the built-in trial specs."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def load_spec(spec: str | Path | TrialSpec) -> TrialSpec:
    """A built-in name (``bolero2``), a path to a YAML file, or a :class:`TrialSpec`."""
    if isinstance(spec, TrialSpec):
        return spec
    p = Path(str(spec))
    if not p.suffix and (BUILTIN_DIR / f"{p.name}.yaml").is_file():
        p = BUILTIN_DIR / f"{p.name}.yaml"
    if not p.is_file():
        raise InputError("spec", str(spec), "a trial YAML file or a built-in trial (" + ", ".join(builtin_trials()) + ")")
    return parse_spec(p.read_text(), str(p))
