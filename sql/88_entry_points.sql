-- What every public entry point of the engine does, in both runtimes: the server runtime's PL/Python functions
-- (plpython/functions.sql) and the worker runtime's, which hand each call to an nls worker (worker/functions.sql).
-- Applied after the runtime's own file. Where the runtimes differ (a call's writes commit in the worker there; a call
-- needs a live worker), the comment says so and docs/managed.md says more.

COMMENT ON FUNCTION nls.engine_status() IS
'What the sync runs with inside this server: {"python", "requests", "urllib3", "cryptography", "encryption_key",
"anki"} (jsonb). encryption_key is "ok" or says what is missing and how to provide it; anki is the version of Anki''s
library the Anki sync imports (setting anki_python_path), or "not importable: ..." with how to install it (the
Notion sync does not need it). nls install reports it. Raises nothing for a missing key or library: the result says
so.';

COMMENT ON FUNCTION nls.add_integration(text, text, text, text, text, text) IS
'Store a user''s Notion connection: add_integration(user_id, access_token, workspace_id, workspace_name,
workspace_icon, bot_id) returns the integration id (bigint). The token is encrypted with AES-256-GCM (key from the
server environment NLS_ENCRYPTION_KEY or the encryption_key_file setting, owner bound as associated data) and never
echoed. Storing again replaces the token and sets the integration active. Raises 55000 when the key is missing (the
hint says how to set it), 22004 for a NULL user_id or access_token, 22023 for an empty one.';

COMMENT ON FUNCTION nls.sync_notion(text, text, text, boolean) IS
'Sync now, in the caller''s transaction (in the worker runtime a worker runs it and commits: docs/managed.md): sync_notion(database_id => NULL, database_name => NULL,
user_id => NULL, full_sync => false) returns jsonb: for one database {"success", "synced_count", "database_name",
"status", "sync_log_id", "items_*", "requests_made"}, for several (no database_id: all of user_id''s sources, or every
source) {"success", "results": [...]}. Incremental unless full_sync or first run. Notion failures do not raise:
they return "success": false with "error" and leave a failed nls.sync_log row. Reads POST
/v1/data_sources/{id}/query, GET /v1/databases/{id}, GET /v1/pages/{id}, GET /v1/blocks/{id}/children. Raises 22023
for a malformed database_id, 57014 (query_canceled) on a cancel or statement_timeout, like any statement, within
about a second even while a Notion request is pending.';

COMMENT ON FUNCTION nls.push_notion(text, boolean) IS
'Two-way sync: write back to Notion what changed in PostgreSQL, in the caller''s transaction (in the worker runtime
a worker runs it, on what was committed, and commits; the schedule runs it
after each user''s read when the setting push_after_read is on). push_notion(user_id => NULL, dry_run => false) pushes
every enabled source of the user (NULL: every user the session sees) whose push map sends something (nls.push_map,
nls.set_push_map): each column changed locally since it last agreed with Notion goes to its property with one PATCH
/v1/pages/{id} per page (only the changed properties; the page read again first with GET /v1/pages/{id} when the
stored copy is older than the local change); a column changed in Notion too is not written but listed in
nls.push_conflicts (nls.resolve_conflict); an atom with no page gets one (POST /v1/pages, with its card id; a create
whose answer was lost is found by that card id, never sent twice). An object whose values hash to what was last sent
costs no request. Returns jsonb in the shape nls.sync_notion returns {"success", "results": [{"database_name",
"database_id", "status", "sync_log_id", "sync_type": "notion_push", "items_processed", "items_added" (pages created),
"items_updated" (pages written), "requests_made", "conflicts"?, "failed"?, "error"?}]}, one nls.sync_log row of type
notion_push per source (details: see COMMENT ON COLUMN nls.sync_log.details). dry_run => true sends nothing, changes
nothing and lists per source what would be sent ("would_send"). A refused write fails that object only
(nls.notion_sync_state.status failed, last_error); Notion''s failures do not raise. Raises 22004 for a NULL dry_run,
22023 for an empty user_id, 57014 on a cancel or statement_timeout.';

COMMENT ON PROCEDURE nls.sync_all_users_notion_databases() IS
'The pg_cron entry point: every worker job nls install schedules (sync-notion-databases, -2, ... every 15 minutes, as
role nls_cron) runs CALL nls.sync_all_users_notion_databases(). Workers that fire in the same minute share one round:
each takes the next user nobody has taken (nls.sync_rounds), syncs that user''s enabled sources and
cleans them acting for that user (row-level security: a row written under another user fails), and goes on until
the round is empty; so N workers sync N users side by side and a slow or rate-limited user holds up only its own
worker. Integrations marked needs_reauth or disabled are skipped. Commits after each batch of pages, so an
interruption loses nothing fetched; runs left "running" by a backend that died are closed as failed first. The
requests of every backend together stay under rate_limit_per_s per token and workspace_rate_limit_per_s per
workspace, rate_limit_burst at once (nls._take_budget: one budget every backend shares at once). A terminate ends
the backend within about a second, the counts of what it committed staying in its row. Returns nothing; each run is
a row of nls.sync_log. Raises 57014 on a cancel or statement_timeout, after it closed the running source''s row as
cancelled and committed it; a Notion failure is the run''s failed row, not an error.';

COMMENT ON FUNCTION nls.rotate_encryption_key() IS
'Re-encrypt every stored Notion token under the newest key of the key ring: first add the new
key as a higher version (NLS_ENCRYPTION_KEY=''2:<new>,1:<old>'' and restart, or the same in the key file), then
SELECT nls.rotate_encryption_key(), then drop the old entry. Returns jsonb {"key_version", "rotated",
"already_current", "unreadable": [user ids whose token decrypts with no key of the ring, left untouched],
"anki"?: {"rotated", "unreadable"} for the Anki credentials (nls.add_anki_account), when there were any to rotate}. Runs as
its owner (it must see every user''s integration); executable by nls_admin only. Raises 55000 when no key is set or
the key ring is malformed (the hint says how to set it).';

COMMENT ON FUNCTION nls.discover(text, boolean) IS
'What a user''s integration can see (POST /v1/search, data sources): discover(user_id, add => false) returns one row
per data source (database_id, data_source_id, name, target, source_id, added). target is the one its name suggests
(nls.targets(): Flashcards -> flashcards, Characters -> characters, ...; else pages); source_id is set when the
database is already synced. With add => true every database not yet a source is added with that target (added =
true). Raises 22004 for a NULL user_id, P0002 when the session cannot see the user''s integration, 55000 when its
token cannot be used, 58000 when Notion refuses the search.';

COMMENT ON FUNCTION nls.add_anki_account(text, text, text, text) IS
'Store a user''s Anki account: add_anki_account(user_id, username, password, endpoint => NULL) returns the
account id (bigint). endpoint NULL is AnkiWeb; else the URL of the learner''s own sync server (http or https, no
credentials in it). username and password are encrypted together with the token key ring (AES-256-GCM, the owner
and "anki" bound in; pass them as bound parameters) and never echoed; the first nls.anki_sync logs in, keeps the
session key the same way and drops the password. Storing again sets the account active (after needs_reauth); with
another username or endpoint the collection nls kept is forgotten. Needs neither Anki''s library nor the network.
Raises 22004 for a NULL user_id, username or password, 22023 for an empty one or an endpoint that is no sync server
URL (the argument is named), and when no encryption key is set (the hint says how).';

COMMENT ON FUNCTION nls.anki_sync(text) IS
'Sync a user''s Anki collection now, in the caller''s transaction (in the worker runtime a worker runs it and
commits): anki_sync(user_id) syncs nls''s copy of
the collection with the learner''s endpoint (anki_sync), reads review progress and the learner''s edits back
(anki_pull: learning_atoms.anki_*, concepts.last_reviewed_at, review_queue items with source anki_edit), and writes
the changed flashcard and cloze atoms as notes, uploading them at once (anki_push); each step is a row of
nls.sync_log. Returns jsonb {"user_id", "success", "status" (success, failed, skipped), "steps": [{"sync_type",
"status", "sync_log_id", "items_processed", "items_added", "items_updated", "items_removed", "details", "error"?,
"error_code"?}]}. The endpoint''s failures (down, login refused: the account becomes needs_reauth) do not raise:
they end the step failed with the reason, and nothing is lost. A full sync demanded by the endpoint is answered by
downloading its collection, never by uploading over it. Needs Anki''s library in the engine''s Python (the server''s, or in the worker runtime the worker''s)
(anki_python_path; nls install --check). Raises 22004 for a NULL user_id, P0002 when the session sees no Anki
account of the user. The scheduled workers run it after each user''s Notion read.';

COMMENT ON FUNCTION nls.create_typed_view(text, text, text, text) IS
'Make (or make again) a typed view of a synced Notion database: create_typed_view(database_id, view_name => NULL,
schema_name => ''notion'', user_id => NULL) returns one row per view (view: its qualified name, NULL until the
source''s first sync; database_id; data_source_id; columns: how many property columns). With database_id NULL and
a user_id, one view per source of that user. The view (security_invoker, over nls.stg_notion_pages) has page_id,
url, in_trash, is_archived, deleted_at, value_marks, then one column per property, named after it and typed
(docs/typed-views.md), read by property id; it follows the data source''s schema after every sync (added
property: new column; retyped: new type; renamed: same column; removed: NULL), each change a row of
nls.typed_view_history. Making it again renames columns after their properties and drops removed ones. view_name
defaults to the database''s name made an identifier (with the data source''s name when it holds several). Raises
22023 (no database_id nor user_id, a bad view_name or schema_name, a view_name for several views), P0002 (no such
source this session sees), 42P07 (the name is another relation''s), 42P06 (schema_name exists and was not made by
nls). A schema_name that does not exist yet is created (owned by nls''s owner) when the first view is built in it.';

COMMENT ON FUNCTION nls.typed_select(bigint, text) IS
'The typed rows of one data source of a source, as a query: typed_select(source_id, data_source_id) returns
(columns jsonb [{column, property_id, property, type, kind, ...}], query text: the SELECT of its typed view). The
columns are its typed view''s when it has one, else the ones a view made now would have. Run the query as the
session that asked (row-level security applies); nls export sqlite writes it as a table. Creates nothing. Raises
22004 for a NULL argument (naming it), P0002 for a source this session does not see.';

COMMENT ON FUNCTION nls.webhook_receive(text, bytea, text) IS
'What `nls webhooks serve` calls for every POST it gets: webhook_receive(path, body bytea: the raw bytes as they
arrived, signature: the X-Notion-Signature header or NULL) returns the HTTP status to answer (int): 200 a handshake
taken while the path is armed (nls.webhook_endpoint), or a delivery verified and stored in nls.webhook_events (once per
event id); 401 unsigned (outside the handshake window), wrongly signed (HMAC-SHA256 over the raw bytes, keyed by the
verification token, compared in constant time) or naming another subscription; 404 an unknown path; 413 a body over
webhook_max_body_bytes; 400 a verified body that is no event (or a NULL path or body); 500 when the key ring cannot
be read (with a WARNING). Nothing is stored but what it answers 200. Runs as its owner (the token is decrypted where the
engine runs, with the key ring only it holds: inside the server, or in the worker runtime in a worker; the receiver holds no
secret); executable by nls_webhook and nls_admin only. Raises nothing: every refusal is a
status.';

COMMENT ON FUNCTION nls.webhook_apply(text) IS
'What the webhook receiver (nls webhooks serve) calls once an event delivered on a path is stored, in the background
of its answer: webhook_apply(path) applies the waiting events of the path''s user now, in the caller''s transaction,
as nls.apply_webhook_events(user_id) does, and returns its jsonb {"success", "results"} (a result of status skipped
when another run of that user''s events holds them: the receiver tries again). An unknown path applies nothing. In
the worker runtime it returns at once {"success": true, "results": [], "applied_by": "worker"}: the workers are
woken by the event''s NOTIFY and apply it. The pg_cron job apply-notion-webhooks stays the safety net. Raises 57014
on a cancel or statement_timeout; Notion''s failures do not raise (the events stay pending).';

COMMENT ON FUNCTION nls.webhook_verification_token(text) IS
'The verification token Notion''s handshake brought to the user''s webhook endpoint, to paste back in the integration''s
webhook settings: webhook_verification_token(user_id) returns it (text) once. Raises 22004 for a NULL user_id, P0002
when no handshake came (arm the path with nls.webhook_endpoint first), 55000 when it was shown already (arm again and
have Notion send a new handshake).';

COMMENT ON FUNCTION nls.apply_webhook_events(text) IS
'Apply the webhook events waiting (nls.webhook_events) now, in the caller''s transaction (in the worker runtime a
worker applies them and commits): apply_webhook_events(user_id
=> NULL: every user this session sees) returns jsonb {"success", "results": [one per batch: {"user_id", "sync_type":
"notion_webhook", "status", "sync_log_id", "items_*", "requests_made", "details": {"events", "pages_read", "trashed",
"schema_refreshes", "listed_again", "own_write", "not_synced", "ignored", "left_pending", "pages_moved", ...}}],
"cleaning"?}. A page created, updated, undeleted or moved is read again once (GET /v1/pages/{id}; content only for
page.content_updated) and stored under the data source Notion names as its parent (a page that moved is marked gone
in the source it left), a deleted one marked trashed at once unless the stored copy is newer than the deletion, a
data source whose schema changed read whole where the stored pages hold another schema; data_source.* events make
the next run list the data sources again; events of pages nobody syncs and the integration''s own writes cost
nothing. Each batch is a sync_log row of type notion_webhook; a batch that leaves events pending (their source held
by another run) is the user''s last of the call. Notion''s failures do not raise (the events stay pending). Raises
22023 for an empty user_id, 57014 on a cancel or statement_timeout.';

COMMENT ON PROCEDURE nls.apply_all_webhook_events() IS
'The pg_cron entry point of the webhooks (job apply-notion-webhooks, every minute, as role nls_cron): CALL
nls.apply_all_webhook_events() applies every user''s waiting webhook events (as nls.apply_webhook_events, acting for
each user), committing after each batch. With nothing waiting it costs the engine''s load check and one query
(nls._webhook_users) and writes nothing. Raises 57014 on a cancel or statement_timeout (the batches committed
before stay); a user whose events failed to apply is a failed sync_log row and a WARNING, not an error.';
