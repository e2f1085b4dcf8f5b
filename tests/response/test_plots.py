"""Plot helpers: ax=None makes a figure, a given ax is used and returned."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mtorsim._errors import InputError  # noqa: E402
from mtorsim.response import (  # noqa: E402
    GRFit,
    HillFit,
    gr_curve,
    hill_curve,
    plot_dose_response,
    plot_gr_curve,
    plot_isobologram,
    plot_response_surface,
    plot_synergy,
    synergy,
)

D = np.r_[0.0, np.logspace(0, 3, 5)]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _loewe():
    fa = lambda d: hill_curve(d, e0=0, einf=1, ec50=20, hill=1)  # noqa: E731
    fb = lambda d: hill_curve(d, e0=0, einf=1, ec50=60, hill=1.5)  # noqa: E731
    rows = [(a, b, (1 - fa(a)) * (1 - fb(b))) for a in D for b in D]
    return synergy(pd.DataFrame(rows, columns=["dose_a_nM", "dose_b_nM", "effect"]), method="loewe",
                   effect_scale="viability")


def test_each_plot_returns_given_or_new_axes():
    c = np.logspace(0, 4, 9)
    hf = HillFit().fit(c, hill_curve(c, e0=1, einf=0.1, ec50=100, hill=1))
    gf = GRFit().fit(c, gr_curve(c, grinf=-0.3, gec50=100, hill=1))
    res = _loewe()
    calls = [
        lambda ax: plot_dose_response(hf, ax=ax),
        lambda ax: plot_gr_curve(gf, c, gr_curve(c, grinf=-0.3, gec50=100, hill=1), ax=ax),
        lambda ax: plot_response_surface(res.observed, ax=ax),
        lambda ax: plot_synergy(res, ax=ax),
        lambda ax: plot_isobologram(res, 0.5, ax=ax),
    ]
    for call in calls:
        _, ax = plt.subplots()
        assert call(ax) is ax
        assert call(None) is not None


def test_isobologram_needs_loewe():
    rows = [(a, b, 1.0) for a in D for b in D]
    res = synergy(pd.DataFrame(rows, columns=["dose_a_nM", "dose_b_nM", "effect"]), method="bliss",
                  effect_scale="viability")
    with pytest.raises(InputError, match="Loewe"):
        plot_isobologram(res, 0.5)
