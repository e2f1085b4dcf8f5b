"""Writing results: tidy tables and netCDF, atomically (write to a temporary file, then rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import xarray as xr

from ._errors import InputError


def atomic_path(path: Path):
    """Context-free helper: a temporary path in the same folder as ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)      # mkstemp makes 0600 files; results are ordinary files
    return Path(tmp)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (a temporary file in the same folder, then a rename)."""
    path = Path(path)
    tmp = atomic_path(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_frame_atomic(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame to ``path`` atomically: Parquet for ``.parquet``, else CSV."""
    path = Path(path)
    tmp = atomic_path(path)
    try:
        if path.suffix == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False)
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def tidy(ds: xr.Dataset) -> pd.DataFrame:
    """A simulation Dataset as a tidy table: cell, treatment, time_h, observable, value, unit."""
    frames = []
    for name, var in ds.data_vars.items():
        frames.append(pd.DataFrame({"cell": ds.attrs.get("cell"), "treatment": ds.attrs.get("treatment"),
                                    "time_h": ds["time"].values, "observable": name, "value": var.values,
                                    "unit": var.attrs.get("units", "")}))
    return pd.concat(frames, ignore_index=True)


def _write_sidecar(attrs: dict, path: Path) -> Path:
    """Provenance (versions, parameter-set id, seed, ...) of a CSV, in ``<file>.json`` beside it."""
    import json
    side = path.with_name(path.name + ".json")
    tmp = atomic_path(side)
    tmp.write_text(json.dumps({k: (v if isinstance(v, (str, int, float, bool)) or v is None else str(v)) for k, v in attrs.items()}, indent=2))
    tmp.replace(side)
    return side


def write_result(obj: xr.Dataset | pd.DataFrame, path: str | Path) -> Path:
    """Write a Dataset (``.nc`` netCDF, or ``.csv`` tidy table) or a DataFrame (``.csv``) atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".nc"):
        raise InputError("out", str(path), "a file ending in .csv or .nc")
    tmp = atomic_path(path)
    try:
        if isinstance(obj, xr.Dataset):
            if suffix == ".nc":
                obj.to_netcdf(tmp)
            else:
                tidy(obj).to_csv(tmp, index=False)
                _write_sidecar(obj.attrs, path)
        else:
            if suffix != ".csv":
                raise InputError("out", str(path), "a .csv file for a table")
            obj.to_csv(tmp, index=False)
            if obj.attrs:
                _write_sidecar(obj.attrs, path)
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
