"""Uncertainty: posterior ensembles by adaptive Metropolis sampling, and prediction bands from them.

:func:`sample` draws parameter vectors from the posterior ``p(θ | data) ∝ exp(−f(x))`` of a PEtab
problem (``f`` the negative log-posterior of :class:`~mtorsim.calibrate.Objective`, on the parameter
scale ``x``, flat within the parameter table's bounds) with the adaptive Metropolis algorithm of
Haario, Saksman & Tamminen (2001, Bernoulli 7:223–242):

* a Gaussian random-walk proposal around the current point, with covariance ``C₀`` for the first
  ``adapt_after`` iterations (a Gauss–Newton Laplace approximation at the start point where the problem
  is a least-squares one, else ``diag(init_scale²)``; :class:`SamplingSettings`), then ``C_t = s_d (Cov(x₀ … x_{t−1}) + ε I)`` with
  ``s_d = 2.4²/d`` (the running covariance of the chain's own history, updated recursively);
* proposals outside the bounds, or where the model cannot be simulated, are rejected.

Chains start at the best fit (chain 0 exactly there, the others jittered by ``N(0, init_scale²)`` on
the parameter scale, drawn from ``default_rng([seed, c, 1])``, and clipped to the bounds, so that the
Gelman–Rubin statistic can see chains that disagree). Chain ``c`` draws from
``numpy.random.default_rng([seed, c])``; chains may run in parallel processes (``n_workers``) with
the same draws. After discarding the burn-in:

* split-R̂ (Gelman et al., Bayesian Data Analysis 3rd ed., §11.4): chains cut in halves; ``R̂ ≤ 1.1``
  is the usual threshold for "the chains agree";
* effective sample size per parameter (autocorrelations up to Geyer's initial positive sequence,
  summed over chains).

:func:`predict_bands` pushes ensemble members through predictions (time courses with
:func:`mtorsim.simulate_many`, the PEtab problem's own simulation table, signalling dose-response with
its IC50, or any function of a parameter vector: the hook for trial outcomes) and returns quantile
bands as an :class:`xarray.Dataset` with a ``quantile`` dimension.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .._errors import InputError, MtorsimError
from .._version import versions
from ..simulate._engine import parameter_set_id
from ._objective import Objective, to_linear

__all__ = ["Ensemble", "SamplingSettings", "plot_bands", "predict_bands", "sample"]

HAARIO = "Haario, Saksman & Tamminen (2001) An adaptive Metropolis algorithm. Bernoulli 7:223-242"


@dataclass(frozen=True)
class SamplingSettings:
    """Settings of :func:`sample` (validated when built).

    Parameters
    ----------
    n_samples : iterations per chain, burn-in included.
    chains : number of chains.
    seed : chain ``c`` draws from ``default_rng([seed, c])``.

    Expert knobs
    ------------
    burn_in : fraction of each chain discarded before diagnostics and predictions.
    adapt_after : iterations with the fixed proposal ``C₀`` before the covariance adapts (``t₀``).
    init_scale : SD of the initial proposal and of the chains' start jitter, on the parameter scale
        (0.05 on log10 ≈ 12 %).
    epsilon : regularisation ``ε`` of the adapted covariance.
    thin : keep every ``thin``-th draw after the burn-in.
    initial_covariance : ``laplace`` — ``C₀ = s_d (JᵀJ + I/init_scale²)⁻¹`` with ``J`` the Jacobian of the
        noise-normalised residuals at the start point (a Gauss–Newton Laplace approximation, with
        ``init_scale`` bounding the directions the data do not pin down); used where the objective is a
        least-squares one (normal noise with fixed σ, Gaussian or uniform priors), else ``diagonal``;
        ``diagonal`` — ``C₀ = diag(init_scale²)``.
    """

    n_samples: int = 2000
    chains: int = 4
    seed: int = 0
    burn_in: float = 0.5
    adapt_after: int = 100
    init_scale: float = 0.05
    epsilon: float = 1e-10
    thin: int = 1
    initial_covariance: str = "laplace"

    def __post_init__(self) -> None:
        for name, low in (("n_samples", 10), ("chains", 1), ("adapt_after", 1), ("thin", 1)):
            v = getattr(self, name)
            if not (isinstance(v, int) and not isinstance(v, bool) and v >= low):
                raise InputError(name, v, f"an integer >= {low}")
        if not (isinstance(self.seed, int) and not isinstance(self.seed, bool) and self.seed >= 0):
            raise InputError("seed", self.seed, "a non-negative integer")
        if not (isinstance(self.burn_in, (int, float)) and 0 <= self.burn_in < 1):
            raise InputError("burn_in", self.burn_in, "a fraction in [0, 1)")
        if self.initial_covariance not in ("laplace", "diagonal"):
            raise InputError("initial_covariance", self.initial_covariance, "'laplace' or 'diagonal'")
        for name in ("init_scale", "epsilon"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and v > 0 and math.isfinite(v)):
                raise InputError(name, v, "a positive number")


# -- diagnostics ----------------------------------------------------------------------------------------

def split_rhat(chains: np.ndarray) -> float:
    """Split-R̂ of one parameter, ``chains`` of shape (n_chains, n_draws) (BDA3 §11.4)."""
    n = chains.shape[1] // 2
    if n < 2:
        return float("nan")
    halves = np.concatenate([chains[:, :n], chains[:, -n:]], axis=0)
    means = halves.mean(axis=1)
    w = halves.var(axis=1, ddof=1).mean()
    b = n * means.var(ddof=1)
    if w <= 0:
        return float("nan") if b <= 0 else float("inf")
    return float(math.sqrt(((n - 1) / n * w + b / n) / w))


def effective_sample_size(chains: np.ndarray) -> float:
    """ESS of one parameter summed over chains, each ``n / (1 + 2 Σ ρ_k)`` with the autocorrelations
    summed in pairs up to Geyer's initial positive sequence."""
    total = 0.0
    for x in np.atleast_2d(chains):
        n = len(x)
        x = x - x.mean()
        var = float(np.dot(x, x) / n)
        if n < 4 or var <= 0:
            continue
        f = np.fft.rfft(x, 2 * n)
        acf = np.fft.irfft(f * np.conj(f))[:n] / (n * var)
        tau = -1.0
        for k in range(0, n - 1, 2):
            pair = acf[k] + acf[k + 1]
            if pair <= 0:
                break
            tau += 2 * pair
        total += n / max(tau, 1e-12)
    return float(total)


# -- the ensemble ---------------------------------------------------------------------------------------

class Ensemble:
    """Posterior draws of a PEtab problem's estimated parameters (final class; from :func:`sample` or
    :meth:`load`).

    Attributes
    ----------
    samples : every iteration: ``chain``, ``iteration``, ``logpost`` (−f), ``accepted`` and
        ``x:<id>`` on the parameter scale.
    ids, scales, units : estimated parameters.
    burn_in : iterations discarded per chain.
    settings : the :class:`SamplingSettings`; ``starts`` the chains' start points (scaled).
    id : ``ens-`` + a hash of the draws and settings.
    """

    def __init__(self, samples: pd.DataFrame, *, ids: Sequence[str], scales: Sequence[str], units: Sequence[str],
                 settings: SamplingSettings, problem: str, starts: np.ndarray, wall_time_s: float = float("nan"),
                 versions_: dict | None = None, created: str = ""):
        self.samples = samples
        self.ids, self.scales, self.units = list(ids), list(scales), list(units)
        self.settings = settings
        self.problem = problem
        self.starts = np.asarray(starts, dtype=float)
        self.wall_time_s = wall_time_s
        self.versions = dict(versions_ or versions())
        self.created = created or datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.burn_in = int(settings.burn_in * settings.n_samples)
        self.initial_covariance = settings.initial_covariance  # what was used: set by sample() / load()
        h = hashlib.sha256(np.ascontiguousarray(samples[self.columns].to_numpy(float)).tobytes())
        h.update(json.dumps(asdict(settings), sort_keys=True).encode())
        self.id = "ens-" + h.hexdigest()[:12]

    @property
    def columns(self) -> list[str]:
        return [f"x:{p}" for p in self.ids]

    def _kept(self) -> pd.DataFrame:
        s = self.samples
        kept = s[s["iteration"] >= self.burn_in]
        return kept[(kept["iteration"] - self.burn_in) % self.settings.thin == 0]

    def chains(self) -> np.ndarray:
        """Kept draws on the parameter scale, shape (chains, draws, parameters)."""
        kept = self._kept().sort_values(["chain", "iteration"])
        n_ch = self.settings.chains
        return kept[self.columns].to_numpy(float).reshape(n_ch, -1, len(self.ids))

    @property
    def posterior(self) -> pd.DataFrame:
        """Kept draws (after burn-in and thinning) on the linear scale, one column per parameter."""
        x = self.chains().reshape(-1, len(self.ids))
        lin = np.array([to_linear(row, tuple(self.scales)) for row in x])
        return pd.DataFrame(lin, columns=self.ids)

    @property
    def diagnostics(self) -> pd.DataFrame:
        """Per parameter: posterior mean, SD and 2.5/50/97.5 % quantiles (linear scale), split-R̂ and ESS."""
        ch = self.chains()
        post = self.posterior
        rows = []
        for j, pid in enumerate(self.ids):
            v = post[pid].to_numpy()
            rows.append({"parameter": pid, "unit": self.units[j], "mean": v.mean(), "sd": v.std(ddof=1),
                         "q2.5": np.quantile(v, 0.025), "median": np.median(v), "q97.5": np.quantile(v, 0.975),
                         "rhat": split_rhat(ch[:, :, j]), "ess": effective_sample_size(ch[:, :, j])})
        return pd.DataFrame(rows)

    @property
    def acceptance(self) -> pd.Series:
        """Acceptance rate of each chain (after burn-in); 0.1-0.5 is the usual healthy range."""
        kept = self.samples[self.samples["iteration"] >= self.burn_in]
        return kept.groupby("chain")["accepted"].mean()

    def converged(self, rhat: float = 1.1, ess: float = 100.0) -> bool:
        """Whether every parameter has ``R̂ ≤ rhat`` and an ESS of at least ``ess``."""
        d = self.diagnostics
        return bool((d["rhat"] <= rhat).all() and (d["ess"] >= ess).all())

    @property
    def summary(self) -> pd.DataFrame:
        d = self.diagnostics
        return pd.DataFrame([{"ensemble_id": self.id, "problem": self.problem, "chains": self.settings.chains,
                              "iterations": self.settings.n_samples, "burn_in": self.burn_in,
                              "kept_draws": len(self.posterior), "max_rhat": float(d["rhat"].max()),
                              "min_ess": float(d["ess"].min()), "mean_acceptance": float(self.acceptance.mean()),
                              "seed": self.settings.seed, "sampler": "adaptive Metropolis (" + HAARIO + ")",
                              "wall_time_s": self.wall_time_s}])

    def members(self, n: int | None = None, seed: int = 0) -> pd.DataFrame:
        """Parameter sets for predictions: ``n`` kept draws picked without replacement by
        ``default_rng(seed)`` (all if ``n`` is None), linear scale, labelled ``member`` (``c<chain>-i<iteration>``,
        unique) with the ``parameter_set_id`` of the values (repeated when a chain stayed put: a
        Metropolis chain repeats a point in proportion to its posterior weight)."""
        kept = self._kept().sort_values(["chain", "iteration"])
        post = self.posterior
        post.insert(0, "member", [f"c{c}-i{i}" for c, i in zip(kept["chain"], kept["iteration"])])
        if n is not None:
            if not (isinstance(n, int) and n >= 1):
                raise InputError("n", n, "a positive integer")
            idx = np.sort(np.random.default_rng(seed).choice(len(post), size=min(n, len(post)), replace=False))
            post = post.iloc[idx]
        post = post.reset_index(drop=True)
        post.insert(1, "parameter_set_id", [parameter_set_id(dict(zip(self.ids, map(float, r))))
                                            for r in post[self.ids].to_numpy()])
        return post

    # -- files --------------------------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write ``ensemble.json`` (id, problem, settings, seeds, start points, versions) and
        ``samples.tsv`` into ``folder``; :meth:`load` reads them back."""
        from .._io import write_text_atomic

        folder = Path(folder)
        meta = {"id": self.id, "problem": self.problem, "settings": asdict(self.settings),
                "chain_seeds": [[self.settings.seed, c] for c in range(self.settings.chains)],
                "starts": self.starts.tolist(), "ids": self.ids, "scales": self.scales, "units": self.units,
                "wall_time_s": self.wall_time_s, "versions": self.versions, "created": self.created,
                "sampler": HAARIO, "initial_covariance": self.initial_covariance}
        write_text_atomic(folder / "ensemble.json", json.dumps(meta, indent=1))
        write_text_atomic(folder / "samples.tsv", self.samples.to_csv(sep="\t", index=False, float_format="%.17g"))
        write_text_atomic(folder / "diagnostics.tsv", self.diagnostics.to_csv(sep="\t", index=False))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "Ensemble":
        folder = Path(folder)
        path = folder / "ensemble.json"
        if not path.is_file():
            raise InputError("folder", str(folder), "a folder written by Ensemble.save (ensemble.json)")
        meta = json.loads(path.read_text())
        samples = pd.read_csv(folder / "samples.tsv", sep="\t", float_precision="round_trip")
        ens = cls(samples, ids=meta["ids"], scales=meta["scales"], units=meta["units"],
                  settings=SamplingSettings(**meta["settings"]), problem=meta["problem"],
                  starts=np.asarray(meta["starts"]), wall_time_s=meta.get("wall_time_s", float("nan")),
                  versions_=meta.get("versions"), created=meta.get("created", ""))
        ens.initial_covariance = meta.get("initial_covariance", ens.initial_covariance)
        if ens.id != meta["id"]:
            raise MtorsimError(f"{folder}: the samples do not match the ensemble id {meta['id']} (edited files?)")
        return ens

    def plot_traces(self, axes=None):
        """Trace of each parameter (scaled) per chain, burn-in shaded; returns the axes."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(len(self.ids), 1, figsize=(7, 1.6 * len(self.ids)), sharex=True, squeeze=False)
            axes = axes[:, 0]
        for ax, pid in zip(axes, self.ids):
            for c, g in self.samples.groupby("chain"):
                ax.plot(g["iteration"], g[f"x:{pid}"], lw=0.6, label=f"chain {c}")
            ax.axvspan(0, self.burn_in, color="0.9")
            ax.set_ylabel(f"{pid}\n({self.scales[self.ids.index(pid)]})", fontsize=8)
        axes[-1].set_xlabel("iteration")
        return axes

    def __repr__(self) -> str:
        return (f"Ensemble({self.id}: {self.settings.chains} chains × {self.settings.n_samples}, "
                f"{len(self.ids)} parameters, problem {Path(self.problem).name})")


# -- sampling -------------------------------------------------------------------------------------------

def initial_covariance(obj: Objective, x0: np.ndarray, s: SamplingSettings) -> tuple[np.ndarray, str]:
    """``C₀`` of the proposal and how it was made (see :attr:`SamplingSettings.initial_covariance`)."""
    d = len(x0)
    diag = np.diag(np.full(d, s.init_scale ** 2))
    if s.initial_covariance == "diagonal":
        return diag, "diagonal"
    try:
        obj.check_least_squares()
        J = obj.residual_jacobian(np.asarray(x0, float))
        if not np.all(np.isfinite(J)) or np.any(np.abs(J) >= 1e9):
            return diag, "diagonal (the residual Jacobian is not finite at the start point)"
        cov = (2.4 ** 2 / d) * np.linalg.inv(J.T @ J + np.eye(d) / s.init_scale ** 2)
        np.linalg.cholesky(cov)
        return cov, "laplace"
    except (InputError, np.linalg.LinAlgError) as exc:
        return diag, f"diagonal ({str(exc).splitlines()[0][:120]})"


def _chain(obj: Objective, x0: np.ndarray, n: int, rng: np.random.Generator, s: SamplingSettings,
           lower: np.ndarray, upper: np.ndarray, c0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = len(x0)
    sd = 2.4 ** 2 / d
    c0 = np.diag(np.full(d, s.init_scale ** 2)) if c0 is None else c0
    x = x0.copy()
    lp = -obj(x)
    if not math.isfinite(lp):
        raise InputError("start", list(x0), "a point where the objective is finite: " + obj.failure(x0))
    xs, lps, acc = np.empty((n, d)), np.empty(n), np.zeros(n, dtype=bool)
    mean, m2 = x.copy(), np.zeros((d, d))  # running mean and co-moment of the chain's history (Welford)
    for t in range(n):
        if t < s.adapt_after:
            cov = c0
        else:
            cov = sd * (m2 / t + s.epsilon * np.eye(d))  # sample covariance of the t + 1 points so far
        try:
            chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            chol = np.linalg.cholesky(c0)
        y = x + chol @ rng.standard_normal(d)
        u = rng.random()
        if np.all(y >= lower) and np.all(y <= upper):
            lpy = -obj(y)
            if math.isfinite(lpy) and math.log(max(u, 1e-300)) < lpy - lp:
                x, lp, acc[t] = y, lpy, True
        xs[t], lps[t] = x, lp
        k = t + 2  # points in the history including x0
        delta = x - mean
        mean = mean + delta / k
        m2 = m2 + np.outer(delta, x - mean)
    return xs, lps, acc


def _worker_chain(problem: str, x0: np.ndarray, c: int, s: SamplingSettings, c0: np.ndarray) -> tuple:
    obj = Objective(problem, gradient="fd", lint=False)
    return _chain(obj, x0, s.n_samples, np.random.default_rng([s.seed, c]), s,
                  np.asarray(obj.lower, float), np.asarray(obj.upper, float), c0)


def sample(problem: str | Path | Any, *, start: Any = None, n_samples: int = 2000, chains: int = 4, seed: int = 0,
           out: str | Path | None = None, progress: bool = True, settings: SamplingSettings | None = None,
           objective: Objective | None = None, n_workers: int = 1) -> Ensemble:
    """Sample the posterior of a PEtab problem's estimated parameters by adaptive Metropolis.

    Parameters
    ----------
    problem : the problem's YAML file (or a ``petab.v1.Problem``).
    start : where the chains start: a :class:`~mtorsim.calibrate.CalibrationResult` (its best fit), a
        folder written by :func:`~mtorsim.calibrate.calibrate`, a vector on the parameter scale, or None
        (the nominal values).
    n_samples, chains, seed : iterations per chain (burn-in included), number of chains, seed (chain
        ``c`` draws from ``default_rng([seed, c])``).
    out : folder to save the ensemble in (``ensemble.json``, ``samples.tsv``, ``diagnostics.tsv``).
    progress : a progress bar (Rich).
    n_workers : chains run in parallel in this many local processes (spawned; the problem must be a
        file). The draws do not depend on it.

    Expert knobs
    ------------
    settings : :class:`SamplingSettings` (burn-in, adaptation start, initial scale, thinning);
        ``n_samples``, ``chains`` and ``seed`` given here win.
    objective : an :class:`~mtorsim.calibrate.Objective` of ``problem`` to reuse.

    Returns
    -------
    Ensemble
        Draws, diagnostics (split-R̂, ESS, acceptance), ``members()`` for predictions; a
        :class:`UserWarning`-free run does not mean convergence: read ``ensemble.diagnostics``.

    Examples
    --------
    >>> fit = calibrate("Fujita_SciSignal2010.yaml", starts=20)                  # doctest: +SKIP
    >>> ens = sample("Fujita_SciSignal2010.yaml", start=fit, n_samples=4000)    # doctest: +SKIP
    >>> ens.diagnostics                                                          # doctest: +SKIP
    """
    from ._fit import CalibrationResult

    base = settings or SamplingSettings()
    if not isinstance(base, SamplingSettings):
        raise InputError("settings", base, "a SamplingSettings")
    s = SamplingSettings(**{**asdict(base), "n_samples": n_samples, "chains": chains, "seed": seed})
    obj = objective or Objective(problem, gradient="fd")
    if isinstance(start, (str, Path)) and Path(start).is_dir():
        start = CalibrationResult.load(start)
    if isinstance(start, CalibrationResult):
        if list(start.ids) != list(obj.ids):
            raise InputError("start", list(start.ids), f"a calibration of the same parameters ({', '.join(obj.ids)})")
        x0 = start.best_x
    elif start is None:
        x0 = np.asarray(obj.nominal, dtype=float)
    else:
        x0 = np.asarray(start, dtype=float)
        if x0.shape != (len(obj.ids),):
            raise InputError("start", x0.shape, f"a vector of {len(obj.ids)} values on the parameter scale")
    lower, upper = np.asarray(obj.lower, float), np.asarray(obj.upper, float)
    if not (np.all(x0 >= lower) and np.all(x0 <= upper)):
        raise InputError("start", list(x0), "a point within the parameter table's bounds (parameter scale)")
    if not (isinstance(n_workers, int) and not isinstance(n_workers, bool) and n_workers >= 1):
        raise InputError("n_workers", n_workers, "a positive integer")
    if n_workers > 1 and not isinstance(problem, (str, Path)):
        raise InputError("problem", type(problem).__name__, "a PEtab YAML file for n_workers > 1")
    # start points: chain 0 at the best fit, the others jittered (from a generator of their own, so that
    # a chain's draws depend only on the seed and its index)
    starts = []
    for c in range(s.chains):
        jitter = np.random.default_rng([s.seed, c, 1]).standard_normal(len(x0))
        xc = x0.copy() if c == 0 else np.clip(x0 + s.init_scale * jitter, lower, upper)
        starts.append(xc if c == 0 or math.isfinite(obj(xc)) else x0.copy())
    c0, how = initial_covariance(obj, x0, s)
    bar = None
    if progress:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(TextColumn("sampling"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        bar.start()
        task = bar.add_task("chains", total=s.chains)
    t0 = time.perf_counter()
    results: dict[int, tuple] = {}
    try:
        if n_workers == 1:
            for c in range(s.chains):
                results[c] = _chain(obj, starts[c], s.n_samples, np.random.default_rng([s.seed, c]), s, lower, upper,
                                    c0)
                if bar is not None:
                    bar.update(task, advance=1)
        else:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor, as_completed

            path = str(Path(problem).resolve())
            with ProcessPoolExecutor(max_workers=n_workers, mp_context=mp.get_context("spawn")) as pool:
                futures = {pool.submit(_worker_chain, path, starts[c], c, s, c0): c for c in range(s.chains)}
                for fut in as_completed(futures):
                    results[futures[fut]] = fut.result()
                    if bar is not None:
                        bar.update(task, advance=1)
    finally:
        if bar is not None:
            bar.stop()
    frames = []
    for c in range(s.chains):
        xs, lps, acc = results[c]
        df = pd.DataFrame(xs, columns=[f"x:{p}" for p in obj.ids])
        df.insert(0, "accepted", acc)
        df.insert(0, "logpost", lps)
        df.insert(0, "iteration", np.arange(s.n_samples))
        df.insert(0, "chain", c)
        frames.append(df)
    ens = Ensemble(pd.concat(frames, ignore_index=True), ids=obj.ids, scales=obj.scales, units=obj.units, settings=s,
                   problem=str(Path(problem).resolve()) if isinstance(problem, (str, Path)) else obj.source,
                   starts=np.array(starts), wall_time_s=time.perf_counter() - t0)
    ens.initial_covariance = how
    if out is not None:
        ens.save(out)
    return ens


# -- predictions ----------------------------------------------------------------------------------------

def _quantiles(stack: xr.Dataset | xr.DataArray, q: Sequence[float]) -> xr.Dataset | xr.DataArray:
    out = stack.quantile(list(q), dim="member", skipna=True)
    return out


def predict_bands(ensemble: Ensemble, *, kind: str = "timecourse", cell: str = "MCF7",
                  drugs: str | Sequence[str] = "", hours: float | None = None, n_points: int = 25,
                  observables: Sequence[str] | None = None, normalize: str = "cell",
                  doses: Sequence[float] | None = None, drug: str | None = None,
                  fn: Callable[[dict[str, float]], Any] | None = None,
                  quantiles: Sequence[float] = (0.05, 0.5, 0.95), n_members: int | None = 50, seed: int = 0,
                  backend: str = "serial", n_workers: int | None = None) -> xr.Dataset:
    """Quantile bands of predictions over ensemble members.

    Parameters
    ----------
    ensemble : an :class:`Ensemble` (from :func:`sample`).
    kind :
        * ``timecourse`` — :func:`mtorsim.simulate_many` of ``cell`` under each ``drugs`` spec
          (``"everolimus=10nM"``; a list gives a ``treatment`` dimension) over ``hours`` with the
          members' values for the model parameters they contain (the problem must name mtorsim
          parameters, as :func:`~mtorsim.calibrate.export_petab` problems do); ``normalize`` as in
          ``simulate``. Bands over ``treatment × time``.
        * ``petab`` — the PEtab problem's own simulation table (one band per measurement row), with the
          measurements alongside: a posterior predictive check of the fit.
        * ``dose_response`` — the signalling response of ``observables`` at ``hours`` to ``drug`` over
          ``doses`` (nM), normalised to the untreated cell, with a Hill fit per member: bands of the
          curve and of the ``IC50_nM`` of each observable (NaN when the response does not fall to half).
        * ``gr`` — a virtual growth screen of ``cell`` against ``drug`` over ``doses`` (nM) for ``hours``
          (default 72 h, the assay length; 24 h for the other kinds) through the fate layer, per member: bands of the GR curve
          and of GR50 (nM), GRmax and GR_AOC (Hafner et al. 2016 metrics, ``response.GRFit``).
        * ``function`` — ``fn(parameters) -> mapping | DataArray | Dataset`` for each member (linear
          values by parameter id): the hook for any other prediction (trial outcomes, GR50 from a
          screen); numbers become variables, arrays keep their dimensions.
    quantiles : the band's quantiles (default 5 %, median, 95 %).
    n_members, seed : members drawn without replacement from the kept draws (``Ensemble.members``).

    Returns
    -------
    xarray.Dataset
        The variables with a leading ``quantile`` dimension; ``attrs``: ensemble id, member ids, seed,
        kind, versions.
    """
    if not isinstance(ensemble, Ensemble):
        raise InputError("ensemble", type(ensemble).__name__, "an Ensemble (mtorsim.calibrate.sample)")
    kinds = ("timecourse", "petab", "dose_response", "gr", "function")
    if kind not in kinds:
        raise InputError("kind", kind, f"one of {', '.join(kinds)}")
    q = [float(v) for v in quantiles]
    if not q or any(not 0 <= v <= 1 for v in q):
        raise InputError("quantiles", quantiles, "numbers between 0 and 1")
    if hours is None:   # signalling predictions: 24 h; a growth screen: the 72-h assay
        from ..fate._assay import ASSAY_HOURS
        hours = ASSAY_HOURS if kind == "gr" else 24.0
    members = ensemble.members(n_members, seed=seed)
    ids = list(members["member"])
    params = [dict(zip(ensemble.ids, map(float, r))) for r in members[ensemble.ids].to_numpy()]
    if kind == "function":
        if fn is None or not callable(fn):
            raise InputError("fn", fn, "a function of a {parameter: value} dict (kind='function')")
        outs = []
        for p in params:
            r = fn(dict(p))
            if isinstance(r, Mapping):
                r = xr.Dataset({str(k): float(v) for k, v in r.items()})
            elif isinstance(r, xr.DataArray):
                r = r.to_dataset(name=r.name or "value")
            elif not isinstance(r, xr.Dataset):
                raise InputError("fn", type(r).__name__, "a function returning a mapping, DataArray or Dataset")
            outs.append(r)
        stack = xr.concat(outs, dim="member")
    elif kind == "petab":
        stack = _petab_members(ensemble, params)
    else:
        model_params = _model_parameters(ensemble, params)
        if kind == "timecourse":
            stack = _timecourse_members(model_params, ids, cell, drugs, hours, n_points, observables, normalize,
                                        backend, n_workers)
        elif kind == "gr":
            stack = _gr_members(model_params, ids, cell, drug, doses, hours, backend, n_workers)
        else:
            stack = _dose_members(model_params, ids, cell, drug, doses, hours, observables, backend, n_workers)
    stack = stack.assign_coords(member=("member", ids))
    bands = _quantiles(stack, q)
    bands.attrs.update({"ensemble_id": ensemble.id, "members": ",".join(ids), "n_members": len(ids),
                        "member_seed": seed, "kind": kind, "problem": ensemble.problem,
                        **{f"version_{k}": v for k, v in versions().items()}})
    return bands


def _model_parameters(ensemble: Ensemble, params: list[dict[str, float]]) -> list[dict[str, float]]:
    from ..model import build_network

    names = build_network().parameters
    mp = [{k: v for k, v in p.items() if k in names} for p in params]
    if not mp or not mp[0]:
        raise InputError("ensemble", ensemble.id, "an ensemble of mtorsim model parameters (a problem from "
                         f"export_petab); its parameters are {', '.join(ensemble.ids)}: use kind='petab' or 'function'")
    return mp


def _timecourse_members(model_params, ids, cell, drugs, hours, n_points, observables, normalize, backend, n_workers):
    from ..simulate import simulate_many

    specs = [drugs] if isinstance(drugs, str) else list(drugs)
    rows = [{"cell": cell, "drugs": spec, "parameter_set": mid, "condition_id": f"{mid}|{j}"}
            for mid in ids for j, spec in enumerate(specs)]
    ds = simulate_many(pd.DataFrame(rows), hours=hours, n_points=n_points, normalize=normalize,
                       parameter_sets=dict(zip(ids, model_params)), backend=backend, n_workers=n_workers,
                       progress=False)
    keep = [v for v in ds.data_vars if "time" in ds[v].dims and ds[v].dtype.kind == "f"]
    if observables is not None:
        missing = [o for o in observables if o not in keep]
        if missing:
            raise InputError("observables", missing, f"variables of simulate_many ({', '.join(keep)})")
        keep = list(observables)
    data = {}
    for v in keep:
        arr = ds[v].to_numpy().reshape(len(ids), len(specs), -1)
        data[v] = (("member", "treatment", "time"), arr, dict(ds[v].attrs))
    return xr.Dataset(data, coords={"treatment": specs, "time": ds["time"].to_numpy()})


def _dose_members(model_params, ids, cell, drug, doses, hours, observables, backend, n_workers):
    from ..response import HillFit
    from ..simulate import simulate_many

    if not drug:
        raise InputError("drug", drug, "a drug name for kind='dose_response'")
    d = np.asarray(doses if doses is not None else np.logspace(-1, 4, 8), dtype=float)
    if d.ndim != 1 or len(d) < 4 or np.any(d <= 0) or not np.all(np.isfinite(d)):
        raise InputError("doses", doses, "at least four positive doses in nM")
    obs = list(observables or ["pS6_S235_236"])
    rows = [{"cell": cell, "drugs": f"{drug}={float(x)!r}nM", "parameter_set": mid} for mid in ids for x in d]
    ds = simulate_many(pd.DataFrame(rows), times=[0.0, float(hours)], normalize="cell",
                       parameter_sets=dict(zip(ids, model_params)), backend=backend, n_workers=n_workers,
                       progress=False)
    data = {}
    for o in obs:
        if o not in ds:
            raise InputError("observables", o, "an observable of the model")
        y = ds[o].isel(time=-1).to_numpy().reshape(len(ids), len(d))
        ic50 = np.full(len(ids), np.nan)
        for i in range(len(ids)):
            try:
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fit = HillFit(fix_e0=1.0).fit(d, y[i])
                ic50[i] = float(fit.ic50_)
            except Exception:  # noqa: BLE001 - a member whose response cannot be fitted stays NaN
                pass
        data[o] = (("member", "dose_nM"), y, {"units": "fold change over untreated", "hours": hours})
        data[f"IC50_nM:{o}"] = (("member",), ic50, {"units": "nM"})
    return xr.Dataset(data, coords={"dose_nM": ("dose_nM", d, {"units": "nM"})})


def _gr_members(model_params, ids, cell, drug, doses, hours, backend, n_workers):
    import warnings

    from ..response import GRFit
    from ..response._screen import run_wells

    if not drug:
        raise InputError("drug", drug, "a drug name for kind='gr'")
    d = np.asarray(doses if doses is not None else np.logspace(-1, 4, 8), dtype=float)
    if d.ndim != 1 or len(d) < 4 or np.any(d <= 0) or not np.all(np.isfinite(d)):
        raise InputError("doses", doses, "at least four positive doses in nM")
    h = float(hours)
    wells = pd.DataFrame([{"cell": cell, "drugs": f"{drug}={float(x)!r}nM", "parameter_set": mid} for mid in ids for x in d])
    res = run_wells(wells, hours=h, parameter_sets=dict(zip(ids, model_params)), backend=backend, n_workers=n_workers)
    gr = res["GR"].to_numpy(float).reshape(len(ids), len(d))
    metrics = {k: np.full(len(ids), np.nan) for k in ("GR50_nM", "GRmax", "GR_AOC")}
    for i in range(len(ids)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                g = GRFit().fit(d, gr[i])
            metrics["GR50_nM"][i], metrics["GRmax"][i], metrics["GR_AOC"][i] = float(g.gr50_), float(g.gr_max_), float(g.gr_aoc_)
        except Exception:  # noqa: BLE001 - a member whose curve cannot be fitted stays NaN
            pass
    data = {"GR": (("member", "dose_nM"), gr, {"units": "1", "hours": h})}
    data.update({k: (("member",), v, {"units": "nM" if k.endswith("_nM") else "1"}) for k, v in metrics.items()})
    return xr.Dataset(data, coords={"dose_nM": ("dose_nM", d, {"units": "nM"})})


def _petab_members(ensemble: Ensemble, params: list[dict[str, float]]) -> xr.Dataset:
    from ._petab import PetabEvaluator

    ev = PetabEvaluator(ensemble.problem, lint=False)
    sims = []
    for p in params:
        r = ev(p)
        sims.append(r.simulations["simulation"].to_numpy(float))
    meas = ev.measurements
    coords = {"row": np.arange(len(meas)), "observableId": ("row", meas["observableId"].astype(str).to_numpy()),
              "simulationConditionId": ("row", meas["simulationConditionId"].astype(str).to_numpy()),
              "time": ("row", meas["time"].to_numpy(float)),
              "measurement": ("row", meas["measurement"].to_numpy(float))}
    return xr.Dataset({"simulation": (("member", "row"), np.array(sims))}, coords=coords)


def plot_bands(bands: xr.Dataset, variable: str, *, x: str | None = None, ax=None, color: str = "C0", label: str = ""):
    """The band between the lowest and highest quantile with the median (or middle quantile) as a line;
    ``x`` defaults to ``time`` or ``dose_nM`` (log axis). Other dimensions must be selected first
    (``bands.sel(treatment=...)``). Returns the axes."""
    import matplotlib.pyplot as plt

    if variable not in bands:
        raise InputError("variable", variable, f"one of {', '.join(map(str, bands.data_vars))}")
    da = bands[variable]
    x = x or next((d for d in ("time", "dose_nM", "row") if d in da.dims), None)
    if x is None or set(da.dims) - {"quantile", x}:
        raise InputError("bands", list(da.dims), f"dimensions quantile and {x or 'time'} only; select the others first")
    own = ax is None
    if own:
        _, ax = plt.subplots(figsize=(5, 3.5))
    qs = list(da["quantile"].to_numpy())
    lo, hi = da.sel(quantile=min(qs)), da.sel(quantile=max(qs))
    mid = da.sel(quantile=qs[len(qs) // 2])
    xv = da[x].to_numpy()
    ax.fill_between(xv, lo, hi, color=color, alpha=0.25, lw=0,
                    label=f"{label} {100 * min(qs):g}-{100 * max(qs):g} %".strip())
    ax.plot(xv, mid, color=color, lw=1.5, label=f"{label} {100 * qs[len(qs) // 2]:g} %".strip())
    if x == "dose_nM":
        ax.set_xscale("log")
    if x == "row" and "measurement" in da.coords:
        ax.plot(xv, da["measurement"].to_numpy(), "k.", ms=3, label="data")
    xunit = bands[x].attrs.get("units", "h" if x == "time" else "")
    ax.set_xlabel(f"{x} ({xunit})" if xunit else x)
    unit = str(da.attrs.get("units", ""))
    ax.set_ylabel(variable + (f" ({unit})" if unit and len(unit) <= 25 else ""))
    ax.legend(fontsize=8)
    if own:
        ax.figure.tight_layout()
    return ax
