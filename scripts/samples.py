"""The sample psql sessions of the README and docs/, from a real run: `make samples` rewrites them, `make test`
checks them (tests/test_readme_samples.py).

A sample is a fenced block of any markdown file of the repository opened by a marker naming its scene::

    <!-- sample: first-sync -->
    ```
    nls_demo=# SELECT sync_type, status FROM nls.sync_log;
    nls_demo-#   ...                                      (a query goes on over lines of this prompt)
    ... psql's answer ...
    ```

The lines starting ``nls_demo=#`` (and their ``nls_demo-#`` continuations) are the block's queries, as the reader
types them; every other line is what psql answered, and is what this script writes. The run: a throwaway cluster
(scripts/pg_cluster.py), the Notion emulator in this process with the demo's workspace (scripts/demo.py: the
learning workspace of seed 1, 600 pages with the hard cases, its times whole minutes before now; rate limits off and
nls's pacing lifted, which changes no count), `nls install` (without the pg_cron jobs: no scheduled round runs
between two queries), the demo's user and sources. Then each scene of SCENES, in that order and on that one
database, prepares what its samples show (a page trashed in the emulator, review items, Anki's sync server and the
learner's phone, ...), and each block of that scene runs its queries through Debian's ``psql`` (one session per
block, so a ``SET`` holds for the block), whose output replaces the block's. Values that differ from run to run
(uuids other than the workspace's own, times, ports, the card ids made from uuids) and the padding psql aligns them
with are compared as placeholders, so an unchanged sample stays as it is. A scene that cannot run here (Anki's
sync without Anki's library) leaves its samples as they are, and says so.

A new sample: mark its block with the scene whose state it shows (or add a scene: a function that prepares the
state, in SCENES where it belongs in the session), write its queries, and run `make samples`.

    python scripts/samples.py            # rewrite the samples that differ
    python scripts/samples.py --check    # exit 1 with a diff when a committed sample differs
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

import demo
import demo_anki
from nls_cli.main import main as nls
from nls_emulator import Emulator, Generated
from nls_install.installed import value
from pg_cluster import Cluster, bin_dir

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "nls_demo"
PROMPT, CONTINUED, SHELL = f"{DATABASE}=# ", f"{DATABASE}-# ", "$ "
QUERY_MARK = r"\echo '@@nls-sample-query@@'"
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
VARYING = [
    (re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:\d\d)?)?"), "<time>"),
    (re.compile(r"\b\d\d:\d\d:\d\d\b"), "<time>"),
    (re.compile(r"\b127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"\bport=\d+"), "port=<port>"),
    (re.compile(r"\bNLS-[0-9A-F]{12}\b"), "NLS-<id>"),
    (re.compile(r"\b\d+\.\d+ s\b"), "<duration> s"),
]


class SampleError(RuntimeError):
    """A sample block cannot be run: an unknown scene, a block without queries, a query psql refused."""


class SceneUnavailable(RuntimeError):
    """A scene cannot run on this machine (Anki's library is not installed); the message says why. Its samples are
    left as they are, and named as not checked."""


@dataclass
class Sample:
    """One marked block: its file, scene name, where its body lies in the file's text, and its steps."""

    path: Path
    name: str
    start: int
    end: int
    body: str

    @property
    def steps(self) -> list[tuple[str, str]]:
        """The block's steps in order: ``("sql", query)``, the text after the prompts of its lines joined by
        newlines, or ``("sh", command)``, the text after ``$ `` of a shell line."""
        steps: list[tuple[str, list[str]]] = []
        for line in self.body.splitlines():
            if line.startswith(PROMPT):
                steps.append(("sql", [line[len(PROMPT) :]]))
            elif line.startswith(SHELL):
                steps.append(("sh", [line[len(SHELL) :]]))
            elif line.startswith(CONTINUED) and steps and steps[-1][0] == "sql":
                steps[-1][1].append(line[len(CONTINUED) :])
        return [(kind, "\n".join(lines)) for kind, lines in steps]

    def where(self) -> str:
        """``README.md: sample first-sync``, for messages."""
        return f"{os.path.relpath(self.path, ROOT)}: sample {self.name}"


@dataclass
class Run:
    """What a scene works with: a connection to the demo's database (superuser, autocommit), its DSN, the
    emulator and the demo's workspace in it (its ids by database name, and the workspace to change)."""

    conn: psycopg.Connection
    dsn: str
    emulator: Emulator
    generated: Generated
    stack: contextlib.ExitStack  # what a scene starts (a server, a folder) is stopped or removed with the run
    folder: Path  # the shell steps' working folder (removed with the run)

    def __post_init__(self):
        ws = self.generated.workspace
        self.stable_ids = set().union(ws.pages, ws.databases, ws.data_sources, ws.blocks, ws.users)


def markdown_files(root: Path = ROOT) -> list[Path]:
    """Every markdown file of the checkout (the README, docs/, ...), none under a hidden folder (.venv, .demo)."""
    return sorted(p for p in root.rglob("*.md") if not any(part.startswith(".") for part in p.relative_to(root).parts))


def marked_blocks(text: str, marker: str) -> list[tuple[str, int, int, str]]:
    """The fenced blocks of ``text`` that a line ``<!-- MARKER: NAME -->`` opens, in order: ``(name, start, end,
    body)`` each, ``start`` and ``end`` the offsets of the block's body (the lines between its fences) in ``text``."""
    block = re.compile(
        rf"^<!-- {re.escape(marker)}: (?P<name>[a-z0-9-]+) -->\n```[a-z]*\n(?P<body>.*?)^```$", re.M | re.S
    )
    return [(m["name"], m.start("body"), m.end("body"), m["body"]) for m in block.finditer(text)]


def with_bodies(text: str, bodies: dict[tuple[int, int], str]) -> str:
    """``text`` with each body of :func:`marked_blocks` at ``(start, end)`` replaced by ``bodies``' text."""
    for (start, end), body in sorted(bodies.items(), reverse=True):
        text = text[:start] + body + text[end:]
    return text


def find_samples(paths: list[Path]) -> list[Sample]:
    """The marked blocks of ``paths``, in file order; SampleError for an unknown scene or a block with no query."""
    samples = []
    for path in paths:
        for name, start, end, body in marked_blocks(path.read_text(), "sample"):
            sample = Sample(path, name, start, end, body)
            if sample.name not in SCENES:
                raise SampleError(f"{sample.where()}: no such scene (scripts/samples.py knows {', '.join(SCENES)})")
            if not sample.steps:
                raise SampleError(f"{sample.where()}: no line starts with {PROMPT!r} or {SHELL!r}")
            samples.append(sample)
    return samples


def psql_session(dsn: str, queries: list[str], where: str = "") -> list[str]:
    """What psql answers to each of ``queries``, sent in one session (its echo of nothing, its command tags,
    tables and footers as a reader sees them, trailing blanks dropped). SampleError when psql refuses one."""
    for query in queries:
        if not re.sub(r"--[^'\n]*$", "", query).rstrip().endswith(";"):  # a comment may follow the ';'
            raise SampleError(f"{where}: the query does not end with ';': {query!r}")
    script = "".join(f"{QUERY_MARK}\n{query}\n" for query in queries)
    env = {**os.environ, "PGCLIENTENCODING": "UTF8", "PAGER": "", "PSQL_PAGER": ""}
    done = subprocess.run(
        [str(bin_dir() / "psql"), "-X", "-v", "ON_ERROR_STOP=1", "-d", dsn],
        input=script,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise SampleError(f"{where}: psql failed: {done.stderr.strip()}")
    answers = done.stdout.split("@@nls-sample-query@@\n")[1:]
    return ["\n".join(line.rstrip() for line in answer.rstrip().splitlines()) for answer in answers]


def shell(command: str, run: Run, where: str = "") -> str:
    """What ``command`` prints (stdout and stderr, trailing blanks dropped), run by bash in the run's own folder
    with `nls` on the PATH and NLS_DSN naming the demo's database, as after the README's first screen; a path in
    that folder is shown as the reader's own would be, relative (``demo.db``). SampleError when it fails."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "NLS_DSN": run.dsn,
    }
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=run.folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise SampleError(f"{where}: {command!r} exited {done.returncode}: {done.stdout.strip()}")
    said = done.stdout.replace(f"{run.folder}{os.sep}", "")
    return "\n".join(line.rstrip() for line in said.rstrip().splitlines())


def answers(sample: Sample, run: Run) -> list[str]:
    """What each step of ``sample`` answers, in order: its shell commands one by one, each run of consecutive
    queries in one psql session."""
    out: list[str] = []
    queries: list[str] = []
    for kind, text in [*sample.steps, ("end", "")]:
        if kind != "sql" and queries:
            out.extend(psql_session(run.dsn, queries, sample.where()))
            queries = []
        if kind == "sql":
            queries.append(text)
        elif kind == "sh":
            out.append(shell(text, run, sample.where()))
    return out


def render(sample: Sample, answers: list[str]) -> str:
    """The block's new body: each step's lines as written, each followed by what it answered."""
    lines, n = [], -1
    for line in sample.body.splitlines():
        if line.startswith((PROMPT, SHELL)):
            if n >= 0 and answers[n]:
                lines.append(answers[n])
            n += 1
            lines.append(line)
        elif line.startswith(CONTINUED):
            lines.append(line)
    if answers[n]:
        lines.append(answers[n])
    return "\n".join(lines) + "\n"


def comparable(body: str, stable_ids: set[str], varying: list[tuple[re.Pattern, str]] = VARYING) -> str:
    """``body`` with what varies between runs as placeholders and psql's padding collapsed: uuids other than
    ``stable_ids`` (those of the demo's workspace, the same for its seed), and each pattern of ``varying`` (by
    default times, ports, card ids made from uuids, durations) as its placeholder."""
    body = UUID.sub(lambda m: m[0] if m[0] in stable_ids else "<uuid>", body)
    for pattern, placeholder in varying:
        body = pattern.sub(placeholder, body)
    return "\n".join(re.sub(r"-{2,}", "-", re.sub(r" +", " ", line)).strip() for line in body.splitlines())


# ---- the scenes, run in this order on one database, as a reader's session would go -------------------------------


def _first_sync(run: Run) -> None:
    """Nothing before: the block runs the demo's first sync itself."""


def _request_minimum(run: Run) -> None:
    """Nothing before: the block syncs again, with nothing changed in Notion."""


TRASHED_PAGE = "2c400b95-34e4-4e75-82a9-5d35d5d8575d"  # a flashcard of the demo's workspace (from its seed)


def _trash(run: Run) -> None:
    """The flashcard TRASHED_PAGE trashed in Notion (the trash sample's query names it)."""
    if TRASHED_PAGE not in run.generated.page_ids["Flashcards"]:
        raise SampleError(f"{TRASHED_PAGE} is no flashcard of the demo's workspace: choose one of its pages")
    run.generated.workspace.trash_page(TRASHED_PAGE)


def _push(run: Run) -> None:
    """The demo's review items: two cards rewritten, one AI card (scripts/demo.py); the block approves them."""
    demo.queue_reviews(run.conn)


CONFLICTED_CARD = "NET-M1-027-PROC"


def _push_conflict(run: Run) -> None:
    """The learner edits CONFLICTED_CARD's answer in Notion (the block edits it here too)."""
    page_id = value(run.conn, "SELECT notion_id FROM nls.learning_atoms WHERE card_id = %s", (CONFLICTED_CARD,))
    run.generated.workspace.update_page(str(page_id), {"Answer": "Edited in Notion by the learner."})


def _anki(run: Run) -> None:
    """As `make demo` does (scripts/demo_anki.py): Anki's sync server, the learner's account, a first Anki sync,
    and the phone answering 6 cards; the block syncs again. SceneUnavailable without Anki's library."""
    why = demo_anki.available(run.conn)
    if why:
        raise SceneUnavailable(why)
    folder = run.folder / "anki"
    server, url = demo_anki.start_server(folder / "server")
    run.stack.callback(os.killpg, server.pid, signal.SIGTERM)
    run.conn.execute(
        "SELECT nls.add_anki_account(%s, %s, %s, endpoint => %s)", (demo.USER, demo_anki.USER, demo_anki.PASSWORD, url)
    )
    run.conn.execute("SELECT nls.anki_sync(user_id => %s)", (demo.USER,))
    demo_anki.phone_reviews(folder / "phone", url)


def _export(run: Run) -> None:
    """Nothing before: the block exports the demo user's data with `nls export sqlite` and reads the file."""


SCENES: dict[str, Callable[[Run], None]] = {
    "first-sync": _first_sync,
    "request-minimum": _request_minimum,
    "trash": _trash,
    "push": _push,
    "push-conflict": _push_conflict,
    "export": _export,
    "anki": _anki,
}  # Anki last: it may not run here


@contextlib.contextmanager
def demo_run():
    """The demo's database and workspace, as scenes use them: a throwaway cluster, the installed nls, the emulator
    in this process (no rate limits, nls's pacing lifted), the demo's user and sources. Yields a :class:`Run`."""
    options = {"shared_preload_libraries": "pg_cron", "cron.database_name": DATABASE, "fsync": "off"}
    with (
        Cluster(options=options, env={"NLS_ENCRYPTION_KEY": secrets.token_hex(32)}) as pg,
        Emulator() as emu,
        contextlib.ExitStack() as stack,
    ):
        pg.start()
        pg.create_database(DATABASE)
        dsn = pg.dsn(DATABASE)
        with contextlib.redirect_stdout(io.StringIO()) as said:
            if nls(["install", "--dsn", dsn, "--no-schedule"]) != 0:
                raise SampleError(f"nls install failed: {said.getvalue()}")
        # times a whole number of minutes before now: Notion's minutes (and so what an overlap reads again) are the
        # same in every run
        generated = emu.add_generated(
            "learning", pages=demo.PAGES, hard=True, token=demo.TOKEN, now=time.time() // 60 * 60
        )
        with psycopg.connect(dsn, autocommit=True) as conn:
            demo.add_demo_user(conn, emu.url, generated.database_ids)
            for name in ("rate_limit_per_s", "workspace_rate_limit_per_s", "rate_limit_burst"):
                conn.execute("SELECT nls.set_setting(%s, '100000')", (name,))
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nls-samples-")))
            yield Run(conn, dsn, emu, generated, stack, folder)


@dataclass
class Outcome:
    """What a run made of the samples: the new text of each file holding some, and the samples it could not run
    (``README.md: sample anki`` -> why)."""

    texts: dict[Path, str]
    unchecked: dict[str, str]

    def differences(self) -> str:
        """A unified diff of each file whose samples differ from this run's ('' when none does)."""
        out: list[str] = []
        for path, text in self.texts.items():
            old, name = path.read_text(), os.path.relpath(path, ROOT)
            out.extend(difflib.unified_diff(old.splitlines(True), text.splitlines(True), name, f"{name} (this run)"))
        return "".join(out)


def regenerate(paths: list[Path]) -> Outcome:
    """Run the scenes and the samples of ``paths``: every block whose output differs (as :func:`comparable` sees
    it) from this run's is replaced by it, the others (and those of a scene that cannot run here) stay."""
    samples = find_samples(paths)
    bodies = {(s.path, s.start): s.body for s in samples}
    unchecked: dict[str, str] = {}
    with demo_run() as run:
        for name, prepare in SCENES.items():
            ours = [s for s in samples if s.name == name]
            try:
                prepare(run)
            except SceneUnavailable as e:
                unchecked.update((s.where(), str(e)) for s in ours)
                continue
            for sample in ours:
                fresh = render(sample, answers(sample, run))
                if comparable(fresh, run.stable_ids) != comparable(sample.body, run.stable_ids):
                    bodies[sample.path, sample.start] = fresh
    texts = {
        path: with_bodies(
            path.read_text(), {(s.start, s.end): bodies[path, s.start] for s in samples if s.path == path}
        )
        for path in dict.fromkeys(s.path for s in samples)
    }
    return Outcome(texts, unchecked)


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with --check, compare) the samples of the checkout's markdown files; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 with a diff when a sample differs")
    parser.add_argument("files", nargs="*", type=Path, help="markdown files (default: every one of the checkout)")
    args = parser.parse_args(argv)
    outcome = regenerate([p.resolve() for p in args.files] or markdown_files())
    for where, why in outcome.unchecked.items():
        print(f"{where}: not checked: {why}", file=sys.stderr)
    return check_or_write(outcome.texts, outcome.differences, args.check, "the samples")


def check_or_write(texts: dict[Path, str], differences, check: bool, what: str) -> int:
    """With ``check``, print ``differences()`` (a diff of the committed files and ``texts``) and return 1 when there
    are any; else write every file of ``texts`` that differs, saying so. Returns the exit code."""
    if check:
        diff = differences()
        sys.stdout.write(diff)
        return 1 if diff else 0
    for path, text in texts.items():
        if text != path.read_text():
            path.write_text(text)
            print(f"rewrote {what} of {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
