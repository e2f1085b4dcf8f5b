"""Small synthetic PEtab problems written to tmp folders (no shared data needed).

The model: ``A → B`` at rate ``k1·A``, ``B → ∅`` at rate ``k2·B``, ``A(0) = a0``; observable
``obs_B = s · B``. Its solution is analytic:
``B(t) = a0·k1/(k2 − k1) · (exp(−k1 t) − exp(−k2 t))``. With ``s`` and ``a0`` fixed, ``k1`` and ``k2``
are identifiable from B(t) (the two exponentials); with both ``s`` and ``a0`` free only their
product is (a structural non-identifiability).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

TRUE = {"k1": 0.5, "k2": 0.2, "a0": 2.0, "s": 1.5}
TIMES = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0)
ANTIMONY = """
model synth()
  compartment cell = 1;
  species A in cell; species B in cell;
  A = a0; B = 0;
  a0 = 2.0; k1 = 0.5; k2 = 0.2; s = 1.5; blow = 0;
  R1: A => B; k1 * A;
  R2: B => ; k2 * B - blow * B * B;
end
"""


def b_exact(t, k1=TRUE["k1"], k2=TRUE["k2"], a0=TRUE["a0"]):
    t = np.asarray(t, dtype=float)
    return a0 * k1 / (k2 - k1) * (np.exp(-k1 * t) - np.exp(-k2 * t))


def write_problem(folder: Path, *, estimate=("k1", "k2"), sigma: float = 0.05, noise: float = 0.0,
                  seed: int = 0, extra_parameter_columns: dict | None = None, blow: bool = False,
                  fixed_scale: str = "log10", wide: tuple[str, ...] = (), event: bool = False) -> Path:
    """Write the synthetic problem (noise-free data unless ``noise``) and return its YAML path.

    ``event=True`` adds an SBML event that changes nothing (``blow = 0`` at t = 1000), which the
    sensitivity equations do not cover (gradients fall back to finite differences)."""
    from mtorsim.model._export import antimony_to_sbml

    folder.mkdir(parents=True, exist_ok=True)
    text = ANTIMONY.replace("end", "  E1: at time > 1000: blow = 0;\nend") if event else ANTIMONY
    (folder / "model.xml").write_text(antimony_to_sbml(text, "synth"))
    rng = np.random.default_rng(seed)
    y = TRUE["s"] * b_exact(TIMES)
    y = y + noise * rng.standard_normal(len(y))
    pd.DataFrame({"observableId": "obs_B", "simulationConditionId": "c0", "time": TIMES,
                  "measurement": y}).to_csv(folder / "measurements.tsv", sep="\t", index=False)
    pd.DataFrame({"conditionId": ["c0"], "conditionName": ["default"]}).to_csv(folder / "conditions.tsv", sep="\t", index=False)
    pd.DataFrame({"observableId": ["obs_B"], "observableFormula": ["s * B"], "noiseFormula": [str(sigma)],
                  "observableTransformation": ["lin"], "noiseDistribution": ["normal"]}).to_csv(
        folder / "observables.tsv", sep="\t", index=False)
    rows = []
    for pid in ("k1", "k2", "a0", "s") + (("blow",) if blow else ()):
        nominal = TRUE.get(pid, 0.0)
        est = int(pid in estimate)
        scale = "lin" if pid == "blow" else ("log10" if est else fixed_scale)
        rows.append({"parameterId": pid, "parameterScale": scale,
                     "lowerBound": 0.0 if pid == "blow" else 1e-6 if pid in wide else 1e-3,
                     "upperBound": 10.0 if pid == "blow" else 1e6 if pid in wide else 1e2,
                     "nominalValue": nominal, "estimate": est, "unit": "1/h" if pid.startswith("k") else "1"})
    par = pd.DataFrame(rows)
    for col, values in (extra_parameter_columns or {}).items():
        par[col] = values
    par.to_csv(folder / "parameters.tsv", sep="\t", index=False)
    return _write_problem_yaml(folder)


PREEQ_ANTIMONY = """
model preeq()
  compartment cell = 1;
  species X in cell; species Y in cell;
  X = x0; Y = 0;
  x0 = 1; kin = 1; kout = 0.5; k2 = 0.3; k3 = 0.2; u = 1;
  R0: => X; kin * u;
  R1: X => ; kout * X;
  R2: => Y; k2 * X;
  R3: Y => ; k3 * Y;
  total := X + 2 * Y;
end
"""


def write_preeq_problem(folder: Path) -> Path:
    """A problem that exercises every chain rule of the gradient: pre-equilibration (``u = 1``) then a
    stimulus ``u = u_stim`` (an estimated parameter named in a condition cell) and a species reset
    (``X = 0.5`` in one condition); a ``log10`` observable of an assignment rule with an estimated
    offset (observable parameter) and an estimated noise σ (noise parameter); a ``laplace`` observable
    with a noise formula that depends on the simulation; a steady-state measurement (``time = inf``);
    an initial assignment (``X = x0``). Data are made up (fixed numbers), not simulated."""
    from mtorsim.model._export import antimony_to_sbml

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.xml").write_text(antimony_to_sbml(PREEQ_ANTIMONY, "preeq"))
    pd.DataFrame({"conditionId": ["basal", "stim", "stim_reset"], "u": ["1", "u_stim", "u_stim"],
                  "X": [np.nan, np.nan, 0.5]}).to_csv(folder / "conditions.tsv", sep="\t", index=False)
    pd.DataFrame({"observableId": ["obs_total", "obs_Y"],
                  "observableFormula": ["total + observableParameter1_obs_total", "Y"],
                  "noiseFormula": ["noiseParameter1_obs_total", "0.05 + 0.1 * Y"],
                  "observableTransformation": ["log10", "lin"],
                  "noiseDistribution": ["normal", "laplace"]}).to_csv(folder / "observables.tsv", sep="\t", index=False)
    rows = []
    data = {"obs_total": (1.1, 1.9, 2.6, 3.4, 4.0), "obs_Y": (0.2, 0.5, 0.8, 1.1, 1.3)}
    for cond in ("stim", "stim_reset"):
        for oid, ys in data.items():
            for t, y in zip((0.5, 1.0, 2.0, 5.0, np.inf), ys):
                rows.append({"observableId": oid, "preequilibrationConditionId": "basal", "simulationConditionId": cond,
                             "time": t, "measurement": y * (0.9 if cond == "stim_reset" else 1.0),
                             "observableParameters": "offset" if oid == "obs_total" else "",
                             "noiseParameters": "sigma_total" if oid == "obs_total" else ""})
    pd.DataFrame(rows).to_csv(folder / "measurements.tsv", sep="\t", index=False)
    par = [("x0", "log10", 1.0), ("kin", "log10", 1.0), ("kout", "log10", 0.5), ("k2", "log", 0.3), ("k3", "lin", 0.2),
           ("u_stim", "log10", 2.0), ("offset", "lin", 0.1), ("sigma_total", "log10", 0.1)]
    pd.DataFrame([{"parameterId": p, "parameterScale": s, "lowerBound": 1e-3, "upperBound": 1e2, "nominalValue": v,
                   "estimate": 1} for p, s, v in par]).to_csv(folder / "parameters.tsv", sep="\t", index=False)
    return _write_problem_yaml(folder)


def _write_problem_yaml(folder):
    """The PEtab v1 YAML naming the standard table files in ``folder``."""
    spec = {"format_version": 1, "parameter_file": "parameters.tsv",
            "problems": [{"sbml_files": ["model.xml"], "condition_files": ["conditions.tsv"],
                          "measurement_files": ["measurements.tsv"], "observable_files": ["observables.tsv"]}]}
    path = folder / "problem.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path
