"""The explorer's Dash app: layout and callbacks (a thin layer over the API).

Every callback turns the form into a validated :class:`Scenario` with :func:`parse_scenario`
(the CLI's parsers), calls the API through the caches in ``_figures`` and draws what it returns.
A bad value shows one line (field, value, what is allowed) and leaves the last good plots.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from .._errors import InputError, MtorsimError
from ..biology import MEDIA, cell_names
from ..biology._genotype import TRAITS
from ._validate import (N_DRUG_ROWS, NORMALISATIONS, RECEPTOR_STATES, TRIAL_PATIENTS, parse_dose_response, parse_scenario,
                        parse_trial, usable_drugs)

__all__ = ["FORM_FIELDS", "create_app", "serve"]

_log = logging.getLogger("mtorsim.explorer")

#: form field ids (also the keys that parse_scenario reads) and the component property holding the value
FORM_FIELDS: tuple[tuple[str, str], ...] = (
    ("cell_mode", "value"), ("cell", "value"), ("custom_name", "value"), ("custom_base", "value"),
    ("custom_alterations", "value"), ("custom_er", "value"), ("custom_traits", "value"),
    ("medium", "value"), ("estradiol", "value"), ("hours", "value"), ("normalize", "value"), ("network_time", "value"),
    *((f"{k}_{i}", "value") for i in range(N_DRUG_ROWS) for k in ("drug", "dose", "start", "stop")),
    ("extra_drugs", "value"),
)
DR_FIELDS: tuple[tuple[str, str], ...] = (("dr_doses", "value"), ("dr_n", "value"))
TRIAL_FIELDS: tuple[tuple[str, str], ...] = (("trial_name", "value"), ("trial_patients", "value"), ("trial_seed", "value"))

_DEFAULT_DRUGS = (("everolimus", "10nM", "0h", ""), ("", "", "0h", ""), ("", "", "0h", ""))
_LABEL = {"display": "block", "fontWeight": 600, "marginTop": "10px", "fontSize": "13px"}
_INPUT = {"width": "100%", "boxSizing": "border-box"}


def _field(label, component):
    from dash import html
    return html.Div([html.Label(label, style=_LABEL), component])


def _layout():
    from dash import dcc, html

    from .. import __version__
    from ..model import build_network
    from ._figures import DEFAULT_OBSERVABLES

    from ..trial import builtin_trials

    cells = cell_names()
    drugs = usable_drugs()
    drug_rows = []
    for i in range(N_DRUG_ROWS):
        d, dose, start, stop = _DEFAULT_DRUGS[i] if i < len(_DEFAULT_DRUGS) else ("", "", "0h", "")
        drug_rows.append(html.Div([
            dcc.Dropdown(id=f"drug_{i}", options=drugs, value=d or None, placeholder="drug", clearable=True,
                         style={"flex": "3 1 0", "minWidth": "150px"}),
            dcc.Input(id=f"dose_{i}", type="text", value=dose, placeholder="10nM", debounce=True, style={"flex": "1 1 0", "width": "60px"}),
            dcc.Input(id=f"start_{i}", type="text", value=start, placeholder="start", debounce=True, style={"flex": "1 1 0", "width": "50px"}),
            dcc.Input(id=f"stop_{i}", type="text", value=stop, placeholder="stop", debounce=True, style={"flex": "1 1 0", "width": "50px"}),
        ], style={"display": "flex", "gap": "4px", "marginBottom": "4px", "alignItems": "center"}))

    controls = html.Div([
        _field("Cell", dcc.RadioItems(id="cell_mode", options=[{"label": " catalogue line", "value": "catalogue"},
                                                               {"label": " my genotype", "value": "custom"}],
                                      value="catalogue", inline=True, inputStyle={"marginLeft": "8px"})),
        dcc.Dropdown(id="cell", options=cells, value="MCF7", clearable=False),
        html.Details([
            html.Summary("genotype builder (used when 'my genotype' is chosen)", style={"fontSize": "12px", "marginTop": "6px"}),
            _field("name", dcc.Input(id="custom_name", type="text", value="my genotype", debounce=True, style=_INPUT)),
            _field("on top of (optional)", dcc.Dropdown(id="custom_base", options=cells, value="MCF7", clearable=True)),
            _field("alterations (GENE:change, comma-separated)",
                   dcc.Input(id="custom_alterations", type="text", value="AKT1:myr", placeholder="PIK3CA:H1047R, PTEN:loss",
                             debounce=True, style=_INPUT)),
            _field("ER status", dcc.Dropdown(id="custom_er", options=list(RECEPTOR_STATES), value=None, placeholder="as the base")),
            _field("traits", dcc.Checklist(id="custom_traits", options=list(TRAITS), value=[], inputStyle={"marginRight": "4px"})),
        ]),
        _field("Drugs (drug, dose, start, stop — e.g. 10nM, 1uM, 50ng/mL; 0h, 2h, 1d)", html.Div(drug_rows)),
        _field("more drugs (DRUG=DOSE[@START[-STOP]], ';'-separated)",
               dcc.Input(id="extra_drugs", type="text", value="", placeholder="fulvestrant=100nM; alpelisib=1uM@2h-24h",
                         debounce=True, style=_INPUT)),
        _field("Medium", dcc.Dropdown(id="medium", options=list(MEDIA), value="full", clearable=False)),
        _field("oestradiol (blank: the medium's)", dcc.Input(id="estradiol", type="text", value="", placeholder="1nM",
                                                             debounce=True, style=_INPUT)),
        html.Div([
            html.Div(_field("hours", dcc.Input(id="hours", type="text", value="48", debounce=True, style=_INPUT)), style={"flex": 1}),
            html.Div(_field("network at (h)", dcc.Input(id="network_time", type="text", value="24", debounce=True, style=_INPUT)),
                     style={"flex": 1}),
        ], style={"display": "flex", "gap": "8px"}),
        _field("normalise to", dcc.Dropdown(id="normalize", options=list(NORMALISATIONS), value="reference", clearable=False)),
        _field("observables", dcc.Dropdown(id="observables", options=list(build_network().observables),
                                           value=list(DEFAULT_OBSERVABLES), multi=True)),
        html.Hr(),
        html.Div("Dose-response of the first drug (mtorsim.dose_response, 72-h virtual assay)", style={"fontSize": "13px"}),
        html.Div([
            html.Div(_field("doses", dcc.Input(id="dr_doses", type="text", value="0.1nM..10uM", debounce=True, style=_INPUT)),
                     style={"flex": 2}),
            html.Div(_field("number", dcc.Input(id="dr_n", type="number", value=5, min=4, max=9, step=1, debounce=True, style=_INPUT)),
                     style={"flex": 1}),
        ], style={"display": "flex", "gap": "8px"}),
        html.Hr(),
        html.Div("A small virtual trial (mtorsim.trial.run_trial; runs on the button, a few seconds)", style={"fontSize": "13px"}),
        _field("trial", dcc.Dropdown(id="trial_name", options=builtin_trials(), value="bolero2", clearable=False)),
        html.Div([
            html.Div(_field(f"patients ({TRIAL_PATIENTS[0]}-{TRIAL_PATIENTS[1]})",
                            dcc.Input(id="trial_patients", type="number", value=60, min=TRIAL_PATIENTS[0], max=TRIAL_PATIENTS[1],
                                      step=1, debounce=True, style=_INPUT)), style={"flex": 1}),
            html.Div(_field("seed", dcc.Input(id="trial_seed", type="number", value=0, min=0, step=1, debounce=True, style=_INPUT)),
                     style={"flex": 1}),
        ], style={"display": "flex", "gap": "8px"}),
        html.Button("run trial", id="trial_button", n_clicks=0, style={"marginTop": "8px"}),
    ], style={"flex": "0 0 380px", "padding": "12px", "background": "#f6f7f9", "borderRadius": "6px", "fontSize": "13px"})

    plots = html.Div([
        html.Div(id="message", role="alert", style={"minHeight": "1.4em", "fontWeight": 600}),
        dcc.Loading(dcc.Graph(id="timecourse", config={"displaylogo": False}), type="dot"),
        html.Div([html.Button("download time courses (CSV)", id="download_button", n_clicks=0, style={"fontSize": "12px"}),
                  dcc.Download(id="download")], style={"margin": "0 0 4px 8px"}),
        html.Div(id="provenance", style={"fontSize": "11px", "color": "#555", "margin": "0 0 8px 8px"}),
        dcc.Graph(id="network", config={"displaylogo": False}),
        html.Div(id="dr_message", role="status", style={"minHeight": "1.2em", "fontSize": "13px"}),
        dcc.Loading(dcc.Graph(id="dose_response", config={"displaylogo": False}), type="dot"),
        html.Div(id="dr_metrics", style={"fontSize": "12px", "margin": "0 0 8px 8px"}),
        html.Div(id="trial_message", role="status", style={"minHeight": "1.2em", "fontSize": "13px"}),
        dcc.Loading(dcc.Graph(id="trial_km", config={"displaylogo": False}), type="dot"),
    ], style={"flex": "1 1 auto", "minWidth": 0})

    return html.Div([
        html.H2("mtorsim explorer", style={"margin": "4px 0"}),
        html.Div(f"mtorsim {__version__} · every number here is what mtorsim.simulate / mtorsim.dose_response return "
                 "for the same input", style={"fontSize": "12px", "color": "#555", "marginBottom": "8px"}),
        html.Div([controls, plots], style={"display": "flex", "gap": "16px", "alignItems": "flex-start"}),
    ], style={"fontFamily": "system-ui, sans-serif", "padding": "10px 16px", "maxWidth": "1400px"})


def _form(values) -> dict:
    return {fid: v for (fid, _), v in zip(FORM_FIELDS, values)}


def _error_text(e: Exception) -> str:
    return f"⚠ {e}"


def create_app():
    """Build the Dash app (not started). ``app.server`` is the Flask WSGI app."""
    from dash import Dash, Input, Output, State, no_update

    from ._figures import (DEFAULT_OBSERVABLES, dose_response_figure, in_worker, run_dose_response, run_scenario, run_small_trial,
                           scenario_network, timecourse_csv, timecourse_figure, trial_figure)

    app = Dash(__name__, title="mtorsim explorer", serve_locally=True, update_title=None)
    app.layout = _layout

    form_inputs = [Input(fid, prop) for fid, prop in FORM_FIELDS]

    @app.callback(Output("timecourse", "figure"), Output("network", "figure"), Output("message", "children"),
                  Output("message", "style"), Output("provenance", "children"),
                  *form_inputs, Input("observables", "value"))
    def _update(*values):
        *form_values, observables = values
        style = {"minHeight": "1.4em", "fontWeight": 600}
        try:
            sc = parse_scenario(_form(form_values))
            treated, untreated = in_worker(run_scenario, sc), in_worker(run_scenario, sc.untreated())
        except (InputError, MtorsimError) as e:
            return no_update, no_update, _error_text(e), {**style, "color": "#b2182b"}, no_update
        except Exception as e:  # noqa: BLE001  (a bug, not bad input: one line on the page, the traceback in the log)
            _log.exception("explorer: simulation failed")
            return no_update, no_update, _error_text(f"internal error ({type(e).__name__}): {e}"), {**style, "color": "#b2182b"}, no_update
        obs = [o for o in (observables or []) if isinstance(o, str) and o in treated] or list(DEFAULT_OBSERVABLES)
        net, _ = scenario_network(treated, untreated, sc)
        a = treated.attrs
        prov = (f"{a['cell']} ({a['genotype']}) · {a['treatment']} · medium {a['medium']} · units: "
                f"{treated[obs[0]].attrs['units']} · parameter set {a['parameter_set_id']} · {a['solver']} · "
                f"mtorsim {a['version_mtorsim']}, libroadrunner {a['version_libroadrunner']}")
        return (timecourse_figure(treated, untreated, obs), net, f"✓ {a['cell']} · {a['treatment']}",
                {**style, "color": "#1a7f37"}, prov)

    @app.callback(Output("download", "data"), Input("download_button", "n_clicks"), *(State(f, p) for f, p in FORM_FIELDS),
                  prevent_initial_call=True)
    def _download(n_clicks, *form_values):
        from dash import dcc
        try:
            sc = parse_scenario(_form(form_values))
            treated = in_worker(run_scenario, sc)
        except (InputError, MtorsimError):
            return no_update      # the message line already shows what is wrong
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"mtorsim_{treated.attrs['cell']}_{treated.attrs['treatment']}")[:80]
        return dcc.send_string(timecourse_csv(treated), f"{name}.csv")

    @app.callback(Output("dose_response", "figure"), Output("dr_message", "children"), Output("dr_metrics", "children"),
                  *form_inputs, Input("dr_doses", "value"), Input("dr_n", "value"))
    def _update_dr(*values):
        *form_values, dr_doses, dr_n = values
        form = _form(form_values) | {"dr_doses": dr_doses, "dr_n": dr_n}
        try:
            sc = parse_scenario(form)
        except (InputError, MtorsimError):
            return no_update, no_update, no_update     # the form's error shows above the time courses
        try:
            req = parse_dose_response(form, sc)
            if req is None:
                return _empty("add a drug to see its dose-response"), "", ""
            res = in_worker(run_dose_response, req, worker="screen")
        except (InputError, MtorsimError) as e:
            return _empty("no dose-response for this input (see the line above)"), _error_text(e), ""
        except Exception as e:  # noqa: BLE001
            _log.exception("explorer: dose-response failed")
            return _empty("no dose-response (internal error)"), _error_text(f"internal error ({type(e).__name__}): {e}"), ""
        m = res.metrics.iloc[0]

        def f(v, unit=""):
            return "n/a" if v != v else f"{v:.3g}{unit}"
        metrics = (f"IC50 {f(m.IC50_nM, ' nM')} {m.IC50_flag} · Emax {f(m.Emax)} · GR50 {f(m.GR50_nM, ' nM')} {m.GR50_flag} · "
                   f"GRmax {f(m.GRmax)} · GR AOC {f(m.GR_AOC)} (Hill fit: {m.hill_fit}; GR fit: {m.GR_fit})")
        return dose_response_figure(res), f"{req.drug} in {req.cell}, {req.medium} medium, {len(req.doses_nM)} doses", metrics

    @app.callback(Output("trial_km", "figure"), Output("trial_message", "children"), Input("trial_button", "n_clicks"),
                  *(State(f, p) for f, p in TRIAL_FIELDS))
    def _run_trial(n_clicks, *values):
        if not n_clicks:
            return _empty("choose a trial and press 'run trial'"), ""
        try:
            req = parse_trial({fid: v for (fid, _), v in zip(TRIAL_FIELDS, values)})
            res = in_worker(run_small_trial, req, worker="screen")
        except (InputError, MtorsimError) as e:
            return no_update, _error_text(e)
        except Exception as e:  # noqa: BLE001
            _log.exception("explorer: trial failed")
            return no_update, _error_text(f"internal error ({type(e).__name__}): {e}")
        parts = [f"{arm}: median PFS {a['median_pfs_months']:.1f} months (n={a['n']})" for arm, a in res.summary["arms"].items()]
        for name, c in res.summary["comparisons"].items():
            parts.append(f"HR {c['hazard_ratio']:.2f} ({c['hr_95ci'][0]:.2f}-{c['hr_95ci'][1]:.2f})")
        return trial_figure(res), f"{req.trial}, {req.patients} patients, seed {req.seed}: " + "; ".join(parts)

    return app


def _empty(text: str):
    import plotly.graph_objects as go
    fig = go.Figure()
    fig.update_layout(height=200, template="plotly_white", xaxis=dict(visible=False), yaxis=dict(visible=False),
                      annotations=[dict(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")])
    return fig


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(host: str = "127.0.0.1", port: int = 8050, *, debug: bool = False) -> None:
    """Start the explorer on ``host:port`` (blocking). Binds to loopback by default."""
    if not isinstance(port, int) or isinstance(port, bool) or not (1 <= port <= 65535):
        raise InputError("port", port, "an integer from 1 to 65535")
    if not isinstance(host, str) or not host.strip():
        raise InputError("host", host, "an address such as 127.0.0.1")
    app = create_app()
    warm_up()
    app.run(host=host, port=port, debug=debug)


def warm_up() -> None:
    """Compile the model and compute the page's default panels on the simulation threads, so the first
    page renders from the caches (compile, pre-equilibration and the default dose-response moved to start-up)."""
    from ._figures import _WORKERS, DEFAULT_OBSERVABLES, run_dose_response, run_scenario, scenario_network, timecourse_figure
    form = _default_form()
    sc = parse_scenario(form)
    jobs = [_WORKERS["signal"].submit(run_scenario, sc), _WORKERS["signal"].submit(run_scenario, sc.untreated()),
            _WORKERS["screen"].submit(run_dose_response, parse_dose_response(form, sc))]
    treated, untreated, _ = (j.result() for j in jobs)
    timecourse_figure(treated, untreated, DEFAULT_OBSERVABLES)      # loads plotly's validators once
    scenario_network(treated, untreated, sc)


def _default_form() -> dict:
    form = {"drug_0": _DEFAULT_DRUGS[0][0], "dose_0": _DEFAULT_DRUGS[0][1], "start_0": _DEFAULT_DRUGS[0][2]}
    return form
