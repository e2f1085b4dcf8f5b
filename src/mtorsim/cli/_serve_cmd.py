"""``mtorsim serve``: start the explorer web app (a thin layer over :func:`mtorsim.explorer.serve`).
Attach it with ``register(app)``."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""
    from ._app import err, run_guarded

    @app.command("serve")
    def serve_cmd(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default: loopback only, this machine)."),
        port: int = typer.Option(8050, "--port", min=1, max=65535, help="TCP port."),
    ) -> None:
        """Start the explorer: pick a cell line or build a genotype, add drugs with doses and times, and see
        time courses, the network coloured by activity and a dose-response curve (the API's numbers).

        Example: mtorsim serve            (then open http://127.0.0.1:8050 in a browser; Ctrl-C stops it)
        """
        from ..explorer import serve
        from ..explorer._app import is_loopback

        def go():
            if not is_loopback(host):
                err.print(f"[yellow]warning:[/yellow] binding to {host}: the explorer has no authentication; "
                          "anyone who can reach this address can use it")
            typer.echo(f"mtorsim explorer on http://{host}:{port}/  (Ctrl-C to stop)")
            serve(host, port)
        run_guarded(go)
