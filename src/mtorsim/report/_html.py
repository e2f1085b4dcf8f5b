"""Small helpers for a self-contained HTML page: figures as base64 PNG, tables, escaping.

Nothing here links to anything outside the page: no scripts, fonts or style sheets from the web.
"""

from __future__ import annotations

import base64
import html
import io

import pandas as pd

__all__ = ["escape", "figure_html", "table_html", "page"]

CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 1.5em 2em; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #444; margin-top: 0.3em; }
table { border-collapse: collapse; font-size: 0.82em; margin: 0.8em 0; }
th, td { border: 1px solid #ddd; padding: 3px 7px; vertical-align: top; text-align: left; }
th { background: #f4f4f4; } tr.agree-false td { background: #fde8e8; } tr.agree-true td.agree { color: #176317; font-weight: 600; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.6em 1em; }
.prov { font-size: 0.85em; color: #444; } nav a { margin-right: 1em; } code { background: #f4f4f4; padding: 0 3px; }
"""


def escape(text) -> str:
    return html.escape(str(text), quote=True)


def figure_html(fig, caption: str, *, dpi: int = 90, alt: str | None = None) -> str:
    """Render a matplotlib figure as an embedded PNG (``data:`` URI) with a caption, and close it."""
    import matplotlib.pyplot as plt
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure><img alt="{escape(alt or caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _cell(v) -> str:
    if isinstance(v, float):
        return "" if pd.isna(v) else f"{v:.3g}"
    return escape(v)


def table_html(df: pd.DataFrame, *, row_class: str | None = None, index: bool = False) -> str:
    """A plain HTML table; ``row_class`` names a boolean column that sets ``class="<col>-true|false"`` on rows."""
    d = df.reset_index() if index else df
    head = "".join(f"<th>{escape(c)}</th>" for c in d.columns)
    rows = []
    for _, r in d.iterrows():
        cls = f' class="{row_class}-{str(bool(r[row_class])).lower()}"' if row_class else ""
        cells = "".join(f'<td class="{escape(c)}">{_cell(v)}</td>' for c, v in r.items())
        rows.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def page(title: str, sections: list[tuple[str, str, str]], header: str = "") -> str:
    """A whole page: ``sections`` are (anchor, title, inner HTML)."""
    nav = " ".join(f'<a href="#{a}">{escape(t)}</a>' for a, t, _ in sections)
    body = "".join(f'<section id="{a}"><h2>{escape(t)}</h2>{inner}</section>' for a, t, inner in sections)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body><h1>{escape(title)}</h1>{header}<nav>{nav}</nav>{body}</body></html>\n")
