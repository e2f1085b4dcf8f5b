"""mtorsim's own model and public data as a PEtab v1 problem: :func:`export_petab`.

What is written (``DIR/``):

``model_mtorsim.xml``
    ``mtorsim.model.to_sbml(build_network())`` plus, for each measured observable ``X``, a
    *reference state* ``ref_X`` with the rate rule ``d ref_X/dt = k_ref · (obs_X − ref_X)``. With
    ``k_ref = 1 /h`` in the pre-equilibration condition ``ref_X`` settles on the untreated steady
    state of ``obs_X``; the treatment conditions set ``k_ref = 0``, which freezes it. The observable
    ``fc_X = obs_X / ref_X`` is then the fold change over the untreated cell, exactly what
    ``simulate(..., normalize="cell")`` returns. (PEtab v1 has no way to divide by another
    condition's simulation; this is the standard workaround.)
``conditions.tsv``
    one untreated condition per cell line (``<cell>_untreated``: the cell's genotype parameters
    from ``biology/_genotype.py`` and the full-medium values) and, for the measured cell (MCF7), one
    condition per drug combination with the drug exposures ``u_<slot> = Σ C/IC50`` and Hill
    coefficients ``h_<slot>`` that :class:`~mtorsim.Treatment` computes. Lines other than MCF7 carry
    no measurements (yet); they are there so that their genotypes travel with the problem.
``observables.tsv``
    ``fc_<observable>``: fold change over untreated, ``log10`` transformation with normal noise of
    standard deviation ``sigma_fc`` (log10 units): a multiplicative (proportional) error model.
``measurements.tsv``
    Nelander et al. 2008 (Mol Syst Biol 4:216), MCF7, ``shared/data/phospho/nelander2008_MCF7``:
    every condition whose inhibitors are all in the model (those with rottlerin/PKCδ are left out),
    readouts p-AKT, p-P70S6K, p-S6, p-ERK, p-MEK. **Conversion**: the dataset gives normalised
    responses ``v`` in −1..1; as in ``mtorsim.evidence`` (sign agreement) they are read as log2
    ratios to the untreated control, so the fold change written is ``2**v`` (0.5..2). Because the
    published normalisation caps ``|v|`` at 1, strong inhibitions appear as a halving; treat the
    magnitudes as lower bounds. Time: 24 h after treatment (``evidence._nelander.HOURS``); doses:
    ``evidence._nelander.NELANDER_DRUGS`` (assumed working concentrations).
``parameters.tsv``
    a handful of kinetic parameters estimated on ``log10`` scale within ×/÷ ``fold`` of the
    nominal value (the model's default), ``sigma_fc`` fixed; extra columns ``unit`` and ``source``
    (PEtab v1 has no units).
``mtorsim.yaml``
    the PEtab v1 problem file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import yaml

from .._errors import InputError

__all__ = ["DEFAULT_ESTIMATED", "export_petab"]

#: kinetic parameters estimated by default: the feedbacks and phosphatases that set the Nelander readouts
DEFAULT_ESTIMATED = ("k_s636", "k_pten", "k_akt_pp", "k_s6k_on", "k_erk_off", "K_erk_raf")
DEFAULT_CELLS = ("MCF7", "T47D", "MDA-MB-231", "BT474")
#: Nelander readout -> mtorsim observable (MEK added to the four of the evidence layer)
READOUTS = {"p-AKT": "pAKT_S473", "p-P70S6K": "pS6K1_T389", "p-S6": "pS6_S235_236", "p-ERK": "pERK1_2",
            "p-MEK": "pMEK1_2"}
SIGMA_SOURCE = ("assumed: 0.15 log10 units (~40 % multiplicative error) for normalised RPPA/western readouts; "
                "Nelander 2008 gives no per-point errors in the extracted table")


def _condition_id(text: str) -> str:
    out = "".join(c if c.isalnum() else "_" for c in text)
    return out if not out[0].isdigit() else "c_" + out


def _sbml_with_references(observables: Sequence[str]) -> str:
    import libsbml

    from ..model import build_network, to_sbml
    from ..model._export import OBS_PREFIX

    doc = libsbml.readSBMLFromString(to_sbml(build_network()))
    m = doc.getModel()
    k = m.createParameter()
    k.setId("k_ref")
    k.setValue(1.0)
    k.setConstant(True)
    k.setNotes('<body xmlns="http://www.w3.org/1999/xhtml"><p>unit: 1/h</p><p>PEtab export: rate at which the '
               'reference states follow their observables (1 in pre-equilibration, 0 under treatment)</p></body>')
    for name in observables:
        ref = m.createParameter()
        ref.setId(f"ref_{name}")
        ref.setValue(1.0)
        ref.setConstant(False)
        rule = m.createRateRule()
        rule.setVariable(f"ref_{name}")
        rule.setMath(libsbml.parseL3Formula(f"k_ref * ({OBS_PREFIX}{name} - ref_{name})"))
    return libsbml.writeSBMLToString(doc)


def export_petab(directory: str | Path, *, cells: Sequence[str] = DEFAULT_CELLS,
                 estimate: Sequence[str] = DEFAULT_ESTIMATED, fold: float = 10.0, sigma: float = 0.15,
                 data: str | Path | None = None) -> Path:
    """Write mtorsim's model with the Nelander 2008 MCF7 perturbation data as a PEtab v1 problem.

    Parameters
    ----------
    directory : output folder (created).
    cells : cell lines whose genotypes become untreated conditions; MCF7 (the measured line) is
        always included.
    estimate : model parameters to estimate (log10 scale, bounds nominal ÷/× ``fold``).

    Expert knobs
    ------------
    fold : bound factor around the nominal value.
    sigma : noise standard deviation of the log10 fold changes (fixed, ``sigma_fc``).
    data : the ``nelander2008_MCF7`` folder (default: from the shared data directory).

    Returns
    -------
    Path of the problem's YAML file (see the module docstring for every table and the data conversion).
    """
    from ..biology import Medium, Treatment, get_cell
    from ..evidence._nelander import HOURS, NELANDER_DRUGS, load_nelander
    from ..model import build_network
    from ..simulate._engine import get_engine
    from ..simulate._simulate import cell_parameters

    if not (isinstance(fold, (int, float)) and fold > 1):
        raise InputError("fold", fold, "a number > 1")
    if not (isinstance(sigma, (int, float)) and sigma > 0):
        raise InputError("sigma", sigma, "a positive number (log10 units)")
    net = build_network()
    for p in estimate:
        if p not in net.parameters:
            raise InputError("estimate", p, "a parameter of mtorsim's network (build_network().parameters)")
        if net.parameters[p].value <= 0:
            raise InputError("estimate", p, "a parameter with a positive nominal value (log10 scale)")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    try:
        conds, exp = load_nelander(data)
    except FileNotFoundError as exc:
        raise InputError("data", str(data) if data else "shared data directory",
                         f"the nelander2008_MCF7 folder (conds.tsv, exp.tsv): {exc}") from None

    eng = get_engine()
    defaults = eng.defaults
    medium = Medium("full")
    cell_rows: dict[str, dict[str, float]] = {}
    for name in dict.fromkeys(["MCF7", *cells]):
        c = get_cell(name)
        params = cell_parameters(c, medium, None, eng)
        cell_rows[c.name] = {k: v for k, v in params.items() if not k.startswith(("u_", "h_"))}
    geno_cols = sorted({k for row in cell_rows.values() for k, v in row.items() if v != defaults[k]}
                       | set(medium.values()))

    # drug conditions (MCF7 only: the data)
    drug_conditions: list[tuple[str, str, dict[str, float], int]] = []
    for cid, row in conds.iterrows():
        nodes = [n for n, v in row.items() if v != 0]
        if any(n not in NELANDER_DRUGS for n in nodes):
            continue  # rottlerin (PKCdelta) is not in the model
        drugs = [f"{NELANDER_DRUGS[n][0]}={NELANDER_DRUGS[n][1]}" for n in nodes]
        inputs = Treatment.make(drugs, medium).slot_inputs(0.0)
        label = " + ".join(drugs)
        drug_conditions.append((_condition_id("MCF7_" + "_".join(NELANDER_DRUGS[n][0] for n in nodes)), label,
                                inputs, int(cid)))
    input_cols = sorted({k for _, _, inp, _ in drug_conditions for k in inp})

    mcf7 = get_cell("MCF7").name
    rows = []
    for cname, params in cell_rows.items():
        rows.append({"conditionId": _condition_id(f"{cname}_untreated"), "conditionName": f"{cname}, untreated, full medium",
                     **{k: params[k] for k in geno_cols}, **{k: defaults[k] for k in input_cols}, "k_ref": 1.0})
    for cid, label, inputs, _ in drug_conditions:
        rows.append({"conditionId": cid, "conditionName": f"{mcf7}, {label}",
                     **{k: cell_rows[mcf7][k] for k in geno_cols}, **{k: inputs.get(k, defaults[k]) for k in input_cols},
                     "k_ref": 0.0})
    condition_df = pd.DataFrame(rows)

    measured = [o for o in READOUTS.values()]
    observable_df = pd.DataFrame([{"observableId": f"fc_{o}", "observableName": f"{o} fold change over untreated",
                                   "observableFormula": f"obs_{o} / ref_{o}", "noiseFormula": "sigma_fc",
                                   "observableTransformation": "log10", "noiseDistribution": "normal"}
                                  for o in measured])
    pre = _condition_id(f"{mcf7}_untreated")
    mrows = []
    for cid, label, _, nel_id in drug_conditions:
        for readout, obs in READOUTS.items():
            v = float(exp.loc[nel_id, readout])
            if not math.isfinite(v):
                continue
            mrows.append({"observableId": f"fc_{obs}", "preequilibrationConditionId": pre,
                          "simulationConditionId": cid, "time": float(HOURS), "measurement": 2.0 ** v,
                          "datasetId": f"nelander2008_{readout}", "nelander_condition": nel_id,
                          "nelander_value": v})
    # rows grouped by condition in sorted order: pyPESTO 0.7.0's roadrunner objective pairs its per-condition
    # data (in measurement-table order) with petab's parameter mappings (in sorted condition order), so an
    # unsorted table gives each condition another condition's drugs (docs/calibration.md)
    measurement_df = pd.DataFrame(mrows).sort_values(["preequilibrationConditionId", "simulationConditionId"],
                                                     kind="stable", ignore_index=True)

    prow = []
    for p in estimate:
        par = net.parameters[p]
        prow.append({"parameterId": p, "parameterName": par.description, "parameterScale": "log10",
                     "lowerBound": par.value / fold, "upperBound": par.value * fold, "nominalValue": par.value,
                     "estimate": 1, "unit": par.unit, "source": par.source})
    prow.append({"parameterId": "sigma_fc", "parameterName": "SD of log10 fold changes", "parameterScale": "lin",
                 "lowerBound": 0.01, "upperBound": 1.0, "nominalValue": float(sigma), "estimate": 0,
                 "unit": "log10 units", "source": SIGMA_SOURCE})
    parameter_df = pd.DataFrame(prow)

    (out / "model_mtorsim.xml").write_text(_sbml_with_references(measured))
    condition_df.to_csv(out / "conditions.tsv", sep="\t", index=False)
    observable_df.to_csv(out / "observables.tsv", sep="\t", index=False)
    measurement_df.to_csv(out / "measurements.tsv", sep="\t", index=False)
    parameter_df.to_csv(out / "parameters.tsv", sep="\t", index=False)
    spec = {"format_version": 1, "parameter_file": "parameters.tsv",
            "problems": [{"sbml_files": ["model_mtorsim.xml"], "condition_files": ["conditions.tsv"],
                          "measurement_files": ["measurements.tsv"], "observable_files": ["observables.tsv"]}]}
    path = out / "mtorsim.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    (out / "README.md").write_text(_README.format(hours=HOURS, sigma=sigma, fold=fold,
                                                  estimate=", ".join(estimate), n=len(measurement_df),
                                                  n_cond=len(drug_conditions)))
    return path


_README = """# mtorsim as a PEtab v1 problem

Written by `mtorsim.calibrate.export_petab` (`mtorsim export-petab DIR`).

* Model: mtorsim's network (SBML) plus reference states `ref_X` (rate rule `k_ref·(obs_X − ref_X)`;
  `k_ref = 1` in the untreated pre-equilibration, 0 under treatment) so that `fc_X = obs_X / ref_X`
  is the fold change over the untreated cell (= `simulate(..., normalize="cell")`).
* Data: Nelander et al. 2008 (Mol Syst Biol 4:216), MCF7, {n_cond} drug conditions without rottlerin,
  {n} measurements at {hours:g} h. The published normalised responses v (−1..1) are read as log2 ratios
  to untreated and written as fold changes 2**v (columns `nelander_condition`, `nelander_value` keep
  the original). Magnitudes are capped by the normalisation: read them as lower bounds.
* Noise: log10 transformation, normal, sigma_fc = {sigma:g} (fixed; multiplicative error).
* Estimated: {estimate} on log10 scale within ÷/× {fold:g} of the model's value. Units and sources in the
  extra `unit`/`source` columns of parameters.tsv.
"""
