"""Lint a PEtab v1 problem before fitting: every problem with its file, row and column.

:func:`lint_petab` runs small named checks on the tables as written (rows are file lines: the
header is line 1, the first data row line 2) and then ``petab.v1.lint_problem`` (whose messages
carry no row or column; they are reported with the table's file when it can be told). Each issue
has a severity: ``error`` stops a fit, ``warning`` does not.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .._errors import InputError

__all__ = ["LintIssue", "lint_petab", "raise_for_lint"]

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PRIORS = ("uniform", "normal", "laplace", "logNormal", "logLaplace", "parameterScaleUniform",
           "parameterScaleNormal", "parameterScaleLaplace")
_REQUIRED = {
    "measurement": ("observableId", "simulationConditionId", "measurement", "time"),
    "condition": ("conditionId",),
    "observable": ("observableId", "observableFormula", "noiseFormula"),
    "parameter": ("parameterId", "parameterScale", "lowerBound", "upperBound", "nominalValue", "estimate"),
}


@dataclass(frozen=True)
class LintIssue:
    """One problem found in a PEtab table."""

    file: str
    row: int | None  # file line (header = 1); None for the whole table
    column: str
    severity: str  # "error" | "warning"
    check: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row is not None else "") + \
            (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message} [{self.check}]"


def _empty(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _num(v) -> float | None:
    try:
        return float(str(v).strip())
    except ValueError:
        return None


def _read(path: Path, kind: str, issues: list[LintIssue]) -> pd.DataFrame | None:
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        issues.append(LintIssue(path.name, None, "", "error", "readable", f"cannot read the {kind} table: "
                                f"{' '.join(str(exc).split())}"))
        return None
    for col in _REQUIRED[kind]:
        if col not in df.columns:
            issues.append(LintIssue(path.name, 1, col, "error", "required column",
                                    f"the {kind} table lacks the required column {col!r}"))
    return df


def _model_ids(paths: list[Path], issues: list[LintIssue], yaml_name: str) -> dict[str, str]:
    import libsbml

    ids: dict[str, str] = {}
    for p in paths:
        if not p.is_file():
            issues.append(LintIssue(yaml_name, None, "sbml_files", "error", "file exists", f"SBML file {p.name} not found"))
            continue
        doc = libsbml.readSBMLFromFile(str(p))
        m = doc.getModel()
        if m is None:
            issues.append(LintIssue(p.name, None, "", "error", "readable", "not an SBML model"))
            continue
        for lst, kind in ((m.getListOfSpecies(), "species"), (m.getListOfParameters(), "parameter"),
                          (m.getListOfCompartments(), "compartment"), (m.getListOfReactions(), "reaction")):
            for x in lst:
                ids[x.getId()] = kind
        for r in m.getListOfRules():
            if r.isAssignment():
                ids[r.getVariable()] = ids.get(r.getVariable(), "parameter") + ":assigned"
    return ids


def _duplicates(df: pd.DataFrame, col: str, file: str, issues: list[LintIssue]) -> None:
    seen: dict[str, int] = {}
    for i, v in enumerate(df[col]):
        v = str(v).strip()
        if v in seen:
            issues.append(LintIssue(file, i + 2, col, "error", "unique id",
                                    f"{v!r} also on row {seen[v]}"))
        else:
            seen[v] = i + 2
        if not _ID.match(v):
            issues.append(LintIssue(file, i + 2, col, "error", "valid id",
                                    f"{v!r} is not a valid id (letters, digits, _; not starting with a digit)"))


def lint_petab(problem: str | Path, *, run_petab: bool = True) -> list[LintIssue]:
    """Check a PEtab v1 problem's YAML and tables; return the issues (empty when the problem is clean).

    Parameters
    ----------
    problem : the problem's YAML file.

    Expert knobs
    ------------
    run_petab : also run ``petab.v1.lint_problem`` (when the tables could be read).
    """
    path = Path(problem)
    issues: list[LintIssue] = []
    if not path.is_file():
        return [LintIssue(path.name, None, "", "error", "file exists", f"{path} not found")]
    try:
        spec = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        return [LintIssue(path.name, None, "", "error", "readable", f"invalid YAML: {' '.join(str(exc).split())}")]
    if not isinstance(spec, dict) or "problems" not in spec or not spec["problems"]:
        return [LintIssue(path.name, None, "problems", "error", "yaml schema", "no 'problems' entry")]
    root = path.parent
    sub = spec["problems"][0]
    files: dict[str, list[Path]] = {
        "measurement": [root / f for f in sub.get("measurement_files", [])],
        "condition": [root / f for f in sub.get("condition_files", [])],
        "observable": [root / f for f in sub.get("observable_files", [])],
        "parameter": [root / spec["parameter_file"]] if spec.get("parameter_file") else [],
    }
    tables: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    for kind, paths in files.items():
        if not paths:
            issues.append(LintIssue(path.name, None, f"{kind}_file(s)", "error", "yaml schema", f"no {kind} table"))
        tables[kind] = []
        for p in paths:
            if not p.is_file():
                issues.append(LintIssue(path.name, None, f"{kind} files", "error", "file exists", f"{p.name} not found"))
                continue
            df = _read(p, kind, issues)
            if df is not None:
                tables[kind].append((p.name, df))
    model = _model_ids([root / f for f in sub.get("sbml_files", [])], issues, path.name)

    par_ids: dict[str, dict] = {}
    for fname, df in tables["parameter"]:
        if "parameterId" not in df:
            continue
        _duplicates(df, "parameterId", fname, issues)
        for i, row in df.iterrows():
            r, pid = i + 2, str(row["parameterId"]).strip()
            scale = str(row.get("parameterScale", "lin")).strip() or "lin"
            if scale not in ("lin", "log", "log10"):
                issues.append(LintIssue(fname, r, "parameterScale", "error", "scale", f"{scale!r}: lin, log or log10"))
            est = str(row.get("estimate", "")).strip()
            if est not in ("0", "1"):
                issues.append(LintIssue(fname, r, "estimate", "error", "estimate", f"{est!r}: 0 or 1"))
            lo, hi, nom = (_num(row.get(c, "")) for c in ("lowerBound", "upperBound", "nominalValue"))
            for c, v in (("lowerBound", lo), ("upperBound", hi)):
                if est == "1" and (v is None or not math.isfinite(v)):
                    issues.append(LintIssue(fname, r, c, "error", "bounds", f"{row.get(c)!r} is not a finite number"))
            if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
                if not lo < hi:
                    issues.append(LintIssue(fname, r, "upperBound", "error", "bounds",
                                            f"upper bound {hi:g} is not above the lower bound {lo:g}"))
                if scale in ("log", "log10") and lo <= 0:
                    issues.append(LintIssue(fname, r, "lowerBound", "error", "bounds",
                                            f"{lo:g}: a {scale}-scaled parameter needs a positive lower bound"))
                if nom is not None and math.isfinite(nom) and not lo <= nom <= hi:
                    issues.append(LintIssue(fname, r, "nominalValue", "warning", "nominal within bounds",
                                            f"{nom:g} is outside [{lo:g}, {hi:g}]"))
            if nom is None and not _empty(row.get("nominalValue", "")):
                issues.append(LintIssue(fname, r, "nominalValue", "error", "number", f"{row['nominalValue']!r} is not a number"))
            if est == "0" and (nom is None or not math.isfinite(nom)):
                issues.append(LintIssue(fname, r, "nominalValue", "error", "number",
                                        "a fixed parameter (estimate = 0) needs a finite nominal value"))
            for prefix in ("objectivePrior", "initializationPrior"):
                kind = str(row.get(f"{prefix}Type", "")).strip()
                if not kind:
                    continue
                if kind not in _PRIORS:
                    issues.append(LintIssue(fname, r, f"{prefix}Type", "error", "prior", f"{kind!r}: one of {', '.join(_PRIORS)}"))
                    continue
                parts = str(row.get(f"{prefix}Parameters", "")).split(";")
                vals = [_num(v) for v in parts]
                if len(vals) != 2 or any(v is None for v in vals):
                    issues.append(LintIssue(fname, r, f"{prefix}Parameters", "error", "prior",
                                            f"{row.get(f'{prefix}Parameters', '')!r}: two numbers 'a;b'"))
            if model.get(pid, "").startswith("species"):
                issues.append(LintIssue(fname, r, "parameterId", "error", "not a model species",
                                        f"{pid!r} is a species of the model"))
            par_ids[pid] = {"row": r}

    cond_ids: set[str] = set()
    cond_cols: set[str] = set()
    for fname, df in tables["condition"]:
        if "conditionId" not in df:
            continue
        _duplicates(df, "conditionId", fname, issues)
        cond_ids |= {str(v).strip() for v in df["conditionId"]}
        for col in df.columns:
            if col in ("conditionId", "conditionName"):
                continue
            cond_cols.add(col)
            if model and col not in model:
                issues.append(LintIssue(fname, 1, col, "error", "condition column",
                                        f"{col!r} is not a parameter, species or compartment of the model"))
            elif model.get(col, "").endswith(":assigned") or model.get(col) == "reaction":
                issues.append(LintIssue(fname, 1, col, "error", "condition column",
                                        f"{col!r} is defined by an assignment rule or is a reaction"))
            for i, v in enumerate(df[col]):
                s = str(v).strip()
                if s == "" or s.lower() == "nan":
                    if model.get(col) not in ("species", None):
                        issues.append(LintIssue(fname, i + 2, col, "error", "condition value",
                                                "empty; only species may be left empty (keep the current value)"))
                    continue
                if _num(s) is None and s not in par_ids and s not in model:
                    issues.append(LintIssue(fname, i + 2, col, "error", "condition value",
                                            f"{s!r} is neither a number nor a parameter id"))

    obs_placeholders: dict[str, tuple[int, int]] = {}
    obs_ids: set[str] = set()
    for fname, df in tables["observable"]:
        if "observableId" not in df:
            continue
        _duplicates(df, "observableId", fname, issues)
        for i, row in df.iterrows():
            r, oid = i + 2, str(row["observableId"]).strip()
            obs_ids.add(oid)
            t = str(row.get("observableTransformation", "")).strip() or "lin"
            if t not in ("lin", "log", "log10"):
                issues.append(LintIssue(fname, r, "observableTransformation", "error", "transformation", f"{t!r}: lin, log or log10"))
            d = str(row.get("noiseDistribution", "")).strip() or "normal"
            if d not in ("normal", "laplace"):
                issues.append(LintIssue(fname, r, "noiseDistribution", "error", "noise distribution", f"{d!r}: normal or laplace"))
            counts = []
            for col, kind in (("observableFormula", "observable"), ("noiseFormula", "noise")):
                text = str(row.get(col, "")).strip()
                if not text:
                    issues.append(LintIssue(fname, r, col, "error", "formula", "empty formula"))
                    counts.append(0)
                    continue
                try:
                    import petab.v1 as petab

                    expr = petab.math.sympify_petab(text)
                except Exception as exc:  # noqa: BLE001 - any parse failure is a lint finding
                    issues.append(LintIssue(fname, r, col, "error", "formula",
                                            f"{text!r} does not parse: {' '.join(str(exc).split())[:120]}"))
                    counts.append(0)
                    continue
                ph = re.compile(rf"^{kind}Parameter(\d+)_{re.escape(oid)}$")
                n = 0
                for sym in sorted(s.name for s in expr.free_symbols):
                    m = ph.match(sym)
                    if m:
                        n = max(n, int(m.group(1)))
                    elif sym not in model and sym not in par_ids and sym not in cond_cols and sym not in obs_ids \
                            and sym != oid and sym not in ("t", "time"):
                        issues.append(LintIssue(fname, r, col, "error", "formula symbols",
                                                f"{sym!r} is not a model id, parameter id, condition column or placeholder"))
                counts.append(n)
            obs_placeholders[oid] = (counts[0], counts[1])

    for fname, df in tables["measurement"]:
        if not all(c in df for c in _REQUIRED["measurement"]):
            continue
        for i, row in df.iterrows():
            r = i + 2
            oid = str(row["observableId"]).strip()
            if obs_ids and oid not in obs_ids:
                issues.append(LintIssue(fname, r, "observableId", "error", "known observable", f"{oid!r} is not in the observable table"))
            for col in ("simulationConditionId", "preequilibrationConditionId"):
                c = str(row.get(col, "")).strip()
                if c and c.lower() != "nan" and cond_ids and c not in cond_ids:
                    issues.append(LintIssue(fname, r, col, "error", "known condition", f"{c!r} is not in the condition table"))
            m = _num(row["measurement"])
            if m is None or not math.isfinite(m):
                issues.append(LintIssue(fname, r, "measurement", "error", "number", f"{row['measurement']!r} is not a finite number"))
            t = _num(row["time"])
            if t is None or math.isnan(t) or t < 0:
                issues.append(LintIssue(fname, r, "time", "error", "time", f"{row['time']!r} is not a time >= 0 (or inf)"))
            if oid in obs_placeholders:
                for col, n in zip(("observableParameters", "noiseParameters"), obs_placeholders[oid]):
                    text = str(row.get(col, "")).strip()
                    vals = [v.strip() for v in text.split(";")] if text and text.lower() != "nan" else []
                    if len(vals) != n:
                        issues.append(LintIssue(fname, r, col, "error", "override count",
                                                f"{len(vals)} value(s) given; observable {oid!r} has {n} placeholder(s)"))
                    for v in vals:
                        if _num(v) is None and v not in par_ids:
                            issues.append(LintIssue(fname, r, col, "error", "override value",
                                                    f"{v!r} is neither a number nor a parameter id"))

    errors = [x for x in issues if x.severity == "error"]
    if run_petab and not errors:
        issues += _petab_lint(path)
    return issues


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = " ".join(record.getMessage().split())
        if msg != "Not OK" and "Visualization table not available" not in msg:
            self.records.append((record.levelno, msg))


def _petab_lint(path: Path) -> list[LintIssue]:
    import petab.v1 as petab

    handler = _Capture()
    logger = logging.getLogger("petab")
    logger.addHandler(handler)
    try:
        try:
            problem = petab.Problem.from_yaml(path)
        except Exception as exc:  # noqa: BLE001
            return [LintIssue(path.name, None, "", "error", "petab", f"petab cannot load the problem: "
                              f"{type(exc).__name__}: {' '.join(str(exc).split())}")]
        failed = petab.lint_problem(problem)
    finally:
        logger.removeHandler(handler)
    out = [LintIssue(path.name, None, "", "error" if level >= logging.ERROR else "warning", "petab.lint_problem", m)
           for level, m in handler.records]
    if failed and not any(i.severity == "error" for i in out):
        out.append(LintIssue(path.name, None, "", "error", "petab.lint_problem", "petab's linter failed without a message"))
    return out


def lint_table(issues: list[LintIssue]) -> pd.DataFrame:
    return pd.DataFrame([{"file": i.file, "row": i.row, "column": i.column, "severity": i.severity,
                          "check": i.check, "message": i.message} for i in issues],
                        columns=["file", "row", "column", "severity", "check", "message"])


def raise_for_lint(problem: str | Path) -> list[LintIssue]:
    """Lint ``problem``; raise :class:`~mtorsim.InputError` listing every error; return the warnings."""
    issues = lint_petab(problem)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        shown = "; ".join(str(e) for e in errors[:20]) + (f"; ... ({len(errors) - 20} more)" if len(errors) > 20 else "")
        raise InputError("problem", str(problem), f"a valid PEtab v1 problem; {len(errors)} problem(s): {shown}")
    return [i for i in issues if i.severity != "error"]
