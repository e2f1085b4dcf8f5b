"""Versions of mtorsim and of the libraries a result depends on (recorded in every output)."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

_DEPS = ("libroadrunner", "antimony", "python-libsbml", "numpy", "scipy", "pandas", "xarray")


def _v(pkg: str) -> str:
    try:
        return version(pkg)
    except PackageNotFoundError:
        return "not installed"


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    return {"mtorsim": _v("mtorsim"), **{p: _v(p) for p in _DEPS}}
