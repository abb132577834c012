"""``nls worker``: the engine beside the server, for a database installed with the worker runtime (managed
PostgreSQL, where PL/Python is not allowed). Runs until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from ..main import add_dsn_argument, command


def _build(parser: argparse.ArgumentParser) -> None:
    """--dsn, --concurrency, --poll."""
    add_dsn_argument(parser)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=4,
        metavar="N",
        help="slots: how many runs (calls, users of a round) this worker runs at once, each on a "
        "connection of its own (default 4); a run waits on Notion most of the time",
    )
    parser.add_argument(
        "--poll",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how often to look for work when no notification comes (default 30; calls and rounds "
        "wake the worker at once through LISTEN/NOTIFY)",
    )
    parser.add_argument("--verbose", action="store_true", help="log each unit of work (default: warnings only)")


def _run(args: argparse.Namespace) -> int:
    """Check the database, start the slots, run until SIGTERM/SIGINT, stop cleanly. Exit 1 with one line when the
    worker cannot start."""
    from nls_worker.worker import Worker, WorkerError

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if args.concurrency < 1:
        print(f"nls worker: --concurrency {args.concurrency}: at least 1", file=sys.stderr)
        return 1
    worker = Worker(args.dsn, concurrency=args.concurrency, poll_s=args.poll)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        worker.start()
    except WorkerError as e:
        print(f"nls worker: {e}", file=sys.stderr)
        return 1
    print(f"nls worker {worker.id}: {args.concurrency} slot(s) serving {worker.database}", file=sys.stderr)
    stop.wait()
    worker.stop()
    return 0


command(
    "worker",
    help="run the engine beside the server for a database installed with the worker runtime "
    "(managed PostgreSQL without PL/Python); stops on SIGTERM",
    build=_build,
    run=_run,
)
