"""``nls emulator`` and its alias ``nls-notion-emulator``: a local Notion API for tests, the demo and benchmarks.
Both use :func:`add_arguments` and :func:`run`; ``python -m nls_emulator.cli`` runs :func:`main`. Only :func:`run`
needs werkzeug (the ``emulator`` extra): the options and ``--help`` import without it."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading

DESCRIPTION = (
    "Serve a local api.notion.com (Notion-Version 2022-06-28, 2025-09-03, 2026-03-11, 2026-12-01) over "
    "a generated or recorded workspace. Control endpoints: GET /_emulator/stats, "
    "POST /_emulator/reset, /_emulator/rate_limits, /_emulator/faults (refuse_every_nth_cursor too), "
    "/_emulator/block_limit, /_emulator/latency, "
    "/_emulator/webhooks (subscribe, confirm, aggregation, retries, dropped and duplicated deliveries)."
)


def build_parser(prog: str = "nls-notion-emulator") -> argparse.ArgumentParser:
    """The emulator's parser (``nls emulator`` gets the same options from :func:`add_arguments`)."""
    p = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the emulator's options to ``p``."""
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; loopback only)")
    p.add_argument("--port", type=int, default=8765, help="TCP port (default 8765; 0 picks a free one)")
    p.add_argument(
        "--workspace",
        choices=["learning", "creative", "recorded"],
        action="append",
        help="workspace to serve; repeat for several (each gets its own token: TOKEN, TOKEN-2, ...). Default: learning",
    )
    p.add_argument("--pages", type=int, default=200, help="pages in a generated workspace, 10 to 200000 (default 200)")
    p.add_argument("--seed", type=int, default=1, help="seed of a generated workspace (default 1)")
    p.add_argument(
        "--hard",
        action="store_true",
        help="add the hard cases: NUL and lone surrogates, 2,000-character runs, 40+ relations, "
        "deep and synced blocks, trashed pages, a database with two data sources",
    )
    p.add_argument(
        "--token",
        default="secret_emulator_token",
        help="bearer token that reads the workspace (default secret_emulator_token); a fake, never a real one",
    )
    p.add_argument("--recorded-dir", help="folder of recorded fixtures (default ../shared/notion-fixtures/recorded)")
    p.add_argument("--ids-file", help="write the generated databases' ids (JSON) to this file")
    _add_behaviour_arguments(p)


def _add_behaviour_arguments(p: argparse.ArgumentParser) -> None:
    """The options of how the emulator answers: rate limits, faults, latency, webhooks."""
    _add_rate_limit_arguments(p)
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND=P",
        help="inject a fault with probability P per request; KIND is one of 500, 502, 503, 504, 529, "
        "429_long, reset, stall, invalid_cursor, reset_after_write, 200_truncated (a 200 whose "
        "JSON is cut short), 200_html (a 200 that is an HTML page) (repeatable)",
    )
    p.add_argument("--fault-seed", type=int, default=0, help="seed of the fault RNG (default 0)")
    p.add_argument("--stall-seconds", type=float, default=30.0, help="how long a 'stall' fault holds a response")
    p.add_argument(
        "--query-result-limit",
        type=int,
        default=10_000,
        help="rows a data source query returns before request_status 'incomplete' (default 10000)",
    )
    p.add_argument(
        "--latency",
        metavar="LOW-HIGH",
        help="hold each answer a random time between LOW and HIGH seconds, as Notion takes (e.g. 0.15-0.4)",
    )
    p.add_argument(
        "--webhook-url",
        metavar="URL",
        help="subscribe the first workspace's integration to webhook deliveries at URL (the handshake is "
        "sent once serving; confirm the token with POST /_emulator/webhooks)",
    )
    p.add_argument("--webhook-drop", type=float, default=0.0, help="share of webhook deliveries never sent (0 to 1)")
    p.add_argument(
        "--webhook-fold-s",
        type=float,
        default=60.0,
        help="page.created and a page's first page.properties_updated go at once, later edits of the "
        "next this many seconds are folded into one event, as Notion delivers since 2026-10-15 "
        "(default 60; 0 turns it off: every event aggregates for 2 s)",
    )


def _add_rate_limit_arguments(p: argparse.ArgumentParser) -> None:
    """The options of the rate limits: Notion's window budgets, or the older token buckets."""
    p.add_argument("--rate-limit", action="store_true", help="turn rate limits on (off by default)")
    p.add_argument(
        "--rate-limit-mode",
        choices=["window", "bucket"],
        default="bucket",
        help="window: a budget of requests per window per token and per workspace, as Notion states its "
        "limits now; bucket: 3 requests/s on average with bursts, the older statement (default)",
    )
    p.add_argument(
        "--token-budget", type=int, default=300, help="window mode: requests per window per token (default 300)"
    )
    p.add_argument("--window-s", type=float, default=60.0, help="window mode: a token's window, seconds (default 60)")
    p.add_argument(
        "--workspace-budget",
        type=int,
        default=1500,
        help="window mode: requests per window per workspace, all tokens together (default 1500)",
    )
    p.add_argument(
        "--workspace-window-s",
        type=float,
        default=120.0,
        help="window mode: a workspace's window, seconds (default 120)",
    )
    p.add_argument("--rate", type=float, default=3.0, help="bucket mode: average requests/s per token (default 3)")
    p.add_argument("--burst", type=float, default=10.0, help="burst per token (default 10)")
    p.add_argument(
        "--workspace-rate",
        type=float,
        default=15.0,
        help="average requests/s per workspace, all tokens together (default 15)",
    )
    p.add_argument("--workspace-burst", type=float, default=30.0, help="burst per workspace (default 30)")


def main(argv: list[str] | None = None) -> int:
    """Serve the emulator as ``argv`` (default: the process's arguments) say, until interrupted."""
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Serve the workspaces ``args`` ask for until interrupted; returns the exit code. Needs werkzeug (the
    ``emulator`` extra), imported here so that the options above need none."""
    from .api import NotionApi
    from .server import Emulator

    api = NotionApi(query_result_limit=args.query_result_limit)
    api.rate_limits.set(
        {
            "enabled": args.rate_limit,
            "mode": args.rate_limit_mode,
            "token_rate": args.rate,
            "token_burst": args.burst,
            "workspace_rate": args.workspace_rate,
            "workspace_burst": args.workspace_burst,
            "token_budget": args.token_budget,
            "window_s": args.window_s,
            "workspace_budget": args.workspace_budget,
            "workspace_window_s": args.workspace_window_s,
        }
    )
    probabilities = {}
    for f in args.fault:
        kind, _, p = f.partition("=")
        probabilities[kind] = float(p or 0.01)
    api.faults.set_probabilities(probabilities, seed=args.fault_seed)
    api.faults.stall_seconds = args.stall_seconds
    if args.latency:
        low, _, high = args.latency.partition("-")
        api.latency = (float(low), float(high or low))
    api.webhooks.drop = args.webhook_drop
    api.webhooks.fold_s = args.webhook_fold_s or None
    emu = Emulator(args.host, args.port, api)
    ids = {}
    for n, kind in enumerate(args.workspace or ["learning"]):
        token = args.token if n == 0 else f"{args.token}-{n + 1}"
        if kind == "recorded":
            emu.add_recorded(token, directory=args.recorded_dir)
            ids[token] = {"kind": kind}
        else:
            gen = emu.add_generated(kind, pages=args.pages, seed=args.seed + n, hard=args.hard, token=token)
            ids[token] = {
                "kind": kind,
                "workspace_id": gen.workspace.id,
                "databases": gen.database_ids,
                "data_sources": gen.data_source_ids,
            }
    if args.ids_file:
        with open(args.ids_file, "w") as fh:
            json.dump(ids, fh, indent=2)
    print(f"nls-notion-emulator listening on {emu.url} ({', '.join(args.workspace or ['learning'])})", flush=True)
    if args.webhook_url:  # once serving: the receiver may call back at once
        threading.Timer(0.5, api.webhooks.subscribe, (args.token, args.webhook_url)).start()
    with contextlib.suppress(KeyboardInterrupt):
        emu.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
