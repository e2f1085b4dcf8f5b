"""End to end in a real headless Chromium (Debian's ``chromium`` driven by Playwright for Python).

The test starts the explorer itself on a free loopback port, loads the page, checks that the plotted
numbers are ``mtorsim.simulate``'s, changes a drug, sees the plot change, types a bad dose and sees a
one-line error, and saves a screenshot under ``tmp_path``. No browser is downloaded: it skips when
``/usr/bin/chromium`` or the ``playwright`` package is absent (``apt-get install chromium``).
"""

from __future__ import annotations

import os
import threading
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} absent: install Debian's chromium package (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip install '.[test]') is needed for the browser test")
pytest.importorskip("dash", reason="dash is needed for the explorer")

import mtorsim  # noqa: E402
from mtorsim.explorer import create_app  # noqa: E402

_TRACE_Y = """(meta) => {
  const gd = document.querySelector('#timecourse .js-plotly-plot');
  // _fullData: the arrays plotly.js decoded (from the base64 float64 'bdata' the server sent) and drew
  const tr = gd && gd._fullData ? gd._fullData.find(t => t.meta === meta) : null;
  return tr ? {x: Array.from(tr.x), y: Array.from(tr.y)} : null;
}"""
_TITLE = "() => { const gd = document.querySelector('#timecourse .js-plotly-plot'); return gd && gd.layout && gd.layout.title ? gd.layout.title.text : null; }"


@pytest.fixture()
def server():
    from werkzeug.serving import make_server
    srv = make_server("127.0.0.1", 0, create_app().server, threaded=True)   # port 0: a free port
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{srv.server_port}/"
    srv.shutdown()
    th.join(10)


def _wait_title(page, text):
    page.wait_for_function(f"() => {{ const t = ({_TITLE})(); return t && t.includes({text!r}); }}", timeout=TIMEOUT_MS)


def test_explorer_in_headless_chromium(server, tmp_path):
    # the API's answers, computed here before the page asks the server for the same inputs
    api = mtorsim.simulate("MCF7", drugs=["everolimus=10nM"], hours=48)
    api2 = mtorsim.simulate("MCF7", drugs=["capivasertib=500nM"], hours=48)
    outside = []
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True,
                                                   viewport={"width": 1400, "height": 1000})
        try:
            page = ctx.new_page()
            page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", None) and
                    not r.url.startswith("data:") else None)
            page.goto(server)
            _wait_title(page, "everolimus 10nM")     # the default: MCF7 + everolimus 10 nM, 48 h

            # the plotted numbers are the API's, to the last bit
            shown = page.evaluate(_TRACE_Y, "pAKT_S473")
            np.testing.assert_array_equal(shown["x"], api.time.values)
            np.testing.assert_array_equal(shown["y"], api["pAKT_S473"].values)
            page.screenshot(path=str(tmp_path / "explorer_everolimus.png"), full_page=True)

            # the download is the CLI's tidy CSV of the same numbers
            with page.expect_download() as dl:
                page.click("#download_button")
            csv = tmp_path / "download.csv"
            dl.value.save_as(csv)
            table = pd.read_csv(csv, comment="#", float_precision="round_trip")
            got = table[table.observable == "pS6K1_T389"]
            np.testing.assert_array_equal(got.value.to_numpy(), api["pS6K1_T389"].values)
            assert "# parameter_set_id: " in csv.read_text() and "# version_mtorsim: " in csv.read_text()

            # change the drug: capivasertib 500 nM instead of everolimus 10 nM
            page.click("#drug_0")
            page.get_by_role("option", name="capivasertib", exact=True).click()
            page.fill("#dose_0", "500nM")
            page.press("#dose_0", "Enter")
            _wait_title(page, "capivasertib 500nM")
            after = page.evaluate(_TRACE_Y, "pAKT_S473")
            np.testing.assert_array_equal(after["y"], api2["pAKT_S473"].values)
            assert not np.array_equal(after["y"], shown["y"])      # the plot changed
            page.wait_for_function("() => document.querySelector('#dr_message').innerText.includes('capivasertib')",
                                   timeout=TIMEOUT_MS)
            page.screenshot(path=str(tmp_path / "explorer_capivasertib.png"), full_page=True)

            # a bad dose: one clear line, the last good plot stays
            page.fill("#dose_0", "10 parsecs")
            page.press("#dose_0", "Enter")
            page.wait_for_function("() => document.querySelector('#message').innerText.includes('not allowed')", timeout=TIMEOUT_MS)
            msg = page.inner_text("#message")
            assert "dose of capivasertib" in msg and "10 parsecs" in msg
            assert page.evaluate(_TRACE_Y, "pAKT_S473")["y"] == after["y"]
        finally:
            ctx.close()
    assert outside == [], f"the page requested outside addresses: {outside[:3]}"
    assert (tmp_path / "explorer_capivasertib.png").stat().st_size > 10_000
