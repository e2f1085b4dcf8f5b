"""``mtorsim serve``: loopback by default, ports validated, a warning when binding elsewhere."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mtorsim import InputError
from mtorsim.cli import app
from mtorsim.cli._app import _register

dash = pytest.importorskip("dash", reason="dash is needed for the explorer")
runner = CliRunner()
_register()


@pytest.fixture()
def calls(monkeypatch):
    seen = []
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kw: seen.append(kw))
    return seen


def test_serve_binds_loopback_by_default(calls):
    r = runner.invoke(app, ["serve"])
    assert r.exit_code == 0, r.output
    assert calls == [{"host": "127.0.0.1", "port": 8050, "debug": False}]
    assert "http://127.0.0.1:8050/" in r.output


def test_serve_other_host_warns(calls):
    r = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert r.exit_code == 0
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["port"] == 9000
    assert "no authentication" in r.output


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_serve_rejects_bad_ports(port, calls):
    r = runner.invoke(app, ["serve", "--port", port])
    assert r.exit_code == 2 and calls == []


def test_serve_api_validates():
    from mtorsim.explorer import serve
    with pytest.raises(InputError, match="port"):
        serve(port=70000)
    with pytest.raises(InputError, match="host"):
        serve(host=" ")


def test_help_has_an_example():
    r = runner.invoke(app, ["serve", "--help"])
    assert r.exit_code == 0 and "Example: mtorsim serve" in r.output
