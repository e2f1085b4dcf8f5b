"""``simulate_many()``: a table of conditions in, one labelled Dataset out, computed in-process, on a
pool of local processes or on a Dask cluster, optionally streamed to disk and resumable.

How the work is organised
    1. The table is read and every row validated in the calling process (a bad cell, drug, dose,
       medium or parameter fails before anything runs, naming the row and the column).
    2. Conditions are sorted (stably) by their *pre-equilibration key* (cell, pre-equilibration
       medium, parameter overrides) and packed into chunks, so that each steady state is computed
       once per chunk and a chunk usually holds whole groups.
    3. Chunks run on the backend. Each worker process holds one compiled model, received pickled
       (~20 ms) instead of compiled (~0.5 s), and keeps its steady-state cache between chunks.
    4. Results are put back in the table's order, so the output never depends on the backend, the
       number of workers or the chunk size: a simulation is a pure function of its condition
       (roadrunner restarts CVODE at every call and the steady state is recomputed from the
       network's initial values whenever it is not cached).

Failures
    A condition whose simulation fails (CVODE error, too many steps, non-finite values, no steady
    state) is retried once with tighter settings (:meth:`Engine.tightened`); if that fails too, its
    values are NaN, its ``status`` is ``failed`` and ``error`` holds the solver's message. The rest of
    the ensemble is unaffected; ``attrs['failures']`` summarises what failed and why.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import pickle
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .._errors import InputError, MtorsimError, SimulationError, UnknownNameError
from .._units import parse_concentration
from .._version import versions
from ..biology import CellLine, Dose, Medium, Treatment, get_cell
from ._engine import Engine, SolverOptions, get_engine, parameter_set_id
from ._simulate import NORMALISATIONS, REFERENCE_CELL, _times, cell_parameters

__all__ = ["BACKENDS", "CONDITION_COLUMNS", "failures", "simulate_many"]

BACKENDS = ("auto", "serial", "processes", "dask")
STORES = ("zarr", "netcdf")

# -- the conditions table ---------------------------------------------------------------------------
COL_ID = "condition_id"
COL_CELL = "cell"
COL_DRUGS = "drugs"
COL_MEDIUM = "medium"
COL_ESTRADIOL = "estradiol"
COL_PREEQ = "preequilibration_medium"
COL_PSET = "parameter_set"
COL_PARAMS = "parameters"
PARAM_PREFIX = "param:"
LABEL_PREFIX = "label:"

#: column -> meaning (``param:<name>`` and ``label:<name>`` columns come on top)
CONDITION_COLUMNS: dict[str, str] = {
    COL_ID: "optional; unique name of the condition (default: the row number)",
    COL_CELL: "required; cell-line name (any usual spelling) or a CellLine",
    COL_DRUGS: "optional; 'drug=dose[@start[-stop]]' items as a list or one string separated by ';' "
               "(e.g. 'everolimus=10nM; alpelisib=1uM@2h'), a {drug: dose} mapping, or empty for untreated",
    COL_MEDIUM: "optional; full (default), charcoal_stripped, serum_free, or a Medium",
    COL_ESTRADIOL: "optional; oestradiol concentration overriding the medium's (e.g. '1nM')",
    COL_PREEQ: "optional; medium of the untreated steady state (default: the treatment medium)",
    COL_PSET: "optional; id of a parameter set given in simulate_many(parameter_sets=...) ('default' = none)",
    COL_PARAMS: "optional; {parameter: value} overrides (a mapping, or JSON text in a CSV file)",
}

STATUS_CODES = {"ok": 0, "retried": 1, "failed": 2}
_STATUS_NAMES = {v: k for k, v in STATUS_CODES.items()}

#: conditions up to which backend="auto" stays in-process (~0.3 s of work; a pool costs more to start)
AUTO_SERIAL_MAX = 256
#: Dask costs ~19 ms per task (shared/ENGINES.md); at ~1.3 ms per simulation, 400 simulations per
#: task keep that below 4 %
DASK_MIN_CHUNK = 400
#: a local pool task costs ~1 ms (pickling + queue); 32 simulations keep it below 3 %
POOL_MIN_CHUNK = 32
MAX_CHUNK = 2000
#: tasks per worker: enough that the last chunk to finish leaves little idle time
TASKS_PER_WORKER = 8
SERIAL_CHUNK = 500


@dataclass(frozen=True)
class _Condition:
    """One validated row: what a worker needs to simulate it."""

    cell: CellLine
    treatment: Treatment
    pre_medium: Medium
    overrides: tuple[tuple[str, float], ...]

    @property
    def pre_key(self) -> tuple:
        return (self.cell, self.pre_medium, self.overrides)


@dataclass(frozen=True)
class _Chunk:
    index: int
    positions: np.ndarray
    conditions: tuple[_Condition, ...]
    times: np.ndarray
    normalize: str


# -- reading and validating the table ---------------------------------------------------------------
def _missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


def _records(conditions, known: Mapping[str, str] | None = None, prefixes: tuple[str, ...] = (PARAM_PREFIX, LABEL_PREFIX),
             required: str | None = COL_CELL) -> tuple[list[dict], list[str]]:
    if isinstance(conditions, (str, Path)):
        path = Path(conditions)
        if path.suffix.lower() not in (".csv", ".tsv") or not path.is_file():
            raise InputError("conditions", str(conditions), "an existing .csv or .tsv file, a DataFrame or a list of dicts")
        conditions = pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",", comment="#",
                                 dtype={COL_ID: str, COL_CELL: str, COL_DRUGS: str, COL_MEDIUM: str, COL_PSET: str,
                                        COL_PARAMS: str, COL_ESTRADIOL: str, COL_PREEQ: str}, keep_default_na=True)
    if isinstance(conditions, pd.DataFrame):
        cols = [str(c) for c in conditions.columns]
        if len(set(cols)) != len(cols):
            raise InputError("conditions.columns", cols, "unique column names")
        recs = [dict(zip(cols, row)) for row in conditions.itertuples(index=False, name=None)]
    elif isinstance(conditions, Sequence) and not isinstance(conditions, (str, bytes)) and all(
            isinstance(r, Mapping) for r in conditions):
        recs = [dict(r) for r in conditions]
        cols = list(dict.fromkeys(k for r in recs for k in r))
    else:
        raise InputError("conditions", type(conditions).__name__, "a pandas DataFrame, a list of dicts, or a .csv/.tsv path")
    if not recs:
        raise InputError("conditions", "an empty table", "at least one row")
    known = CONDITION_COLUMNS if known is None else known
    for c in cols:
        if c in known or any(c.startswith(p) and len(c) > len(p) for p in prefixes):
            continue
        raise UnknownNameError("conditions.columns", c, [*known, *(f"{p}<name>" for p in prefixes)])
    if required is not None and required not in cols:
        raise InputError("conditions.columns", cols, f"a '{required}' column ({known[required]})")
    return recs, cols


def _where(i: int, rec: Mapping, col: str) -> str:
    cid = rec.get(COL_ID)
    return f"conditions[row {i}{'' if _missing(cid) else f', {cid}'}].{col}"


def _reraise(i: int, rec: Mapping, col: str, exc: InputError):
    raise InputError(_where(i, rec, col), rec.get(col), f"{exc.field}: {exc.allowed}") from None


def _drug_items(value) -> list | dict:
    if isinstance(value, str) or value is None or isinstance(value, float):
        if _missing(value):
            return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(";") if p.strip()]
    if isinstance(value, Dose):
        return [value]
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (list, tuple, np.ndarray)) and all(isinstance(v, (str, Dose)) for v in value):
        return list(value)
    raise InputError("drugs", value, "'drug=dose' strings (a list, or one string separated by ';'), Dose objects or a mapping")


def _overrides(value) -> dict[str, float]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        try:
            d = json.loads(value)
        except json.JSONDecodeError:
            d = None
        if isinstance(d, dict):
            return d
    raise InputError("parameters", value, 'a {parameter: value} mapping, or JSON text such as {"k_x": 0.5}')


def _row_id(i: int, rec: Mapping) -> str:
    """The ``condition_id`` of row ``i`` (required in every row once the column is given)."""
    cid = rec.get(COL_ID)
    if _missing(cid):
        raise InputError(_where(i, rec, COL_ID), cid, "a non-empty name (condition ids are required in every row "
                         "when the column is given)")
    return str(cid)


def _condition_coords(recs: list[dict], ids: list[str], label_cols: list[str]) -> dict[str, np.ndarray]:
    """The ``condition`` coordinate (unique ids, or 0..n-1) and one coordinate per ``label:`` column."""
    if ids:
        dup = [k for k, n in Counter(ids).items() if n > 1]
        if dup:
            raise InputError(f"conditions.{COL_ID}", dup[0], "unique condition ids (this one occurs more than once)")
    coords: dict[str, np.ndarray] = {"condition": np.array(ids, dtype=object) if ids else np.arange(len(recs))}
    for c in label_cols:
        coords[c[len(LABEL_PREFIX):]] = np.asarray([r.get(c) for r in recs])
    return coords


def _plan(conditions, parameter_sets: Mapping[str, Mapping[str, float]] | None, eng: Engine
          ) -> tuple[list[_Condition], dict[str, np.ndarray], list[str]]:
    """Validate the table; return one :class:`_Condition` per row, the coordinates, and the
    parameter-set labels."""
    recs, cols = _records(conditions)
    psets: dict[str, dict[str, float]] = {}
    for name, values in (parameter_sets or {}).items():
        if not isinstance(values, Mapping):
            raise InputError(f"parameter_sets[{name!r}]", values, "a {parameter: value} mapping")
        try:
            eng.check_parameters(dict(values))
        except InputError as e:
            raise InputError(f"parameter_sets[{name!r}]", e.value, e.allowed) from None
        psets[str(name)] = {k: float(v) for k, v in values.items()}
    param_cols = [c for c in cols if c.startswith(PARAM_PREFIX)]
    label_cols = [c for c in cols if c.startswith(LABEL_PREFIX)]
    for c in param_cols:
        if c[len(PARAM_PREFIX):] not in eng.defaults:
            raise UnknownNameError("conditions.columns", c, [PARAM_PREFIX + p for p in eng.defaults])

    cells: dict = {}
    media: dict = {}
    treatments: dict = {}
    plans: list[_Condition] = []
    pset_labels: list[str] = []
    ids: list = []
    for i, rec in enumerate(recs):
        # cell
        cv = rec.get(COL_CELL)
        if not isinstance(cv, (CellLine, str)) or _missing(cv):
            raise InputError(_where(i, rec, COL_CELL), cv, "a cell-line name (see `mtorsim cells`) or a CellLine")
        ck = cv if isinstance(cv, CellLine) else str(cv)
        if ck not in cells:
            try:
                cells[ck] = get_cell(cv)
            except InputError as e:
                _reraise(i, rec, COL_CELL, e)
        cell = cells[ck]
        # media
        med_v = rec.get(COL_MEDIUM)
        med_v = "full" if (not isinstance(med_v, Medium) and _missing(med_v)) else med_v
        e2_v = rec.get(COL_ESTRADIOL)
        if _missing(e2_v):
            e2_v = None
        elif isinstance(e2_v, bool) or not isinstance(e2_v, (str, int, float)):
            raise InputError(_where(i, rec, COL_ESTRADIOL), e2_v, "a concentration such as '1nM' (a bare number is nM)")
        mk = (med_v, e2_v)
        if mk not in media:
            try:
                med = med_v if isinstance(med_v, Medium) else Medium(str(med_v))
            except InputError as e:
                _reraise(i, rec, COL_MEDIUM, e)
            if e2_v is not None:
                try:
                    e2 = float(e2_v) if isinstance(e2_v, (int, float)) else parse_concentration(e2_v, field="estradiol")
                    med = Medium(med.preset, estradiol_nM=e2, androgen_nM=med.androgen_nM, insulin_igf=med.insulin_igf,
                                 egf=med.egf, heregulin=med.heregulin, energy_stress=med.energy_stress)
                except InputError as e:
                    _reraise(i, rec, COL_ESTRADIOL, e)
            media[mk] = med
        med = media[mk]
        pre_v = rec.get(COL_PREEQ)
        if isinstance(pre_v, Medium) or not _missing(pre_v):
            pk = (pre_v, None)
            if pk not in media:
                try:
                    media[pk] = pre_v if isinstance(pre_v, Medium) else Medium(str(pre_v))
                except InputError as e:
                    _reraise(i, rec, COL_PREEQ, e)
            pre_med = media[pk]
        else:
            pre_med = med
        # drugs
        dv = rec.get(COL_DRUGS)
        try:
            items = _drug_items(dv)
            tk = (repr(items), med)
            if tk not in treatments:
                treatments[tk] = Treatment.make(items, med)
        except InputError as e:
            _reraise(i, rec, COL_DRUGS, e)
        treatment = treatments[tk]
        # parameters: parameter set, then the `parameters` mapping, then param:<name> columns
        ov: dict[str, float] = {}
        ps = rec.get(COL_PSET)
        if not _missing(ps) and str(ps) != "default":
            if str(ps) not in psets:
                raise UnknownNameError(_where(i, rec, COL_PSET), str(ps), ["default", *psets])
            ov.update(psets[str(ps)])
            pset_labels.append(str(ps))
        else:
            pset_labels.append("default")
        pv = rec.get(COL_PARAMS)
        if isinstance(pv, Mapping) or not _missing(pv):
            try:
                given = _overrides(pv)
                eng.check_parameters(given)
            except InputError as e:
                _reraise(i, rec, COL_PARAMS, e)
            ov.update({k: float(v) for k, v in given.items()})
        for c in param_cols:
            v = rec.get(c)
            if _missing(v):
                continue
            if isinstance(v, str):
                try:
                    v = float(v)
                except ValueError:
                    pass
            try:
                eng.check_parameters({c[len(PARAM_PREFIX):]: v})
            except InputError as e:
                raise InputError(_where(i, rec, c), v, e.allowed) from None
            ov[c[len(PARAM_PREFIX):]] = float(v)
        plans.append(_Condition(cell, treatment, pre_med, tuple(sorted((k, float(v)) for k, v in ov.items()))))
        if COL_ID in cols:
            ids.append(_row_id(i, rec))
    coords = _condition_coords(recs, ids, label_cols)
    for c in param_cols:
        coords[c] = np.array([dict(p.overrides).get(c[len(PARAM_PREFIX):], np.nan) for p in plans], dtype=float)
    return plans, coords, pset_labels


# -- chunking ---------------------------------------------------------------------------------------
def _chunk_size(n: int, backend: str, n_workers: int) -> int:
    if backend == "serial":
        return min(n, SERIAL_CHUNK)
    lo = DASK_MIN_CHUNK if backend == "dask" else POOL_MIN_CHUNK
    return int(max(1, min(n, max(lo, min(MAX_CHUNK, math.ceil(n / (TASKS_PER_WORKER * n_workers)))))))


def _chunks(plans: list[_Condition], size: int) -> list[np.ndarray]:
    """Positions grouped by pre-equilibration key (first-appearance order, stable), packed into
    chunks of at most ``size``; a group larger than ``size`` is split."""
    first: dict = {}
    for i, p in enumerate(plans):
        first.setdefault(p.pre_key, len(first))
    order = sorted(range(len(plans)), key=lambda i: first[plans[i].pre_key])
    groups: list[list[int]] = []
    for i in order:
        if groups and plans[groups[-1][-1]].pre_key == plans[i].pre_key:
            groups[-1].append(i)
        else:
            groups.append([i])
    chunks: list[list[int]] = [[]]
    for g in groups:
        while g:
            room = size - len(chunks[-1])
            if room == 0 or (len(g) <= size and len(g) > room and chunks[-1]):
                chunks.append([])
                continue
            chunks[-1].extend(g[:room])
            g = g[room:]
    return [np.asarray(c, dtype=np.int64) for c in chunks if c]


# -- the worker side --------------------------------------------------------------------------------
def _simulate_one(eng: Engine, cond: _Condition, times: np.ndarray, normalize: str, memo: dict) -> tuple[np.ndarray, str]:
    ov = dict(cond.overrides)
    ctx = {"cell": cond.cell.name, "treatment": cond.treatment.label}
    med = cond.treatment.medium
    pre_params = cell_parameters(cond.cell, cond.pre_medium, ov, eng)
    state0 = eng.steady_state(pre_params, context=ctx, key=cond.pre_key)
    params = pre_params if med == cond.pre_medium else cell_parameters(cond.cell, med, ov, eng)
    t_end = float(times[-1])
    bounds = [0.0] + [s for s in cond.treatment.switch_times() if 0 < s < t_end] + [t_end]
    segments = [(a, b, cond.treatment.slot_inputs(a)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    values = eng.run(params, state0, segments, times, context=ctx)
    run_key = (cond.cell, med, cond.overrides)
    psid = memo.get(("psid", run_key))
    if psid is None:
        psid = memo[("psid", run_key)] = parameter_set_id(params)
    if normalize == "none":
        return values, psid
    if normalize == "reference":
        rkey = ("reference", cond.overrides)
        ref = memo.get(rkey)
        if ref is None:
            ref = memo[rkey] = eng.steady_observables(
                cell_parameters(get_cell(REFERENCE_CELL), Medium("full"), ov, eng),
                context={"cell": REFERENCE_CELL, "treatment": "reference"},
                key=(get_cell(REFERENCE_CELL), Medium("full"), cond.overrides))
    else:
        rkey = ("cell", cond.pre_key)
        ref = memo.get(rkey)
        if ref is None:
            ref = memo[rkey] = eng.steady_observables(pre_params, context=ctx, key=cond.pre_key)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(ref > 0, values / np.where(ref > 0, ref, 1.0), np.nan)
    return scaled, psid


def run_chunk(chunk: _Chunk, n_outputs: int, one: Callable, tight_one: Callable,
              psid_of_failed: Callable = lambda cond: "") -> dict:
    """Simulate every condition of a chunk with ``one(cond) -> (values, psid)``; a condition that raises
    :class:`SimulationError` is retried once with ``tight_one`` (tighter solver settings), then recorded
    as failed with both messages. Never raises for a failed condition (see the module docstring)."""
    t0 = time.perf_counter()
    n, nt = len(chunk.conditions), len(chunk.times)
    values = np.empty((n, nt, n_outputs))
    status = np.zeros(n, dtype=np.int8)
    errors: dict[int, str] = {}
    psids: list[str] = []
    for i, cond in enumerate(chunk.conditions):
        try:
            values[i], psid = one(cond)
        except SimulationError as first:
            try:
                values[i], psid = tight_one(cond)
                status[i] = STATUS_CODES["retried"]
                errors[i] = f"first attempt: {first}; succeeded with tighter solver settings"
            except SimulationError as second:
                values[i] = np.nan
                status[i] = STATUS_CODES["failed"]
                errors[i] = str(second) if str(second) == str(first) else f"{second} (first attempt: {first})"
                psid = psid_of_failed(cond)
        psids.append(psid)
    # (observable, row, time): each observable's block is contiguous, as in the assembled Dataset
    return {"index": chunk.index, "positions": chunk.positions, "values": np.ascontiguousarray(values.transpose(2, 0, 1)),
            "status": status, "errors": errors,
            "parameter_set_id": psids, "seconds": time.perf_counter() - t0, "pid": os.getpid()}


def _simulate_chunk(eng: Engine, chunk: _Chunk) -> dict:
    """Simulate a chunk of mtorsim-model conditions (see :func:`run_chunk`)."""
    memo: dict = {}
    tight_memo: dict = {}

    def psid_of_failed(cond) -> str:
        try:
            return parameter_set_id(cell_parameters(cond.cell, cond.treatment.medium, dict(cond.overrides), eng))
        except MtorsimError:
            return ""

    return run_chunk(chunk, len(eng.obs_ids),
                     lambda cond: _simulate_one(eng, cond, chunk.times, chunk.normalize, memo),
                     lambda cond: _simulate_one(eng.tightened(), cond, chunk.times, chunk.normalize, tight_memo),
                     psid_of_failed)


class _MtorsimWorker:
    """The worker strategy for mtorsim's own model: an engine and :func:`_simulate_chunk`.

    A worker strategy (this one, or ``_sbml_many.SbmlWorker`` for any SBML model) has
    ``simulate_chunk(chunk) -> dict``; its blob unpickles in a worker process to an object whose
    ``build()`` returns the worker (or, for this model, to ``(net, options, rr)``)."""

    def __init__(self, eng: Engine):
        self.eng = eng

    def simulate_chunk(self, chunk: _Chunk) -> dict:
        return _simulate_chunk(self.eng, chunk)


_WORKER: dict[str, object] = {}   # per worker process: model token -> worker (compiled once per process)


def _worker_from_blob(token: str, blob: bytes):
    w = _WORKER.get(token)
    if w is None:
        spec = pickle.loads(blob)
        if isinstance(spec, tuple):
            net, options, rr = spec
            w = _MtorsimWorker(Engine(net, options, rr=rr))
        else:
            w = spec.build()
        _WORKER[token] = w
    return w


def _engine_from_blob(token: str, blob: bytes) -> Engine:
    return _worker_from_blob(token, blob).eng


def _pool_init(token: str, blob: bytes) -> None:
    _worker_from_blob(token, blob)


def _pool_task(token: str, chunk: _Chunk) -> dict:
    return _WORKER[token].simulate_chunk(chunk)


def _dask_task(token: str, blob: bytes, chunk: _Chunk) -> dict:
    return _worker_from_blob(token, blob).simulate_chunk(chunk)


# -- the store ---------------------------------------------------------------------------------------
MANIFEST = "manifest.json"
STORE_VERSION = 1


def _default_store() -> str:
    try:
        import zarr  # noqa: F401
        return "zarr"
    except ImportError:
        return "netcdf"


class _Store:
    """``out/manifest.json`` plus one file per finished chunk under ``out/chunks``. Each chunk is
    written to a temporary name and renamed (atomic on one file system); the manifest is rewritten
    the same way after each chunk, so it never lists a chunk that is not complete on disk."""

    def __init__(self, path: Path, fmt: str, header: dict, resume: bool):
        self.path, self.fmt = path, fmt
        self.chunks_dir = path / "chunks"
        mpath = path / MANIFEST
        if path.exists() and not path.is_dir():
            raise InputError("out", str(path), "a directory (it is a file)")
        if mpath.exists() and resume:
            old = json.loads(mpath.read_text())
            if old.get("inputs_sha256") != header["inputs_sha256"]:
                raise InputError("out", str(path), "a new directory, or resume=False to overwrite it: it holds results "
                                 "of different conditions, times or settings")
            self.manifest = old
            self.fmt = old["store"]
        else:
            if mpath.exists():
                mpath.unlink()
            if self.chunks_dir.exists():
                shutil.rmtree(self.chunks_dir)
            elif path.exists() and any(path.iterdir()):
                raise InputError("out", str(path), "an empty or new directory, or one written by simulate_many")
            self.manifest = {**header, "store": fmt, "chunks": {}}
        self.chunks_dir.mkdir(parents=True, exist_ok=True)
        self._write_manifest()

    @property
    def done(self) -> set[int]:
        return {int(k) for k, v in self.manifest["chunks"].items() if (self.path / v["file"]).exists()}

    def _write_manifest(self) -> None:
        tmp = self.path / f".{MANIFEST}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(self.manifest, indent=1))
        os.replace(tmp, self.path / MANIFEST)

    def write(self, res: dict, times: np.ndarray) -> None:
        k = int(res["index"])
        name = f"chunk-{k:06d}." + ("zarr" if self.fmt == "zarr" else "nc")
        final = self.chunks_dir / name
        tmp = self.chunks_dir / f".{name}.{os.getpid()}.tmp"
        ds = xr.Dataset({"values": (("observable", "row", "time"), res["values"]), "status": ("row", res["status"]),
                         "position": ("row", np.asarray(res["positions"], dtype=np.int64))},
                        coords={"time": times},
                        attrs={"errors": json.dumps({str(i): m for i, m in res["errors"].items()}),
                               "parameter_set_id": json.dumps(res["parameter_set_id"]), "seconds": float(res["seconds"])})
        if tmp.exists():
            shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
        if self.fmt == "zarr":
            ds.to_zarr(tmp, mode="w", consolidated=False)
        else:
            ds.to_netcdf(tmp)
        if final.exists():
            shutil.rmtree(final) if final.is_dir() else final.unlink()
        os.replace(tmp, final)
        self.manifest["chunks"][str(k)] = {"file": f"chunks/{name}", "n": int(len(res["positions"])),
                                           "n_failed": int(np.sum(res["status"] == STATUS_CODES["failed"]))}
        self._write_manifest()

    def read(self, k: int) -> dict:
        f = self.path / self.manifest["chunks"][str(k)]["file"]
        if self.fmt == "zarr":
            ds = xr.open_zarr(f, consolidated=False).load()
        else:
            with xr.open_dataset(f) as d:
                ds = d.load()
        return {"index": k, "positions": ds["position"].values, "values": ds["values"].values,
                "status": ds["status"].values.astype(np.int8),
                "errors": {int(i): m for i, m in json.loads(ds.attrs["errors"]).items()},
                "parameter_set_id": json.loads(ds.attrs["parameter_set_id"]), "seconds": float(ds.attrs["seconds"])}


def _inputs_sha(plans: list[_Condition], coords: dict, times: np.ndarray, normalize: str, options: SolverOptions,
                labels: list[str]) -> str:
    h = hashlib.sha256()
    h.update(repr((normalize, options, times.tolist(), labels, versions().get("mtorsim"))).encode())
    for k, v in coords.items():
        h.update(repr((k, np.asarray(v).tolist())).encode())
    for p in plans:
        h.update(repr(p).encode())
    return h.hexdigest()


# -- running the chunks ---------------------------------------------------------------------------
def _run_serial(worker, chunks: list[_Chunk], on_result: Callable[[dict], None], bar) -> int:
    with bar:
        for ch in chunks:
            on_result(worker.simulate_chunk(ch))
    return 1


def _mp_context(name: str | None):
    if name is not None:
        return multiprocessing.get_context(name)
    methods = multiprocessing.get_all_start_methods()
    # fork starts a worker in milliseconds; it is only safe while this process runs no other threads
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _run_processes(token: str, blob: bytes, chunks: list[_Chunk], on_result, bar, n_workers: int,
                   mp_context: str | None) -> int:
    n = max(1, min(n_workers, len(chunks)))
    # the pool starts its workers at the first submit, before the progress bar starts its thread
    with ProcessPoolExecutor(max_workers=n, mp_context=_mp_context(mp_context), initializer=_pool_init,
                             initargs=(token, blob)) as pool:
        futures = [pool.submit(_pool_task, token, ch) for ch in chunks]
        try:
            with bar:
                for fut in as_completed(futures):
                    on_result(fut.result())
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return n


def _run_dask(token: str, blob: bytes, chunks: list[_Chunk], on_result, bar, n_workers: int, scheduler) -> int:
    try:
        from distributed import Client, LocalCluster, as_completed as dask_as_completed
    except ImportError:
        raise InputError("backend", "dask", "installed dask.distributed (pip install 'dask[distributed]'), or backend="
                         "'processes'") from None
    own_cluster = own_client = None
    if scheduler is None or scheduler == "local":
        own_cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = own_client = Client(own_cluster)
    elif isinstance(scheduler, str):
        client = own_client = Client(scheduler)
    elif isinstance(scheduler, Client):
        client = scheduler
    else:
        raise InputError("scheduler", scheduler, "a scheduler address ('tcp://host:port'), 'local', or a distributed.Client")
    try:
        blob_f = client.scatter(blob, broadcast=True)
        futures = [client.submit(_dask_task, token, blob_f, ch, pure=False) for ch in chunks]
        try:
            with bar:
                for fut in dask_as_completed(futures):
                    on_result(fut.result())
        except BaseException:
            client.cancel(futures)
            raise
        return len(client.nthreads()) or n_workers
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()


def _model_blob(eng: Engine) -> tuple[str, bytes]:
    blob = pickle.dumps((eng.net, eng.options, eng.rr))
    return hashlib.sha256(blob).hexdigest()[:16], blob


# -- the public function -------------------------------------------------------------------------
def simulate_many(conditions, *, model=None, times: Sequence[float] | None = None, hours: float | str | None = None,
                  n_points: int | None = None, normalize: str | None = None,
                  parameter_sets: Mapping[str, Mapping[str, float]] | None = None,
                  backend: str = "auto", n_workers: int | None = None, scheduler=None, out: str | Path | None = None,
                  resume: bool = True, progress: bool = True, seed: int | None = None, chunk_size: int | None = None,
                  solver=None, store: str | None = None, mp_context: str | None = None,
                  t_end: float | None = None, preequilibrate: bool = False, events=None,
                  selections: Sequence[str] | None = None) -> xr.Dataset:
    """Simulate a table of conditions and return one labelled Dataset with a ``condition`` dimension.

    Each row is what :func:`~mtorsim.simulate` takes for one run; every row shares the output
    times. The result holds, for row ``i``, exactly what ``simulate(...)`` returns for it, whatever
    the backend, the number of workers and the chunk size.

    With ``model=`` (a path to an SBML file, an SBML string or an ``SbmlModel``) the rows are runs
    of *that* model instead, exactly as :func:`~mtorsim.simulate_sbml` does them: columns
    ``param:<parameter id>`` and ``init:<species id>`` (empty = the file's value), optional
    ``condition_id`` and ``label:<name>``; times in the model's unit (``times``, ``t_end`` with
    ``n_points`` (default 101), or ``hours``); ``preequilibrate``, ``events``, ``selections`` and
    ``solver`` (an ``IntegratorOptions``) as in ``simulate_sbml``, shared by all rows. Variables
    are the selections over (``condition``, ``time``). ``normalize`` and ``parameter_sets`` do not
    apply. Backends, chunking, streaming, resuming and failure handling are the same.

    Parameters
    ----------
    conditions : a pandas DataFrame, a list of dicts, or a ``.csv``/``.tsv`` path, one row per condition.
        Columns (see :data:`CONDITION_COLUMNS`):

        - ``cell`` (required): cell-line name or :class:`~mtorsim.CellLine`.
        - ``drugs``: ``"drug=dose[@start[-stop]]"`` items, as a list or one ``;``-separated string
          (``"everolimus=10nM; alpelisib=1uM@2h"``), or a ``{drug: dose}`` mapping; empty = untreated.
        - ``medium`` (``full``), ``estradiol`` (e.g. ``1nM``), ``preequilibration_medium``.
        - ``parameter_set``: an id from ``parameter_sets``; ``parameters``: a ``{name: value}`` mapping
          (JSON text in a CSV); ``param:<name>``: one parameter per column (empty = the model's value).
          Applied in that order, last wins.
        - ``condition_id``: unique names for the ``condition`` coordinate (default 0..n-1).
        - ``label:<name>``: any annotation, carried as the coordinate ``<name>``.
    times, hours, n_points : shared output times (h), as in :func:`~mtorsim.simulate`.
    normalize : ``reference``, ``cell`` or ``none``, as in :func:`~mtorsim.simulate`.
    parameter_sets : ``{id: {parameter: value}}`` named override sets referred to by ``parameter_set``.
    backend : ``serial`` (this process), ``processes`` (a pool of local processes), ``dask``
        (``scheduler``: an address ``tcp://host:port``, a ``distributed.Client``, or None/``"local"``
        for a LocalCluster of ``n_workers``), or ``auto``: serial up to 256 conditions, dask when a
        ``scheduler`` is given, else processes.
    n_workers : worker processes (default: the usable cores).
    out : a directory to stream results to, chunk by chunk (Zarr, or netCDF without zarr), with a
        ``manifest.json``. With ``resume=True`` a rerun into the same directory skips finished
        chunks; ``resume=False`` overwrites it. The returned Dataset is assembled from disk.
    progress : show a progress bar (only on a terminal).
    seed : recorded in ``attrs`` (simulations are deterministic; use it for the sampler that made the table).

    Expert knobs
    ------------
    chunk_size : conditions per task (default: ~8 tasks per worker, at least 32 on a local pool and
        400 on Dask so that per-task overhead stays below 5 %). Conditions are grouped by steady
        state within chunks.
    solver : :class:`SolverOptions`; a failed condition is retried once with tighter ones.
    store : ``zarr`` or ``netcdf`` chunk files (default zarr when installed).
    mp_context : multiprocessing start method for ``processes`` (default fork when safe).

    Returns
    -------
    xarray.Dataset
        One variable per observable over (``condition``, ``time``) with units; ``status``
        (``ok``/``retried``/``failed``) and ``error`` per condition; the inputs (``cell``,
        ``genotype``, ``treatment``, ``medium``, ``preequilibration_medium``, ``parameter_set``,
        ``parameter_set_id`` of the full parameter vector as in ``simulate``, and labels) as
        coordinates, with ``param:<name>`` for every parameter named by a ``param:`` column (the
        override in force, whatever its source; NaN = the cell's own value); provenance, the run's
        layout (backend, workers, chunks) and a failure summary (``n_failed``, ``n_retried``,
        ``failures``) in ``attrs``. :func:`failures` lists the failed conditions with their inputs.

    Raises
    ------
    InputError : a bad row (the message names the row and column) or option. Solver failures never
        raise; they are recorded per condition.

    Examples
    --------
    >>> import pandas as pd, mtorsim                                                 # doctest: +SKIP
    >>> table = pd.DataFrame({"cell": ["MCF7", "T47D"], "drugs": ["capivasertib=1uM", ""]})
    >>> ds = mtorsim.simulate_many(table, hours=24, n_points=25)                     # doctest: +SKIP
    >>> ds["pAKT_S473"].sel(time=24)                                                 # doctest: +SKIP
    """
    if backend not in BACKENDS:
        raise InputError("backend", backend, f"one of {', '.join(BACKENDS)}")
    if n_workers is not None and not (isinstance(n_workers, int) and not isinstance(n_workers, bool) and n_workers >= 1):
        raise InputError("n_workers", n_workers, "a positive integer")
    if chunk_size is not None and not (isinstance(chunk_size, int) and not isinstance(chunk_size, bool) and chunk_size >= 1):
        raise InputError("chunk_size", chunk_size, "a positive integer")
    if store is not None and store not in STORES:
        raise InputError("store", store, f"one of {', '.join(STORES)}")
    if seed is not None and not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        raise InputError("seed", seed, "an integer or None")
    if model is not None:
        from ._sbml_many import sbml_job
        for name, value in (("normalize", normalize), ("parameter_sets", parameter_sets)):
            if value is not None:
                raise InputError(name, value, "left out with model= (it applies to mtorsim's own model only)")
        job = sbml_job(conditions, model, times=times, t_end=t_end, hours=hours,
                       n_points=101 if n_points is None else n_points, preequilibrate=preequilibrate, events=events,
                       selections=selections, solver=solver)
    else:
        for name, value in (("t_end", t_end), ("events", events), ("selections", selections)):
            if value is not None:
                raise InputError(name, value, "left out without model= (for SBML models only)")
        if preequilibrate:
            raise InputError("preequilibrate", preequilibrate, "left out without model= (mtorsim's model always "
                             "starts from the cell's steady state)")
        job = _mtorsim_job(conditions, times=times, hours=48.0 if hours is None else hours,
                           n_points=97 if n_points is None else n_points,
                           normalize="reference" if normalize is None else normalize, parameter_sets=parameter_sets,
                           solver=solver)
    return _execute(job, backend=backend, n_workers=n_workers, scheduler=scheduler, out=out, resume=resume,
                    progress=progress, seed=seed, chunk_size=chunk_size, store=store, mp_context=mp_context)


@dataclass
class _Job:
    """What the shared machinery needs from a model kind (mtorsim's own, or any SBML model)."""

    plans: list                      # one validated condition per row, each with a ``pre_key``
    times: np.ndarray
    variables: list[str]             # output variables, in the order of the values' first axis
    sha: str                         # identifies the inputs (for resuming)
    header: dict                     # extra manifest entries
    worker: object                   # in-process worker: ``simulate_chunk(chunk) -> dict``
    blob: Callable[[], tuple[str, bytes]]   # (token, pickled worker spec) for worker processes
    assemble: Callable[["_Accumulator"], xr.Dataset]
    normalize: str = ""


def _mtorsim_job(conditions, *, times, hours, n_points, normalize, parameter_sets, solver) -> _Job:
    if normalize not in NORMALISATIONS:
        raise InputError("normalize", normalize, f"one of {', '.join(NORMALISATIONS)}")
    if solver is not None and not isinstance(solver, SolverOptions):
        raise InputError("solver", solver, "a SolverOptions")
    t = _times(hours, times, n_points)
    eng = get_engine()
    if solver is not None and solver != eng.options:
        eng = Engine(eng.net, solver, rr=pickle.loads(pickle.dumps(eng.rr)))
    plans, coords, pset_labels = _plan(conditions, parameter_sets, eng)
    return _Job(plans, t, list(eng.observables), _inputs_sha(plans, coords, t, normalize, eng.options, pset_labels),
                {"observables": list(eng.observables), "normalize": normalize}, _MtorsimWorker(eng),
                lambda: _model_blob(eng), lambda acc: _assemble(eng, plans, coords, pset_labels, t, normalize, acc),
                normalize)


def _execute(job: _Job, *, backend, n_workers, scheduler, out, resume, progress, seed, chunk_size, store,
             mp_context) -> xr.Dataset:
    plans, t, sha = job.plans, job.times, job.sha
    n = len(plans)

    if backend == "auto":
        backend = "dask" if scheduler is not None else ("serial" if n <= AUTO_SERIAL_MAX else "processes")
    if scheduler is not None and backend != "dask":
        raise InputError("scheduler", scheduler, "only with backend='dask' (or 'auto')")
    workers = n_workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    if backend == "serial":
        workers = 1

    st: _Store | None = None
    if out is not None:
        st = _Store(Path(out), store or _default_store(),
                    {"store_version": STORE_VERSION, "inputs_sha256": sha, "n_conditions": n,
                     "chunk_size": chunk_size or _chunk_size(n, backend, workers), "times": t.tolist(),
                     **job.header}, resume)
        size = int(st.manifest["chunk_size"])
        if chunk_size is not None and chunk_size != size:
            raise InputError("chunk_size", chunk_size, f"{size}, the chunk size of the run being resumed in {out} "
                             "(or resume=False)")
    else:
        size = chunk_size or _chunk_size(n, backend, workers)
    groups = _chunks(plans, size)
    all_chunks = [_Chunk(k, pos, tuple(plans[i] for i in pos), t, job.normalize) for k, pos in enumerate(groups)]
    done = st.done if st is not None else set()
    todo = [c for c in all_chunks if c.index not in done]

    acc = _Accumulator(n, len(t), len(job.variables))
    stats = {"seconds": 0.0}
    if st is not None:
        for k in sorted(done):
            acc.add(st.read(k))
    bar = _progress(progress, n, sum(len(c.positions) for c in all_chunks if c.index in done))

    def on_result(res: dict) -> None:
        if st is not None:
            st.write(res, t)
        acc.add(res)   # copied into place as results arrive, overlapping the workers' computing
        stats["seconds"] += res["seconds"]
        bar.advance(len(res["positions"]))

    wall = time.perf_counter()
    if not todo:
        used = 0
    elif backend == "serial":
        used = _run_serial(job.worker, todo, on_result, bar)
    elif backend == "processes":
        used = _run_processes(*job.blob(), todo, on_result, bar, workers, mp_context)
    else:
        used = _run_dask(*job.blob(), todo, on_result, bar, workers, scheduler)
    wall = time.perf_counter() - wall

    if acc.missing():
        raise MtorsimError(f"internal error: {acc.missing()} conditions have no result")
    ds = job.assemble(acc)
    ds.attrs.update({
        "backend": backend, "n_workers": int(used), "chunk_size": int(size), "n_chunks": len(all_chunks),
        "n_chunks_resumed": len(all_chunks) - len(todo), "wall_seconds": round(wall, 4),
        "task_seconds": round(stats["seconds"], 4), "seed": "none" if seed is None else int(seed),
        "inputs_sha256": sha,
    })
    if st is not None:
        ds.attrs["store"] = str(Path(out).resolve())
    return ds


class _Accumulator:
    """The result arrays, filled chunk by chunk at the chunks' positions."""

    def __init__(self, n: int, nt: int, no: int):
        self.values = np.empty((no, n, nt))
        self.status = np.zeros(n, dtype=np.int8)
        self.errors = np.full(n, "", dtype=object)
        self.psid = np.full(n, "", dtype=object)
        self.filled = np.zeros(n, dtype=bool)

    def add(self, res: dict) -> None:
        pos = np.asarray(res["positions"])
        self.values[:, pos, :] = res["values"]
        self.status[pos] = res["status"]
        for i, m in res["errors"].items():
            self.errors[pos[int(i)]] = m
        self.psid[pos] = np.asarray(res["parameter_set_id"], dtype=object)
        self.filled[pos] = True

    def missing(self) -> int:
        return int((~self.filled).sum())


def _assemble(eng: Engine, plans: list[_Condition], coords: dict, pset_labels: list[str], t: np.ndarray, normalize: str,
              acc: _Accumulator) -> xr.Dataset:
    values, status, errors, psid = acc.values, acc.status, acc.errors, acc.psid
    if normalize == "reference":
        unit = "relative to untreated MCF7 in full medium (steady state)"
    elif normalize == "cell":
        unit = "relative to the condition's untreated cell (its pre-equilibration medium, steady state)"
    else:
        unit = "model units (relative amounts and active fractions)"
    data_vars = {name: xr.Variable(("condition", "time"), values[j],
                                   attrs={"units": unit, "description": eng.net.observables[name].description})
                 for j, name in enumerate(eng.observables)}
    names = np.array([_STATUS_NAMES[int(s)] for s in status], dtype=object)
    data_vars["status"] = xr.Variable(("condition",), names.astype(str),
                                      attrs={"description": "ok, retried (succeeded with tighter solver settings) or failed"})
    data_vars["error"] = xr.Variable(("condition",), errors.astype(str), attrs={"description": "solver message ('' if ok)"})
    cc = {
        "condition": ("condition", coords["condition"]),
        "time": xr.Variable(("time",), t, attrs={"units": "h", "long_name": "time since treatment"}),
        "cell": ("condition", np.array([p.cell.name for p in plans], dtype=str)),
        "genotype": ("condition", np.array([", ".join(p.cell.alterations) or "wild-type pathway" for p in plans], dtype=str)),
        "treatment": ("condition", np.array([p.treatment.label for p in plans], dtype=str)),
        "medium": ("condition", np.array([p.treatment.medium.label for p in plans], dtype=str)),
        "preequilibration_medium": ("condition", np.array([p.pre_medium.label for p in plans], dtype=str)),
        "parameter_set": ("condition", np.array([lab if not p.overrides or lab != "default" else "default+overrides"
                                                  for lab, p in zip(pset_labels, plans)], dtype=str)),
        "parameter_set_id": ("condition", psid.astype(str)),
    }
    for k, v in coords.items():
        if k != "condition":
            cc[k] = ("condition", v)
    ds = xr.Dataset(data_vars, coords=cc)
    ds.attrs.update({
        "normalization": normalize,
        **_failure_summary(names, errors),
        "solver": f"libRoadRunner CVODE rtol={eng.options.rtol:g} atol={eng.options.atol:g} "
                  f"(failed conditions retried once with tighter settings)",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **{f"version_{k}": v for k, v in versions().items()},
    })
    return ds


def _status_variables(acc: _Accumulator) -> tuple[np.ndarray, dict[str, xr.Variable]]:
    names = np.array([_STATUS_NAMES[int(s)] for s in acc.status], dtype=object)
    return names, {
        "status": xr.Variable(("condition",), names.astype(str),
                              attrs={"description": "ok, retried (succeeded with tighter solver settings) or failed"}),
        "error": xr.Variable(("condition",), acc.errors.astype(str), attrs={"description": "solver message ('' if ok)"})}


def _failure_summary(names: np.ndarray, errors: np.ndarray) -> dict:
    failed = names == "failed"
    reasons = Counter(_reason(m) for m, f in zip(errors, failed) if f)
    return {"n_conditions": len(names), "n_failed": int(failed.sum()), "n_retried": int((names == "retried").sum()),
            "failures": "; ".join(f"{k} ({v})" for k, v in reasons.most_common()) or "none"}


def _reason(message: str) -> str:
    """A failure message without its per-condition context, to group failures in the summary."""
    m = message.split(" (first attempt:")[0]
    m = m.split(" (cell=")[0]
    return m[:160]


def failures(ds: xr.Dataset) -> pd.DataFrame:
    """The failed (and retried) conditions of a :func:`simulate_many` result, with their inputs."""
    bad = ds["status"].values != "ok"
    cols = [c for c in ds.coords if c != "time" and ds[c].dims == ("condition",)]
    df = pd.DataFrame({c: ds[c].values[bad] for c in cols})
    df["status"] = ds["status"].values[bad]
    df["error"] = ds["error"].values[bad]
    return df


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def advance(self, n: int) -> None:
        return None


class _Bar:
    def __init__(self, total: int, completed: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        self.progress = Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=False)
        self.task = self.progress.add_task("simulate", total=total, completed=completed)

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def advance(self, n: int) -> None:
        self.progress.advance(self.task, n)


def _progress(enabled: bool, total: int, completed: int):
    if not enabled or not sys.stderr.isatty():
        return _NoBar()
    return _Bar(total, completed)
