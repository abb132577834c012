"""``nls webhooks serve``: receive Notion's webhooks. Serving needs the ``webhooks`` extra (starlette and uvicorn),
imported only when run; the options and ``--help`` need none."""

from __future__ import annotations

import argparse

from ..main import add_dsn_argument, command, group, import_extra


def _build(parser: argparse.ArgumentParser) -> None:
    """--dsn, --host, --port, --max-body-bytes, --log-level."""
    add_dsn_argument(parser)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: put it behind your TLS proxy; 0.0.0.0 for all)",
    )
    parser.add_argument("--port", type=int, default=8790, help="TCP port (default 8790)")
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=262_144,
        metavar="N",
        help="refuse a delivery larger than N bytes with 413, unstored (default 262144; "
        "the database refuses past the setting webhook_max_body_bytes too)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="log level on stderr (default info: refused deliveries are logged, never a body)",
    )
    parser.epilog = (
        "Serves POST /notion/<path> for every path nls.webhook_endpoint(user_id) gave (add the receiver's "
        "public URL followed by that path in the integration's webhook settings in Notion) and GET "
        "/healthz. Connect as a role granted nls_webhook: it may run nls.webhook_receive() only; the "
        "verification tokens never leave the database. Stops on SIGTERM (systemd: Type=simple)."
    )


def _run(args: argparse.Namespace) -> int:
    """Serve until stopped; exit 2 when the database cannot be used; MissingExtra without starlette or uvicorn."""
    receiver = import_extra("nls_webhooks.receiver", "webhooks")  # starlette
    import_extra("uvicorn", "webhooks")  # which serve() imports when it starts
    return receiver.serve(args.dsn, args.host, args.port, args.max_body_bytes, args.log_level)


group("webhooks", "receive Notion's webhooks (nls webhooks serve)")
command(
    "webhooks serve",
    help="serve the endpoint Notion's webhooks are delivered to",
    build=_build,
    run=_run,
    extra="webhooks",
)
