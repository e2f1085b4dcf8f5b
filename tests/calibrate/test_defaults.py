"""The calibration of the model's kinetic defaults (issue 5 §3): Imoto 2022 and Nelander 2008 with
evidence records as penalties (mtorsim.calibrate._defaults)."""

from __future__ import annotations

import numpy as np
import pytest

from mtorsim._errors import InputError
from mtorsim.calibrate import _defaults as D


@pytest.fixture(scope="module")
def data(shared_data):
    return D.DefaultsData.load(shared_data)


def test_every_fitted_name_is_a_model_parameter():
    from mtorsim.model import build_network
    net = build_network()
    assert set(D.FITTED) <= set(net.parameters)
    assert not set(D.NUISANCE) & set(net.parameters)


def test_network_values_satisfy_the_evidence_constraints(data):
    """The penalties are zero at the defaults: the same statements as tests/evidence (C01, C05, C11, C13)."""
    ev = D.evaluate(D.nominal_log10(), data, split="train")
    assert ev.penalties["holds"].all(), ev.penalties


def test_splits_are_disjoint_and_cover_the_data(data):
    x = D.nominal_log10()
    train = D.evaluate(x, data, split="train").rows
    hold = D.evaluate(x, data, split="holdout").rows
    assert set(hold["split"]) == {"holdout"} and set(train["split"]) == {"train"}
    # SK-BR-3 only in the held-out Imoto rows; the gefitinib pairs only in the held-out Nelander rows
    assert hold[hold.dataset == "Imoto 2022"]["condition"].str.startswith("SKBR3").all()
    assert not train["condition"].str.startswith("SKBR3").any()
    held = {int(c.split(":")[0]) for c in hold[hold.dataset == "Nelander 2008"]["condition"]}
    assert held == set(D.NELANDER_HOLDOUT)
    # 11 training Nelander conditions x 5 readouts; Imoto: 3 lines x 2 stimuli x 2 readouts x 6 times (t=0, 30..120 min)
    assert (train.dataset == "Nelander 2008").sum() == 55
    assert (train.dataset == "Imoto 2022").sum() == 3 * 2 * 2 * 6
    # the model's normalised values are in the data's ranges by construction
    assert train["model"].between(-1 - 1e-9, 1 + 1e-9).all()


def test_bad_split_is_refused(data):
    with pytest.raises(InputError, match="split"):
        D.evaluate(D.nominal_log10(), data, split="test")


def test_a_few_iterations_lower_the_training_objective(shared_data):
    res = D.calibrate_defaults(starts=1, max_nfev=3, data_path=shared_data)
    x0 = D.nominal_log10()
    data = D.DefaultsData.load(shared_data)
    cost0 = 0.5 * float(np.sum(D.evaluate(x0, data, split="train").residuals ** 2))
    assert res.starts.loc[0, "cost"] < cost0
    assert set(res.after["split"]) == {"train", "holdout"}
