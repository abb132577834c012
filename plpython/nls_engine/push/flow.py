"""The push flow (two-way sync): what changed in PostgreSQL goes back to Notion, field by field, without ever
overwriting an edit made in Notion. ``nls.push_notion(user_id, dry_run)`` by hand; the schedule runs it after each
user's read and cleaning (setting push_after_read). One run per source whose push map sends something
(:class:`NotionPush`, run by :class:`nls_engine.run.SourceRun`: its lock, its ``nls.sync_log`` row of sync_type
``notion_push``, the user's client with its pacing, retries and deadline).

What is pushed: the columns of the source's push map (``nls.push_map``) that changed locally since they were last
in agreement with Notion (``nls.notion_sync_state``, noted by the trigger of sql/80_push.sql), and for the user's
first flashcards source, a new page for each atom with none (with its card id). Each object:

1. A pending object whose pushed values hash to what was last sent (``nls.notion_sync_state.sync_hash``) costs nothing.
2. Notion's values now: the stored copy of the page, read again with one ``GET /v1/pages/{id}`` when that copy is
   older than the local change (a refreshed copy is stored like a read's).
3. :func:`nls_engine.push.object.decide`: columns only changed locally are written (``PATCH /v1/pages/{id}`` with
   those properties only, by property id), columns changed on both sides are a conflict (``nls.push_conflicts``),
   columns Notion already holds settle with no request.
4. The page Notion answers is stored as the new copy through the read's own path (:meth:`BatchWriter.echo`), so the
   next read finds it unchanged and the cleaning changes nothing.

A create (``POST /v1/pages``, never retried blindly) whose answer was lost (a reset, a timeout, a 500/502/504) is
looked for by the card id it wrote (a data source query) and adopted; not found, the object fails with
``create_unconfirmed`` and the next push looks again before creating. The card id of a new page is the atom's, else
derived from its id (nls._new_page_cards), so that the cleaning knows the page as the atom's even when a rollback took
that card id away; one another atom holds fails the object as ``card_id_taken`` (it waits until the card id is free).
A create the workspace's block limit refuses (403 ``restricted_resource``: a free workspace with more than one
member may create 1,000 blocks through the API) fails with ``workspace_block_limit``, and the run sends no other
create (they fail the same way, with no request); updates go on, and the next push tries one create again. Another
403 ``restricted_resource`` on a create (an integration without the insert content capability) stops the run's
creates the same way, as ``restricted_resource``.
A refused write (400, 403, 404) or a value Notion would refuse (:class:`Refused`: too long, too many items, no such
option) fails that object only, with the reason; so does an SQL error (``database``): each step of an object runs in
a subtransaction that checks the atoms' unique card ids as it ends (:meth:`Pusher._step`). 429/5xx/409 are retried
by the client under the same budget as reads, and an error that ends a run (401, retries spent, no answer) ends it
after recording the object.

Run report (``sync_log``): items_processed objects looked at, items_added pages created (or adopted), items_updated
pages written; details: the counters ``conflicts``, ``failed``, ``agreed`` (objects Notion already matched),
``unchanged`` (its hash said so), ``refreshed`` (pages read again first), ``adopted`` (creates found by card
id), ``block_limited`` (creates the workspace's block limit refused), ``waiting`` (failed objects left until they
change), ``workspace_block_limit`` (Notion's message), ``object_errors`` [{"local_table", "local_id", "page_id",
"error"}], ``skipped_properties`` [{"column", "reason"}].
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..integration import acting_for
from ..notion.client import NotionError
from ..pages.fetch import fetch_page
from ..pages.schema import Schemas
from ..pages.writer import BatchWriter
from ..run import RunContext, Source
from ..settings import Settings
from ..store import Store
from .object import (
    RETRIED,
    Decision,
    content_hash,
    create_properties,
    current_value,
    decide,
    failure_hash,
    is_unchanged,
    resolve,
    retry_due,
)
from .values import Refused, Target, comparable

OPTION_TYPES = ("select", "status", "multi_select")
MAY_HAVE_HAPPENED = (0, 500, 502, 504)  # a create answered so may have happened: look for it before anything else
BLOCK_LIMIT = (
    "Notion refused to create the page: the workspace reached its block limit (a free workspace with more "
    "than one member may create 1,000 blocks through the API, for good; personal access tokens are "
    "exempt). Upgrade the workspace's plan or connect nls with a personal access token; the next push "
    "creates it"
)
CREATE_REFUSED = (
    "Notion refused to create the page (403 restricted_resource): the integration may lack the insert "
    "content capability, or the workspace reached its block limit; no other page is created this run"
)
__all__ = ["RETRIED", "NotionPush", "Pusher", "dry_run"]
CHECKPOINT_EVERY = 10


class NotionPush:
    """One source's push, as a flow of :class:`nls_engine.run.SourceRun`."""

    def plan(self, store: Store, settings: Settings, source: Source) -> str:
        return "notion_push"

    def execute(self, ctx: RunContext) -> None:
        """Push every object of the source that waits (module docstring). Raises NotionError when an error ends
        the run, RunDeadline at the deadline (what was not pushed waits for the next run)."""
        plan = ctx.store.push_plan(ctx.the_source.id)
        ctx.store.push_prune(ctx.the_source.id)
        pusher = Pusher(ctx, plan)
        objects = ctx.store.push_objects(ctx.the_source.id, pusher.creates)
        for n, obj in enumerate(objects, 1):
            ctx.report.processed += 1
            pusher.one(obj)
            if n % CHECKPOINT_EVERY == 0:
                ctx.checkpoint()
        pusher.finish()


class Pusher:
    """The objects of one push run: ``ctx`` the run's context, ``plan`` nls._push_plan's answer."""

    def __init__(self, ctx: RunContext, plan: dict):
        self.ctx, self.plan = ctx, plan
        self.schemas = Schemas(ctx.store, ctx.notion, ctx.the_source.id)
        self.writer = BatchWriter(ctx, self.schemas)
        self.skipped: dict[str, str] = {}
        self.create_targets: dict = {}
        self.create_skipped: dict[str, str] = {}
        # (code, message) once Notion refused a create for the workspace's sake (its block limit, a capability the
        # integration lacks): no other create is sent this run
        self.create_refused: tuple[str, str] | None = None
        self.creates = self._creates()

    def _creates(self) -> bool:
        """Whether this run creates pages: the plan says so and the card id has a property to go to (it is how a
        create whose answer was lost is found again)."""
        if not self.plan.get("create"):
            return False
        ds = self.plan.get("data_source_id")
        if ds is None:
            self.skipped["create_pages"] = "the source has not been read yet: no data source to create pages in"
            return False
        properties = self.plan.get("schema") or self.schemas.properties(ds)
        self.create_targets, self.create_skipped = resolve(self.plan["columns"], properties, None)
        if "card_id" not in self.create_targets:
            self.skipped["create_pages"] = "creating pages needs card_id in the push map, with a property to go to"
            return False
        return True

    def finish(self) -> None:
        """Say in the run report which columns had nowhere to go."""
        if self.skipped:
            self.ctx.report.extra["skipped_properties"] = [
                {"column": c, "reason": r} for c, r in sorted(self.skipped.items())
            ]

    # -- one object -------------------------------------------------------------------------------------------
    def one(self, obj: dict) -> None:
        """Push one object, each step in a subtransaction of its own (:meth:`_step`); a create's intent is committed
        between its two steps, where the run may commit. Its failure is recorded on it and in the run report, and
        ends the run only when the error does (NotionError.ends_run), after it is recorded."""
        if obj["page_id"] is not None:
            self._step(obj, self._update)
        elif self._step(obj, self._prepare_create):
            self.ctx.checkpoint()  # that a create is being sent is kept, whatever happens to this run
            self._step(obj, self._send_create)

    def _step(self, obj: dict, step: Callable[[dict], Any]) -> bool:
        """Run ``step(obj)`` in a subtransaction (:meth:`Store.push_object_scope`). Notion's refusal of the object
        (NotionError, Refused) keeps what the step stored (a copy read again, a page marked gone); an SQL error (a
        unique card id taken, or any other) or a page nls cannot store rolls back what it wrote. Either fails the
        object alone, recorded with its reason; the run goes on. Returns the step's answer (False when it failed)."""
        store, state_id, done = self.ctx.store, obj.get("state_id"), False
        failure: Exception | None = None
        try:
            with store.push_object_scope():
                try:
                    done = step(obj)
                except (Refused, NotionError) as e:
                    failure = e
        except (store.error, ValueError) as e:
            if store.interrupted(e):
                raise
            obj["state_id"], failure = state_id, e  # the state row the step made is gone with it
        if failure is not None:
            self._failure(obj, failure)
            return False
        return bool(done)

    def _failure(self, obj: dict, e: Exception) -> None:
        """Record why ``obj`` failed (its code and message); raise on an error of Notion that ends the run."""
        if isinstance(e, Refused):
            if e.code == "workspace_block_limit":
                self.ctx.report.count("block_limited")
            self._failed(obj, e.code, str(e))
        elif isinstance(e, NotionError):
            code = "create_unconfirmed" if getattr(e, "unconfirmed", False) else e.code
            if e.status == 404 and obj["page_id"]:  # deleted or unshared: the copy says so from now on
                self.ctx.store.mark_gone(self.ctx.the_source.id, obj["page_id"])
                code = "page_gone"
            self._failed(obj, code, f"{e.message} (HTTP {e.status})" if e.status else e.message)
            if e.ends_run and not getattr(e, "unconfirmed", False):
                raise e
        elif isinstance(e, ValueError):  # Notion answered a page object nls cannot store
            self._failed(obj, "malformed_answer", str(e))
        else:
            self._failed(obj, "database", str(e).splitlines()[0][:300])

    def _failed(self, obj: dict, code: str, message: str) -> None:
        report, store = self.ctx.report, self.ctx.store
        report.count("failed")
        report.object_error(obj["local_table"], obj["local_id"], obj.get("page_id"), f"{code}: {message}")
        if obj.get("state_id") is None:  # a create refused before anything was sent: its state row is made now
            obj["state_id"] = store.push_create_state(
                self.ctx.the_source.id, obj["local_id"], card_of(obj), self.plan.get("data_source_id"), False
            )
        store.push_outcome(
            obj["state_id"],
            {
                "status": "failed",
                "error_code": code,
                "error": message[:1000],
                "failed_hash": failure_hash(obj["local"], self.plan["columns"]),
                "conflict": obj.get("conflict"),
                "seen_at": obj["seen_at"],
            },
        )

    def _due(self, obj: dict) -> bool:
        """Whether the object needs work: not unchanged (its hash), not a failure waiting for a change."""
        local_hash = content_hash(obj["local"])
        if is_unchanged(obj, local_hash):
            self.ctx.report.count("unchanged")
            self.ctx.store.push_outcome(
                obj["state_id"],
                {"status": "synced", "settled": dict.fromkeys(obj["base_values"]), "seen_at": obj["seen_at"]},
            )
            return False
        if not retry_due(obj, self.plan["columns"]):
            self.ctx.report.count("waiting")
            return False
        return True

    # -- a page that exists -----------------------------------------------------------------------------------
    def _update(self, obj: dict) -> None:
        if not self._due(obj):
            return
        copy = obj.get("copy")
        if copy is None or copy["gone"]:
            raise Refused(
                "the page is gone from Notion (deleted, or no longer shared with the integration)", "page_gone"
            )
        ds, properties, in_trash = copy["data_source_id"], copy["properties"], copy["in_trash"]
        if _stale(copy, obj):
            page = fetch_page(self.ctx, obj["page_id"])  # a 404 marks the copy gone and counts it removed
            if page is None:
                raise Refused(
                    "the page is gone from Notion (deleted, or no longer shared with the integration)", "page_gone"
                )
            page = self.writer.echo(ds, page)
            self.ctx.report.count("refreshed")
            properties, in_trash = page.get("properties") or {}, bool(page.get("in_trash"))
        if in_trash:
            raise Refused(
                "the page is in Notion's trash: restore it there, or the local row goes with the next cleaning",
                "page_in_trash",
            )
        targets, skipped = resolve(self.plan["columns"], properties, None)
        if any(targets[c].type in OPTION_TYPES for c in obj["base_values"] if c in targets):
            # the options of a select a waiting column goes to: GET /v1/data_sources/{id}, once a run
            targets, skipped = resolve(self.plan["columns"], properties, _options_of(self.schemas.properties(ds)))
        self.skipped.update({c: r for c, r in skipped.items() if c in obj["base_values"]})
        decision = decide(obj["base_values"], obj["local"], targets, properties)
        self._write(obj, ds, decision)

    def _write(self, obj: dict, ds: str, decision: Decision) -> None:
        """Send the decision's writes (one PATCH), store the answer, and record the object's new state."""
        settled = dict(decision.agreed)
        settled.update(dict.fromkeys(decision.skipped))
        outcome = {"seen_at": obj["seen_at"], "data_source_id": ds}
        if decision.writes:
            page = self._stored(ds, self.ctx.notion.update_page(obj["page_id"], decision.properties()))
            self.ctx.report.updated += 1
            settled.update({c: current_value(page.get("properties") or {}, t) for c, (t, _) in decision.writes.items()})
            outcome["last_edited_time"] = page.get("last_edited_time")
        if decision.conflicts:
            self.ctx.report.count("conflicts")
            if not settled and decision.conflicts == obj.get("conflict") and obj["status"] == "conflict":
                return  # the same conflict as before: nothing to write, nothing to record
        elif not decision.writes:
            self.ctx.report.count("agreed")
        outcome.update(
            status="conflict" if decision.conflicts else "synced", settled=settled, conflict=decision.conflicts or None
        )
        if not decision.conflicts:
            outcome["sync_hash"] = content_hash(obj["local"])
        self.ctx.store.push_outcome(obj["state_id"], outcome)

    def _stored(self, ds: str, page: dict) -> dict:
        """The page Notion answered to nls's write, stored as the new copy; its author is the integration's bot,
        which is learnt from it when not known yet."""
        client = self.ctx.notion
        by = (page.get("last_edited_by") or {}).get("id") if isinstance(page, dict) else None
        if by and not client.bot_id:
            client.bot_id = by
            self.ctx.store.save_bot_id(self.ctx.the_source.user_id, by)
        return self.writer.echo(ds, page)

    # -- a page to create -------------------------------------------------------------------------------------

    def _prepare_create(self, obj: dict) -> bool:
        """Before a create: the page an earlier create may have made is looked for and adopted (remembered when the
        run could commit; looked for every time in a push that runs in its caller's transaction: a rollback forgets
        that it was sent, Notion does not); else the state row says a create is being sent. Returns whether it is
        to be sent. Raises Refused (a card id another atom holds, a value Notion would refuse)."""
        if obj["status"] is not None and not self._due(obj):
            return False
        if self.create_refused is not None:
            raise Refused(self.create_refused[1], self.create_refused[0])
        ds, card = self.plan["data_source_id"], free_card(obj)
        self.skipped.update(self.create_skipped)  # the columns a new page goes without
        obj["create_properties"] = create_properties(dict(obj["local"], card_id=card), self._with_options(ds))
        if (obj.get("create_attempted_at") or self.ctx.commit is None) and self._adopt(obj, ds, card):
            return False
        obj["state_id"] = self.ctx.store.push_create_state(self.ctx.the_source.id, obj["local_id"], card, ds, True)
        return True

    def _send_create(self, obj: dict) -> None:
        """``POST /v1/pages``; an answer lost after sending is looked for by the card id and adopted when found."""
        ds, card = self.plan["data_source_id"], card_of(obj)
        try:
            page = self.ctx.notion.create_page(ds, obj["create_properties"])
        except NotionError as e:
            if e.status == 403 and e.code == "restricted_resource":  # not this page's: no other create is sent
                code = "workspace_block_limit" if e.block_limit else "restricted_resource"
                said = BLOCK_LIMIT if e.block_limit else CREATE_REFUSED
                self.create_refused = (code, f"{said} (Notion: {e.message})")
                if e.block_limit:
                    self.ctx.report.extra["workspace_block_limit"] = e.message
                raise Refused(self.create_refused[1], code) from None
            if e.status not in MAY_HAVE_HAPPENED:
                raise
            if self._adopt(obj, ds, card):  # it happened: the page is found by its card id and adopted
                return
            e.unconfirmed = True
            e.message = (
                f"{e.message}; the create may have happened: no page with card id {card} was found, the "
                "next push looks again before creating"
            )
            raise
        self._created(obj, ds, page, card)

    def _with_options(self, ds: str) -> dict:
        if any(t.type in OPTION_TYPES for t in self.create_targets.values()):
            options = _options_of(self.schemas.properties(ds))
            self.create_targets = {
                c: Target(t.column, t.name, t.id, t.type, t.create_options, t.reference, options.get(t.id))
                for c, t in self.create_targets.items()
            }
        return self.create_targets

    def _adopt(self, obj: dict, ds: str, card: str) -> bool:
        """Look for the page a create may have made (a data source query on the card id's property); adopt it when
        found. Returns whether it was."""
        target = self.create_targets["card_id"]
        flt = {"property": target.id, target.type: {"equals": card}}
        found = [
            p
            for p in self.ctx.notion.find_pages(ds, flt, self.schemas.listed_ids(ds, fresh=False))
            if comparable(current_value(p.get("properties") or {}, target)) == card
        ]
        if not found:
            return False
        self.ctx.report.count("adopted")
        if obj.get("state_id") is None:
            obj["state_id"] = self.ctx.store.push_create_state(self.ctx.the_source.id, obj["local_id"], card, ds, False)
        self._created(obj, ds, sorted(found, key=lambda p: p.get("created_time") or "")[0], card)
        return True

    def _created(self, obj: dict, ds: str, page: dict, card: str) -> None:
        page = self._stored(ds, page)
        local = dict(obj["local"], card_id=card)
        agreed = {c: current_value(page.get("properties") or {}, t) for c, t in self.create_targets.items()}
        if not self.ctx.store.push_created(
            obj["state_id"],
            page["id"],
            ds,
            page.get("last_edited_time"),
            content_hash(local),
            {c: v for c, v in agreed.items() if v is not None},
        ):
            raise Refused(f"page {page['id']} already stands for another local row")
        self.ctx.report.added += 1


def dry_run(store: Store, source: Source) -> dict:
    """What a push of ``source`` would send, sending nothing and changing nothing (``nls.push_notion(...,
    dry_run => true)``): {"database_name", "database_id", "sync_type": "notion_push", "status": "dry_run",
    "would_send": [{"local_table", "local_id", "page_id", "action", "properties"?: {property name: value},
    "conflicts"?: {column: {"property", "notion", "local"}}, "reason"?, "refresh_first"?}]}. action: update (one
    PATCH of those properties), create (POST /v1/pages), conflict (not written), agreed (Notion holds it already),
    unchanged (its hash), waiting (a failure left until the object changes), refused (reason). Judged on the
    stored copies alone: refresh_first says the push would read the page again first (its copy is older than the
    local change), and an option a select lacks shows as it would be sent."""
    with acting_for(store, source.user_id):
        plan = store.push_plan(source.id)
        creating = {}
        if plan["create"] and plan.get("data_source_id"):
            creating = resolve(plan["columns"], plan.get("schema") or {}, None)[0]
        creates = "card_id" in creating
        would = [_would(obj, plan, creating) for obj in store.push_objects(source.id, creates)]
    return {
        "database_name": source.database_name,
        "database_id": source.database_id,
        "sync_type": "notion_push",
        "status": "dry_run",
        "would_send": would,
    }


def card_of(obj: dict) -> str:
    """The card id a new page of ``obj`` (an atom with no page) carries: the one a create already sent used, the atom's,
    else ``NLS-`` and the first 12 hex digits of its id (nls._new_page_cards)."""
    return obj["new_card"]["card_id"]


def free_card(obj: dict) -> str:
    """The card id a new page of ``obj`` carries (:func:`card_of`). Raises Refused (``card_id_taken``) when another
    atom holds it: the page would be taken for that atom's, or that atom's for this one's."""
    card, holder = card_of(obj), obj["new_card"].get("held_by")
    if holder:
        where = f"page {holder['page_id']}" if holder.get("page_id") else "no page yet"
        raise Refused(
            f"card id {card}, which its new page would carry, is held by atom {holder['atom_id']} ({where}): "
            f"give this atom a card id of its own, or free {card} from the other one; the next push "
            "creates the page once the card id is free",
            "card_id_taken",
        )
    return card


def _would(obj: dict, plan: dict, creating: dict) -> dict:
    """One entry of a dry run's would_send (see :func:`dry_run`)."""
    out = {"local_table": obj["local_table"], "local_id": obj["local_id"], "page_id": obj["page_id"]}
    local_hash = content_hash(obj["local"])
    try:
        if obj["status"] is not None and is_unchanged(obj, local_hash):
            return dict(out, action="unchanged")
        if obj["status"] is not None and not retry_due(obj, plan["columns"]):
            return dict(out, action="waiting", reason=obj.get("last_error_code"))
        if obj["page_id"] is None:
            card = free_card(obj)
            sent = create_properties(dict(obj["local"], card_id=card), creating)
            names = {t.id: t.name for t in creating.values()}
            return dict(out, action="create", properties={names[k]: v for k, v in sent.items()})
        copy = obj.get("copy")
        if copy is None or copy["gone"] or copy["in_trash"]:
            raise Refused("the page is gone from Notion or in its trash")
        targets = resolve(plan["columns"], copy["properties"], None)[0]
        decision = decide(obj["base_values"], obj["local"], targets, copy["properties"])
    except Refused as e:
        return dict(out, action="refused", reason=str(e))
    action = "update" if decision.writes else "conflict" if decision.conflicts else "agreed"
    out.update(
        action=action, properties={t.name: v for t, v in decision.writes.values()}, refresh_first=_stale(copy, obj)
    )
    if decision.conflicts:
        out["conflicts"] = {
            c: {"property": x["property"], "notion": comparable(x["notion"]), "local": comparable(x["local"])}
            for c, x in decision.conflicts.items()
        }
    return out


def _stale(copy: dict, obj: dict) -> bool:
    """Whether the stored copy of a page may be older than the object's local change (then it is read again)."""
    changed, fresh = obj.get("local_changed_at"), copy.get("fresh_as_of")
    if changed is None:
        return False
    return fresh is None or _moment(fresh) < _moment(changed)


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _options_of(properties: dict) -> dict:
    """{property id: option names} of a data source schema's select, status and multi-select properties."""
    out = {}
    for prop in properties.values():
        kind = prop.get("type") if isinstance(prop, dict) else None
        if kind in ("select", "status", "multi_select"):
            out[prop.get("id")] = tuple(o.get("name") for o in (prop.get(kind) or {}).get("options") or [])
    return out
