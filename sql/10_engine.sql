-- Set-based SQL the PL/Python sync calls: starting and closing runs, reading stored hashes, upserting a
-- batch of pages, marking pages gone. Re-applied on every install (CREATE OR REPLACE).

-- Every advisory lock class of nls, in one place (the first key of pg_advisory_lock(int, int); the second is the
-- object: a source id, an account id, a hash of a user id).
CREATE OR REPLACE FUNCTION nls._lock_class(p_kind text) RETURNS int
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_kind
        WHEN 'source' THEN 1852601203          -- 'nls': one run of a source at a time; -1 the round's claims, 0 cleaning
        WHEN 'anki' THEN 1852601204            -- one Anki sync of an account at a time
        WHEN 'user_flow' THEN 1852601210       -- one run of a user's flow (trash listing, webhook events) at a time
        WHEN 'budget' THEN 1852601215          -- the request budgets' registers, for one statement (object 0)
        WHEN 'call' THEN 1852601216            -- worker runtime: a call's caller, while it waits for its answer
    END
$$;
COMMENT ON FUNCTION nls._lock_class(text) IS
'Internal: the advisory lock class (int) of a kind of lock: source, anki, user_flow, budget, call; NULL for another
kind.';

CREATE OR REPLACE FUNCTION nls._lock_key() RETURNS int
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT nls._lock_class('source') $$;

CREATE OR REPLACE FUNCTION nls._backend_alive(p_pid int, p_backend_start timestamptz) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p_pid IS NOT NULL AND EXISTS (SELECT 1 FROM pg_stat_activity a
                                          WHERE a.pid = p_pid AND coalesce(a.backend_start = p_backend_start, true))
$$;
COMMENT ON FUNCTION nls._backend_alive(int, timestamptz) IS
'Internal: whether the backend that started a run (its pid and start time, from nls.sync_log) is still there; false for
NULL. Runs as its owner: a superuser (or a member of pg_read_all_stats) sees when other roles'' backends started, and a
pid taken again by a later backend is told apart; an owner who does not see it (as on managed services) goes by the
pid alone.';

CREATE OR REPLACE FUNCTION nls._begin_run(p_source_id bigint, p_user_id text, p_sync_type text, p_notion_version text)
RETURNS uuid
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid;
BEGIN
    -- The caller holds the lock of what it runs (the source's; for a run of no source, the user's lock of that flow:
    -- the Anki steps share one), so a row of it still marked running was left by a backend that ended (killed,
    -- crashed, restarted) before closing it.
    UPDATE nls.sync_log
       SET status = 'failed', completed_at = now(), error_code = 'backend_ended',
           error_message = 'the backend running this sync ended before the run finished; closed by the next run'
     WHERE status = 'running'
       AND CASE WHEN p_source_id IS NOT NULL THEN source_id = p_source_id
                ELSE user_id = p_user_id AND source_id IS NULL
                     AND sync_type LIKE CASE WHEN p_sync_type LIKE 'anki%' THEN 'anki%' ELSE p_sync_type END END;
    -- clock time, not now(): sync_notion() runs every source in its caller's one transaction
    INSERT INTO nls.sync_log (sync_type, started_at, user_id, source_id, notion_version, details, backend_pid,
                              backend_start)
    SELECT p_sync_type, clock_timestamp(), p_user_id, p_source_id, p_notion_version, '{}'::jsonb, a.pid,
           a.backend_start
      FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;


CREATE OR REPLACE FUNCTION nls._finish_run(p_log_id uuid, p_status text, p_processed int, p_added int,
                                           p_updated int, p_removed int, p_requests int, p_retries int,
                                           p_error_code text, p_error_message text, p_details jsonb)
RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE nls.sync_log
       SET status = p_status, completed_at = clock_timestamp(), items_processed = p_processed,
           items_added = p_added, items_updated = p_updated, items_removed = p_removed,
           requests_made = p_requests, retries = p_retries, error_code = p_error_code,
           error_message = p_error_message, details = coalesce(p_details, '{}'::jsonb)
     WHERE id = p_log_id
$$;

CREATE OR REPLACE FUNCTION nls._progress_run(p_log_id uuid, p_processed int, p_added int, p_updated int,
                                             p_removed int, p_requests int, p_retries int, p_details jsonb)
RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE nls.sync_log
       SET items_processed = p_processed, items_added = p_added, items_updated = p_updated,
           items_removed = p_removed, requests_made = p_requests, retries = p_retries,
           details = coalesce(p_details, '{}'::jsonb)
     WHERE id = p_log_id AND status = 'running'
$$;
COMMENT ON FUNCTION nls._progress_run(uuid, int, int, int, int, int, int, jsonb) IS
'Internal: _progress_run(log_id, processed, added, updated, removed, requests, retries, details) writes a running
run''s counts so far, with each batch the scheduled procedure commits: a run killed later still tells what it did.';

CREATE OR REPLACE FUNCTION nls._close_stale_runs() RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
    n int := 0;
BEGIN
    -- A running row whose backend is gone (or, for a row that names no backend, whose source lock nobody
    -- holds) belongs to a run that ended without closing it: its counts stay as last committed.
    FOR r IN SELECT DISTINCT l.source_id FROM nls.sync_log l
              WHERE l.status = 'running' AND l.source_id IS NOT NULL
                AND NOT nls._backend_alive(l.backend_pid, l.backend_start) LOOP
        IF pg_try_advisory_lock(nls._lock_key(), r.source_id::int) THEN
            UPDATE nls.sync_log
               SET status = 'failed', completed_at = now(), error_code = 'backend_ended',
                   error_message = 'the backend running this sync ended before the run finished; closed by a later run'
             WHERE source_id = r.source_id AND status = 'running';
            n := n + 1;
            PERFORM pg_advisory_unlock(nls._lock_key(), r.source_id::int);
        END IF;
    END LOOP;
    -- rows of no source (the Anki steps) are closed by their backend's liveness alone
    UPDATE nls.sync_log l
       SET status = 'failed', completed_at = now(), error_code = 'backend_ended',
           error_message = 'the backend running this step ended before it finished; closed by a later run'
     WHERE l.status = 'running' AND l.source_id IS NULL AND l.backend_pid IS NOT NULL
       AND NOT nls._backend_alive(l.backend_pid, l.backend_start);
    RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION nls._stored_hashes(p_source_id bigint, p_page_ids text[])
RETURNS TABLE (page_id text, sync_hash text, has_content boolean, gone boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.page_id, s.sync_hash, s.raw_content IS NOT NULL OR s.content_markdown IS NOT NULL,
           s.deleted_at IS NOT NULL
      FROM nls.stg_notion_pages s
     WHERE s.source_id = p_source_id AND s.page_id = ANY (p_page_ids)
$$;

-- p_pages: a JSON array of {page_id, data_source_id, properties, page, content, created_time,
-- last_edited_time, in_trash, sync_hash, value_marks}. A row is written only when its hash changed, and an older copy
-- never overwrites a newer one. Returns how many rows were added and updated.
CREATE OR REPLACE FUNCTION nls._upsert_pages(p_source_id bigint, p_user_id text, p_pages jsonb,
                                             OUT added int, OUT updated int)
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    WITH incoming AS (
        SELECT e->>'page_id' AS page_id, e->>'data_source_id' AS data_source_id,
               e->'properties' AS raw_properties, e->'page' AS raw_page,
               CASE WHEN e ? 'content' THEN e->'content' END AS raw_content,
               e->>'markdown' AS content_markdown, e ? 'content' OR e ? 'markdown' AS has_content,
               (e->>'created_time')::timestamptz AS created_time,
               (e->>'last_edited_time')::timestamptz AS last_edited_time,
               (e->>'in_trash')::boolean AS in_trash, e->>'sync_hash' AS sync_hash,
               coalesce(e->'value_marks', '{}') AS value_marks
          FROM jsonb_array_elements(p_pages) AS e
    ), written AS (
        INSERT INTO nls.stg_notion_pages AS s
               (source_id, page_id, user_id, data_source_id, raw_properties, raw_page, raw_content,
                content_markdown, created_time, last_edited_time, in_trash, deleted_at, last_synced_at, sync_hash,
                value_marks)
        SELECT p_source_id, page_id, p_user_id, data_source_id, raw_properties, raw_page, raw_content,
               content_markdown, created_time, last_edited_time, in_trash, NULL, now(), sync_hash, value_marks
          FROM incoming
        ON CONFLICT (source_id, page_id) DO UPDATE
           SET data_source_id = excluded.data_source_id, raw_properties = excluded.raw_properties,
               raw_page = excluded.raw_page,
               -- content read this time replaces both forms; a row without content keeps what was stored
               raw_content = CASE WHEN excluded.raw_content IS NOT NULL OR excluded.content_markdown IS NOT NULL
                                  THEN excluded.raw_content ELSE s.raw_content END,
               content_markdown = CASE WHEN excluded.raw_content IS NOT NULL OR excluded.content_markdown IS NOT NULL
                                       THEN excluded.content_markdown ELSE s.content_markdown END,
               created_time = excluded.created_time, last_edited_time = excluded.last_edited_time,
               in_trash = excluded.in_trash, deleted_at = NULL, last_synced_at = now(),
               sync_hash = excluded.sync_hash, value_marks = excluded.value_marks
         WHERE (s.sync_hash IS DISTINCT FROM excluded.sync_hash OR s.deleted_at IS NOT NULL
                -- content asked for after the page was first stored
                OR (s.raw_content IS NULL AND s.content_markdown IS NULL
                    AND (excluded.raw_content IS NOT NULL OR excluded.content_markdown IS NOT NULL)))
           AND s.last_edited_time <= excluded.last_edited_time
        RETURNING (xmax = 0) AS inserted, s.page_id
    ), queued AS (   -- the next cleaning looks at these pages (and those that depend on them) only
        INSERT INTO nls._clean_queue (user_id, source_id, page_id)
        SELECT p_user_id, p_source_id, page_id FROM written
         WHERE EXISTS (SELECT 1 FROM nls.sources c WHERE c.id = p_source_id AND c.target <> 'pages')
        ON CONFLICT DO NOTHING
    )
    SELECT count(*) FILTER (WHERE inserted)::int, count(*) FILTER (WHERE NOT inserted)::int FROM written
$$;

-- Each batch's pages by their key, whatever the statistics say: during a large first read the tables grow inside one
-- transaction, which no ANALYZE sees, so the planner believes a source holds a hundred rows and reads all of them
-- for every batch (a full read of 100,000 pages grew quadratic). A key lookup per page keeps each batch's cost its own.
CREATE OR REPLACE FUNCTION nls._write_edges(p_source_id bigint, p_page_ids text[]) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET enable_bitmapscan = off SET enable_seqscan = off
AS $$
DECLARE
    v_rows int;
    v_page text;
BEGIN
    FOREACH v_page IN ARRAY p_page_ids LOOP
        DELETE FROM nls.notion_relation_edges e WHERE e.source_id = p_source_id AND e.page_id = v_page;
    END LOOP;
    INSERT INTO nls.notion_relation_edges (source_id, page_id, property_id, ordinal, target_page_id, user_id,
                                           property_name)
    SELECT p.source_id, p.page_id, prop.value ->> 'id', rel.ordinal, rel.target ->> 'id', p.user_id, prop.key
      FROM nls.stg_notion_pages p
     CROSS JOIN LATERAL jsonb_each(p.raw_properties) AS prop
     CROSS JOIN LATERAL jsonb_array_elements(
            CASE WHEN jsonb_typeof(prop.value -> 'relation') = 'array' THEN prop.value -> 'relation' ELSE '[]' END)
            WITH ORDINALITY AS rel(target, ordinal)
     WHERE p.source_id = p_source_id AND p.page_id = ANY (p_page_ids) AND prop.value ->> 'type' = 'relation'
       AND rel.target ->> 'id' IS NOT NULL;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;
COMMENT ON FUNCTION nls._write_edges(bigint, text[]) IS
'Rewrite nls.notion_relation_edges for these pages of a source from their stored raw_properties (one row per
relation item, in Notion''s order); returns the edges written. Called by the sync with every batch it stores.';

CREATE OR REPLACE FUNCTION nls._save_schema(p_source_id bigint, p_data_source_id text, p_properties jsonb)
RETURNS text
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    WITH h AS (SELECT md5(p_properties::text) AS schema_hash), saved AS (
        INSERT INTO nls.data_source_schemas AS d (source_id, data_source_id, schema_hash, properties)
        SELECT p_source_id, p_data_source_id, schema_hash, p_properties FROM h
        ON CONFLICT (source_id, data_source_id, schema_hash) DO UPDATE SET last_seen_at = now()
        RETURNING d.schema_hash
    ), state AS (   -- the first batch of a data source's first run comes before its sync_state row
        INSERT INTO nls.sync_state AS st (source_id, data_source_id, schema_hash)
        SELECT p_source_id, p_data_source_id, schema_hash FROM h
        ON CONFLICT (source_id, data_source_id) DO UPDATE SET schema_hash = excluded.schema_hash
    )
    SELECT schema_hash FROM saved
$$;
COMMENT ON FUNCTION nls._save_schema(bigint, text, jsonb) IS
'Record the schema a data source''s pages showed ({property name: {id, type}}) in nls.data_source_schemas: a new
schema gets a row, a known one its last_seen_at; sync_state.schema_hash follows. Returns the schema hash (md5).';

-- A read's record of the rows it handed on (flat at scale): a temporary table of this session, emptied when a
-- read begins, one statement per answer, so that neither the backend's memory nor a statement grows with the read.
CREATE OR REPLACE FUNCTION nls._seen_begin() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF to_regclass('pg_temp._nls_seen') IS NULL THEN   -- (IF NOT EXISTS would say so in a NOTICE every read)
        CREATE TEMP TABLE _nls_seen (page_id text PRIMARY KEY, last_edited_time text NOT NULL);
    ELSE
        TRUNCATE pg_temp._nls_seen;
    END IF;
END
$$;
COMMENT ON FUNCTION nls._seen_begin() IS
'Internal: begins a read''s record of the rows it handed on (pg_temp._nls_seen, created when missing, emptied).';

CREATE OR REPLACE FUNCTION nls._seen_fresh(p_ids text[], p_times text[])
RETURNS TABLE (page_id text, is_new boolean)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN   -- plpgsql: the temporary table exists only once a read began (nls._seen_begin)
    RETURN QUERY
    INSERT INTO pg_temp._nls_seen AS s (page_id, last_edited_time)
    SELECT i.id, i.t FROM unnest(p_ids, p_times) AS i(id, t)
    ON CONFLICT ON CONSTRAINT _nls_seen_pkey DO UPDATE SET last_edited_time = excluded.last_edited_time
     WHERE s.last_edited_time IS DISTINCT FROM excluded.last_edited_time
    RETURNING s.page_id, (s.xmax = 0);
END
$$;
COMMENT ON FUNCTION nls._seen_fresh(text[], text[]) IS
'Internal: _seen_fresh(page ids, last_edited_times) records an answer''s rows in the read''s record and returns those
new to the read or edited since it handed them on (is_new: not read before at all).';

-- Pages of a data source that the complete read just made did not return and that are not yet marked gone or trashed.
CREATE OR REPLACE FUNCTION nls._unseen_pages(p_source_id bigint, p_data_source_id text)
RETURNS SETOF text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT s.page_id FROM nls.stg_notion_pages s
     WHERE s.source_id = p_source_id AND s.data_source_id = p_data_source_id
       AND NOT s.in_trash AND s.deleted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM pg_temp._nls_seen r WHERE r.page_id = s.page_id);
END
$$;

-- The reconciling read (ids only): which of the pages a data source query returned differ from the stored copy.
CREATE OR REPLACE FUNCTION nls._drifted_pages(p_source_id bigint, p_pages jsonb)
RETURNS SETOF text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT i.id
      FROM jsonb_to_recordset(p_pages) AS i(id text, last_edited_time timestamptz, in_trash boolean, computed jsonb)
      LEFT JOIN nls.stg_notion_pages s ON s.source_id = p_source_id AND s.page_id = i.id
     WHERE s.page_id IS NULL OR s.deleted_at IS NOT NULL
        OR s.last_edited_time IS DISTINCT FROM i.last_edited_time OR s.in_trash IS DISTINCT FROM i.in_trash
        -- a formula or rollup changes when the pages it reads change, without an edit of its own page
        OR EXISTS (SELECT 1 FROM jsonb_each(coalesce(i.computed, '{}')) AS c(property_id, value)
                    WHERE c.value IS DISTINCT FROM (SELECT v.value FROM jsonb_each(s.raw_properties) AS v
                                                     WHERE v.value ->> 'id' = c.property_id LIMIT 1))
$$;
COMMENT ON FUNCTION nls._drifted_pages(bigint, jsonb) IS
'Internal: _drifted_pages(source_id, pages jsonb [{id, last_edited_time, in_trash, computed: {property id: value}}])
returns the ids of pages not stored, marked gone, or whose last_edited_time, in_trash or formula/rollup values differ
from the stored copy: what the reconciling read fetches whole.';

-- The reconciliation: how many live stored pages of a data source do not hold the schema Notion gives now.
CREATE OR REPLACE FUNCTION nls._pages_off_schema(p_source_id bigint, p_data_source_id text, p_schema jsonb)
RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT count(*) FROM nls.stg_notion_pages s
     WHERE s.source_id = p_source_id AND s.data_source_id = p_data_source_id
       AND NOT s.in_trash AND s.deleted_at IS NULL
       AND (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('id', e.value -> 'id', 'type', e.value -> 'type')),
                            '{}')
              FROM jsonb_each(s.raw_properties) AS e) IS DISTINCT FROM p_schema
$$;
COMMENT ON FUNCTION nls._pages_off_schema(bigint, text, jsonb) IS
'Internal: _pages_off_schema(source_id, data_source_id, schema jsonb {name: {id, type}}) counts the stored pages
(not trashed, not gone) whose raw_properties hold other names, ids or types: pages a rename or type change left
behind, which the reconciliation then reads again.';

-- A page Notion answered 404 for (deleted for good, or no longer shared with the integration).
CREATE OR REPLACE FUNCTION nls._mark_gone(p_source_id bigint, p_page_id text) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    WITH gone AS (
        UPDATE nls.stg_notion_pages SET deleted_at = now(), last_synced_at = now()
         WHERE source_id = p_source_id AND page_id = p_page_id AND deleted_at IS NULL
        RETURNING user_id, source_id, page_id
    )
    INSERT INTO nls._clean_queue (user_id, source_id, page_id)
    SELECT g.user_id, g.source_id, g.page_id FROM gone g
     WHERE EXISTS (SELECT 1 FROM nls.sources c WHERE c.id = g.source_id AND c.target <> 'pages')
    ON CONFLICT DO NOTHING
$$;

-- Pages Notion says are trashed (the trash listing, a page.deleted webhook event): marked at once, without a read,
-- never over a copy edited after the trashing (a webhook delivery may come late, after a restore was read).
CREATE OR REPLACE FUNCTION nls._mark_trashed(p_user text, p_pages jsonb) RETURNS int
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    WITH marked AS (
        UPDATE nls.stg_notion_pages s
           SET in_trash = true, raw_page = s.raw_page || '{"in_trash": true}',
               last_edited_time = coalesce(p.last_edited_time, s.last_edited_time),
               sync_hash = coalesce(p.sync_hash, 'trashed:' || s.sync_hash), last_synced_at = now()
          FROM jsonb_to_recordset(p_pages) AS p(page_id text, last_edited_time timestamptz, sync_hash text,
                                                event_time timestamptz)
         WHERE s.user_id = p_user AND s.page_id = p.page_id AND NOT s.in_trash AND s.deleted_at IS NULL
           AND s.last_edited_time <= coalesce(p.last_edited_time, p.event_time, s.last_edited_time)
        RETURNING s.user_id, s.source_id, s.page_id
    ), queued AS (
        INSERT INTO nls._clean_queue (user_id, source_id, page_id)
        SELECT m.user_id, m.source_id, m.page_id FROM marked m
         WHERE EXISTS (SELECT 1 FROM nls.sources c WHERE c.id = m.source_id AND c.target <> 'pages')
        ON CONFLICT DO NOTHING
    )
    SELECT count(*)::int FROM marked
$$;
COMMENT ON FUNCTION nls._mark_trashed(text, jsonb) IS
'Internal: _mark_trashed(user_id, pages jsonb [{page_id, last_edited_time?, sync_hash?, event_time?}]) marks the
user''s live stored pages trashed (Notion''s trash listing named them, with their time and hash; or a page.deleted
webhook event, with the time Notion deleted the page as event_time, which leaves the stored time to be confirmed by
the next read), never over a copy whose last_edited_time is later than last_edited_time, else event_time (a deletion
delivered after the restore that undid it changes nothing); returns how many were marked.';

CREATE OR REPLACE FUNCTION nls._save_state(p_source_id bigint, p_data_source_id text, p_name text,
                                           p_watermark timestamptz, p_full_done boolean)
RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO nls.sync_state AS st (source_id, data_source_id, data_source_name, watermark, last_full_sync_at, last_run_at)
    VALUES (p_source_id, p_data_source_id, p_name, p_watermark, CASE WHEN p_full_done THEN now() END, now())
    ON CONFLICT (source_id, data_source_id) DO UPDATE
       SET data_source_name = coalesce(excluded.data_source_name, st.data_source_name),
           watermark = greatest(st.watermark, excluded.watermark),
           last_full_sync_at = coalesce(excluded.last_full_sync_at, st.last_full_sync_at),
           last_run_at = now()
$$;

-- The data sources a database lists (GET /v1/databases/{id}), remembered so that an incremental run needs no such
-- request (the request minimum, docs/how-a-sync-works.md).
CREATE OR REPLACE FUNCTION nls._save_data_sources(p_source_id bigint, p_data_sources jsonb) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO nls.sync_state AS st (source_id, data_source_id, data_source_name, listed)
    SELECT p_source_id, d.id, d.name, true FROM jsonb_to_recordset(p_data_sources) AS d(id text, name text)
    ON CONFLICT (source_id, data_source_id) DO UPDATE
       SET data_source_name = coalesce(excluded.data_source_name, st.data_source_name), listed = true;
    UPDATE nls.sync_state st SET listed = false
     WHERE st.source_id = p_source_id AND st.listed
       AND st.data_source_id NOT IN (SELECT d.id FROM jsonb_to_recordset(p_data_sources) AS d(id text));
    UPDATE nls.sources SET data_sources_listed_at = now() WHERE id = p_source_id;
$$;
COMMENT ON FUNCTION nls._save_data_sources(bigint, jsonb) IS
'Internal: _save_data_sources(source_id, data_sources jsonb [{id, name}]) remembers the data sources the database lists
now: each has a sync_state row marked listed (a new one without a watermark, so its first read is whole), the others
are marked not listed; sources.data_sources_listed_at is set. An incremental run then reads them without asking GET
/v1/databases/{id}.';

COMMENT ON FUNCTION nls._lock_key() IS 'Internal: the advisory lock class (int) of nls; the object id is the source id.';
COMMENT ON FUNCTION nls._begin_run(bigint, text, text, text) IS
'Internal: _begin_run(source_id, user_id, sync_type, notion_version) closes the stale running rows of what it runs as
failed (backend_ended; the caller holds its lock): the source''s, or with source_id NULL (a flow over all of a user''s
sources: the trash listing, webhook events, the Anki steps) the user''s rows of that flow; then inserts a running
nls.sync_log row naming this backend (pid and start time); returns its id (uuid).';
COMMENT ON FUNCTION nls._finish_run(uuid, text, int, int, int, int, int, int, text, text, jsonb) IS
'Internal: closes a sync_log row with its status (completed, partial, failed), counts, requests, retries, error code
and message, and details (jsonb).';
COMMENT ON FUNCTION nls._close_stale_runs() IS
'Internal: closes as failed (backend_ended) every running sync_log row whose backend is gone (nls._backend_alive;
a row that names no backend: whose source lock nobody holds), keeping the counts its last committed batch
wrote; returns how many sources had such rows.';
COMMENT ON FUNCTION nls._stored_hashes(bigint, text[]) IS
'Internal: for a source and page ids, the stored sync_hash, whether content is stored, and whether the page is
marked gone.';
COMMENT ON FUNCTION nls._upsert_pages(bigint, text, jsonb) IS
'Internal: upserts a JSON array of pages into nls.stg_notion_pages, writing only changed hashes and never an older
last_edited_time over a newer one; returns (added, updated).';
COMMENT ON FUNCTION nls._unseen_pages(bigint, text) IS
'Internal: stored, not trashed, not gone pages of a data source that the complete read just made did not return (its
record, pg_temp._nls_seen).';
COMMENT ON FUNCTION nls._mark_gone(bigint, text) IS
'Internal: sets deleted_at on a page Notion answered 404 for (deleted or unshared); nothing is dropped.';
COMMENT ON FUNCTION nls._save_state(bigint, text, text, timestamptz, boolean) IS
'Internal: records a data source''s watermark (never moved back) and, when p_full_done, the time of a complete
reconciliation (a whole full read, or the ids-only read of a reconciling run) in last_full_sync_at.';

-- ---- the schedule's rounds (SECURITY DEFINER: a worker must see every user to share them out; it learns user ids
-- ---- and nothing else, and syncs each user under that user's row-level security) ------------------------------
CREATE OR REPLACE FUNCTION nls._claim_sync_user(p_joined timestamptz, OUT p_round timestamptz, OUT p_user text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- one claim at a time (held until the worker commits, right after)
    PERFORM pg_advisory_xact_lock(nls._lock_key(), -1);
    -- a worker that ended mid-user (killed, crashed) leaves its claim: that user is done for this round
    UPDATE nls.sync_rounds r SET finished_at = clock_timestamp(), status = 'abandoned'
     WHERE r.finished_at IS NULL AND r.claimed_by IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                        WHERE a.pid = r.claimed_by AND coalesce(a.backend_start <= r.claimed_at, true));
    -- join the round still going (a user not finished); else begin one with every active integration that has an
    -- enabled source
    -- (a worker that already took part in a round stays in it: when it is used up, the worker is done)
    p_round := coalesce(p_joined, nls._open_round());
    UPDATE nls.sync_rounds r SET claimed_by = pg_backend_pid(), claimed_at = clock_timestamp()
     WHERE (r.round, r.user_id) = (SELECT q.round, q.user_id FROM nls.sync_rounds q
                                    WHERE q.round = p_round AND q.claimed_by IS NULL
                                    ORDER BY q.user_id LIMIT 1)
    RETURNING r.user_id INTO p_user;
    DELETE FROM nls.sync_rounds WHERE round < p_round - interval '7 days';
END
$$;
COMMENT ON FUNCTION nls._claim_sync_user(timestamptz) IS
'Internal (scheduled workers): _claim_sync_user(p_joined) returns (p_round, p_user). With p_joined NULL (a worker''s
first claim): the round still going (one whose users are not all finished), else a new one queuing every active
integration with an enabled source; with p_joined, that round only. p_user is the next of the round''s users no
worker has taken, or NULL when none is left (the worker is then done). The pg_cron worker jobs fire together and so share one round;
a user claimed by a backend that has ended counts as finished (abandoned).';

CREATE OR REPLACE FUNCTION nls._open_round() RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_round timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(nls._lock_key(), -1);
    SELECT max(r.round) INTO v_round FROM nls.sync_rounds r WHERE r.finished_at IS NULL;
    IF v_round IS NULL THEN
        v_round := clock_timestamp();
        INSERT INTO nls.sync_rounds (round, user_id)
        SELECT v_round, i.user_id FROM nls.integrations i
         WHERE i.status = 'active' AND EXISTS (SELECT 1 FROM nls.sources s WHERE s.user_id = i.user_id AND s.enabled);
    END IF;
    RETURN v_round;
END
$$;
COMMENT ON FUNCTION nls._open_round() IS
'Internal (the schedule): the round still going (one whose users are not all finished), else a new one queuing every
active integration with an enabled source; returns its time (the round''s key in nls.sync_rounds).';

CREATE OR REPLACE FUNCTION nls._round_waiting() RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT max(r.round) FROM nls.sync_rounds r WHERE r.finished_at IS NULL AND r.claimed_by IS NULL
$$;
COMMENT ON FUNCTION nls._round_waiting() IS
'Internal (worker runtime): the round that has a user no worker took yet, or NULL (a worker joins it; it never opens
one: pg_cron''s job does).';

CREATE OR REPLACE FUNCTION nls._finish_sync_user(p_round timestamptz, p_user text, p_status text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE nls.sync_rounds SET finished_at = clock_timestamp(), status = p_status
     WHERE round = p_round AND user_id = p_user AND claimed_by = pg_backend_pid();
$$;
COMMENT ON FUNCTION nls._finish_sync_user(timestamptz, text, text) IS
'Internal (scheduled workers): marks this worker''s user of the round done with its status (completed, partial,
failed, cancelled, or skipped when another session was syncing that user''s sources).';

-- ---- the request budget every backend of a token and of a workspace shares, at once ---------------------------
-- A budget is a generic cell rate algorithm's state, its theoretical arrival time (TAT, in ticks: tenths of a
-- millisecond since 2025-01-01 UTC), kept in a register of nls._budget_registers (a sequence: not transactional, so
-- a sync that runs in its caller's transaction shares it with every backend at once). A register's value is the
-- budget's tag (19 bits: 262144 for a workspace, plus 18 bits of a hash of its id) and its TAT (the low 44 bits). A
-- budget lives in one of the 8 registers of its window (from its tag), so that a call reads a few registers only.
-- Registers are read and written under an advisory lock taken in a subtransaction that is rolled back at the end:
-- the lock goes with it whatever happens (an error, a cancel), the sequences keep their new values.
CREATE OR REPLACE FUNCTION nls._budget_tag(p_kind text, p_id text) RETURNS bigint
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_kind WHEN 'workspace' THEN 262144 ELSE 0 END
           + (hashtextextended(p_kind || ':' || coalesce(p_id, ''), 0) & 262143)
$$;
COMMENT ON FUNCTION nls._budget_tag(text, text) IS
'Internal: the tag (bigint, 19 bits) of a request budget: kind token (p_id the user id) or workspace (p_id its id;
NULL: the workspaces not known yet, whose budget the first request of a new integration uses).';

CREATE OR REPLACE FUNCTION nls._budget_window(p_tag bigint, p_registers int) RETURNS int[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT array_agg(((p_tag + k) % p_registers)::int + 1 ORDER BY k) FROM generate_series(0, least(8, p_registers) - 1) k $$;
COMMENT ON FUNCTION nls._budget_window(bigint, int) IS
'Internal: the registers (1-based indexes among p_registers) that may hold the budget tagged p_tag, in order.';

CREATE OR REPLACE FUNCTION nls._budget_time(p_budgets bigint[], p_tag bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(max(p_budgets[i] & 17592186044415), 0)
      FROM unnest(nls._budget_window(p_tag, cardinality(p_budgets))) i WHERE p_budgets[i] >> 44 = p_tag
$$;
COMMENT ON FUNCTION nls._budget_time(bigint[], bigint) IS
'Internal: the TAT (ticks) of the budget tagged p_tag among the registers'' values p_budgets; 0 when none holds it.';

CREATE OR REPLACE FUNCTION nls._budget_pick(p_budgets bigint[], p_tag bigint, p_now bigint, p_taken int) RETURNS int
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(
        (SELECT w.i FROM unnest(nls._budget_window(p_tag, cardinality(p_budgets))) w(i)
          WHERE p_budgets[w.i] >> 44 = p_tag AND w.i <> p_taken ORDER BY p_budgets[w.i] & 17592186044415 DESC LIMIT 1),
        (SELECT w.i FROM unnest(nls._budget_window(p_tag, cardinality(p_budgets))) WITH ORDINALITY w(i, n)
          WHERE p_budgets[w.i] & 17592186044415 <= p_now AND w.i <> p_taken ORDER BY w.n LIMIT 1))
$$;
COMMENT ON FUNCTION nls._budget_pick(bigint[], bigint, bigint, int) IS
'Internal: the register (its index in p_budgets) of the budget tagged p_tag, else the first free one of its window (a
budget full again at p_now: what it held is no one''s history any more), never p_taken; NULL when every register of
its window is in use.';

CREATE OR REPLACE FUNCTION nls._budget_read(p_tags bigint[], p_all boolean, OUT seqs regclass[], OUT budgets bigint[],
                                            OUT now bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_registers int := (SELECT count(*) FROM nls._budget_registers);
    v_read int[] := ARRAY(SELECT unnest(nls._budget_window(t, v_registers)) FROM unnest(p_tags) t);
BEGIN
    PERFORM pg_advisory_xact_lock(nls._lock_class('budget'), 0);
    now := floor((extract(epoch FROM clock_timestamp()) - 1735689600) * 10000);
    SELECT array_agg(r.seq ORDER BY r.register),
           array_agg(CASE WHEN p_all OR r.register + 1 = ANY (v_read) THEN coalesce(pg_sequence_last_value(r.seq), 0)
                     END ORDER BY r.register)
      INTO seqs, budgets FROM nls._budget_registers r;
END
$$;
COMMENT ON FUNCTION nls._budget_read(bigint[], boolean) IS
'Internal (nls._take_budget, nls._hold_budget, in a subtransaction they roll back): takes the budgets'' lock and
returns the registers (seqs), the values of those in the windows of p_tags (every one with p_all; NULL for the
others: budgets) and the time now in ticks.';

CREATE OR REPLACE FUNCTION nls._budget_write(p_seq regclass, p_tag bigint, p_time bigint) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT setval(p_seq, (p_tag << 44) | least(p_time, 17592186044415)) $$;
COMMENT ON FUNCTION nls._budget_write(regclass, bigint, bigint) IS
'Internal: stores the budget tagged p_tag, its TAT p_time (ticks), in register p_seq.';

CREATE OR REPLACE FUNCTION nls._take_budget(p_user text, p_workspace_id text, p_rate float8, p_workspace_rate float8,
                                            p_burst float8, OUT wait_s float8, OUT reserved boolean)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_mask constant bigint := 17592186044415;
    v_tag bigint[] := ARRAY[nls._budget_tag('token', p_user), nls._budget_tag('workspace', p_workspace_id)];
    v_step bigint[] := ARRAY[ceil(10000 / p_rate), ceil(10000 / p_workspace_rate)];
    -- how far ahead of its TAT a request may go: the burst less one request, kept for the network's jitter
    v_ahead bigint[] := ARRAY[floor(greatest(p_burst - 2, 0) * 10000 / p_rate),
                              floor(greatest(p_burst - 2, 0) * 10000 / p_workspace_rate)];
    r record;
    v_at int[];
    v_tat bigint[];
    v_others int[] := '{}';
    v_send bigint;
BEGIN
    BEGIN
        r := nls._budget_read(v_tag || nls._budget_tag('workspace', NULL), p_workspace_id IS NULL);
        v_at[1] := nls._budget_pick(r.budgets, v_tag[1], r.now, 0);
        v_at[2] := nls._budget_pick(r.budgets, v_tag[2], r.now, coalesce(v_at[1], 0));
        IF v_at[1] IS NULL OR v_at[2] IS NULL THEN   -- every register of a window in use: wait for one to come free
            wait_s := greatest(1, coalesce((SELECT min(b & c_mask) FROM unnest(r.budgets) b
                                             WHERE b & c_mask > r.now) - r.now, 1)) / 10000.0;
            reserved := false;
        ELSE
            -- a workspace's budget is never behind the one of workspaces not known yet; a request whose workspace
            -- is not known yet counts in every workspace budget in use
            v_tat := ARRAY[nls._budget_time(r.budgets, v_tag[1]),
                           greatest(nls._budget_time(r.budgets, v_tag[2]),
                                    nls._budget_time(r.budgets, nls._budget_tag('workspace', NULL)))];
            IF p_workspace_id IS NULL THEN
                v_others := ARRAY(SELECT i FROM generate_subscripts(r.budgets, 1) i WHERE r.budgets[i] >> 44 >= 262144
                                     AND r.budgets[i] & c_mask > r.now AND i <> v_at[2]);
            END IF;
            v_send := greatest(r.now, v_tat[1] - v_ahead[1], v_tat[2] - v_ahead[2],
                               (SELECT max((r.budgets[i] & c_mask) - v_ahead[2]) FROM unnest(v_others) i));
            FOR k IN 1..2 LOOP
                PERFORM nls._budget_write(r.seqs[v_at[k]], v_tag[k], greatest(v_tat[k], v_send) + v_step[k]);
            END LOOP;
            PERFORM nls._budget_write(r.seqs[i], r.budgets[i] >> 44, greatest(r.budgets[i] & c_mask, v_send) + v_step[2])
               FROM unnest(v_others) i;
            wait_s := (v_send - r.now) / 10000.0;
            reserved := true;
        END IF;
        RAISE SQLSTATE 'NLS00';   -- roll the block back: the lock goes, the registers keep their values
    EXCEPTION WHEN SQLSTATE 'NLS00' THEN
        NULL;
    END;
END
$$;
COMMENT ON FUNCTION nls._take_budget(text, text, float8, float8, float8) IS
'Internal: one request of user p_user''s token (in workspace p_workspace_id; NULL while it is not known) in the
request budgets every backend shares: p_rate requests a second for the token and p_workspace_rate for the workspace,
at most p_burst - 1 at once (one request of the burst is kept for the network''s jitter). Returns (wait_s: the
seconds to wait before sending it, reserved: true), or (wait_s, false) when every register a budget may use is in
use: wait, then ask again. A request of a workspace not known yet counts in every workspace budget in use, and a workspace budget is
never behind the one of workspaces not known yet. Never waits on a lock longer than one call takes.';

CREATE OR REPLACE FUNCTION nls._hold_budget(p_kind text, p_id text, p_seconds float8, p_rate float8, p_burst float8)
RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tag bigint := nls._budget_tag(p_kind, p_id);
    r record;
    v_at int;
    v_held boolean;
BEGIN
    BEGIN
        r := nls._budget_read(ARRAY[v_tag], false);
        v_at := nls._budget_pick(r.budgets, v_tag, r.now, 0);
        v_held := v_at IS NOT NULL;
        IF v_held THEN
            PERFORM nls._budget_write(r.seqs[v_at], v_tag, greatest(nls._budget_time(r.budgets, v_tag),
                r.now + ceil(p_seconds * 10000)::bigint + floor(greatest(p_burst - 2, 0) * 10000 / p_rate)::bigint));
        END IF;
        RAISE SQLSTATE 'NLS00';   -- as in nls._take_budget
    EXCEPTION WHEN SQLSTATE 'NLS00' THEN
        NULL;
    END;
    RETURN v_held;
END
$$;
COMMENT ON FUNCTION nls._hold_budget(text, text, float8, float8, float8) IS
'Internal: Notion answered 429 with p_seconds of Retry-After for a budget (p_kind token: p_id the user id; workspace:
its id): no backend''s request of it starts before that time has passed (p_rate and p_burst as for nls._take_budget).
Returns false when every register the budget may use is in use (the backend that got the 429 then waits on its
own).';

-- ---- the window budgets: requests per window of a token (a connection) and of a workspace ----------------------
-- Notion's request limits as stated now: a fixed budget of requests per window, spent at any pace; past it, 429 with
-- Retry-After the time to the window's end. Two registers of the pool per scope (token or workspace): its window
-- (payload: the window's end in ticks, a multiple of 16384, and in its low 14 bits the requests taken in it; 16383:
-- full until its end) and what was learned of its limit (payload: when that is forgotten, a multiple of 2^24, and in
-- its low 24 bits: bits 0-11 the budget (or a rate limit's burst), bit 12 the budget was counted when Notion
-- refused, bit 13 the limit is a rate (two 429s in a row of a second or two: paced by nls._take_budget), bits 14-22
-- the window's length in seconds when Notion showed it longer than rate_limit_window_s, bit 23 the last 429 asked
-- for a second or two (the end of a window, or a rate limit: the next one tells)).
CREATE OR REPLACE FUNCTION nls._window_time(p_now bigint, p_seconds float8, p_unit bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT (ceil((p_now + p_seconds * 10000) / p_unit)::bigint * p_unit) $$;
COMMENT ON FUNCTION nls._window_time(bigint, float8, bigint) IS
'Internal: p_seconds after p_now (ticks), rounded up to a multiple of p_unit (ticks): a window''s end (16384) or
when what was learned of a limit is forgotten (2^24).';

CREATE OR REPLACE FUNCTION nls._window_learned(p_budgets bigint[], p_tag bigint, p_now bigint) RETURNS int
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN t > p_now THEN (t & 16777215)::int ELSE 0 END FROM nls._budget_time(p_budgets, p_tag) t
$$;
COMMENT ON FUNCTION nls._window_learned(bigint[], bigint, bigint) IS
'Internal: what was learned of a limit (the low 24 bits of its register, tagged p_tag) while it is not forgotten at
p_now; 0 when nothing is.';

CREATE OR REPLACE FUNCTION nls._take_window(p_kind text, p_id text, p_window_s float8, p_default int,
                                            OUT wait_s float8, OUT budget int, OUT paced boolean)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tag bigint[] := ARRAY[nls._budget_tag(p_kind || '_window', p_id), nls._budget_tag(p_kind || '_learned', p_id)];
    r record;
    v_at int[];
    v_learned int;
    v_win bigint;
    v_end bigint;
    v_spent int;
    v_length float8;
BEGIN
    wait_s := 0; budget := 0; paced := true;
    BEGIN
        r := nls._budget_read(v_tag, false);
        v_at[1] := nls._budget_pick(r.budgets, v_tag[1], r.now, 0);
        v_at[2] := nls._budget_pick(r.budgets, v_tag[2], r.now, coalesce(v_at[1], 0));
        v_learned := nls._window_learned(r.budgets, v_tag[2], r.now);
        v_length := coalesce(nullif(v_learned >> 14 & 511, 0), p_window_s);
        IF v_learned & 8192 <> 0 THEN   -- a rate limit: budget is its burst
            budget := v_learned & 4095;
        ELSIF v_at[1] IS NOT NULL AND v_at[2] IS NOT NULL AND (v_learned > 0 OR p_default <= 4095) THEN
            budget := CASE WHEN v_learned & 4095 = 0 THEN p_default ELSE v_learned & 4095 END;
            v_win := nls._budget_time(r.budgets, v_tag[1]);
            v_end := v_win - (v_win & 16383);
            v_spent := v_win & 16383;
            IF v_end <= r.now THEN   -- the window is over (or there was none): a new one opens with this request
                IF v_end > 0 AND v_learned & 4096 = 0 AND v_spent >= budget AND v_spent < 16383 THEN
                    budget := least(4095, ceil(budget * 1.5)::int);   -- spent whole without a 429: it is more
                END IF;
                IF v_spent < 16383 THEN   -- a window ended without a 429: the last short one was a window's end
                    v_learned := v_learned & ~8388608;
                END IF;
                v_end := nls._window_time(r.now, v_length + 1, 16384);   -- and a second for the network
                v_spent := 0;
            END IF;
            IF v_spent >= budget THEN
                wait_s := (v_end - r.now) / 10000.0;
            ELSE
                v_spent := v_spent + 1;
            END IF;
            PERFORM nls._budget_write(r.seqs[v_at[1]], v_tag[1], v_end | v_spent);
            IF v_learned > 0 OR budget <> p_default THEN   -- nothing learned and nothing grown: nothing to keep
                PERFORM nls._budget_write(r.seqs[v_at[2]], v_tag[2], nls._window_time(r.now, v_length * 10, 16777216)
                                          | (v_learned & 16773120) | budget);
            END IF;
            paced := false;
        END IF;
        RAISE SQLSTATE 'NLS00';   -- as in nls._take_budget
    EXCEPTION WHEN SQLSTATE 'NLS00' THEN
        NULL;
    END;
END
$$;
COMMENT ON FUNCTION nls._take_window(text, text, float8, int) IS
'Internal: one request in the window budget of a token (p_kind token, p_id the user id) or a workspace (workspace,
its id) every backend shares. Returns (wait_s 0: counted, send it; wait_s > 0: the budget of the window is spent,
wait that long for its end and ask again; budget: the requests per window the scope is known to have, p_default
until one is learned (spent at any pace: in a burst), half as much again after a window spent whole without a 429;
paced: true when the scope''s limit is a rate (budget: the burst it lets through, 0 when not known), when no
register is free, or when p_default is past 4095 while nothing is learned: pace with nls._take_budget, nothing was
counted). A window opens with the first request after the last one ended and lasts p_window_s seconds (or as long
as Notion showed it to be) and one more for the network.';

CREATE OR REPLACE FUNCTION nls._learn_window(p_kind text, p_id text, p_retry_s float8, p_window_s float8)
RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tag bigint[] := ARRAY[nls._budget_tag(p_kind || '_window', p_id), nls._budget_tag(p_kind || '_learned', p_id)];
    r record;
    v_at int[];
    v_win bigint;
    v_learned int;
    v_length float8;
    v_counted int;
    v_budget int;
BEGIN
    BEGIN
        r := nls._budget_read(v_tag, false);
        v_at[1] := nls._budget_pick(r.budgets, v_tag[1], r.now, 0);
        v_at[2] := nls._budget_pick(r.budgets, v_tag[2], r.now, coalesce(v_at[1], 0));
        IF v_at[1] IS NOT NULL AND v_at[2] IS NOT NULL THEN
            v_win := nls._budget_time(r.budgets, v_tag[1]);
            v_learned := nls._window_learned(r.budgets, v_tag[2], r.now);
            v_length := coalesce(nullif(v_learned >> 14 & 511, 0), p_window_s);
            -- what the window open now let through, the refused request less (NULL: no window counted)
            v_counted := CASE WHEN v_win - (v_win & 16383) > r.now AND v_win & 16383 < 16383
                              THEN greatest(1, least(4095, (v_win & 16383) - 1)) END;
            -- a second short wait in a row, or one long before the window counted ends: a rate limit (burst: the first's, else 3)
            IF p_retry_s <= 2 AND (v_learned & 8396800 <> 0 OR v_win - (v_win & 16383) - r.now > (p_retry_s + 5) * 10000) THEN
                v_budget := CASE WHEN v_learned & 8396800 <> 0 THEN greatest(v_learned & 4095, coalesce(v_counted, 0))
                                 ELSE greatest(1, least(coalesce(v_counted, 3), 3)) END;
                v_learned := 8192 | v_budget;
            ELSIF p_retry_s <= 2 THEN   -- a short wait: a window's end, or a rate limit; noted, with its count
                v_budget := CASE WHEN v_learned & 4096 <> 0 THEN v_learned & 4095 ELSE coalesce(v_counted, 0) END;
                v_learned := (v_learned & 8384512) | 8388608 | v_budget;
            ELSIF v_win & 16383 = 16383 AND v_learned & 4096 <> 0 THEN   -- another request in flight refused too
                v_budget := greatest(1, (v_learned & 4095) - 1);
                v_learned := (v_learned & 8384512) | v_budget;
            ELSIF v_learned & 4096 <> 0 AND coalesce(v_counted, 0) < (v_learned & 4095) - 1 THEN
                -- refused long before the budget learned was spent: the window is longer than taken (it began
                -- when this one did, at most the network's second and the rounding of its end before)
                v_budget := v_learned & 4095;
                v_length := least(511, ceil(v_length + 1 + p_retry_s - (v_win - (v_win & 16383) - r.now) / 10000.0));
                v_learned := (v_length::int << 14) | 4096 | v_budget;
            ELSE   -- the count when refused is the budget; without a count, what was learned stays
                v_budget := coalesce(v_counted, v_learned & 4095);
                v_learned := (v_learned & 8372224) | CASE WHEN v_budget > 0 THEN 4096 | v_budget ELSE 0 END;
            END IF;
            -- the window is full until the Retry-After has passed
            PERFORM nls._budget_write(r.seqs[v_at[1]], v_tag[1], nls._window_time(r.now, p_retry_s, 16384) | 16383);
            IF v_learned > 0 THEN
                PERFORM nls._budget_write(r.seqs[v_at[2]], v_tag[2],
                                          nls._window_time(r.now, v_length * 10, 16777216) | v_learned);
            END IF;
        END IF;
        RAISE SQLSTATE 'NLS00';   -- as in nls._take_budget
    EXCEPTION WHEN SQLSTATE 'NLS00' THEN
        NULL;
    END;
    RETURN CASE WHEN v_learned & 8192 <> 0 THEN -coalesce(v_budget, 0) ELSE coalesce(v_budget, 0) END;
END
$$;
COMMENT ON FUNCTION nls._learn_window(text, text, float8, float8) IS
'Internal: Notion answered 429 with p_retry_s seconds of Retry-After for a token (p_kind token, p_id the user id) or
a workspace (workspace, its id). A wait of more than 2 s: the window budget is the count taken in its window when
refused, less the refused request (one less than learned when another request in flight was refused in the same
window; without a count what was learned stays); refused long before a budget learned was spent, the window is
longer than p_window_s: its length is learned instead (from the Retry-After); the window is full until the
Retry-After has passed (no backend sends in it again). A wait of 1 or 2 s is a window''s end or a rate limit: the
first is noted with its count and held; a second in a row (no window ended without a 429 between them), or a first
while the window counted has more than 5 s to go after it (not its end), makes the limit a rate, paced by nls._take_budget from then on with the burst the first let through. What was learned is kept
for 10 windows after the last request. Returns the budget learned (int: 0 none), or minus the burst when the limit
is a rate.';

-- ---- what a run learns about its integration, noted without locking the integration's row ----------------------
CREATE OR REPLACE FUNCTION nls._integration_now(p_integration bigint, p_notes bigint[] DEFAULT NULL)
RETURNS TABLE (status text, workspace_id text, workspace_name text, bot_id text, trash_checked_at timestamptz)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN i.status = 'active' AND i.token_nonce = ANY (n.refused) THEN 'needs_reauth' ELSE i.status END,
           coalesce(i.workspace_id, n.workspace_id), coalesce(i.workspace_name, n.workspace_name),
           coalesce(n.bot_id, i.bot_id), greatest(i.trash_checked_at, n.trash_checked_at)
      FROM nls.integrations i,
           LATERAL (SELECT (array_agg(x.workspace_id ORDER BY x.noted_at DESC)
                                FILTER (WHERE x.workspace_id IS NOT NULL))[1] AS workspace_id,
                           (array_agg(x.workspace_name ORDER BY x.noted_at DESC)
                                FILTER (WHERE x.workspace_name IS NOT NULL))[1] AS workspace_name,
                           (array_agg(x.bot_id ORDER BY x.noted_at DESC) FILTER (WHERE x.bot_id IS NOT NULL))[1] AS bot_id,
                           max(x.trash_checked_at) AS trash_checked_at,
                           coalesce(array_agg(x.refused_nonce) FILTER (WHERE x.refused_nonce IS NOT NULL), '{}') AS refused
                      FROM nls.integration_notes x
                     WHERE x.integration_id = i.id AND (p_notes IS NULL OR x.id = ANY (p_notes))) n
     WHERE i.id = p_integration
$$;
COMMENT ON FUNCTION nls._integration_now(bigint, bigint[]) IS
'Internal: integration p_integration as its notes (nls.integration_notes: those this session sees, or only the ids
p_notes) have it: (status: needs_reauth when Notion refused its token as stored now, workspace_id, workspace_name,
bot_id, trash_checked_at). Row-level security applies.';

CREATE OR REPLACE FUNCTION nls._fold_integration_notes(p_integration bigint) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_notes bigint[];
BEGIN
    PERFORM 1 FROM nls.integrations i WHERE i.id = p_integration FOR NO KEY UPDATE SKIP LOCKED;
    IF NOT FOUND THEN   -- another transaction holds the row: its notes wait for the next fold
        RETURN false;
    END IF;
    SELECT array_agg(x.id) INTO v_notes FROM (SELECT n.id FROM nls.integration_notes n
                                               WHERE n.integration_id = p_integration FOR UPDATE SKIP LOCKED) x;
    IF v_notes IS NULL THEN
        RETURN true;
    END IF;
    UPDATE nls.integrations i
       SET (status, workspace_id, workspace_name, bot_id, trash_checked_at, updated_at) =
           (SELECT n.status, n.workspace_id, n.workspace_name, n.bot_id, n.trash_checked_at,
                   CASE WHEN (n.status, n.workspace_id, n.workspace_name, n.bot_id)
                             IS DISTINCT FROM (i.status, i.workspace_id, i.workspace_name, i.bot_id)
                        THEN now() ELSE i.updated_at END
              FROM nls._integration_now(p_integration, v_notes) n)
     WHERE i.id = p_integration;
    DELETE FROM nls.integration_notes n WHERE n.id = ANY (v_notes);
    RETURN true;
END
$$;
COMMENT ON FUNCTION nls._fold_integration_notes(bigint) IS
'Internal: folds the notes of integration p_integration this session sees into nls.integrations and deletes them,
unless another transaction holds the integration''s row or a note (then they wait, read through
nls._integration_now, for the next fold). Never waits on a lock. Returns whether the row could be taken.';

CREATE OR REPLACE FUNCTION nls._notes_committed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_acting text := current_setting('nls.user_id', true);
BEGIN
    PERFORM set_config('nls.user_id', NEW.user_id, true);
    BEGIN
        PERFORM nls._fold_integration_notes(NEW.integration_id);
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        NULL;   -- the commit matters more than the fold: the notes wait for the next one
    END;
    PERFORM set_config('nls.user_id', coalesce(v_acting, ''), true);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION nls._notes_committed() IS
'Internal: the trigger integration_notes_fold runs it as the transaction that noted something commits: the note is
folded into nls.integrations then (nls._fold_integration_notes, acting for its user), the row locked only for the
rest of the commit. What goes wrong there leaves the notes for the next fold and never fails the commit.';
DROP TRIGGER IF EXISTS integration_notes_fold ON nls.integration_notes;
CREATE CONSTRAINT TRIGGER integration_notes_fold AFTER INSERT ON nls.integration_notes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION nls._notes_committed();

COMMENT ON COLUMN nls.sync_log.status IS
'running, then completed, partial (stopped early or some pages not stored: the next run resumes), failed, or
cancelled (a cancel or statement_timeout stopped it; the scheduled procedure commits that before it stops). A
running row whose backend is gone reads as failed in nls.sync_status and is closed by the next run. The JSON
nls.sync_notion returns says "success" for completed (mapped once, in plpython/nls_engine/report.py).';
COMMENT ON COLUMN nls.sync_log.details IS
'What a run found, one shape for every run of the engine (plpython/nls_engine/report.py): {"data_sources": [{"id",
"name", "mode", "pages", "windows"?, "reconciled"?: {"ids_read", "drifted", "windows"}}], "cleaned_characters",
"requests_by_endpoint": {endpoint: attempts}, "page_errors"?: [{"page_id", "error"}], "limits"?: [{"limit", ...}],
"completed_values"?, "unsupported_values"?, "rollups_over_cut_relations"?, "markdown_unavailable"?,
"markdown_truncated"?, "markdown_unknown_blocks"?, "rate_limited"? (429 answers), "retry_waited_s"? (seconds between
attempts), "paced_s"? (seconds waited for the budget), "timeouts"? ({endpoint: requests that timed out}),
"invalid_json"? ({endpoint: answers whose body was not JSON, each sent again}), "traceback"?}. The cleaning pipeline''s rows (sync_type cleaning) hold per-table counts instead; the Anki steps''
rows (no source_id; plpython/nls_engine/anki/sync.py) their findings: anki_sync {"action", "login", "anki"},
anki_pull {"reviewed"}, anki_push {"unchanged", "kept_deleted", "upload"}, each with "traceback"? for an internal
error. A push''s rows (sync_type notion_push: items_added pages created, items_updated pages written) add the counters
"conflicts"?, "failed"?, "agreed"?, "unchanged"?, "refreshed"?, "adopted"?, "waiting"?, "object_errors"?:
[{"local_table", "local_id", "page_id", "error"}] and "skipped_properties"?: [{"column", "reason"}]; a read''s may
count "own_writes" (pages whose last edit was nls''s own push).
A user''s flows (no source_id) add their findings to the engine''s shape: notion_trash (the trash listing)
{"trash_since", "trashed_listed", "trashed_seen"?}, notion_webhook (a batch of webhook events) {"events",
"pages_read", "trashed", "schema_refreshes", "listed_again", "own_write", "not_synced", "ignored", "left_pending",
"pages_moved"};
"data_sources_listed_again"? counts a query that answered 404/400, after which the database''s data sources were
listed again.';
