-- The public SQL interface that is plain SQL / PL/pgSQL: sources and the status view (targets: 05_targets.sql;
-- settings: 06_settings.sql).
-- (add_integration, sync_notion and sync_all_users_notion_databases are PL/Python: plpython/functions.sql.)

CREATE OR REPLACE FUNCTION nls._require(p_value anyelement, p_name text, p_call text) RETURNS anyelement
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_value IS NULL THEN
        RAISE EXCEPTION 'nls: % needs %; it was NULL', p_call, p_name
            USING ERRCODE = '22004', HINT = format('\df+ nls.%s and its COMMENT say what each argument takes.', p_call);
    END IF;
    RETURN p_value;
END
$$;
COMMENT ON FUNCTION nls._require(anyelement, text, text) IS
'Internal: _require(value, argument name, function name) returns the value, or raises 22004 naming the argument of
the public function that got NULL.';

CREATE OR REPLACE FUNCTION nls._normalize_id(p_id text, p_what text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := lower(regexp_replace(coalesce(p_id, ''), '[^0-9a-fA-F]', '', 'g'));
BEGIN
    -- accepts a dashed or undashed uuid, or a Notion URL ending in the 32-digit id
    IF length(v) > 32 THEN
        v := right(v, 32);
    END IF;
    IF p_id IS NULL THEN
        RAISE EXCEPTION 'nls: % is NULL; it must be a Notion id', p_what
            USING ERRCODE = '22004', HINT = 'Give the 32 hex digits at the end of the Notion URL, with or without dashes.';
    END IF;
    IF length(v) <> 32 THEN
        RAISE EXCEPTION 'nls: % "%" is not a Notion id', p_what, p_id
            USING ERRCODE = '22023',
                  HINT = 'Give the 32 hex digits at the end of the Notion URL, with or without dashes.';
    END IF;
    RETURN substr(v, 1, 8) || '-' || substr(v, 9, 4) || '-' || substr(v, 13, 4) || '-' || substr(v, 17, 4)
           || '-' || substr(v, 21, 12);
END
$$;

CREATE OR REPLACE FUNCTION nls.add_source(user_id text, database_id text, target text DEFAULT 'pages',
                                          database_name text DEFAULT NULL, with_content boolean DEFAULT false,
                                          property_map jsonb DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user text := nls._require(add_source.user_id, 'user_id', 'add_source');
    v_db text := nls._normalize_id(database_id, 'database_id');
    v_content boolean := nls._require(add_source.with_content, 'with_content', 'add_source');
    v_target text := nls._require(add_source.target, 'target', 'add_source');
    v_targets text[] := ARRAY(SELECT t.target FROM nls.targets() AS t ORDER BY t.clean_order);
    v_id bigint;
    v_had_content boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM nls.integrations i WHERE i.user_id = add_source.user_id) THEN
        RAISE EXCEPTION 'nls: user "%" has no Notion integration', add_source.user_id
            USING ERRCODE = 'P0002', HINT = 'Store the user''s token first: SELECT nls.add_integration(user_id, access_token, ...)';
    END IF;
    IF target IS NULL OR target <> ALL (v_targets) THEN
        RAISE EXCEPTION 'nls: unknown sync target "%" for database %', target, v_db
            USING ERRCODE = '22023', HINT = 'Use one of: ' || array_to_string(v_targets, ', ')
                  || ' (pages: the raw page store nls.stg_notion_pages; the others: see SELECT * FROM nls.targets()).';
    END IF;
    IF property_map IS NOT NULL AND (jsonb_typeof(property_map) <> 'object'
        OR EXISTS (SELECT 1 FROM jsonb_each(property_map) AS e(k, v)
                    WHERE NOT nls.property_map(target) ? k
                       OR NOT (jsonb_typeof(v) = 'string'
                               OR (jsonb_typeof(v) = 'array' AND jsonb_array_length(v) > 0
                                   AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v) AS x
                                                    WHERE jsonb_typeof(x) <> 'string'))))) THEN
        RAISE EXCEPTION 'nls: property_map % does not fit target "%"', property_map, target
            USING ERRCODE = '22023',
                  HINT = coalesce('Give {"field": "Notion property name or id"} (or a list of them, read in order) '
                                  || 'with fields among: '
                                  || (SELECT string_agg(k, ', ') FROM jsonb_object_keys(nls.property_map(target)) AS k),
                                  'Target "' || target || '" maps no fields: give property_map => NULL.');
    END IF;
    SELECT s.with_content INTO v_had_content FROM nls.sources s
     WHERE s.user_id = add_source.user_id AND s.database_id = v_db;
    INSERT INTO nls.sources AS s (user_id, database_id, target, database_name, with_content, property_map)
    VALUES (add_source.user_id, v_db, add_source.target, add_source.database_name, add_source.with_content,
            coalesce(add_source.property_map, '{}'))
    ON CONFLICT ON CONSTRAINT sources_user_id_database_id_key DO UPDATE
       SET target = excluded.target, database_name = coalesce(excluded.database_name, s.database_name),
           with_content = excluded.with_content, enabled = true, updated_at = now(),
           property_map = CASE WHEN add_source.property_map IS NULL THEN s.property_map ELSE excluded.property_map END
    RETURNING s.id INTO v_id;
    -- the typed_views_schema setting: a typed view of every new source, built after its first sync
    INSERT INTO nls.typed_views (user_id, source_id, schema_name)
    SELECT add_source.user_id, v_id, st.value FROM nls.settings st
     WHERE st.name = 'typed_views_schema' AND st.value <> ''
       AND NOT EXISTS (SELECT 1 FROM nls.typed_views t WHERE t.source_id = v_id);
    IF add_source.with_content AND NOT v_had_content THEN
        -- content wanted from now on: the next run reads every page again (a full read), not only changed ones
        UPDATE nls.sync_state SET watermark = NULL WHERE source_id = v_id;
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION nls.add_source(text, text, text, text, boolean, jsonb) IS
'Sync a Notion database for a user: add_source(user_id, database_id, target => ''pages'', database_name => NULL,
with_content => false, property_map => NULL) returns the source id (bigint). database_id is the 32 hex digits of
the database URL (dashes optional). target: ''pages'' (the raw page store), a learning target (''flashcards'',
''concepts'', ''concept_areas'', ''concept_clusters'', ''modules'', ''tracks'', ''programs'') or a creative one
(''characters'', ''worlds'', ''stories'', ''chat_sessions''), whose pages nls.clean() turns into the learning or
creative tables (nls.targets() lists them). property_map overrides which Notion property (by name or id)
feeds which field, e.g. ''{"front": "Prompt"}''; see nls.property_map(target). with_content also reads each new or
changed page''s content (content_format setting: GET /v1/pages/{id}/markdown and/or the block walk). Adding the
same database again updates the source (a NULL property_map keeps the stored one; turning with_content on makes
the next run a full read, so that pages already stored get their content). When the typed_views_schema setting
names a schema, a typed view of the source is registered there (built after its first sync; see
nls.create_typed_view). Raises P0002 when the user has no integration (add_integration first), 22023
for a malformed id, an unknown target or a property_map naming unknown fields, 22004 for a NULL user_id,
database_id, target or with_content.';

CREATE OR REPLACE FUNCTION nls.remove_source(user_id text, database_id text) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user text := nls._require(remove_source.user_id, 'user_id', 'remove_source');
    v_db text := nls._normalize_id(remove_source.database_id, 'database_id');
BEGIN
    DELETE FROM nls.sources s WHERE s.user_id = v_user AND s.database_id = v_db;
    RETURN FOUND;
END
$$;
COMMENT ON FUNCTION nls.remove_source(text, text) IS
'Stop syncing a database and drop what was synced from it: remove_source(user_id, database_id) returns true when a
source was removed. Its rows in stg_notion_pages and sync_state go with it; sync_log keeps its history (source_id
set to NULL). To pause a source instead, UPDATE nls.sources SET enabled = false. Raises 22004 for a NULL argument,
22023 for a malformed database id.';

CREATE OR REPLACE FUNCTION nls.remove_integration(user_id text) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user text := nls._require(remove_integration.user_id, 'user_id', 'remove_integration');
BEGIN
    DELETE FROM nls.integrations i WHERE i.user_id = v_user;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    DELETE FROM nls.integration_notes n WHERE n.user_id = v_user;   -- what its runs noted (no foreign key)
    RETURN true;
END
$$;
COMMENT ON FUNCTION nls.remove_integration(text) IS
'Forget a user''s Notion connection: remove_integration(user_id) deletes the encrypted token and, with it, the
user''s sources and synced pages. Returns true when there was one. Raises 22004 for a NULL user_id.';

CREATE OR REPLACE VIEW nls.sync_status AS
SELECT s.id AS source_id, s.user_id, s.database_id, s.database_name, s.target, s.enabled,
       last.started_at AS last_run_at,
       CASE WHEN last.dead THEN 'failed' ELSE last.status END AS last_status, last.sync_type AS last_sync_type,
       last.items_processed, last.items_added, last.items_updated, last.items_removed,
       CASE WHEN last.dead THEN 'backend_ended' ELSE last.error_code END AS last_error_code,
       CASE WHEN last.dead THEN 'the backend running this sync ended before the run finished'
            ELSE last.error_message END AS last_error,
       st.watermark, st.last_full_sync_at,
       ok.completed_at AS last_success_at,
       now() - ok.completed_at AS behind,
       pg.pages, pg.trashed, pg.gone,
       push.started_at AS last_push_at, push.status AS last_push_status, waiting.pending AS push_pending,
       waiting.conflicts AS push_conflicts, waiting.failed AS push_failed
  FROM nls.sources s
  LEFT JOIN LATERAL (SELECT l.*, l.status = 'running' AND NOT nls._backend_alive(l.backend_pid, l.backend_start) AS dead
                       FROM nls.sync_log l WHERE l.source_id = s.id AND l.sync_type <> 'notion_push'
                      ORDER BY l.started_at DESC LIMIT 1) last ON true
  LEFT JOIN LATERAL (SELECT l.completed_at FROM nls.sync_log l WHERE l.source_id = s.id AND l.status = 'completed'
                        AND l.sync_type <> 'notion_push'
                      ORDER BY l.completed_at DESC LIMIT 1) ok ON true
  LEFT JOIN LATERAL (SELECT l.started_at, CASE WHEN l.status = 'running' AND NOT nls._backend_alive(l.backend_pid,
                            l.backend_start) THEN 'failed' ELSE l.status END AS status
                       FROM nls.sync_log l WHERE l.source_id = s.id AND l.sync_type = 'notion_push'
                      ORDER BY l.started_at DESC LIMIT 1) push ON true
  LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE w.status = 'pending') AS pending,
                            count(*) FILTER (WHERE w.status = 'conflict') AS conflicts,
                            count(*) FILTER (WHERE w.status = 'failed') AS failed
                       FROM nls.notion_sync_state w WHERE w.source_id = s.id) waiting ON true
  LEFT JOIN LATERAL (SELECT min(x.watermark) AS watermark, min(x.last_full_sync_at) AS last_full_sync_at
                       FROM nls.sync_state x WHERE x.source_id = s.id) st ON true
  LEFT JOIN LATERAL (SELECT count(*) AS pages, count(*) FILTER (WHERE p.in_trash) AS trashed,
                            count(*) FILTER (WHERE p.deleted_at IS NOT NULL) AS gone
                       FROM nls.stg_notion_pages p WHERE p.source_id = s.id) pg ON true;
COMMENT ON VIEW nls.sync_status IS
'One row per source: its last run (time, status, type, counts, error; a run whose backend is gone reads as failed,
backend_ended, never as running), the watermark (latest last_edited_time
read, the smallest over its data sources), the last complete reconciliation (full read or ids-only, which finds
deletions), the last successful run and how long ago that was
(behind), and how many pages are stored, trashed in Notion, or gone (404 / unshared). Runs of the push (two-way
sync) have their own columns: last_push_at, last_push_status, and the source''s objects waiting to be pushed
(push_pending), in conflict (push_conflicts, see nls.push_conflicts) and failed (push_failed).';
-- Every file a stored page points at: Notion-hosted ones (signed URLs that expire an hour after they were read)
-- with their expiry, external ones as lasting links.
CREATE OR REPLACE VIEW nls.notion_files AS
WITH found AS (
    SELECT p.user_id, p.source_id, p.page_id, 'property'::text AS found_in, e.key AS property_name,
           NULL::text AS block_id, x.ordinal, x.item AS file
      FROM nls.stg_notion_pages p
     CROSS JOIN LATERAL jsonb_each(p.raw_properties) AS e
     CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN e.value ->> 'type' = 'files'
                                                   AND jsonb_typeof(e.value -> 'files') = 'array'
                                                  THEN e.value -> 'files' ELSE '[]' END) WITH ORDINALITY AS x(item, ordinal)
    UNION ALL
    SELECT p.user_id, p.source_id, p.page_id, c.k, NULL, NULL, 1, p.raw_page -> c.k
      FROM nls.stg_notion_pages p
     CROSS JOIN (VALUES ('cover'), ('icon')) AS c(k)
     WHERE p.raw_page -> c.k ->> 'type' IN ('file', 'external')
    UNION ALL
    SELECT p.user_id, p.source_id, p.page_id, 'block', NULL, b ->> 'id', 1, b -> (b ->> 'type')
      FROM nls.stg_notion_pages p
     CROSS JOIN LATERAL jsonb_path_query(p.raw_content, 'strict $.** ? (@.object == "block")') AS b
     WHERE b -> (b ->> 'type') ->> 'type' IN ('file', 'external')
)
SELECT user_id, source_id, page_id, found_in, property_name, block_id, ordinal,
       file ->> 'name' AS name,
       file ->> 'type' = 'file' AS notion_hosted,
       file -> (file ->> 'type') ->> 'url' AS url,
       (file -> 'file' ->> 'expiry_time')::timestamptz AS expires_at,
       file ->> 'type' = 'external' AS lasting,
       coalesce((file -> 'file' ->> 'expiry_time')::timestamptz <= now(), false) AS expired
  FROM found;
COMMENT ON VIEW nls.notion_files IS
'Every file of the stored pages: files properties (found_in property, with property_name and ordinal), page cover
and icon, and file, image, pdf, video and audio blocks of raw_content (found_in block, block_id). notion_hosted
files have a signed url that Notion lets live about an hour: expires_at says until when (expired once past); they
are never lasting links: a fresh url comes with the next read of the page (nls.sync_notion(..., full_sync => true)
re-reads every page). external files are the links users gave (lasting true). Markdown content
(content_markdown) holds the signed urls as text, with no expiry: read them here.';
COMMENT ON FUNCTION nls._normalize_id(text, text) IS
'Internal: a Notion id (dashed, undashed or a URL ending in it) as a dashed lowercase uuid; raises 22023 naming the
argument otherwise.';

-- ---- the workers of the worker runtime (empty in the server runtime) -------------------------------------------
CREATE OR REPLACE VIEW nls.workers AS
SELECT w.id, w.host, w.pid, w.started_at, w.last_seen_at,
       w.stopping_at IS NULL AND w.last_seen_at > clock_timestamp() - 3 * w.heartbeat_s * interval '1 second' AS alive,
       w.concurrency, w.running, w.release, w.engine, w.stopping_at
  FROM nls._workers w;
COMMENT ON VIEW nls.workers IS
'The nls workers of the worker runtime (nls worker --dsn ...), one row per process: id, host, pid, started_at,
last_seen_at (its last heartbeat), alive (a heartbeat within three beats of worker_heartbeat_s, and not stopping),
concurrency (its slots), running (jsonb: what each busy slot runs now: [{"slot", "work": a call''s kind, round or
webhook_events, "request_id"?, "user_id"?, "since"}]), release and engine (the nls release and engine hash it
runs), stopping_at. Rows of workers gone for a day are removed. Empty in the server runtime.';
