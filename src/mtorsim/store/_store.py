"""The results store: every run recorded in an embedded DuckDB database, its tables beside it.

Layout of a store folder::

    runs.duckdb        the database: tables ``runs``, ``tables`` and ``results`` (see ``_SCHEMA``)
    runs.duckdb.lock   the file lock that serialises writers (``fcntl.flock``)
    tables/<run_id>/   large result tables as Parquet, referenced from ``tables`` by path and SHA-256

Guarantees
----------
* Connect per operation, under an exclusive file lock, in one short transaction: several
  processes can record runs at once (DuckDB itself allows only one writing process); a busy
  store is retried with backoff until ``lock_timeout`` seconds have passed.
* A table is stored whole or not at all: small tables go into ``results`` (long format) in the
  same transaction as their ``tables`` row; Parquet files are written to a temporary file,
  renamed into place under a fresh name and only then referenced, so a reader never sees a
  partial file, and a checksum mismatch is reported, never returned.
* A run whose process died leaves ``status = 'running'`` with its pid, host and the process's
  start time; :meth:`Store.list` and :meth:`Store.show` report it as ``killed`` once that
  process no longer exists on this host. It can then be resumed (:meth:`Store.resume`,
  :meth:`Store.resume_or_start`) or removed (:meth:`Store.remove`, :meth:`Store.remove_killed`).

Times are UTC.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import hashlib
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .._errors import InputError, MtorsimError
from .._io import atomic_path, write_result
from .._version import versions as _package_versions

try:  # POSIX; the store needs a file lock to be safe with several processes
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["STATUSES", "RunHandle", "Store", "StoreError", "default_store_path", "record_simulation"]

STATUSES = ("running", "finished", "failed", "killed")
ENV_VAR = "MTORSIM_STORE"
DB_NAME = "runs.duckdb"
SCHEMA_VERSION = 1
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_KIND_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY,   -- 12 hex digits; any unique prefix of 4+ digits finds it
        kind VARCHAR NOT NULL,        -- simulate, screen, combo, calibrate, trial, report, ...
        status VARCHAR NOT NULL,      -- running, finished, failed, killed
        spec VARCHAR NOT NULL,        -- the full specification, canonical JSON
        spec_hash VARCHAR NOT NULL,   -- SHA-256 of spec (first 16 hex digits)
        seed BIGINT,
        parameter_set_id VARCHAR,
        versions VARCHAR NOT NULL,    -- JSON {package: version}
        started TIMESTAMP NOT NULL,   -- UTC
        ended TIMESTAMP,              -- UTC
        wall_s DOUBLE,                -- seconds of wall time (summed over resumptions)
        error VARCHAR,
        pid INTEGER,
        host VARCHAR,
        proc_start VARCHAR,           -- start time of the process (Linux /proc), against pid reuse
        resumed INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS tables (
        run_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        type VARCHAR NOT NULL,        -- frame (pandas.DataFrame) or dataset (xarray.Dataset)
        storage VARCHAR NOT NULL,     -- db (rows in results) or parquet (file at path)
        path VARCHAR,                 -- relative to the store folder
        sha256 VARCHAR,
        n_rows BIGINT NOT NULL,
        n_cols INTEGER NOT NULL,
        meta VARCHAR NOT NULL,        -- JSON: column dtypes, index, Dataset structure and attrs
        created TIMESTAMP NOT NULL,
        PRIMARY KEY (run_id, name)
    )""",
    """CREATE TABLE IF NOT EXISTS results (
        run_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        col VARCHAR NOT NULL,
        "row" BIGINT NOT NULL,
        value_num DOUBLE,             -- float columns
        value_int BIGINT,             -- int, bool, datetime (ns), timedelta (ns), category codes
        value_txt VARCHAR             -- text columns
    )""",
)


class StoreError(MtorsimError, RuntimeError):
    """The results store cannot do what was asked (busy, corrupt table, run in the wrong state)."""


# --------------------------------------------------------------------------------------------
# locations


def default_store_path(path: str | os.PathLike | None = None) -> Path:
    """The store folder: ``path`` if given, else ``$MTORSIM_STORE``, else ``<user data dir>/mtorsim/store``."""
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("mtorsim", appauthor=False)) / "store"


# --------------------------------------------------------------------------------------------
# small helpers


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)


def _iso(t) -> str | None:
    if t is None or (isinstance(t, float) and math.isnan(t)) or t is pd.NaT:
        return None
    return pd.Timestamp(t).isoformat(timespec="seconds") + "Z"


def _jsonable(obj: Any) -> Any:
    """``json.dumps`` default: dataclasses, pydantic models, numpy values, paths, dates, sets."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    if isinstance(obj, (_dt.datetime, _dt.date, pd.Timestamp)):
        return obj.isoformat()
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (Path, pd.Timedelta, _dt.timedelta)):
        return str(obj)
    return str(obj)  # e.g. pint quantities: their text form ("10 nanomolar") is what the user gave


def _dumps(obj: Any) -> str:
    return json.dumps(obj, default=_jsonable, sort_keys=True, separators=(",", ":"), allow_nan=True)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _proc_start(pid: int) -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            rest = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return rest[19] if len(rest) > 19 else None


def _alive(pid: int | None, proc_start: str | None) -> bool:
    """Whether the process that started a run still exists on this host (zombies count as dead)."""
    if pid is None:
        return False
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            rest = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return False
        if rest[0] in ("Z", "X"):
            return False
        return proc_start is None or (len(rest) > 19 and rest[19] == proc_start)
    try:  # pragma: no cover - no /proc
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_HOST = socket.gethostname()


def _effective_status(status: str, pid, host, proc_start) -> str:
    if status == "running" and host == _HOST and not _alive(None if pd.isna(pid) else int(pid), proc_start):
        return "killed"
    return status


class _FileLock:
    """An exclusive ``flock`` on ``path``, retried with exponential backoff until ``timeout`` s."""

    def __init__(self, path: Path, timeout: float):
        self.path, self.timeout, self._fh = path, timeout, None

    def __enter__(self):
        self._fh = open(self.path, "a+")
        if fcntl is None:  # pragma: no cover
            return self
        deadline, delay = time.monotonic() + self.timeout, 0.002
        while True:
            try:
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self._fh.close()
                    raise StoreError(f"results store {self.path.parent} is busy: another process held its lock "
                                     f"for more than {self.timeout:g} s") from None
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.02)

    def __exit__(self, *exc):
        if fcntl is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        self._fh.close()


# --------------------------------------------------------------------------------------------
# tables: DataFrame / Dataset <-> (frame, meta) <-> long rows or Parquet


def _column_kind(s: pd.Series) -> str:
    dt = s.dtype
    if isinstance(dt, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dt):
        return "bool"
    if pd.api.types.is_integer_dtype(dt):
        return "int"
    if pd.api.types.is_float_dtype(dt):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dt):
        return "timedelta"
    if pd.api.types.is_string_dtype(dt) or dt == object:
        return "text"
    raise InputError(f"column {s.name!r}", str(dt), "columns of numbers, booleans, text, categories, dates "
                                                   "or durations")


def _json_attrs(attrs: Mapping) -> dict:
    return json.loads(_dumps(dict(attrs)))


def _encode(obj) -> tuple[pd.DataFrame, dict]:
    """A flat frame with a default index, and what is needed to rebuild ``obj`` from it."""
    if isinstance(obj, xr.DataArray):
        obj = obj.to_dataset(name=obj.name or "value")
    if isinstance(obj, xr.Dataset):
        ds = obj
        dim_order = [str(d) for d in ds.dims]
        if dim_order:
            frame = ds.to_dataframe().reset_index()
        else:
            frame = pd.DataFrame({str(k): [v.values.item()] for k, v in ds.variables.items()})
        meta = {
            "type": "dataset",
            "dims": dim_order,
            "index_dims": [d for d in dim_order if d in ds.indexes],
            "variables": {str(k): {"dims": [str(d) for d in v.dims], "dtype": str(v.dtype), "attrs": _json_attrs(v.attrs)}
                          for k, v in ds.data_vars.items()},
            "coords": {str(k): {"dims": [str(d) for d in v.dims], "dtype": str(v.dtype), "attrs": _json_attrs(v.attrs)}
                       for k, v in ds.coords.items()},
            "attrs": _json_attrs(ds.attrs),
        }
    elif isinstance(obj, pd.DataFrame):
        frame = obj
        index_cols: list[str] = []
        idx = frame.index
        if not (isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1 and idx.name is None):
            names = [n if n is not None else (f"level_{i}" if idx.nlevels > 1 else "index")
                     for i, n in enumerate(idx.names)]
            frame = frame.copy()
            frame.index = idx.set_names(names)
            frame = frame.reset_index()
            index_cols = [str(n) for n in names]
        meta = {"type": "frame", "index": index_cols, "index_names": list(idx.names) if index_cols else [],
                "attrs": _json_attrs(obj.attrs)}
    else:
        raise InputError("table", type(obj).__name__, "a pandas.DataFrame or an xarray.Dataset")
    bad = [c for c in frame.columns if not isinstance(c, str)]
    if bad:
        raise InputError("table columns", bad[:5], "column names that are strings")
    if frame.columns.duplicated().any():
        raise InputError("table columns", list(frame.columns[frame.columns.duplicated()]), "unique column names")
    columns = []
    for c in frame.columns:
        s = frame[c]
        col = {"name": c, "dtype": str(s.dtype), "kind": _column_kind(s)}
        if col["kind"] == "category":
            col["categories"] = json.loads(_dumps(list(s.cat.categories)))
            col["ordered"] = bool(s.cat.ordered)
            col["categories_dtype"] = str(s.cat.categories.dtype)
        columns.append(col)
    meta["columns"] = columns
    return frame.reset_index(drop=True), meta


def _datetime_ns(s: pd.Series) -> np.ndarray:
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s.astype("datetime64[ns]").to_numpy().view("int64")


def _to_long(frame: pd.DataFrame, meta: dict, run_id: str, name: str) -> pd.DataFrame:
    n = len(frame)
    rows = np.arange(n, dtype="int64")
    parts = []
    for col in meta["columns"]:
        s = frame[col["name"]]
        isna = s.isna().to_numpy()
        num = np.full(n, np.nan)
        whole = pd.array([pd.NA] * n, dtype="Int64")
        txt = np.full(n, None, dtype=object)
        kind = col["kind"]
        if kind == "float":
            num = s.to_numpy(dtype="float64", na_value=np.nan)
        elif kind in ("int", "bool"):
            whole = pd.array(s.astype("Int64"), dtype="Int64")
        elif kind == "category":
            codes = s.cat.codes.to_numpy().astype("int64")
            whole = pd.arrays.IntegerArray(codes, codes < 0)
        elif kind in ("datetime", "timedelta"):
            raw = _datetime_ns(s) if kind == "datetime" else s.astype("timedelta64[ns]").to_numpy().view("int64")
            whole = pd.arrays.IntegerArray(raw.copy(), isna)
        else:
            txt = np.array([None if m else str(v) for v, m in zip(s.to_numpy(dtype=object), isna)], dtype=object)
        parts.append(pd.DataFrame({"run_id": run_id, "name": name, "col": col["name"], "row": rows,
                                   "value_num": num, "value_int": whole,
                                   "value_txt": pd.Series(txt, dtype=object)}))
    if not parts:
        return pd.DataFrame({"run_id": [], "name": [], "col": [], "row": [], "value_num": [], "value_int": [],
                             "value_txt": []})
    return pd.concat(parts, ignore_index=True)


def _restore_column(col: dict, num, whole, txt) -> pd.Series:
    kind, dtype = col["kind"], col["dtype"]
    if kind == "float":
        return pd.Series(np.asarray(num, dtype="float64")).astype(dtype)
    if kind in ("int", "bool"):
        s = pd.Series(whole, dtype="Int64")
        if kind == "bool":
            s = s.astype("boolean")
        if s.isna().any() and dtype in ("bool", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16",
                                        "uint8"):
            return s  # cannot happen for data that came from such a column; keep the nulls rather than fail
        return s.astype(dtype)
    if kind == "category":
        codes = pd.Series(whole, dtype="Int64").fillna(-1).to_numpy(dtype="int64")
        cats = pd.Index(col["categories"])
        try:
            cats = cats.astype(col.get("categories_dtype", cats.dtype))
        except (TypeError, ValueError):
            pass
        return pd.Series(pd.Categorical.from_codes(codes, categories=cats, ordered=col["ordered"]))
    if kind == "datetime":
        s = pd.Series(whole, dtype="Int64")
        mask = s.isna().to_numpy()
        values = pd.Series(s.fillna(0).to_numpy(dtype="int64").view("datetime64[ns]"))
        values[mask] = pd.NaT
        tz = getattr(pd.api.types.pandas_dtype(dtype), "tz", None)
        if tz is not None:
            values = values.dt.tz_localize("UTC").dt.tz_convert(tz)
        return values.astype(dtype)
    if kind == "timedelta":
        s = pd.Series(whole, dtype="Int64")
        mask = s.isna().to_numpy()
        values = pd.Series(s.fillna(0).to_numpy(dtype="int64").view("timedelta64[ns]"))
        values[mask] = pd.NaT
        return values.astype(dtype)
    values = pd.Series(np.asarray(txt, dtype=object), dtype=object)  # nulls are None
    return values if dtype == "object" else values.astype(dtype)


def _decode(frame: pd.DataFrame, meta: dict):
    """The inverse of :func:`_encode`."""
    for col in meta["columns"]:  # Parquet keeps most dtypes; make sure of the rest
        name = col["name"]
        if col["kind"] == "text" and col["dtype"] == "object" and str(frame[name].dtype) != "object":
            frame[name] = pd.Series([None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
                                     else v for v in frame[name].tolist()], dtype=object, index=frame.index)
        elif col["kind"] != "category" and str(frame[name].dtype) != col["dtype"]:
            try:
                frame[name] = frame[name].astype(col["dtype"])
            except (TypeError, ValueError):
                pass
    if meta["type"] == "frame":
        if meta["index"]:
            frame = frame.set_index(meta["index"])
            frame.index = frame.index.set_names(meta["index_names"])
        frame.attrs.update(meta.get("attrs", {}))
        return frame
    dims, index_dims = meta["dims"], meta["index_dims"]
    if not dims:
        row = frame.iloc[0]
        ds = xr.Dataset({k: ((), row[k]) for k in meta["variables"]},
                        coords={k: ((), row[k]) for k in meta["coords"]})
    else:
        order = {d: pd.unique(frame[d]) for d in dims}
        ds = frame.set_index(dims).to_xarray().reindex(order)
        for d in dims:
            if d not in index_dims:
                ds = ds.drop_vars(d)
        ds = ds.set_coords([c for c in meta["coords"] if c not in dims])
    for group in ("variables", "coords"):
        for k, info in meta[group].items():
            if k in dims:
                ds[k].attrs = dict(info["attrs"])
                continue
            var = ds[k]
            extra = [d for d in var.dims if d not in info["dims"]]
            if extra:
                var = var.isel({d: 0 for d in extra}, drop=True)
            var = var.transpose(*info["dims"])
            try:
                var = var.astype(info["dtype"])
            except (TypeError, ValueError):
                pass
            var.attrs = dict(info["attrs"])
            if group == "coords":
                ds = ds.assign_coords({k: var})
            else:
                ds[k] = var
    for d in index_dims:
        info = meta["coords"].get(d)
        if info is not None:
            try:
                ds[d] = ds[d].astype(info["dtype"])
            except (TypeError, ValueError):
                pass
            ds[d].attrs = dict(info["attrs"])
    ds = ds[list(meta["variables"])]
    ds.attrs = dict(meta["attrs"])
    return ds


def _netcdf_safe(ds: xr.Dataset) -> xr.Dataset:
    """netCDF attributes are numbers, strings or 1-D arrays of them: everything else becomes JSON text."""

    def fix(attrs):
        out = {}
        for k, v in attrs.items():
            if isinstance(v, bool) or v is None or isinstance(v, (dict, list)):
                v = _dumps(v)
            out[k] = v
        return out

    ds = ds.copy()
    ds.attrs = fix(ds.attrs)
    for v in ds.variables.values():
        v.attrs = fix(v.attrs)
    return ds


# --------------------------------------------------------------------------------------------
# the store


class Store:
    """A results store: a folder holding a DuckDB database of runs and Parquet files of large tables.

    Parameters
    ----------
    path : folder of the store (created on the first write). Default: ``$MTORSIM_STORE`` if set,
        else ``mtorsim/store`` under the user's data directory (platformdirs).

    Expert knobs
    ------------
    lock_timeout : seconds to keep retrying while another process writes (default 60).
    inline_limit : tables up to this many cells (rows × columns) are kept inside the database;
        larger ones are written as Parquet files beside it.

    Examples
    --------
    >>> store = Store(tmp_path)                                   # doctest: +SKIP
    >>> with store.start("simulate", {"cell": "MCF7"}, seed=1) as run:   # doctest: +SKIP
    ...     run.save_table("timecourse", simulate("MCF7"))
    >>> store.list()                                              # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike | None = None, *, lock_timeout: float = 60.0,
                 inline_limit: int = 20_000):
        root = default_store_path(path)
        if root.exists() and not root.is_dir():
            raise InputError("store", str(root), "a folder (the store keeps a database and Parquet files in it)")
        if not (lock_timeout >= 0):
            raise InputError("lock_timeout", lock_timeout, "a number of seconds >= 0")
        if not (isinstance(inline_limit, int) and inline_limit >= 0):
            raise InputError("inline_limit", inline_limit, "a whole number of cells >= 0")
        self.path = root
        self.lock_timeout = float(lock_timeout)
        self.inline_limit = inline_limit
        self._schema_ready = False

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    @property
    def tables_dir(self) -> Path:
        return self.path / "tables"

    # ---- connections ------------------------------------------------------------------------

    @contextmanager
    def _connect(self, *, create: bool = True) -> Iterator[Any]:
        """A connection under the store's exclusive lock; None if the database does not exist and not ``create``."""
        import duckdb

        if not create and not self.db_path.exists():
            yield None
            return
        self.path.mkdir(parents=True, exist_ok=True)
        lock = _FileLock(self.path / (DB_NAME + ".lock"), self.lock_timeout)
        deadline, delay = time.monotonic() + self.lock_timeout, 0.005
        with lock:
            while True:  # another DuckDB client (not using our lock) may hold the file
                try:
                    con = duckdb.connect(str(self.db_path))
                    break
                except duckdb.IOException as exc:
                    if time.monotonic() >= deadline:
                        raise StoreError(f"results store {self.path} could not be opened: {exc}") from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.2)
            try:
                if not self._schema_ready:
                    self._ensure_schema(con)
                yield con
            finally:
                con.close()

    def _ensure_schema(self, con) -> None:
        for stmt in _SCHEMA:
            con.execute(stmt)
        row = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            con.execute("INSERT INTO store_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        elif int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"results store {self.path} has schema version {row[0]}; this mtorsim reads up to "
                             f"{SCHEMA_VERSION}: upgrade mtorsim")
        self._schema_ready = True

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _resolve(self, con, run_id: str) -> str:
        run_id = str(run_id).strip()
        if con is not None and len(run_id) >= 4 and re.fullmatch(r"[0-9a-f]+", run_id):
            hits = [r[0] for r in con.execute("SELECT run_id FROM runs WHERE starts_with(run_id, ?)", [run_id]).fetchall()]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise InputError("run_id", run_id, f"a unique prefix; it matches {', '.join(sorted(hits)[:5])}")
        raise InputError("run_id", run_id, f"no such run in {self.path} (`mtorsim runs list` shows the ids)")

    # ---- recording --------------------------------------------------------------------------

    def start(self, kind: str, spec: Mapping[str, Any] | None = None, *, seed: int | None = None,
              parameter_set_id: str | None = None, versions: Mapping[str, str] | None = None) -> RunHandle:
        """Record the start of a run and return its handle (use it as a context manager).

        Parameters
        ----------
        kind : what ran: ``simulate``, ``screen``, ``combo``, ``calibrate``, ``trial``, ``report``...
        spec : the full specification (JSON-able; dataclasses, pydantic models, numpy values and
            paths are converted), enough to run it again.
        seed : the random seed, if any.
        parameter_set_id : the model parameter set it used, if any.

        Expert knobs
        ------------
        versions : package versions to record instead of this process's (for results made elsewhere).
        """
        if not isinstance(kind, str) or not _KIND_RE.match(kind):
            raise InputError("kind", kind, "a lower-case word such as simulate, screen, combo, calibrate, trial, report")
        seed = _check_seed(seed)
        spec = {} if spec is None else spec
        spec_json = _dumps(spec)
        vers = dict(versions) if versions is not None else _current_versions()
        run_id = uuid.uuid4().hex[:12]
        started = _now()
        pid = os.getpid()
        with self._transaction() as con:
            con.execute("INSERT INTO runs (run_id, kind, status, spec, spec_hash, seed, parameter_set_id, versions, "
                        "started, pid, host, proc_start) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [run_id, kind, spec_json, _spec_hash(spec_json), seed, parameter_set_id, _dumps(vers),
                         started, pid, _HOST, _proc_start(pid)])
        return RunHandle(self, run_id, kind, json.loads(spec_json), seed)

    def _killed_ids(self, con) -> list[str]:
        rows = con.execute("SELECT run_id, pid, host, proc_start FROM runs WHERE status = 'running'").fetchall()
        return [r[0] for r in rows if _effective_status("running", r[1], r[2], r[3]) == "killed"]

    def resume(self, run_id: str) -> RunHandle:
        """Take over a killed (or failed) run: it is ``running`` again, in this process, with its saved tables.

        ``handle.tables()`` lists what the earlier attempt saved, so the caller can skip that work.
        """
        pid = os.getpid()
        with self._transaction() as con:
            rid = self._resolve(con, run_id)
            kind, status, spec, seed, rpid, host, pstart = con.execute(
                "SELECT kind, status, spec, seed, pid, host, proc_start FROM runs WHERE run_id = ?", [rid]).fetchone()
            status = _effective_status(status, rpid, host, pstart)
            if status not in ("killed", "failed"):
                raise StoreError(f"run {rid} is {status}; only killed or failed runs can be resumed")
            con.execute("UPDATE runs SET status = 'running', error = NULL, ended = NULL, pid = ?, host = ?, "
                        "proc_start = ?, resumed = resumed + 1 WHERE run_id = ?", [pid, _HOST, _proc_start(pid), rid])
        return RunHandle(self, rid, kind, json.loads(spec), None if seed is None else int(seed), resumed=True)

    def resume_or_start(self, kind: str, spec: Mapping[str, Any] | None = None, *, seed: int | None = None,
                        parameter_set_id: str | None = None) -> RunHandle:
        """Resume the latest killed run with the same kind, specification and seed, or start a new one."""
        spec_json = _dumps({} if spec is None else spec)
        seed = _check_seed(seed)
        with self._connect(create=False) as con:
            candidates = [] if con is None else con.execute(
                "SELECT run_id, pid, host, proc_start FROM runs WHERE status = 'running' AND kind = ? AND spec_hash = ? "
                "AND seed IS NOT DISTINCT FROM ? ORDER BY started DESC", [kind, _spec_hash(spec_json), seed]).fetchall()
        for rid, pid, host, pstart in candidates:
            if _effective_status("running", pid, host, pstart) == "killed":
                try:
                    return self.resume(rid)
                except StoreError:  # another process took it over first
                    continue
        return self.start(kind, spec, seed=seed, parameter_set_id=parameter_set_id)

    def _save(self, run_id: str, name: str, obj, *, storage: str, overwrite: bool) -> None:
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise InputError("name", name, "1-128 letters, digits, '_', '.' or '-', starting with a letter or digit")
        if storage not in ("auto", "db", "parquet"):
            raise InputError("storage", storage, "one of auto, db, parquet")
        frame, meta = _encode(obj)
        n_rows, n_cols = frame.shape
        if storage == "auto":
            storage = "db" if n_rows * max(n_cols, 1) <= self.inline_limit else "parquet"
        rel = path = None
        sha = None
        long = None
        if storage == "parquet":
            rel = f"tables/{run_id}/{name}-{uuid.uuid4().hex[:8]}.parquet"
            path = self.path / rel
            tmp = atomic_path(path)
            try:
                frame.to_parquet(tmp, index=False)
                sha = _sha256(tmp)
                os.replace(tmp, path)
            finally:
                if tmp.exists():
                    tmp.unlink()
        else:
            long = _to_long(frame, meta, run_id, name)
        old_path = None
        try:
            with self._transaction() as con:
                row = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()
                if row is None:
                    raise StoreError(f"run {run_id} is no longer in {self.path}")
                if row[0] != "running":
                    raise StoreError(f"run {run_id} is {row[0]}; tables can be saved only while it runs")
                old = con.execute("SELECT path FROM tables WHERE run_id = ? AND name = ?", [run_id, name]).fetchone()
                if old is not None:
                    if not overwrite:
                        raise InputError("name", name, f"a table name not yet used by run {run_id} "
                                                       "(or overwrite=True)")
                    old_path = old[0]
                    con.execute("DELETE FROM tables WHERE run_id = ? AND name = ?", [run_id, name])
                    con.execute("DELETE FROM results WHERE run_id = ? AND name = ?", [run_id, name])
                con.execute("INSERT INTO tables VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [run_id, name, meta["type"], storage, rel, sha, n_rows, n_cols, _dumps(meta), _now()])
                if long is not None and len(long):
                    con.register("_long", long)
                    con.execute('INSERT INTO results (run_id, name, col, "row", value_num, value_int, value_txt) '
                                "SELECT run_id, name, col, \"row\", value_num, value_int, value_txt FROM _long")
                    con.unregister("_long")
        except BaseException:
            if path is not None and path.exists():
                path.unlink()
            raise
        if old_path:
            (self.path / old_path).unlink(missing_ok=True)

    def _close(self, run_id: str, status: str, error: str | None, wall_s: float) -> None:
        with self._transaction() as con:
            con.execute("UPDATE runs SET status = ?, error = ?, ended = ?, wall_s = coalesce(wall_s, 0) + ? "
                        "WHERE run_id = ?", [status, error, _now(), wall_s, run_id])

    # ---- reading ----------------------------------------------------------------------------

    def list(self, kind: str | None = None, status: str | None = None) -> pd.DataFrame:
        """The runs, oldest first: run_id, kind, status, started, ended (UTC), wall_s, seed,
        parameter_set_id, tables (how many), error. Runs whose process died show as ``killed``."""
        if status is not None and status not in STATUSES:
            raise InputError("status", status, f"one of {', '.join(STATUSES)}")
        cols = ["run_id", "kind", "status", "started", "ended", "wall_s", "seed", "parameter_set_id", "tables", "error"]
        with self._connect(create=False) as con:
            if con is None:
                return pd.DataFrame({c: [] for c in cols})
            sql = ("SELECT r.run_id, r.kind, r.status, r.started, r.ended, r.wall_s, r.seed, r.parameter_set_id, "
                   "(SELECT count(*) FROM tables t WHERE t.run_id = r.run_id) AS tables, r.error, r.pid, r.host, "
                   "r.proc_start FROM runs r")
            args = []
            if kind is not None:
                sql += " WHERE r.kind = ?"
                args.append(kind)
            df = con.execute(sql + " ORDER BY r.started, r.run_id", args).df()
        df["status"] = [_effective_status(s, p, h, ps) for s, p, h, ps in
                        zip(df["status"], df["pid"], df["host"], df["proc_start"])]
        if status is not None:
            df = df[df["status"] == status]
        df["seed"] = df["seed"].astype("Int64")
        df["tables"] = df["tables"].astype("int64")
        return df[cols].reset_index(drop=True)

    def killed(self) -> list[str]:
        """Ids of the runs whose process died before finishing."""
        return list(self.list(status="killed")["run_id"])

    def show(self, run_id: str) -> dict:
        """Everything recorded about one run (JSON-able): specification, versions, timing, tables."""
        with self._connect(create=False) as con:
            rid = self._resolve(con, run_id)
            cur = con.execute("SELECT * FROM runs WHERE run_id = ?", [rid])
            names = [d[0] for d in cur.description]
            rec = dict(zip(names, cur.fetchone()))
            tabs = con.execute("SELECT name, type, storage, path, sha256, n_rows, n_cols, created FROM tables "
                               "WHERE run_id = ? ORDER BY created, name", [rid]).fetchall()
        rec["status"] = _effective_status(rec["status"], rec["pid"], rec["host"], rec["proc_start"])
        rec["spec"] = json.loads(rec["spec"])
        rec["versions"] = json.loads(rec["versions"])
        rec["started"], rec["ended"] = _iso(rec["started"]), _iso(rec["ended"])
        rec.pop("proc_start")
        rec["store"] = str(self.path)
        rec["tables"] = [{"name": n, "type": ty, "storage": st, "path": None if p is None else str(self.path / p),
                          "sha256": sha, "rows": int(nr), "columns": int(nc), "created": _iso(cr)}
                         for n, ty, st, p, sha, nr, nc, cr in tabs]
        return rec

    def load(self, run_id: str, name: str, *, verify: bool = True):
        """A saved table, as it was saved (a DataFrame or an xarray Dataset, with attrs and units).

        Parquet files are checked against their SHA-256 (``verify=False`` skips it).
        """
        with self._connect(create=False) as con:
            rid = self._resolve(con, run_id)
            row = con.execute("SELECT storage, path, sha256, meta FROM tables WHERE run_id = ? AND name = ?",
                              [rid, name]).fetchone()
            if row is None:
                have = [r[0] for r in con.execute("SELECT name FROM tables WHERE run_id = ? ORDER BY name", [rid]).fetchall()]
                raise InputError("table", name, f"one of the tables of run {rid}: {', '.join(have) or 'it has none'}")
            storage, rel, sha, meta_json = row
            long = None
            if storage == "db":
                long = con.execute('SELECT col, "row", value_num, value_int, value_txt FROM results '
                                   'WHERE run_id = ? AND name = ? ORDER BY col, "row"', [rid, name]).fetchnumpy()
        meta = json.loads(meta_json)
        if storage == "parquet":
            path = self.path / rel
            if not path.exists():
                raise StoreError(f"table {name!r} of run {rid} is missing its file {path}")
            if verify and _sha256(path) != sha:
                raise StoreError(f"table {name!r} of run {rid} is corrupt: {path} does not match its SHA-256")
            frame = pd.read_parquet(path)
        else:
            frame = _from_long(long, meta)
        return _decode(frame, meta)

    def export(self, run_id: str, directory: str | os.PathLike, *, format: str = "csv") -> list[Path]:
        """Write a run's record (``run.json``) and its tables into ``directory``; return the paths written.

        ``format="csv"``: tables as CSV, Datasets as netCDF (``.nc``, labels and units kept);
        ``format="parquet"``: every table as Parquet (Datasets as tidy tables).
        """
        if format not in ("csv", "parquet"):
            raise InputError("format", format, "csv or parquet")
        info = self.show(run_id)
        out = Path(directory).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for t in info["tables"]:
            obj = self.load(info["run_id"], t["name"])
            if format == "parquet":
                target = out / f"{t['name']}.parquet"
                frame = _encode(obj)[0] if isinstance(obj, xr.Dataset) else obj
                tmp = atomic_path(target)
                try:
                    frame.to_parquet(tmp, index=not isinstance(frame.index, pd.RangeIndex))
                    tmp.replace(target)
                finally:
                    if tmp.exists():
                        tmp.unlink()
            elif isinstance(obj, xr.Dataset):
                target = write_result(_netcdf_safe(obj), out / f"{t['name']}.nc")
            else:
                target = out / f"{t['name']}.csv"
                write_result(obj.reset_index() if not isinstance(obj.index, pd.RangeIndex) else obj, target)
            written.append(target)
        target = out / "run.json"
        tmp = atomic_path(target)
        try:
            tmp.write_text(json.dumps(info, indent=2, default=_jsonable) + "\n")
            tmp.replace(target)
        finally:
            if tmp.exists():
                tmp.unlink()
        return [target, *written]

    # ---- removing ---------------------------------------------------------------------------

    def remove(self, run_id: str, *, force: bool = False) -> str:
        """Delete a run, its tables and its Parquet files; return its id.

        A run still running in a live process is refused unless ``force=True``.
        """
        with self._transaction() as con:
            rid = self._resolve(con, run_id)
            status, pid, host, pstart = con.execute("SELECT status, pid, host, proc_start FROM runs WHERE run_id = ?",
                                                    [rid]).fetchone()
            if _effective_status(status, pid, host, pstart) == "running" and not force:
                raise StoreError(f"run {rid} is still running (pid {pid} on {host}); use force to remove it anyway")
            for table in ("results", "tables", "runs"):
                con.execute(f"DELETE FROM {table} WHERE run_id = ?", [rid])
        shutil.rmtree(self.tables_dir / rid, ignore_errors=True)
        return rid

    def remove_killed(self) -> list[str]:
        """Remove every run whose process died before finishing; return their ids."""
        removed = []
        for rid in self.killed():
            try:
                removed.append(self.remove(rid))
            except (StoreError, InputError):  # resumed or removed meanwhile by another process
                pass
        return removed


def _from_long(long: Mapping[str, np.ndarray], meta: dict) -> pd.DataFrame:
    """Rebuild the flat frame from the rows of ``results`` (numpy masked arrays, ordered by col, row)."""

    def plain(name, a, b):
        arr = long[name][a:b]
        mask = np.ma.getmaskarray(arr)
        return np.ma.getdata(arr), mask

    col_arr = np.asarray(np.ma.getdata(long["col"]), dtype=object)
    starts = np.flatnonzero(np.r_[True, col_arr[1:] != col_arr[:-1]]) if len(col_arr) else np.array([], int)
    ends = np.r_[starts[1:], len(col_arr)]
    bounds = {col_arr[a]: (a, b) for a, b in zip(starts, ends)}
    cols = {}
    for col in meta["columns"]:
        a, b = bounds.get(col["name"], (0, 0))
        kind = col["kind"]
        if kind == "float":
            data, mask = plain("value_num", a, b)
            vals = np.asarray(data, dtype="float64").copy()
            vals[mask] = np.nan
            cols[col["name"]] = _restore_column(col, vals, None, None)
        elif kind == "text":
            data, mask = plain("value_txt", a, b)
            vals = np.asarray(data, dtype=object).copy()
            vals[mask] = None
            cols[col["name"]] = _restore_column(col, None, None, vals)
        else:
            data, mask = plain("value_int", a, b)
            ints = pd.arrays.IntegerArray(np.asarray(data, dtype="int64").copy(), np.asarray(mask, dtype=bool).copy())
            cols[col["name"]] = _restore_column(col, None, ints, None)
    return pd.DataFrame({k: v.reset_index(drop=True) for k, v in cols.items()})


def _spec_hash(spec_json: str) -> str:
    return hashlib.sha256(spec_json.encode()).hexdigest()[:16]


def _check_seed(seed):
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not (-(2**63) <= int(seed) < 2**63):
        raise InputError("seed", seed, "a whole number (64-bit) or None")
    return int(seed)


def _current_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {**_package_versions(), "python": platform.python_version()}
    for pkg in ("duckdb", "pyarrow"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "not installed"
    return out


class RunHandle:
    """One run being recorded. Use it as a context manager::

        with store.start("screen", spec, seed=7) as run:
            run.save_table("viability", df)

    On normal exit the run is marked ``finished`` with its wall time; on an exception it is marked
    ``failed`` with the message and the exception propagates (``KeyboardInterrupt`` marks it
    ``killed``). If the process dies, the run stays ``running`` and is reported as ``killed``.
    """

    def __init__(self, store: Store, run_id: str, kind: str, spec: dict, seed: int | None, *, resumed: bool = False):
        self.store, self.run_id, self.kind, self.spec, self.seed = store, run_id, kind, spec, seed
        self.resumed = resumed
        self._t0 = time.perf_counter()
        self._open = True

    def __repr__(self) -> str:
        return f"RunHandle({self.run_id!r}, kind={self.kind!r}, {'open' if self._open else 'closed'})"

    def save_table(self, name: str, table: pd.DataFrame | xr.Dataset, *, storage: str = "auto",
                   overwrite: bool = False) -> None:
        """Store a result table (whole, or not at all).

        Parameters
        ----------
        name : the table's name within the run (letters, digits, ``_ . -``).
        table : a ``pandas.DataFrame`` or an ``xarray.Dataset`` (loaded back as the same type).

        Expert knobs
        ------------
        storage : ``auto`` (database up to the store's ``inline_limit`` cells, else Parquet),
            ``db`` or ``parquet``.
        overwrite : replace a table of the same name instead of refusing.
        """
        if not self._open:
            raise StoreError(f"run {self.run_id} is closed; tables can be saved only while it runs")
        self.store._save(self.run_id, name, table, storage=storage, overwrite=overwrite)

    def tables(self) -> list[str]:
        """Names of the tables saved so far (including by an earlier, killed attempt when resumed)."""
        return [t["name"] for t in self.store.show(self.run_id)["tables"]]

    def load(self, name: str):
        return self.store.load(self.run_id, name)

    def finish(self) -> None:
        """Mark the run finished (done by the context manager)."""
        self._end("finished", None)

    def fail(self, message: str) -> None:
        """Mark the run failed with ``message`` (done by the context manager on an exception)."""
        self._end("failed", str(message))

    def _end(self, status: str, error: str | None) -> None:
        if not self._open:
            raise StoreError(f"run {self.run_id} is already closed")
        self._open = False
        self.store._close(self.run_id, status, error, time.perf_counter() - self._t0)

    def __enter__(self) -> RunHandle:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if not self._open:
            return False
        if exc_type is None:
            self.finish()
        elif issubclass(exc_type, (KeyboardInterrupt, SystemExit)):
            self._end("killed", f"interrupted ({exc_type.__name__})")
        else:
            self.fail(f"{exc_type.__name__}: {exc}")
        return False


def record_simulation(ds: xr.Dataset, spec: Mapping[str, Any] | None = None, *, store: Store | None = None,
                      seed: int | None = None, name: str = "timecourse", kind: str = "simulate") -> str:
    """Record a :func:`mtorsim.simulate` result as a finished run; return its id.

    The specification defaults to the Dataset's provenance attributes (cell, genotype, treatment,
    media, normalisation, parameter set, solver); the versions and parameter-set id are those the
    Dataset recorded. The table is saved under ``name`` and loads back identical.
    """
    if not isinstance(ds, xr.Dataset):
        raise InputError("ds", type(ds).__name__, "an xarray.Dataset returned by simulate()")
    store = store if store is not None else Store()
    attrs = dict(ds.attrs)
    if spec is None:
        spec = {k: v for k, v in attrs.items() if not k.startswith("version_") and k not in ("created",)}
        if "time" in ds.coords:
            t = ds["time"].values
            spec["times_h"] = {"start": float(t[0]), "stop": float(t[-1]), "n": int(t.size)} if t.size else {}
    recorded = {k[len("version_"):]: str(v) for k, v in attrs.items() if k.startswith("version_")}
    vers = {**_current_versions(), **recorded}
    with store.start(kind, spec, seed=seed, parameter_set_id=attrs.get("parameter_set_id"), versions=vers) as run:
        run.save_table(name, ds)
    return run.run_id
