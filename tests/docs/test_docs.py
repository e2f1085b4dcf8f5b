"""The documentation site builds strictly, its generated reference matches the model, and the
example notebooks run (at reduced size: ``MTORSIM_DOCS_QUICK=1``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[test]')")
    pytest.importorskip("material", reason="mkdocs-material is not installed (pip install -e '.[test]')")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
                       cwd=ROOT, capture_output=True, text=True, env=env)
    assert r.returncode == 0, f"mkdocs build --strict failed:\n{r.stdout}\n{r.stderr}"
    return out


def test_site_builds_with_every_nav_page(site):
    for page in ["index.html", "tour.html", "troubleshooting.html", "cli.html", "choose/engine.html",
                 "choose/synergy.html", "howto/simulate-genotype.html", "reference/model.html"]:
        assert (site / page).is_file(), page
    for nb in NOTEBOOKS:
        assert (site / "notebooks" / f"{nb.stem}.html").is_file()
        assert (site / "notebooks" / nb.name).is_file()  # the notebook itself, for download


def test_generated_model_page_lists_every_species_reaction_and_parameter(site):
    from mtorsim.model import build_network

    html = (site / "reference" / "model.html").read_text()
    net = build_network()
    names = [*net.species, *net.reactions, *net.parameters, *net.observables]
    missing = [n for n in names if f"<code>{n}</code>" not in html]
    assert not missing, f"not on the generated model page: {missing[:10]}"
    # every parameter's unit and source text appear on its row
    for p in list(net.parameters.values())[::17]:
        row = html.split(f"<code>{p.name}</code>", 1)[1].split("</tr>", 1)[0]
        assert p.unit.replace("<", "&lt;") in row and p.source[:30].replace("<", "&lt;").replace(">", "&gt;") in row, p.name


def test_generated_catalogue_pages_list_every_drug_and_cell(site):
    from mtorsim.biology import cell_names, drug_names

    drugs = (site / "reference" / "drugs.html").read_text()
    cells = (site / "reference" / "cells.html").read_text()
    assert [d for d in drug_names() if f">{d}</h2>" not in drugs and f">{d}<a" not in drugs] == []
    assert [c for c in cell_names() if f">{c}</h2>" not in cells and f">{c}<a" not in cells] == []


def test_every_cli_command_is_in_the_cli_api_table():
    """docs/cli.md names every registered command (so the CLI-API table cannot silently fall behind)."""
    from mtorsim.cli._common import command_paths

    text = (ROOT / "docs" / "cli.md").read_text()
    # commands that other parts of the project are adding at the same time are listed by their group
    # name only ("mtorsim trial"); every other command must have its own row
    missing = [c for c in command_paths() if f"`mtorsim {c}" not in text and f"`mtorsim {c.split()[0]}`" not in text]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


@pytest.fixture(scope="module")
def kernel():
    """One kernel for every notebook (each starts from a cleared namespace): a kernel start and the
    import of mtorsim cost seconds, paid once."""
    pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e '.[test]')")
    pytest.importorskip("nbclient", reason="nbclient is not installed (pip install -e '.[test]')")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e '.[test]')")
    from jupyter_client.manager import KernelManager

    env = {**os.environ, "MTORSIM_DOCS_QUICK": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "PYTHONWARNINGS": "error::UserWarning,error::RuntimeWarning"}  # as strict as pytest's configuration
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env, cwd=str(ROOT / "docs" / "notebooks"))
    yield km
    km.shutdown_kernel(now=True)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, kernel):
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    n_code = sum(c.cell_type == "code" for c in nb.cells)
    nb.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))  # nothing carries over from the previous notebook
    client = nbclient.NotebookClient(nb, km=kernel, timeout=120)
    try:
        client.execute()
    finally:
        if client.kc is not None:  # a client of a kernel it does not own is left open by nbclient
            client.kc.stop_channels()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    executed = [c for c in nb.cells[1:] if c.cell_type == "code" and c.get("execution_count")]
    assert len(executed) == n_code
