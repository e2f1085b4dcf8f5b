"""mkdocs hook: pages generated from mtorsim itself at build time (never committed, never stale).

- ``reference/model.md``: every species, parameter (value, unit, source), rule, reaction and
  observable of :func:`mtorsim.model.build_network`, grouped by module;
- ``reference/drugs.md`` and ``reference/cells.md``: the drug and cell-line catalogues with sources;
- ``notebooks/<name>.md``: a readable page for each ``docs/notebooks/*.ipynb`` (the notebook itself
  is published beside it for download; CI executes the notebooks in tests/docs/test_docs.py);
- pages written by other parts of the project (trials, explorer, toxicity) join the nav when present.
"""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs.structure.files import File

#: titles of pages owned elsewhere, added to the "Background" section when they exist (any other page that
#: is not in mkdocs.yml's nav is added there too, under its first heading)
OPTIONAL_PAGES = {"trials.md": "Virtual trials", "toxicity.md": "Toxicity", "explorer.md": "The explorer"}


def _cell(text) -> str:
    """A value made safe for a Markdown table cell."""
    if text is None:
        return ""
    if isinstance(text, float):
        text = f"{text:.6g}"
    s = str(text).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")
    return s


def _table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(v) for v in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def model_page() -> str:
    import mtorsim
    from mtorsim.evidence._citation import _status
    from mtorsim.model import build_network

    net = build_network()
    status = {}
    for p in net.parameters.values():
        status[_status(p.source)] = status.get(_status(p.source), 0) + 1
    lines = [
        "# Model reference (generated)",
        "",
        f"Generated from `mtorsim.model.build_network()` (mtorsim {mtorsim.__version__}) when this site was "
        "built, so it always matches the code. The biology and the modelling choices are explained in "
        "[The network model](../model.md).",
        "",
        f"**{net.name}**: {len(net.species)} species, {len(net.reactions)} reactions, "
        f"{len(net.parameters)} parameters, {len(net.rules)} assignment rules, {len(net.observables)} observables.",
        "",
        "Parameter sources by kind (classified from the source text as in `mtorsim.citation`): "
        + ", ".join(f"{k}: {v}" for k, v in sorted(status.items())) + ". "
        "*Assumed* values say why in their source; *fitted* values name the data they were fitted to.",
        "",
    ]
    seen = set()
    for module, names in net.modules.items():
        names = [n for n in names if n not in seen]
        if not names:
            continue
        seen.update(names)
        lines += [f"## {module}", ""]
        sp = [net.species[n] for n in names if n in net.species]
        if sp:
            lines += ["### Species", "", _table(["species", "initial", "unit", "kind", "description"],
                                              [[f"`{s.name}`", s.initial, s.unit, s.kind, s.description] for s in sp])]
        pa = [net.parameters[n] for n in names if n in net.parameters]
        if pa:
            lines += ["### Parameters", "", _table(["parameter", "value", "unit", "description", "source"],
                                                 [[f"`{p.name}`", p.value, p.unit, p.description, p.source] for p in pa])]
        ru = [net.rules[n] for n in names if n in net.rules]
        if ru:
            lines += ["### Assignment rules", "", _table(["rule", "expression", "unit", "description"],
                                                       [[f"`{r.name}`", f"`{r.expression}`", r.unit, r.description] for r in ru])]
        rx = [net.reactions[n] for n in names if n in net.reactions]
        if rx:
            lines += ["### Reactions", "", _table(
                ["reaction", "reactants → products", "rate (per h)", "description"],
                [[f"`{r.name}`", f"{' + '.join(r.reactants) or '∅'} → {' + '.join(r.products) or '∅'}", f"`{r.rate}`",
                  r.description] for r in rx])]
    lines += ["## Observables", "", "The stable public readouts that `simulate()` returns.", "",
              _table(["observable", "expression", "unit", "description"],
                     [[f"`{o.name}`", f"`{o.expression}`", o.unit, o.description] for o in net.observables.values()])]
    return "\n".join(lines)


def drugs_page() -> str:
    from mtorsim.biology import drug_names, get_drug

    lines = ["# Drug catalogue (generated)", "",
             "Generated from `src/mtorsim/biology/data/drugs.yaml` through `mtorsim.get_drug()` at build time. "
             "Each target is a model *slot* with a potency (IC50, nM) and Hill coefficient; the source says whether "
             "the number is measured, derived or assumed. See [Catalogues](../catalogues.md) for the fields.", ""]
    rows = []
    for name in drug_names():
        d = get_drug(name)
        rows.append([f"[{d.name}](#{_anchor(d.name)})", d.drug_class,
                     "; ".join(f"{t.slot} ({t.ic50_nM:g} nM)" for t in d.targets), d.molar_mass_g_per_mol])
    lines += [_table(["drug", "class", "targets", "molar mass (g/mol)"], rows), ""]
    for name in drug_names():
        d = get_drug(name)
        lines += [f"## {d.name}", "", f"*{d.drug_class}* — {d.mechanism}", ""]
        if d.synonyms:
            lines += [f"Synonyms: {', '.join(d.synonyms)}", ""]
        if d.targets:
            lines += [_table(["slot", "IC50 (nM)", "Hill", "assay", "source"],
                             [[t.slot, t.ic50_nM, t.hill, t.assay, t.source or "not given"] for t in d.targets])]
        if d.missing_potency:
            lines += [f"Potency not modelled (no sourced number): {', '.join(d.missing_potency)}", ""]
        if d.sources:
            lines += [_table(["field", "source"], [[k, v] for k, v in d.sources.items()])]
        if d.note:
            lines += [f"Note: {_cell(d.note)}", ""]
    return "\n".join(lines)


def cells_page() -> str:
    from mtorsim.biology import cell_names, get_cell

    lines = ["# Cell-line catalogue (generated)", "",
             "Generated from `src/mtorsim/biology/data/cells.yaml` through `mtorsim.get_cell()` at build time. "
             "Alterations are what the model reads (each maps to parameter effects, listed with their sources); "
             "see [Catalogues](../catalogues.md).", ""]
    rows = []
    for name in cell_names():
        c = get_cell(name)
        rec = ", ".join(f"{k} {v}" for k, v in c.receptors.items())
        rows.append([f"[{c.name}](#{_anchor(c.name)})", c.subtype, rec, ", ".join(c.alterations), ", ".join(c.traits),
                     c.doubling_time_h])
    lines += [_table(["cell line", "subtype", "receptors", "alterations", "traits", "doubling time (h)"], rows), ""]
    for name in cell_names():
        c = get_cell(name)
        lines += [f"## {c.name}", ""]
        if c.synonyms:
            lines += [f"Synonyms: {', '.join(c.synonyms)}", ""]
        if c.parent:
            lines += [f"Derived from {c.parent}.", ""]
        eff = c.effects()
        if eff:
            lines += [_table(["parameter", "effect", "value", "source"], [[f"`{e.parameter}`", e.op, e.value, e.source] for e in eff])]
        if c.expression:
            lines += [f"Expression relative to MCF7: {', '.join(f'{k} {v:g}' for k, v in c.expression.items())}", ""]
        if c.sources:
            lines += [_table(["field", "source"], [[k, v] for k, v in c.sources.items()])]
        if c.note:
            lines += [f"Note: {_cell(c.note)}", ""]
    return "\n".join(lines)


def _anchor(title: str) -> str:
    """The id that mkdocs' toc extension gives a heading (lower case, spaces to '-', other marks dropped)."""
    from markdown.extensions.toc import slugify
    return slugify(title, "-")


def notebook_page(path: Path) -> str:
    """A notebook as Markdown: its Markdown cells as they are, its code cells as Python blocks."""
    nb = json.loads(path.read_text())
    parts = []
    for c in nb.get("cells", []):
        src = "".join(c.get("source", []))
        if c.get("cell_type") == "markdown":
            parts.append(src)
        elif c.get("cell_type") == "code":
            parts.append("```python\n" + src + "\n```")
    parts.append(f"Download the notebook: [{path.name}]({path.name}). The tests execute it "
                 "(tests/docs/test_docs.py, at reduced size with `MTORSIM_DOCS_QUICK=1`).")
    return "\n\n".join(parts) + "\n"


def _nav_paths(nav) -> set[str]:
    out: set[str] = set()
    for entry in nav or []:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            out |= _nav_paths(value)
        elif isinstance(value, str):
            out.add(value)
    return out


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("_", " ").replace("-", " ").capitalize()


def on_config(config, **kwargs):
    """Add pages that exist but are not in the nav (trials, toxicity, explorer, written by other parts of
    the project, or any new page) to the Background section, so a new page is never left out."""
    docs = Path(config["docs_dir"])
    nav = config.get("nav") or []
    listed = _nav_paths(nav)
    extra = []
    for page in sorted(docs.rglob("*.md")):
        rel = page.relative_to(docs).as_posix()
        if rel in listed or rel.startswith("hooks/"):
            continue
        extra.append({OPTIONAL_PAGES.get(rel, _title(page)): rel})
    for section in nav:
        if isinstance(section, dict) and "Background" in section:
            section["Background"] += extra
            break
    return config


def on_files(files, config, **kwargs):
    generated = {"reference/model.md": model_page(), "reference/drugs.md": drugs_page(), "reference/cells.md": cells_page()}
    for nb in sorted((Path(config["docs_dir"]) / "notebooks").glob("*.ipynb")):
        generated[f"notebooks/{nb.stem}.md"] = notebook_page(nb)
    for uri, text in generated.items():
        files.append(File.generated(config, uri, content=text))
    return files


def on_page_markdown(markdown, page, config, files, **kwargs):
    """Link the trial how-to to the trials page once that page exists (it is written elsewhere)."""
    if page.file.src_uri == "howto/write-trial.md" and (Path(config["docs_dir"]) / "trials.md").exists():
        markdown = markdown.replace("*Virtual trials*", "[Virtual trials](../trials.md)")
    return markdown
