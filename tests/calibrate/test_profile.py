"""Profile likelihoods on the synthetic problem (_synthetic.py).

Known answers: with noise (σ = 0.05) k1 and k2 are identifiable (the profile crosses 3.84 on both
sides). With ``s`` and ``a0`` both estimated only their product enters ``obs_B = s·B`` (B is
proportional to a0), so the profile of ``s`` is flat up to the bounds on both sides: structurally,
hence practically, non-identifiable.
"""

from __future__ import annotations

import numpy as np
import pytest

from _synthetic import TRUE, write_problem
from mtorsim._errors import InputError
from mtorsim.calibrate import ProfileResult, calibrate, profile


def test_identifiable_parameters_cross_the_threshold_on_both_sides(tmp_path):
    problem = write_problem(tmp_path / "p", noise=0.05, seed=2)
    res = calibrate(problem, starts=3, progress=False)
    prof = profile(problem, res, parameters=["k1"])
    v = prof.verdicts.set_index("parameter").loc["k1"]
    assert v["verdict"] == "identifiable"
    assert v["lower_ci"] < v["best"] < v["upper_ci"]
    assert v["lower_ci"] < TRUE["k1"] < v["upper_ci"]  # the truth lies inside the 95 % interval here
    assert prof.threshold == pytest.approx(3.841, abs=1e-3)
    d = prof.profiles[prof.profiles["parameter"] == "k1"]
    assert d["delta"].min() > -1e-6 and d["delta"].max() > prof.threshold
    prof.save(tmp_path / "prof")
    back = ProfileResult.load(tmp_path / "prof")
    assert list(back.verdicts["verdict"]) == list(prof.verdicts["verdict"])


def test_a_product_of_parameters_is_reported_non_identifiable(tmp_path):
    problem = write_problem(tmp_path / "p", estimate=("k1", "k2", "a0", "s"), wide=("a0",))  # a0 = 3/s in bounds
    res = calibrate(problem, starts=1, seed=1, progress=False)
    # a fixed grid of offsets (log10) reaching both bounds keeps this fast; step control is tested above
    prof = profile(problem, res, parameters=["s"], grid=[-1.0, -2.5, 1.5, 3.5])
    v = prof.verdicts.set_index("parameter").loc["s"]
    assert v["verdict"] == "practically non-identifiable (both sides)"
    assert np.isnan(v["lower_ci"]) and np.isnan(v["upper_ci"])
    import matplotlib

    matplotlib.use("Agg")
    ax = prof.plot("s")
    assert "non-identifiable" in ax.get_title()
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_profile_rejects_unknown_parameters(synthetic):
    res = calibrate(synthetic, starts=1, progress=False)
    with pytest.raises(InputError, match="estimated parameter"):
        profile(synthetic, res, parameters=["nope"])
