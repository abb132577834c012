"""Which sources run, and when: a call by hand (``nls.sync_notion``, in the caller's transaction) and the scheduled
workers (``CALL nls.sync_all_users_notion_databases()``, committing as they go), each followed by the cleaning
pipeline of the users whose learning or creative sources ran; the scheduled workers then push each user's local
changes back to Notion (``push``, setting push_after_read) and run the user's Anki sync (``anki_sync``) when the user
has an Anki account. ``nls.push_notion`` runs the push by hand."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from .anki import sync as anki_sync
from .integration import acting_for
from .notion.waiting import Waiter
from .push import flow as push
from .read.flow import NotionRead
from .read.trash import TrashLook
from .report import RunStatus
from .run import Commit, Source, SourceRun, UserRun
from .settings import Settings
from .store import Store
from .typed_views.views import refresh as refresh_typed_views
from .webhooks.events import ApplyEvents

DELIVERY_BUDGET_S = 45.0  # how long the webhook job goes on delivering nls's events while some are out


def sync_notion(
    store: Store,
    settings: Settings,
    database_id: str | None = None,
    database_name: str | None = None,
    user_id: str | None = None,
    full_sync: bool | None = False,
    commit: Commit = None,
) -> dict:
    """What ``nls.sync_notion(...)`` returns: for one database ``{"success", "synced_count",
    "database_name", ...}``, for several ``{"success", "results": [...]}``, with ``"cleaning"`` when the
    pipeline ran and ``"typed_views"`` when a typed view followed its data source's schema. Every enabled source
    matching the filters (NULL: any) is read with :class:`NotionRead`."""
    sources = [Source.from_row(r) for r in store.sources(database_id, database_name, user_id)]
    if not sources:
        what = database_id or database_name or "any database"
        who = f" for user {user_id!r}" if user_id else ""
        return {
            "success": False,
            "synced_count": 0,
            "database_name": database_name,
            "error": f"no enabled source matches {what}{who}; add one with nls.add_source(user_id, database_id)",
        }
    results = [SourceRun(store, settings, s, NotionRead(bool(full_sync)), commit).go() for s in sources]
    trash = look_at_trash(store, settings, sources, results, commit) if not (database_id or database_name) else []
    cleaning = clean_learning(store, sources, results, commit)
    views = refresh_typed_views(store, sources, results, commit)
    extra = {
        **({"cleaning": cleaning} if cleaning else {}),
        **({"typed_views": views} if views else {}),
        **({"trash": trash} if trash else {}),
    }
    if (database_id or database_name) and len(results) == 1:
        r = results[0]
        return {"success": RunStatus.of_answer(r["status"]).succeeded, **r, **extra}
    return {"success": all(RunStatus.of_answer(r["status"]).succeeded for r in results), "results": results, **extra}


def look_at_trash(
    store: Store, settings: Settings, sources: list[Source], results: list[dict], commit: Commit = None
) -> list[dict]:
    """After a run of all of a user's sources (not one database by hand): the user's trash listing
    (:class:`nls_engine.read.trash.TrashLook`, one request) for every user whose sources ran and did not fail. Returns
    each look's answer (its row of nls.sync_log, type notion_trash)."""
    users = sorted(
        {
            s.user_id
            for s, r in zip(sources, results, strict=True)
            if RunStatus.of_answer(r["status"]) in (RunStatus.COMPLETED, RunStatus.PARTIAL)
        }
    )
    return [UserRun(store, settings, user, TrashLook(), commit).go() for user in users]


def clean_learning(store: Store, sources: list[Source], results: list[dict], commit: Commit = None) -> list[dict]:
    """Run the cleaning pipeline (``nls.clean(user_id)``, sql/30_learning.sql) once for every user one of whose
    learning or creative sources (target other than 'pages') ran, acting for that user. Returns the pipeline's
    answers; a failed cleaning is reported there (and in sync_log), never raised."""
    return clean_users(
        store,
        {
            s.user_id
            for s, r in zip(sources, results, strict=True)
            if s.target != "pages" and r.get("status") != RunStatus.SKIPPED.answer
        },
        commit,
    )


def clean_users(store: Store, users: Iterable[str], commit: Commit = None) -> list[dict]:
    """``nls.clean(user_id)`` for each of ``users`` (in order), acting for that user, committing after each where
    the caller may. Returns the pipeline's answers."""
    out = []
    for user in sorted(users):
        with acting_for(store, user):
            out.append(store.clean(user))
        if commit:
            commit()
    return out


def user_status(result: dict) -> RunStatus:
    """A user's status in a scheduled round, from sync_notion's answer. Sources another session was syncing
    (skipped) do not count: skipped when that was every source; else completed when every other source completed,
    partial when all at least partly succeeded, failed otherwise (no source at all is a failure)."""
    statuses = [RunStatus.of_answer(r["status"]) for r in result.get("results", [])]
    ran = [s for s in statuses if s is not RunStatus.SKIPPED]
    if statuses and not ran:
        return RunStatus.SKIPPED
    if ran and all(s is RunStatus.COMPLETED for s in ran):
        return RunStatus.COMPLETED
    return RunStatus.PARTIAL if ran and all(s.succeeded for s in ran) else RunStatus.FAILED


def anki_after_notion(store: Store, settings: Settings, user_id: str, commit: Commit) -> dict | None:
    """After a user's Notion read and cleaning, the user's Anki sync (:mod:`nls_engine.anki.sync`) when the user has
    an active Anki account; its steps are in nls.sync_log. Returns its answer, or None when there is no account."""
    if not store.active_anki_account(user_id):
        return None
    return anki_sync.sync_user(store, settings, user_id, commit)


def push_notion(
    store: Store, settings: Settings, user_id: str | None = None, dry_run: bool = False, commit: Commit = None
) -> dict:
    """What ``nls.push_notion(user_id, dry_run)`` returns (the shape of :func:`sync_notion`'s answer): {"success",
    "results": [each source's answer: RunReport.answer, with "conflicts" and "failed" when not 0], "dry_run"?,
    "message"?}. Every enabled source of ``user_id`` (NULL: every user the session sees) with something to push (a
    local change waiting, a transient failure, a conflict whose page was read again, an atom with no page) is pushed
    by :class:`nls_engine.push.flow.NotionPush`, one run each; the others cost nothing. With ``dry_run`` nothing is
    sent or changed and each result lists what would be sent (:func:`nls_engine.push.flow.dry_run`)."""
    sources = [Source.from_row(r) for r in store.push_sources(user_id, sorted(push.RETRIED))]
    if dry_run:
        return {"success": True, "dry_run": True, "results": [push.dry_run(store, s) for s in sources]}
    results = [SourceRun(store, settings, s, push.NotionPush(), commit).go() for s in sources]
    out = {"success": all(RunStatus.of_answer(r["status"]).succeeded for r in results), "results": results}
    if not sources:
        who = f"user {user_id!r}" if user_id else "any user this session sees"
        out["message"] = f"nothing to push for {who}: no local change waits in an enabled source's push map"
    return out


def push_after_read(store: Store, settings: Settings, user_id: str, read: dict, commit: Commit) -> dict | None:
    """After a user's read and cleaning in a scheduled round, the user's push (:func:`push_notion`), unless the
    setting push_after_read is off or no source of the user was read at least in part (the push would work from
    copies that are not fresh). Returns its answer, or None when it did not run; failures are in nls.sync_log."""
    if settings.push_after_read != "on" or user_status(read) not in (RunStatus.COMPLETED, RunStatus.PARTIAL):
        return None
    return push_notion(store, settings, user_id, False, commit)


def sync_all(store: Store, settings: Settings, commit: Callable[[], None]) -> dict:
    """One scheduled worker (run by every pg_cron worker job): takes the round's users one at a time
    (``nls._claim_sync_user``: each user goes to one worker, so N workers sync N users side by side and a slow
    user holds up only its own worker), syncs each user's enabled sources and cleans them acting for that user,
    committing as it goes. Returns {"round", "users": [{"user_id", "status", "sources"}]}."""
    store.close_stale_runs()
    commit()
    done, round_ = [], None
    while True:
        round_, user = store.claim_sync_user(round_)
        commit()
        if user is None:
            break
        done.append(_sync_user(store, settings, round_, user, commit))
    return {"round": round_, "users": done}


def sync_round_user(store: Store, settings: Settings, commit: Callable[[], None]) -> dict | None:
    """One user of the round waiting (one with a user nobody took: opened by pg_cron's job; never opened here), as
    one worker of the round does: the user's sync, push and Anki sync, committing as it goes. Returns the user's
    {"user_id", "status", "sources"}, or None when no round has a user left."""
    round_ = store.round_waiting()
    if round_ is None:
        return None
    store.close_stale_runs()
    commit()
    round_, user = store.claim_sync_user(round_)
    commit()
    return None if user is None else _sync_user(store, settings, round_, user, commit)


def _sync_user(store: Store, settings: Settings, round_: str | None, user: str, commit: Callable[[], None]) -> dict:
    """One user of a round: sync and clean acting for that user, then the user's Anki sync when there is an account,
    then mark the user done in the round (also when the run fails or is cancelled; a cancel is then raised on).
    Returns {"user_id", "status", "sources"}."""
    status, sources = RunStatus.FAILED, 0
    try:
        with acting_for(store, user):
            result = sync_notion(store, settings, None, None, user, False, commit=commit)
            push_after_read(store, settings, user, result, commit)
            anki_after_notion(store, settings, user, commit)
        status, sources = user_status(result), len(result.get("results", []))
    except Exception as e:
        if store.interrupted(e):
            status = RunStatus.CANCELLED
        raise
    finally:
        store.finish_sync_user(round_, user, status.value)
        commit()
        deliver_events(store, commit)
    return {"user_id": user, "status": status.value, "sources": sources}


def deliver_events(store: Store, commit: Callable[[], object], budget_s: float = 0.0) -> None:
    """The delivery step of nls's events (:meth:`Store.deliver_events`; with pg_net, what it hands pg_net leaves once
    ``commit`` commits it): once after a user's work committed (``budget_s`` 0), so that a run's events go out at its
    end; for up to ``budget_s`` seconds (the webhook job: DELIVERY_BUDGET_S) while deliveries are out, a step every
    0.2 s, since an endpoint gets its next event only once pg_net answered the one before. A failure of a step is
    left to the next one; it never fails the round."""
    waiter = Waiter(store.check_interrupts)
    end = time.monotonic() + budget_s
    while True:
        try:
            answer = store.deliver_events()
        except store.error:
            return
        commit()
        if not answer.get("out") or time.monotonic() >= end:
            return
        waiter.sleep(0.2)


def apply_webhooks(
    store: Store, settings: Settings, user_id: str | None = None, commit: Commit = None, users: list[str] | None = None
) -> dict:
    """``nls.apply_webhook_events(user_id)`` (by hand, in the caller's transaction) and the scheduled job
    (``users``: every user with events waiting, :meth:`Store.users_with_events`; committing as it goes): each user's
    pending webhook events in batches of webhook_batch_size (:class:`nls_engine.webhooks.events.ApplyEvents`, a sync_log
    row of type notion_webhook each), then the cleaning of users whose learning or creative pages changed. A user's
    batches go on while the last one applied a whole batch: events another run's source keeps pending are the oldest
    of the next batch again, so a batch that leaves any pending is the user's last of this call. Returns
    {"success", "results": [each run's answer], "cleaning"?}. A user with nothing pending costs one statement and no
    row."""
    if users is None and user_id is not None:
        users = [user_id] if store.pending_count(user_id) else []
    elif users is None:
        users = store.pending_users()
    results, to_clean = [], set()
    for user in users:
        changed = False
        while True:
            r = UserRun(store, settings, user, ApplyEvents(NotionRead.read_whole), commit).go()
            results.append(r)
            changed = changed or bool(r.get("items_updated") or r.get("items_added") or r.get("items_removed"))
            details = r.get("details") or {}
            applied = details.get("events", 0) - details.get("left_pending", 0)
            if r["status"] != RunStatus.COMPLETED.answer or applied < settings.webhook_batch_size:
                break
        if changed:
            with acting_for(store, user):  # the user's sources are visible acting for the user
                if any(Source.from_row(s).target != "pages" for s in store.sources(None, None, user)):
                    to_clean.add(user)
    cleaning = clean_users(store, to_clean, commit)
    out = {
        "success": all(RunStatus.of_answer(r["status"]).succeeded or r["status"] == "skipped" for r in results),
        "results": results,
    }
    return {**out, **({"cleaning": cleaning} if cleaning else {})}
