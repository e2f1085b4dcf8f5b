"""Multi-start local optimisation of a PEtab problem: :func:`calibrate` and :class:`CalibrationResult`.

Each start ``i`` draws its start point from ``numpy.random.default_rng([seed, i])`` (the parameter
table's ``initializationPriorType`` where given, else uniform on the parameter scale within the
bounds), so a start's point depends only on the seed and its index: a rerun with more starts
extends a run, and a resumed run repeats nothing. Every finished start, failed or not, is written
atomically to ``out/starts/NNNN.json`` before the next result is collected.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._errors import InputError, MtorsimError
from .._io import write_text_atomic
from .._version import versions
from ..simulate._engine import parameter_set_id
from ..simulate._sbml import IntegratorOptions, SteadyStateOptions
from ._objective import FD_NOTE as _FD_TEMPLATE
from ._objective import SENSITIVITY_NOTE, Objective, to_linear

__all__ = ["CalibrationResult", "CalibrationSettings", "ParameterSet", "calibrate", "load_parameter_set",
           "save_parameter_set"]

OPTIMIZERS = ("L-BFGS-B", "trf")
GRADIENTS = ("sensitivities", "fd")
BACKENDS = ("serial", "processes", "dask")
#: what results say about finite-difference gradients at the default step (the fallback)
FD_NOTE = _FD_TEMPLATE.format(step=1e-5)
STORE_ENV = "MTORSIM_PARAMETER_SETS"


class CalibrationWarning(UserWarning):
    """Something about a calibration the user must know (finite-difference gradients, poor convergence)."""


@dataclass(frozen=True)
class CalibrationSettings:
    """Settings of a multi-start calibration (validated when built).

    Parameters
    ----------
    starts : number of local optimisations.
    seed : seed of the start points (start ``i`` uses ``default_rng([seed, i])``).
    optimizer : ``L-BFGS-B`` (bounded quasi-Newton on the negative log-posterior) or ``trf``
        (trust-region reflective least squares on the residuals; normal noise with fixed σ only).
    gradient : ``sensitivities`` (forward sensitivities of the model, the default) or ``fd`` (finite
        differences). Models the sensitivity equations do not cover fall back to ``fd`` with a
        :class:`CalibrationWarning`; results record which was used.

    Expert knobs
    ------------
    max_iter : iterations per start. ftol, gtol : optimiser tolerances.
    fd_step : finite-difference step on the parameter scale.
    rtol, atol : CVODE tolerances (tighter than the evaluation default so FD gradients are accurate).
    """

    starts: int = 100
    seed: int = 0
    optimizer: str = "L-BFGS-B"
    gradient: str = "sensitivities"
    max_iter: int = 1000
    ftol: float = 1e-10
    gtol: float = 1e-6
    fd_step: float = 1e-5
    rtol: float = 1e-10
    atol: float = 1e-12

    def __post_init__(self) -> None:
        if not (isinstance(self.starts, int) and not isinstance(self.starts, bool) and self.starts >= 1):
            raise InputError("starts", self.starts, "a positive integer")
        if not (isinstance(self.seed, int) and not isinstance(self.seed, bool) and self.seed >= 0):
            raise InputError("seed", self.seed, "a non-negative integer")
        if self.optimizer not in OPTIMIZERS:
            raise InputError("optimizer", self.optimizer, f"one of {', '.join(OPTIMIZERS)}")
        if self.gradient not in GRADIENTS:
            raise InputError("gradient", self.gradient, f"one of {', '.join(GRADIENTS)}")
        if not (isinstance(self.max_iter, int) and self.max_iter >= 1):
            raise InputError("max_iter", self.max_iter, "a positive integer")
        for name in ("ftol", "gtol", "fd_step", "rtol", "atol"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0 < v < 1):
                raise InputError(name, v, "a number between 0 and 1")

    @property
    def gradient_method(self) -> str:
        """What was asked for (the objective's ``gradient_method`` says what was used)."""
        return SENSITIVITY_NOTE if self.gradient == "sensitivities" else _FD_TEMPLATE.format(step=self.fd_step)


# -- parameter sets ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParameterSet:
    """A fitted parameter vector with its provenance; ``id`` is a hash of the values.

    ``values`` are linear-scale values by parameter-table id. For a problem written by
    :func:`~mtorsim.calibrate.export_petab` the ids are mtorsim model parameters, so
    ``simulate(cell, parameters=ps.model_parameters())`` runs the model with them.
    """

    values: dict[str, float]
    problem: str = ""
    fval: float = float("nan")
    scales: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    seed: int | None = None
    created: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", {str(k): float(v) for k, v in self.values.items()})
        if not self.id:
            object.__setattr__(self, "id", parameter_set_id(self.values))

    def model_parameters(self) -> dict[str, float]:
        """The values whose ids are parameters of mtorsim's network (for ``simulate(parameters=...)``)."""
        from ..model import build_network

        names = build_network().parameters
        return {k: v for k, v in self.values.items() if k in names}

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)


def _store_dirs(store: str | Path | Iterable[str | Path] | None) -> list[Path]:
    if store is not None:
        return [Path(store)] if isinstance(store, (str, Path)) else [Path(s) for s in store]
    dirs = []
    if os.environ.get(STORE_ENV):
        dirs.append(Path(os.environ[STORE_ENV]))
    dirs.append(Path.home() / ".local" / "share" / "mtorsim" / "parameter_sets")
    return dirs


def save_parameter_set(ps: ParameterSet, store: str | Path | None = None) -> Path:
    """Write ``ps`` as ``<store>/<id>.json`` (default store: ``$MTORSIM_PARAMETER_SETS`` or
    ``~/.local/share/mtorsim/parameter_sets``) and return the path."""
    path = _store_dirs(store)[0] / f"{ps.id}.json"
    write_text_atomic(path, ps.to_json())
    return path


def load_parameter_set(id_or_path: str | Path, store: str | Path | Iterable[str | Path] | None = None) -> ParameterSet:
    """Load a parameter set by id (searched in ``store``, a calibration folder, or the default store)
    or from a JSON file."""
    p = Path(id_or_path)
    candidates = [p] if p.suffix == ".json" else []
    for d in _store_dirs(store):
        candidates += [d / f"{id_or_path}.json", d / "parameter_sets" / f"{id_or_path}.json"]
    for c in candidates:
        if c.is_file():
            data = json.loads(c.read_text())
            return ParameterSet(**data)
    raise InputError("parameter set", str(id_or_path),
                     "the id of a saved parameter set (looked in " + ", ".join(str(d) for d in _store_dirs(store))
                     + ") or a parameter-set JSON file")


# -- one start ---------------------------------------------------------------------------------------

def _start_seed(seed: int, i: int) -> list[int]:
    return [int(seed), int(i)]


def _projected_grad_norm(x: np.ndarray, g: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    g = np.array(g, dtype=float)
    at_lo = (x <= lo + 1e-9) & (g > 0)
    at_hi = (x >= hi - 1e-9) & (g < 0)
    g[at_lo | at_hi] = 0.0
    return float(np.linalg.norm(g))


def _run_start(obj: Objective, settings: CalibrationSettings, i: int, x0: np.ndarray | None = None) -> dict:
    """Run start ``i``; never raises for a failure of the start itself (it is recorded)."""
    from scipy.optimize import least_squares, minimize

    t0 = time.perf_counter()
    n0, fb0 = obj.n_simulations, obj.n_fd_fallbacks
    seed = _start_seed(settings.seed, i)
    if x0 is None:
        x0 = obj.sample_start(np.random.default_rng(seed))
    rec: dict[str, Any] = {"start": i, "seed": seed, "x0": [float(v) for v in x0], "x": None, "fval": None,
                           "fval0": None, "grad_norm": None, "n_iter": 0, "n_fev": 0, "status": "failed",
                           "message": "", "time_s": 0.0, "optimizer": settings.optimizer,
                           "gradient": obj.gradient_method}
    try:
        f0, _ = obj.value_and_grad(x0)
        rec["fval0"] = f0 if math.isfinite(f0) else None
        if not math.isfinite(f0):
            why = obj.failure(x0) if not math.isfinite(obj(x0)) else \
                ("the sensitivity equations cannot be integrated there" if obj.gradient == "sensitivities"
                 and not obj.fallback_reason else "the finite-difference neighbours of the start point cannot be simulated")
            rec["message"] = "objective not finite at the start point: " + why
        elif settings.optimizer == "L-BFGS-B":
            res = minimize(obj.value_and_grad, x0, jac=True, method="L-BFGS-B",
                           bounds=list(zip(obj.lower, obj.upper)),
                           options={"maxiter": settings.max_iter, "ftol": settings.ftol, "gtol": settings.gtol})
            f, g = obj.value_and_grad(res.x)
            rec.update(x=[float(v) for v in res.x], fval=float(f), n_iter=int(res.nit),
                       grad_norm=_projected_grad_norm(res.x, g, obj.lower, obj.upper),
                       status="converged" if res.success else "not converged", message=str(res.message))
            if not math.isfinite(f):
                rec.update(status="failed", fval=None, message="objective not finite at the end point: "
                           + obj.failure(res.x))
        else:
            obj.check_least_squares()
            const = obj(x0) - 0.5 * float(np.sum(obj.residuals(x0) ** 2))
            res = least_squares(obj.residuals, x0, jac=obj.residual_jacobian, bounds=(obj.lower, obj.upper),
                                method="trf", max_nfev=settings.max_iter, ftol=settings.ftol, gtol=settings.gtol,
                                xtol=1e-12)
            f, g = obj.value_and_grad(res.x)
            rec.update(x=[float(v) for v in res.x], fval=float(f), n_iter=int(res.nfev),
                       grad_norm=_projected_grad_norm(res.x, g, obj.lower, obj.upper),
                       status="converged" if res.success else "not converged", message=str(res.message))
            rec["least_squares_constant"] = float(const)
            if not math.isfinite(f):
                rec.update(status="failed", fval=None, message="objective not finite at the end point: "
                           + obj.failure(res.x))
    except InputError:
        raise  # a problem/settings error: the same for every start
    except Exception as exc:  # noqa: BLE001 - a failed start is recorded, never fatal
        rec.update(status="failed", message=f"{type(exc).__name__}: {exc}",
                   traceback="".join(traceback.format_exception_only(type(exc), exc)).strip())
    rec["n_fev"] = int(obj.n_simulations - n0)
    rec["n_fd_fallbacks"] = int(obj.n_fd_fallbacks - fb0)
    rec["time_s"] = float(time.perf_counter() - t0)
    return rec


# -- workers -----------------------------------------------------------------------------------------

_WORKER: dict[Any, Objective] = {}


def _objective_key(problem: str, settings: CalibrationSettings) -> tuple:
    return (problem, settings.fd_step, settings.rtol, settings.atol, settings.gradient)


def _make_objective(problem: str | Path | Any, settings: CalibrationSettings, lint: bool = False) -> Objective:
    return Objective(problem, integrator=IntegratorOptions(rtol=settings.rtol, atol=settings.atol),
                     steady_state=SteadyStateOptions(), fd_step=settings.fd_step, lint=lint,
                     gradient=settings.gradient)


def _worker_objective(problem: str, settings: CalibrationSettings) -> Objective:
    key = _objective_key(problem, settings)
    obj = _WORKER.get(key)
    if obj is None:  # compiled once per worker process
        obj = _WORKER[key] = _make_objective(problem, settings)
    return obj


def _worker_run(problem: str, settings: CalibrationSettings, i: int) -> dict:
    return _run_start(_worker_objective(problem, settings), settings, i)


def _worker_init(problem: str, settings: CalibrationSettings) -> None:
    _worker_objective(problem, settings)


# -- files -------------------------------------------------------------------------------------------

def _fingerprint(obj: Objective, settings: CalibrationSettings) -> dict:
    p = obj.evaluator.problem
    h = hashlib.sha256()
    for df in (p.parameter_df, p.measurement_df, p.condition_df, p.observable_df):
        h.update(df.to_csv(sep="\t").encode())
    h.update(p.model.to_sbml_str().encode())
    s = asdict(settings)
    s.pop("starts")
    return {"problem_sha256": h.hexdigest()[:16], "settings": s, "parameters": list(obj.ids)}


def _start_path(out: Path, i: int) -> Path:
    return out / "starts" / f"{i:04d}.json"


def _read_starts(out: Path) -> dict[int, dict]:
    done = {}
    for f in sorted((out / "starts").glob("*.json")):
        try:
            rec = json.loads(f.read_text())
            done[int(rec["start"])] = rec
        except (ValueError, KeyError, OSError):
            continue  # a torn or foreign file: the start is run again
    return done


# -- the entry point ---------------------------------------------------------------------------------

def calibrate(problem: str | Path | Any, *, starts: int = 100, seed: int = 0,
              optimizer: Literal["L-BFGS-B", "trf"] = "L-BFGS-B",
              gradient: Literal["sensitivities", "fd"] = "sensitivities", n_workers: int = 1,
              backend: Literal["serial", "processes", "dask"] = "serial", out: str | Path | None = None,
              resume: bool = True, progress: bool = True, settings: CalibrationSettings | None = None,
              x0: np.ndarray | None = None, lint: bool = True) -> "CalibrationResult":
    """Fit a PEtab problem by multi-start local optimisation.

    Minimises the negative log-posterior ``f = -llh - log prior`` (see
    :mod:`mtorsim.calibrate._objective`) over the estimated parameters on their
    ``parameterScale`` within the table's bounds, from ``starts`` start points.

    Parameters
    ----------
    problem : the problem's YAML file (or a ``petab.v1.Problem`` for the serial backend).
    starts : number of local optimisations.
    seed : seed of the start points (start ``i`` draws from ``default_rng([seed, i])``).
    out : folder for ``starts/NNNN.json`` (one per finished start, written atomically), the tables
        and the parameter set. Without it nothing is written and nothing can be resumed.
    n_workers, backend : ``serial``; ``processes`` (a local process pool, the model compiled once per
        worker); ``dask`` (the current ``dask.distributed`` client, or a local cluster of
        ``n_workers``). Parallel backends need a problem *file*.
    progress : show a progress bar (Rich).

    Expert knobs
    ------------
    optimizer : ``L-BFGS-B`` or ``trf`` (least squares; normal noise with fixed σ).
    gradient : ``sensitivities`` (default: forward sensitivities of the model, see
        :mod:`mtorsim.calibrate._sensitivity`) or ``fd`` (central finite differences, ``2n + 1``
        simulations per gradient). Where the sensitivity equations do not cover the model (events,
        algebraic rules, ...) the fit falls back to ``fd`` with a :class:`CalibrationWarning`;
        ``result.gradient_method`` records what was used.
    resume : skip starts already in ``out/starts`` (their settings must match); ``False`` clears them.
    settings : a :class:`CalibrationSettings` with tolerances and iteration limits (``starts``,
        ``seed``, ``optimizer`` and ``gradient`` given here win).
    x0 : explicit start points (n_starts × n_estimated, on the parameter scale), overriding sampling.
    lint : check the tables first (:func:`~mtorsim.calibrate.lint_petab`); problems raise
        :class:`~mtorsim.InputError` naming file, row and column.

    Returns
    -------
    CalibrationResult

    Examples
    --------
    >>> res = calibrate("Brannmark_JBC2010.yaml", starts=20, out="fit/", n_workers=2,
    ...                 backend="processes")                                  # doctest: +SKIP
    >>> res.summary                                                           # doctest: +SKIP
    >>> res.plot_waterfall()                                                  # doctest: +SKIP
    """
    import warnings

    base = settings or CalibrationSettings()
    if not isinstance(base, CalibrationSettings):
        raise InputError("settings", base, "a CalibrationSettings")
    if x0 is not None:
        x0 = np.atleast_2d(np.asarray(x0, dtype=float))
        starts = len(x0)
    settings = CalibrationSettings(**{**asdict(base), "starts": starts, "seed": seed, "optimizer": optimizer,
                                      "gradient": gradient})
    if backend not in BACKENDS:
        raise InputError("backend", backend, f"one of {', '.join(BACKENDS)}")
    if not (isinstance(n_workers, int) and n_workers >= 1):
        raise InputError("n_workers", n_workers, "a positive integer")
    if lint and isinstance(problem, (str, Path)):
        from ._lint import raise_for_lint

        raise_for_lint(problem)
    obj = _make_objective(problem, settings, lint=False)
    if obj.fallback_reason:
        warnings.warn(f"gradient='sensitivities': {obj.fallback_reason}; using {obj.gradient_method}",
                      CalibrationWarning, stacklevel=2)
    if x0 is not None and x0.shape[1] != len(obj.ids):
        raise InputError("x0", x0.shape, f"an array with {len(obj.ids)} columns ({', '.join(obj.ids)})")
    if settings.optimizer == "trf":
        obj.check_least_squares()
    path = str(Path(problem).resolve()) if isinstance(problem, (str, Path)) else None
    if backend != "serial" and path is None:
        raise InputError("problem", type(problem).__name__, f"a PEtab YAML file for backend={backend!r}")
    fp = _fingerprint(obj, settings)
    done: dict[int, dict] = {}
    if out is not None:
        out = Path(out)
        meta_path = out / "calibration.json"
        if meta_path.is_file() and resume:
            old = json.loads(meta_path.read_text())
            if old.get("fingerprint") != fp and (out / "starts").is_dir() and any((out / "starts").glob("*.json")):
                diff = [k for k in ("problem_sha256", "parameters") if old.get("fingerprint", {}).get(k) != fp[k]]
                diff += [f"settings.{k}" for k, v in fp["settings"].items()
                         if old.get("fingerprint", {}).get("settings", {}).get(k) != v]
                raise InputError("out", str(out), "a folder whose finished starts used the same problem and settings "
                                 f"(these differ: {', '.join(diff) or 'fingerprint'}); use another folder or resume=False")
        if not resume and (out / "starts").is_dir():
            shutil.rmtree(out / "starts")
        out.mkdir(parents=True, exist_ok=True)
        write_text_atomic(meta_path, json.dumps({"problem": path or obj.source, "fingerprint": fp,
                                             "versions": versions(), "gradient_method": obj.gradient_method},
                                            indent=1))
        if resume:
            done = {i: r for i, r in _read_starts(out).items() if i < settings.starts}
    todo = [i for i in range(settings.starts) if i not in done]
    records = dict(done)

    def finish(rec: dict) -> None:
        records[rec["start"]] = rec
        if out is not None:
            write_text_atomic(_start_path(out, rec["start"]), json.dumps(rec, indent=1))

    bar = _Progress(progress, total=settings.starts, done=len(done))
    t_start = time.perf_counter()
    try:
        if backend == "serial" or (backend == "processes" and n_workers == 1):
            for i in todo:
                finish(_run_start(obj, settings, i, None if x0 is None else x0[i]))
                bar.advance(records)
        elif backend == "processes":
            if x0 is not None:
                raise InputError("x0", "given", "sampled start points with backend='processes' (or backend='serial')")
            _run_pool(path, settings, todo, n_workers, finish, lambda: bar.advance(records))
        else:
            if x0 is not None:
                raise InputError("x0", "given", "sampled start points with backend='dask' (or backend='serial')")
            _run_dask(path, settings, todo, n_workers, finish, lambda: bar.advance(records))
    finally:
        bar.close()
    result = CalibrationResult._from_records(records, obj, settings, problem=path or obj.source,
                                             wall_time_s=time.perf_counter() - t_start)
    if out is not None:
        result.save(out)
    return result


def _run_pool(path: str, settings: CalibrationSettings, todo: list[int], n_workers: int,
              finish: Callable[[dict], None], tick: Callable[[], None]) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = mp.get_context("spawn")  # no fork of a process holding compiled models or threads
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, initializer=_worker_init,
                             initargs=(path, settings)) as pool:
        futures = {pool.submit(_worker_run, path, settings, i): i for i in todo}
        try:
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    rec = fut.result()
                except InputError:
                    raise
                except Exception as exc:  # noqa: BLE001 - e.g. a worker that died
                    rec = {"start": i, "seed": _start_seed(settings.seed, i), "status": "failed",
                           "message": f"worker failed: {type(exc).__name__}: {exc}", "x0": None, "x": None,
                           "fval": None, "grad_norm": None, "n_iter": 0, "n_fev": 0, "time_s": 0.0}
                finish(rec)
                tick()
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def _run_dask(path: str, settings: CalibrationSettings, todo: list[int], n_workers: int,
              finish: Callable[[dict], None], tick: Callable[[], None]) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed, get_client
    except ImportError:
        raise InputError("backend", "dask", "installing dask[distributed] first (pip install 'dask[distributed]')") from None
    own = None
    try:
        client = get_client()
    except ValueError:
        own = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(own)
    try:
        futures = {client.submit(_worker_run, path, settings, i, pure=False): i for i in todo}
        index = {f.key: i for f, i in futures.items()}
        for fut in as_completed(list(futures)):
            i = index[fut.key]
            try:
                rec = fut.result()
            except InputError:
                raise
            except Exception as exc:  # noqa: BLE001
                rec = {"start": i, "seed": _start_seed(settings.seed, i), "status": "failed",
                       "message": f"worker failed: {type(exc).__name__}: {exc}", "x0": None, "x": None,
                       "fval": None, "grad_norm": None, "n_iter": 0, "n_fev": 0, "time_s": 0.0}
            finish(rec)
            tick()
    finally:
        if own is not None:
            client.close()
            own.close()


class _Progress:
    def __init__(self, enabled: bool, total: int, done: int):
        self.bar = None
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("calibrating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                TextColumn("{task.fields[best]}"), transient=False)
            self.bar.start()
            self.task = self.bar.add_task("starts", total=total, completed=done, best="")

    def advance(self, records: dict[int, dict]) -> None:
        if self.bar is not None:
            f = [r["fval"] for r in records.values() if r.get("fval") is not None]
            nf = sum(1 for r in records.values() if r.get("status") == "failed")
            self.bar.update(self.task, advance=1, best=(f"best f = {min(f):.6g}" if f else "") +
                            (f", {nf} failed" if nf else ""))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


# -- the result --------------------------------------------------------------------------------------

class CalibrationResult:
    """The outcome of :func:`calibrate` (final class; build it with :func:`calibrate` or :meth:`load`).

    Attributes
    ----------
    starts : one row per start sorted by ``fval`` (failed starts last): start, fval, fval0,
        grad_norm, n_iter, n_fev, status, message, time_s, n_fd_fallbacks (gradients that fell back to finite
        differences where the sensitivity equations failed), seed, and ``x0:<id>``/``x:<id>`` columns
        on the parameter scale.
    parameters : the estimated parameters: id, scale, lower/upper bounds (linear), nominal (linear),
        unit and source (from the table's optional ``unit``/``source`` columns).
    settings : the :class:`CalibrationSettings`.
    problem : the problem file.
    gradient_method : how gradients were computed (forward sensitivities, or finite differences and why).
    """

    def __init__(self, starts: pd.DataFrame, parameters: pd.DataFrame, settings: CalibrationSettings,
                 problem: str, wall_time_s: float = float("nan"), versions_: dict | None = None,
                 created: str = "", gradient_method: str = ""):
        self.starts = starts
        self.parameters = parameters
        self.settings = settings
        self.problem = problem
        self.wall_time_s = wall_time_s
        self.gradient_method = gradient_method or settings.gradient_method
        self.versions = dict(versions_ or versions())
        self.created = created or datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._objective: Objective | None = None

    @classmethod
    def _from_records(cls, records: dict[int, dict], obj: Objective, settings: CalibrationSettings, problem: str,
                      wall_time_s: float) -> "CalibrationResult":
        ids = list(obj.ids)
        rows = []
        for i in sorted(records):
            r = records[i]
            row = {k: r.get(k) for k in ("start", "fval", "fval0", "grad_norm", "n_iter", "n_fev", "status",
                                         "message", "time_s")}
            row["n_fd_fallbacks"] = int(r.get("n_fd_fallbacks") or 0)
            row["seed"] = json.dumps(r.get("seed"))
            for name, vec in (("x0", r.get("x0")), ("x", r.get("x"))):
                for j, pid in enumerate(ids):
                    row[f"{name}:{pid}"] = float(vec[j]) if vec is not None else np.nan
            rows.append(row)
        starts = pd.DataFrame(rows)
        if len(starts):
            starts["fval"] = starts["fval"].astype(float)
            starts = starts.sort_values(["fval", "start"], na_position="last", kind="stable").reset_index(drop=True)
        params = pd.DataFrame({"parameterId": ids, "scale": list(obj.scales), "lower": obj.lower_linear,
                               "upper": obj.upper_linear,
                               "nominal": obj.evaluator.nominal.loc[ids].to_numpy(float),
                               "unit": list(obj.units), "source": list(obj.sources)})
        res = cls(starts, params, settings, problem, wall_time_s, gradient_method=obj.gradient_method)
        res._objective = obj
        return res

    # -- reading ----------------------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        return list(self.parameters["parameterId"])

    @property
    def ok_starts(self) -> pd.DataFrame:
        return self.starts[self.starts["fval"].notna()]

    @property
    def best_fval(self) -> float:
        ok = self.ok_starts
        return float(ok["fval"].iloc[0]) if len(ok) else float("nan")

    @property
    def best_x(self) -> np.ndarray:
        """The best start's end point on the parameter scale."""
        ok = self.ok_starts
        if not len(ok):
            raise MtorsimError("no start of this calibration finished: see result.starts['message']")
        return ok.iloc[0][[f"x:{p}" for p in self.ids]].to_numpy(float)

    @property
    def best_parameters(self) -> pd.DataFrame:
        """The best parameter vector: name, value (linear), scaled value, scale, bounds, nominal, unit, source,
        and whether the value sits at a bound."""
        x = self.best_x
        lin = to_linear(x, tuple(self.parameters["scale"]))
        df = self.parameters.rename(columns={"parameterId": "name"}).copy()
        df.insert(1, "value", lin)
        df.insert(2, "value_scaled", x)
        rel = 1e-6
        df["at_bound"] = [("lower" if v <= lo * (1 + rel) else "upper" if v >= hi * (1 - rel) else "")
                          for v, lo, hi in zip(lin, df["lower"], df["upper"])]
        return df

    def convergence(self, tol: float = 1e-3) -> dict[str, Any]:
        """How many starts reach the best ``fval`` within ``tol`` (absolute, on ``f`` = −log posterior).

        Fewer than 2 means the optimum was found once: more starts are needed before trusting it.
        """
        ok = self.ok_starts
        best = self.best_fval
        n_best = int((ok["fval"] <= best + tol).sum()) if len(ok) else 0
        return {"n_starts": int(len(self.starts)), "n_finished": int(len(ok)),
                "n_failed": int((self.starts["status"] == "failed").sum()),
                "n_converged": int((self.starts["status"] == "converged").sum()),
                "n_at_best": n_best, "fraction_at_best": n_best / len(self.starts) if len(self.starts) else 0.0,
                "tolerance": tol, "best_fval": best}

    @property
    def summary(self) -> pd.DataFrame:
        """One row: problem, starts, failures, best fval, starts at the best, time, optimiser, gradient method."""
        c = self.convergence()
        return pd.DataFrame([{"problem": self.problem, "starts": c["n_starts"], "finished": c["n_finished"],
                              "failed": c["n_failed"], "converged": c["n_converged"], "best_fval": c["best_fval"],
                              "starts_at_best": c["n_at_best"],
                              "median_time_per_start_s": float(self.starts["time_s"].median()) if len(self.starts) else np.nan,
                              "optimizer": self.settings.optimizer, "gradient": self.gradient_method,
                              "parameter_set_id": self.parameter_set.id if c["n_finished"] else ""}])

    @property
    def parameter_set(self) -> ParameterSet:
        lin = dict(zip(self.ids, to_linear(self.best_x, tuple(self.parameters["scale"]))))
        return ParameterSet(values=lin, problem=self.problem, fval=self.best_fval,
                            scales=dict(zip(self.ids, self.parameters["scale"])),
                            units=dict(zip(self.ids, self.parameters["unit"].fillna(""))), seed=self.settings.seed,
                            created=self.created, versions=self.versions)

    def objective(self) -> Objective:
        """The problem's objective (rebuilt from the problem file after :meth:`load`)."""
        if self._objective is None:
            self._objective = _make_objective(self.problem, self.settings)
        return self._objective

    def residuals(self) -> pd.DataFrame:
        """Measurements, simulations and noise-normalised residuals at the best parameters (the data
        behind :meth:`plot_residuals`)."""
        obj = self.objective()
        r = obj.residuals(self.best_x)[:len(obj.evaluator.measurements)]
        res = obj.evaluate(self.best_x)
        df = res.simulations.copy()
        df["measurement"] = obj.evaluator.measurements["measurement"].to_numpy(float)
        df["residual"] = r
        if "datasetId" not in df:
            df["datasetId"] = df["simulationConditionId"]
        return df

    # -- plots ------------------------------------------------------------------------------------
    def plot_waterfall(self, ax=None, tol: float = 1e-3):
        from ._plots import waterfall

        return waterfall(self, ax=ax, tol=tol)

    def plot_parameters(self, ax=None, n_best: int = 10):
        from ._plots import parameters_plot

        return parameters_plot(self, ax=ax, n_best=n_best)

    def plot_residuals(self, ax=None, by: str = "observableId"):
        from ._plots import residuals_plot

        return residuals_plot(self, ax=ax, by=by)

    # -- files ------------------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write ``calibration_result.json``, ``starts.tsv``, ``best_parameters.tsv``, ``summary.tsv`` and
        ``parameter_sets/<id>.json`` into ``folder``; the parameter set loads with
        ``load_parameter_set(id, store=folder)``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"problem": self.problem, "settings": asdict(self.settings), "wall_time_s": self.wall_time_s,
                "versions": self.versions, "created": self.created, "gradient_method": self.gradient_method}
        if len(self.ok_starts):
            ps = self.parameter_set
            meta["parameter_set_id"] = ps.id
            write_text_atomic(folder / "parameter_sets" / f"{ps.id}.json", ps.to_json())
            write_text_atomic(folder / "best_parameters.tsv", self.best_parameters.to_csv(sep="\t", index=False))
        write_text_atomic(folder / "calibration_result.json", json.dumps(meta, indent=1))
        write_text_atomic(folder / "starts.tsv", self.starts.to_csv(sep="\t", index=False))
        write_text_atomic(folder / "parameters.tsv", self.parameters.to_csv(sep="\t", index=False))
        write_text_atomic(folder / "summary.tsv", self.summary.to_csv(sep="\t", index=False))
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "CalibrationResult":
        folder = Path(folder)
        path = folder / "calibration_result.json"
        if not path.is_file():
            raise InputError("folder", str(folder), "a folder written by CalibrationResult.save (calibration_result.json)")
        meta = json.loads(path.read_text())
        starts = pd.read_csv(folder / "starts.tsv", sep="\t", keep_default_na=True)
        for col in ("message", "status"):
            if col in starts:
                starts[col] = [("" if isinstance(v, float) and math.isnan(v) else str(v)) for v in starts[col]]
        params = pd.read_csv(folder / "parameters.tsv", sep="\t")
        for col in ("unit", "source"):
            params[col] = [("" if isinstance(v, float) and math.isnan(v) else str(v)) for v in params[col]]
        return cls(starts, params, CalibrationSettings(**meta["settings"]), meta["problem"],
                   meta.get("wall_time_s", float("nan")), meta.get("versions"), meta.get("created", ""),
                   meta.get("gradient_method", ""))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CalibrationResult):
            return NotImplemented
        cols = ["start", "fval", "status"] + [c for c in self.starts if c.startswith("x")]
        return (self.problem == other.problem and self.settings == other.settings
                and np.allclose(self.starts[cols[3:]].to_numpy(float), other.starts[cols[3:]].to_numpy(float),
                                equal_nan=True, rtol=1e-12)
                and list(self.starts["start"]) == list(other.starts["start"])
                and np.allclose(self.starts["fval"].to_numpy(float), other.starts["fval"].to_numpy(float),
                                equal_nan=True, rtol=1e-12))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        c = self.convergence()
        return (f"CalibrationResult({Path(self.problem).name}: {c['n_starts']} starts, best f = {c['best_fval']:.6g}, "
                f"{c['n_at_best']} at the best, {c['n_failed']} failed)")
