"""Simulated vs published numbers for the built-in trials (``mtorsim validate trials``).

Agreement criteria (stated, not tuned): a hazard ratio agrees when it lies inside the published 95 %
CI; a median within 25 % of the published one (the issue's target); a rate (ORR, CBR, Ki67 response)
within 10 percentage points.
"""

from __future__ import annotations

import math

import pandas as pd

from .._errors import InputError
from ._run import run_trial
from ._spec import builtin_trials, load_spec

MEDIAN_TOLERANCE = 0.25
RATE_TOLERANCE = 0.10


def _reading(key: str, base: str) -> str:
    suffix = key[len(base):].lstrip("_")
    return f" ({suffix} review)" if suffix else ""


def compare(result) -> pd.DataFrame:
    """Rows: trial, endpoint, arm, simulated, published, criterion, agree."""
    pub = result.spec.published or {}
    s = result.summary
    rows = []
    # a published block may carry a second reading of the same endpoint (e.g. BOLERO-2's central review,
    # keys ending in "_central"); each gets its own row, labelled
    for key in [k for k in pub if k.startswith("median_pfs_months")]:
        label = "median PFS (months)" + _reading(key, "median_pfs_months")
        for arm, med in (pub.get(key) or {}).items():
            sim = s["arms"].get(arm, {}).get("median_pfs_months", math.nan)
            rows.append({"endpoint": label, "arm": arm, "simulated": sim, "published": med,
                         "criterion": f"within {MEDIAN_TOLERANCE:.0%}",
                         "agree": bool(abs(sim - med) <= MEDIAN_TOLERANCE * med) if math.isfinite(sim) else False})
    for arm, med in (pub.get("median_os_months") or {}).items():
        sim = s["arms"].get(arm, {}).get("median_os_months", math.nan)
        rows.append({"endpoint": "median OS (months)", "arm": arm, "simulated": sim, "published": med,
                     "criterion": f"within {MEDIAN_TOLERANCE:.0%}",
                     "agree": bool(abs(sim - med) <= MEDIAN_TOLERANCE * med) if math.isfinite(sim) else False})
    if pub.get("deaths") is not None and all("deaths" in v for v in s["arms"].values()):
        n = sum(v["n"] for v in s["arms"].values())
        sim = sum(v["deaths"] for v in s["arms"].values()) / n
        val = float(pub["deaths"]) / result.spec.patients
        rows.append({"endpoint": "deaths by the OS data cut (fraction)", "arm": "all", "simulated": sim, "published": val,
                     "criterion": f"within {RATE_TOLERANCE * 100:.0f} points", "agree": bool(abs(sim - val) <= RATE_TOLERANCE)})
    for key in [k for k in pub if k.startswith("hazard_ratio")]:
        hr = pub[key]
        if not (hr and s["comparisons"]):
            continue
        if "value" not in hr:
            # one published HR per experimental arm (a trial with several arms against one control)
            for arm, h in hr.items():
                name = f"{arm} vs {s['control_arm']}"
                c = s["comparisons"].get(name)
                lo, hi = h.get("ci", [math.nan, math.nan])
                sim = c["hazard_ratio"] if c else math.nan
                rows.append({"endpoint": "PFS hazard ratio" + _reading(key, "hazard_ratio"), "arm": name, "simulated": sim,
                             "published": h["value"], "criterion": f"inside published 95% CI [{lo}, {hi}]",
                             "agree": bool(lo <= sim <= hi) if math.isfinite(sim) else False})
            continue
        comp = next(iter(s["comparisons"].values()))
        if key == "hazard_ratio_os":
            if "os" not in comp:
                continue
            lo, hi = hr.get("ci", [math.nan, math.nan])
            rows.append({"endpoint": "OS hazard ratio", "arm": next(iter(s["comparisons"])), "simulated": comp["os"]["hazard_ratio"],
                         "published": hr["value"], "criterion": f"inside published 95% CI [{lo}, {hi}]",
                         "agree": bool(lo <= comp["os"]["hazard_ratio"] <= hi)})
            continue
        lo, hi = hr.get("ci", [math.nan, math.nan])
        rows.append({"endpoint": "PFS hazard ratio" + _reading(key, "hazard_ratio"), "arm": next(iter(s["comparisons"])),
                     "simulated": comp["hazard_ratio"], "published": hr["value"],
                     "criterion": f"inside published 95% CI [{lo}, {hi}]", "agree": bool(lo <= comp["hazard_ratio"] <= hi)})
    for key, label in (("orr", "ORR"), ("cbr", "CBR"), ("ki67_response", "Ki67 response")):
        for arm, val in (pub.get(key) or {}).items():
            sim = s["arms"].get(arm, {}).get(key, math.nan)
            rows.append({"endpoint": label, "arm": arm, "simulated": sim, "published": val,
                         "criterion": f"within {RATE_TOLERANCE * 100:.0f} points",
                         "agree": bool(abs(sim - val) <= RATE_TOLERANCE) if isinstance(sim, (int, float)) and math.isfinite(sim) else False})
    df = pd.DataFrame(rows)
    df.insert(0, "trial", result.spec.name)
    df["evidence"] = ", ".join(result.spec.evidence)
    return df


def validate_trials(names=None, *, seed: int = 0, patients: int | None = None, progress: bool = False,
                    results=None, replicates: int = 1) -> pd.DataFrame:
    """Run the built-in trials (or ``names``) and compare with their published numbers.

    ``results``: trials already run ({name: TrialResult}, e.g. by the report), used instead of running them
    again when they were run with this ``seed``, size and spec and without overrides.

    ``replicates`` > 1: a real trial is one draw, and so is a virtual one; each trial is run with seeds
    ``seed … seed + replicates − 1`` and each row gives the median simulated value, its range
    (``simulated_min``, ``simulated_max``), the share of replicate trials that agree (``agree_share``) and
    ``agree`` when at least half do."""
    if not (isinstance(replicates, int) and not isinstance(replicates, bool) and 1 <= replicates <= 1000):
        raise InputError("replicates", replicates, "an integer from 1 to 1000")
    if replicates > 1:
        runs = [validate_trials(names, seed=seed + k, patients=patients, progress=progress,
                                results=results if k == 0 else None) for k in range(replicates)]
        df = pd.concat([r.assign(replicate=k) for k, r in enumerate(runs)], ignore_index=True)
        keys = ["trial", "endpoint", "arm", "published", "criterion", "evidence"]
        g = df.groupby(keys, sort=False)
        out = g.agg(simulated=("simulated", "median"), simulated_min=("simulated", "min"),
                    simulated_max=("simulated", "max"), agree_share=("agree", "mean")).reset_index()
        out["agree"] = out["agree_share"] >= 0.5
        out["replicates"] = replicates
        return out[["trial", "endpoint", "arm", "simulated", "simulated_min", "simulated_max", "published", "criterion",
                    "agree_share", "agree", "replicates", "evidence"]]
    frames = []
    for name in names or builtin_trials():
        spec = load_spec(name)
        if not spec.published:
            continue
        n = patients or spec.patients
        res = (results or {}).get(name)
        run = res.summary["run"] if res is not None else {}
        if res is None or res.seed != seed or run["patients"] != n or res.spec.sha256 != spec.with_patients(n).sha256 \
                or run.get("population_overrides") or run.get("network_parameters"):
            res = run_trial(spec, seed=seed, patients=patients, progress=progress)
        frames.append(compare(res))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
