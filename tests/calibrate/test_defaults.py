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


def test_a_few_iterations_lower_the_training_objective_toward_the_adopted_values(shared_data):
    """The protocol starts from the literature values, whatever the network holds now; three iterations
    lower its objective and move toward the adopted defaults (the full run: docs/defaults.md)."""
    res = D.calibrate_defaults(starts=1, max_nfev=3, data_path=shared_data)
    x0 = D.prior_log10()
    data = D.DefaultsData.load(shared_data)
    cost0 = 0.5 * float(np.sum(D.evaluate(x0, data, split="train").residuals ** 2))
    assert res.starts.loc[0, "cost"] < cost0
    assert set(res.after["split"]) == {"train", "holdout"}
    adopted = D.nominal_log10()
    assert np.linalg.norm(res.x_best - adopted) < np.linalg.norm(x0 - adopted)


def test_network_defaults_are_the_adopted_calibration(data):
    """Every fitted parameter of the network says so and names its literature prior (= LITERATURE); at the
    adopted values neither held-out set (Imoto SK-BR-3, Nelander gefitinib pairs) is predicted worse than at
    the literature values, held-out sign agreement is not lower, and the evidence penalties hold."""
    import re

    from mtorsim.model import build_network
    net = build_network()
    for k in D.FITTED:
        src = net.parameters[k].source
        assert src.startswith("fitted to Imoto 2022 + Nelander 2008"), (k, src)
        prior = float(re.search(r"prior θ₀ = ([0-9.eE+-]+)", src).group(1))
        assert prior == pytest.approx(D.LITERATURE[k]), k
    assert not np.allclose(D.nominal_log10(), D.prior_log10())
    lit = D.fit_summary(D.evaluate(D.prior_log10(), data, split="holdout")).set_index("dataset")
    ev = D.evaluate(D.nominal_log10(), data, split="all")
    new = D.fit_summary(ev)
    new = new[new.split == "holdout"].set_index("dataset")
    assert (new["rmse"] <= lit["rmse"] + 1e-9).all(), (new, lit)
    assert new.loc["Nelander 2008", "sign_agreement"] >= lit.loc["Nelander 2008", "sign_agreement"]
    assert ev.penalties["holds"].all(), ev.penalties


def test_cross_validation_folds_partition_the_training_rows(data):
    rows = D.evaluate(D.prior_log10(), data, split="train").rows
    masks = [D._fold_mask(rows, k) for k in range(3)]
    assert (np.sum(masks, axis=0) == 1).all()          # disjoint and covering
    for k, m in enumerate(masks):
        imoto = rows[m & (rows.dataset == "Imoto 2022").to_numpy()]
        assert set(imoto["condition"].str.split().str[0]) == {D.IMOTO_TRAIN[k]}
        assert 3 <= (rows[m].dataset == "Nelander 2008").sum() / 5 <= 4


def test_cross_validation_scores_left_out_folds(shared_data):
    """One short fit per fold (2 evaluations): a row per fold for the literature values and for the
    candidate, the literature rows score the left-out rows at the prior, and the fit moved."""
    cv = D.cross_validate([(0.25, 0.3)], max_nfev=2, data_path=shared_data)
    assert len(cv) == 6 and sorted(cv["fold"].unique()) == [0, 1, 2]
    lit = cv[cv["prior_sd"].isna()].set_index("fold")
    fitted = cv[cv["prior_sd"] == 0.25].set_index("fold")
    assert np.allclose(lit["score"], (lit["imoto_rmse"] + lit["nelander_rmse"]) / 2)
    assert not np.allclose(fitted["score"], lit["score"])
    assert cv[["imoto_rmse", "nelander_rmse"]].gt(0).all().all()
