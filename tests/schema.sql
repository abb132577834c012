--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: nls; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA nls;

--
-- Name: _anki_atoms(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._anki_atoms(p_user text) RETURNS TABLE(atom_id uuid, notion_id text, card_id text, atom_type text, front text, back text, program text, track text, module text, area text, cluster text, concept text, anki_note_id bigint, anki_deck text)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT a.id, a.notion_id, a.card_id, a.atom_type, a.front, a.back, p.name, t.name, m.name,
           coalesce(ca.name, da.name), cl.name, c.name, a.anki_note_id, a.anki_deck
      FROM nls.learning_atoms a
      LEFT JOIN nls.learning_modules m ON m.id = a.module_id
      LEFT JOIN nls.clean_tracks t ON t.id = m.track_id
      LEFT JOIN nls.clean_programs p ON p.id = t.program_id
      LEFT JOIN nls.concepts c ON c.id = a.concept_id
      LEFT JOIN nls.clean_concept_clusters cl ON cl.id = c.cluster_id
      LEFT JOIN nls.clean_concept_areas ca ON ca.id = cl.concept_area_id
      LEFT JOIN nls.clean_concept_areas da ON da.id = c.concept_area_id
     WHERE a.user_id = p_user AND a.atom_type IN ('flashcard', 'cloze')
     ORDER BY a.card_id, a.id
$$;

--
-- Name: FUNCTION _anki_atoms(p_user text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._anki_atoms(p_user text) IS 'Internal: _anki_atoms(user_id) returns every flashcard and cloze atom of the user (atom_id, notion_id, card_id,
atom_type, front, back, anki_note_id, anki_deck) with the names of its program, track, module, concept area, cluster
and concept: what the Anki push makes notes of (deck Program::Track::Module, else Area::Cluster; tag concept::<name>).';

--
-- Name: _anki_last_review(text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._anki_last_review(p_user text, p_concept_notion_id text) RETURNS timestamp with time zone
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT max(n.last_review_at)
      FROM nls.concepts c
      JOIN nls.learning_atoms a ON a.concept_id = c.id
      JOIN nls.anki_notes n ON n.user_id = a.user_id AND n.atom_key = coalesce(a.notion_id, 'atom:' || a.id)
     WHERE c.user_id = p_user AND c.notion_id = p_concept_notion_id
$$;

--
-- Name: FUNCTION _anki_last_review(p_user text, p_concept_notion_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._anki_last_review(p_user text, p_concept_notion_id text) IS 'Internal: the last time the learner answered a card of the concept (by its Notion page id) in Anki, as the Anki
pull read it (nls.anki_notes.last_review_at); NULL when never. nls._want_concepts keeps the later of it and
Notion''s Last Reviewed.';

--
-- Name: _anki_lock_key(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._anki_lock_key() RETURNS integer
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT nls._lock_class('anki') $$;

--
-- Name: FUNCTION _anki_lock_key(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._anki_lock_key() IS 'Internal: the advisory lock class (int) of the Anki sync; the object id is the account id (nls.anki_accounts.id).';

--
-- Name: _anki_pull_rows(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._anki_pull_rows(p_user text) RETURNS TABLE(guid text, note_id bigint, fields_hash text, edit_hash text, reviews integer, atom_id uuid, atom_type text, front text, back text, concept_id uuid, module_id uuid, stats jsonb)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT n.guid, n.note_id, n.fields_hash, n.edit_hash, n.reviews, a.id, a.atom_type, a.front, a.back,
           a.concept_id, a.module_id,
           jsonb_build_object('anki_interval', a.anki_interval, 'anki_ease_factor', a.anki_ease_factor,
                              'anki_review_count', a.anki_review_count, 'anki_lapses', a.anki_lapses,
                              'anki_queue', a.anki_queue, 'anki_stability', a.anki_stability,
                              'anki_difficulty', a.anki_difficulty)
      FROM nls.anki_notes n
      JOIN nls.learning_atoms a ON a.user_id = n.user_id AND n.atom_key = coalesce(a.notion_id, 'atom:' || a.id)
     WHERE n.user_id = p_user AND n.removed_at IS NULL AND n.deleted_at IS NULL AND n.note_id IS NOT NULL
     ORDER BY n.guid
$$;

--
-- Name: FUNCTION _anki_pull_rows(p_user text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._anki_pull_rows(p_user text) IS 'Internal: the notes the Anki pull reads: every note of the user whose atom is still synced and which the learner
has not deleted, with its atom (id, type, text, concept, module) and the schedule the atom holds now (stats jsonb).';

--
-- Name: _anki_pulled(text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._anki_pulled(p_user text, p_rows jsonb, OUT atoms integer, OUT edits integer, OUT deleted integer) RETURNS record
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    CREATE TEMP TABLE _nls_pull ON COMMIT DROP AS
    SELECT * FROM jsonb_to_recordset(p_rows) AS r(guid text, atom_id uuid, stats jsonb, reviews int,
                                                  last_review_at timestamptz, edit jsonb, deleted boolean);
    UPDATE nls.learning_atoms a
       SET anki_interval = (r.stats ->> 'anki_interval')::int,
           anki_ease_factor = (r.stats ->> 'anki_ease_factor')::numeric,
           anki_review_count = (r.stats ->> 'anki_review_count')::int,
           anki_lapses = (r.stats ->> 'anki_lapses')::int, anki_queue = (r.stats ->> 'anki_queue')::int,
           anki_stability = (r.stats ->> 'anki_stability')::numeric,
           anki_difficulty = (r.stats ->> 'anki_difficulty')::numeric, anki_synced_at = now()
      FROM pg_temp._nls_pull r
     WHERE a.id = r.atom_id AND a.user_id = p_user AND r.stats IS NOT NULL;
    GET DIAGNOSTICS atoms = ROW_COUNT;
    -- a note the learner edited in Anki: offered for review, never written to Notion or the atom by itself
    INSERT INTO nls.review_queue (user_id, atom_type, front, back, concept_id, module_id, original_front,
                                  original_back, original_atom_id, source, batch_id, rewrite_reason)
    SELECT p_user, a.atom_type, coalesce(nullif(r.edit ->> 'front', ''), a.front), r.edit ->> 'back', a.concept_id,
           a.module_id, a.front, a.back, a.id, 'anki_edit', 'anki:' || r.guid,
           'edited in Anki by the learner (note ' || (r.edit ->> 'note_id') || ')'
      FROM pg_temp._nls_pull r JOIN nls.learning_atoms a ON a.id = r.atom_id AND a.user_id = p_user
     WHERE r.edit IS NOT NULL;
    GET DIAGNOSTICS edits = ROW_COUNT;
    UPDATE nls.anki_notes n
       SET reviews = coalesce(r.reviews, n.reviews), last_review_at = coalesce(r.last_review_at, n.last_review_at),
           edit_hash = coalesce(r.edit ->> 'fields_hash', n.edit_hash),
           deleted_at = CASE WHEN r.deleted THEN now() ELSE n.deleted_at END, pulled_at = now()
      FROM pg_temp._nls_pull r
     WHERE n.user_id = p_user AND n.guid = r.guid;
    SELECT count(*) INTO deleted FROM pg_temp._nls_pull r WHERE r.deleted;
    -- a note the learner deleted is no longer in Anki
    UPDATE nls.learning_atoms a SET anki_note_id = NULL, anki_card_id = NULL, anki_synced_at = now()
      FROM pg_temp._nls_pull r WHERE a.id = r.atom_id AND a.user_id = p_user AND r.deleted;
    -- the concepts: the last time one of their cards was answered (nls._want_concepts reads the same)
    UPDATE nls.concepts c SET last_reviewed_at = x.last_review_at, updated_at = now()
      FROM (SELECT a.concept_id, max(r.last_review_at) AS last_review_at
              FROM pg_temp._nls_pull r JOIN nls.learning_atoms a ON a.id = r.atom_id
             WHERE r.last_review_at IS NOT NULL AND a.concept_id IS NOT NULL GROUP BY a.concept_id) x
     WHERE c.id = x.concept_id AND c.user_id = p_user
       AND (c.last_reviewed_at IS NULL OR c.last_reviewed_at < x.last_review_at);
    DROP TABLE pg_temp._nls_pull;
END
$$;

--
-- Name: FUNCTION _anki_pulled(p_user text, p_rows jsonb, OUT atoms integer, OUT edits integer, OUT deleted integer); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._anki_pulled(p_user text, p_rows jsonb, OUT atoms integer, OUT edits integer, OUT deleted integer) IS 'Internal: records what the Anki pull read: _anki_pulled(user_id, rows jsonb [{guid, atom_id, stats?, reviews,
last_review_at?, edit?: {front, back, fields_hash, note_id}, deleted?}]) sets the atoms'' anki_* schedule (stats),
queues the learner''s edits as review_queue items (source anki_edit, original_atom_id the atom), marks notes the
learner deleted, and moves concepts.last_reviewed_at to the last answer of their cards. Returns (atoms, edits,
deleted).';

--
-- Name: _anki_pushed(text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._anki_pushed(p_user text, p_rows jsonb) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_rows int;
BEGIN
    INSERT INTO nls.anki_notes AS n (user_id, guid, atom_key, notetype, note_id, card_id, deck, content_hash,
                                     fields_hash, removed_at, deleted_at, pushed_at)
    SELECT p_user, r.guid, r.atom_key, r.notetype, r.note_id, r.card_id, r.deck, r.content_hash, r.fields_hash,
           CASE WHEN r.removed THEN now() END, NULL, now()
      FROM jsonb_to_recordset(p_rows) AS r(guid text, atom_key text, notetype text, note_id bigint, card_id bigint,
                                           deck text, content_hash text, fields_hash text, removed boolean)
    ON CONFLICT (user_id, guid) DO UPDATE
       SET note_id = excluded.note_id, card_id = excluded.card_id, deck = excluded.deck,
           content_hash = excluded.content_hash, fields_hash = excluded.fields_hash,
           removed_at = CASE WHEN excluded.removed_at IS NULL THEN NULL ELSE coalesce(n.removed_at, now()) END,
           deleted_at = NULL, pushed_at = now();
    -- the atoms: ids, deck and, for notes written now, the card's schedule
    UPDATE nls.learning_atoms a
       SET anki_note_id = r.note_id, anki_card_id = r.card_id, anki_deck = r.deck, anki_synced_at = now(),
           anki_interval = coalesce((r.stats ->> 'anki_interval')::int, a.anki_interval),
           anki_ease_factor = CASE WHEN r.stats IS NULL THEN a.anki_ease_factor
                                   ELSE (r.stats ->> 'anki_ease_factor')::numeric END,
           anki_review_count = coalesce((r.stats ->> 'anki_review_count')::int, a.anki_review_count),
           anki_lapses = coalesce((r.stats ->> 'anki_lapses')::int, a.anki_lapses),
           anki_queue = coalesce((r.stats ->> 'anki_queue')::int, a.anki_queue),
           anki_stability = CASE WHEN r.stats IS NULL THEN a.anki_stability
                                 ELSE (r.stats ->> 'anki_stability')::numeric END,
           anki_difficulty = CASE WHEN r.stats IS NULL THEN a.anki_difficulty
                                  ELSE (r.stats ->> 'anki_difficulty')::numeric END
      FROM jsonb_to_recordset(p_rows) AS r(atom_id uuid, note_id bigint, card_id bigint, deck text, stats jsonb,
                                           removed boolean)
     WHERE a.id = r.atom_id AND a.user_id = p_user AND NOT r.removed
       AND (r.stats IS NOT NULL OR (a.anki_note_id, a.anki_card_id, a.anki_deck)
                                   IS DISTINCT FROM (r.note_id, r.card_id, r.deck));
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;

--
-- Name: FUNCTION _anki_pushed(p_user text, p_rows jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._anki_pushed(p_user text, p_rows jsonb) IS 'Internal: records what the Anki push wrote: _anki_pushed(user_id, rows jsonb [{guid, atom_key, atom_id, notetype,
note_id, card_id, deck, content_hash, fields_hash, removed, stats?}]) upserts nls.anki_notes and sets the atoms''
anki_note_id, anki_card_id, anki_deck, anki_synced_at (and the card''s schedule where stats are given). Returns the
atoms updated.';

--
-- Name: _backend_alive(integer, timestamp with time zone); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._backend_alive(p_pid integer, p_backend_start timestamp with time zone) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT p_pid IS NOT NULL AND EXISTS (SELECT 1 FROM pg_stat_activity a
                                          WHERE a.pid = p_pid AND coalesce(a.backend_start = p_backend_start, true))
$$;

--
-- Name: FUNCTION _backend_alive(p_pid integer, p_backend_start timestamp with time zone); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._backend_alive(p_pid integer, p_backend_start timestamp with time zone) IS 'Internal: whether the backend that started a run (its pid and start time, from nls.sync_log) is still there; false for
NULL. Runs as its owner: a superuser (or a member of pg_read_all_stats) sees when other roles'' backends started, and a
pid taken again by a later backend is told apart; an owner who does not see it (as on managed services) goes by the
pid alone.';

--
-- Name: _begin_run(bigint, text, text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._begin_run(p_source_id bigint, p_user_id text, p_sync_type text, p_notion_version text) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _begin_run(p_source_id bigint, p_user_id text, p_sync_type text, p_notion_version text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._begin_run(p_source_id bigint, p_user_id text, p_sync_type text, p_notion_version text) IS 'Internal: _begin_run(source_id, user_id, sync_type, notion_version) closes the stale running rows of what it runs as
failed (backend_ended; the caller holds its lock): the source''s, or with source_id NULL (a flow over all of a user''s
sources: the trash listing, webhook events, the Anki steps) the user''s rows of that flow; then inserts a running
nls.sync_log row naming this backend (pid and start time); returns its id (uuid).';

--
-- Name: _budget_pick(bigint[], bigint, bigint, integer); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._budget_pick(p_budgets bigint[], p_tag bigint, p_now bigint, p_taken integer) RETURNS integer
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT coalesce(
        (SELECT w.i FROM unnest(nls._budget_window(p_tag, cardinality(p_budgets))) w(i)
          WHERE p_budgets[w.i] >> 44 = p_tag AND w.i <> p_taken ORDER BY p_budgets[w.i] & 17592186044415 DESC LIMIT 1),
        (SELECT w.i FROM unnest(nls._budget_window(p_tag, cardinality(p_budgets))) WITH ORDINALITY w(i, n)
          WHERE p_budgets[w.i] & 17592186044415 <= p_now AND w.i <> p_taken ORDER BY w.n LIMIT 1))
$$;

--
-- Name: FUNCTION _budget_pick(p_budgets bigint[], p_tag bigint, p_now bigint, p_taken integer); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._budget_pick(p_budgets bigint[], p_tag bigint, p_now bigint, p_taken integer) IS 'Internal: the register (its index in p_budgets) of the budget tagged p_tag, else the first free one of its window (a
budget full again at p_now: what it held is no one''s history any more), never p_taken; NULL when every register of
its window is in use.';

--
-- Name: _budget_read(bigint[], boolean); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._budget_read(p_tags bigint[], p_all boolean, OUT seqs regclass[], OUT budgets bigint[], OUT now bigint) RETURNS record
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _budget_read(p_tags bigint[], p_all boolean, OUT seqs regclass[], OUT budgets bigint[], OUT now bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._budget_read(p_tags bigint[], p_all boolean, OUT seqs regclass[], OUT budgets bigint[], OUT now bigint) IS 'Internal (nls._take_budget, nls._hold_budget, in a subtransaction they roll back): takes the budgets'' lock and
returns the registers (seqs), the values of those in the windows of p_tags (every one with p_all; NULL for the
others: budgets) and the time now in ticks.';

--
-- Name: _budget_tag(text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._budget_tag(p_kind text, p_id text) RETURNS bigint
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT CASE p_kind WHEN 'workspace' THEN 262144 ELSE 0 END
           + (hashtextextended(p_kind || ':' || coalesce(p_id, ''), 0) & 262143)
$$;

--
-- Name: FUNCTION _budget_tag(p_kind text, p_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._budget_tag(p_kind text, p_id text) IS 'Internal: the tag (bigint, 19 bits) of a request budget: kind token (p_id the user id) or workspace (p_id its id;
NULL: the workspaces not known yet, whose budget the first request of a new integration uses).';

--
-- Name: _budget_time(bigint[], bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._budget_time(p_budgets bigint[], p_tag bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT coalesce(max(p_budgets[i] & 17592186044415), 0)
      FROM unnest(nls._budget_window(p_tag, cardinality(p_budgets))) i WHERE p_budgets[i] >> 44 = p_tag
$$;

--
-- Name: FUNCTION _budget_time(p_budgets bigint[], p_tag bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._budget_time(p_budgets bigint[], p_tag bigint) IS 'Internal: the TAT (ticks) of the budget tagged p_tag among the registers'' values p_budgets; 0 when none holds it.';

--
-- Name: _budget_window(bigint, integer); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._budget_window(p_tag bigint, p_registers integer) RETURNS integer[]
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT array_agg(((p_tag + k) % p_registers)::int + 1 ORDER BY k) FROM generate_series(0, least(8, p_registers) - 1) k $$;

--
-- Name: FUNCTION _budget_window(p_tag bigint, p_registers integer); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._budget_window(p_tag bigint, p_registers integer) IS 'Internal: the registers (1-based indexes among p_registers) that may hold the budget tagged p_tag, in order.';

--
-- Name: _budget_write(regclass, bigint, bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._budget_write(p_seq regclass, p_tag bigint, p_time bigint) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT setval(p_seq, (p_tag << 44) | least(p_time, 17592186044415)) $$;

--
-- Name: FUNCTION _budget_write(p_seq regclass, p_tag bigint, p_time bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._budget_write(p_seq regclass, p_tag bigint, p_time bigint) IS 'Internal: stores the budget tagged p_tag, its TAT p_time (ticks), in register p_seq.';

--
-- Name: _build_typed_view(bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._build_typed_view(p_id bigint) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    r nls.typed_views;
    v_target text;
    v_have text[];
    v_want text[];
    c jsonb;
BEGIN
    SELECT * INTO r FROM nls.typed_views t WHERE t.id = p_id FOR UPDATE;
    IF NOT r.build_wanted OR r.data_source_id IS NULL THEN
        RETURN r.built_as;   -- only what a session asked for (under row-level security) is built
    END IF;
    IF NOT EXISTS (SELECT 1 FROM nls.sources s WHERE s.id = r.source_id AND s.user_id = r.user_id) THEN
        RAISE EXCEPTION 'nls: typed view % is user %''s and names source %, which is not', p_id, r.user_id, r.source_id
            USING ERRCODE = '42501', HINT = 'A typed view is over a source of its own user''s only.';
    END IF;
    PERFORM nls._typed_view_schema(r.schema_name);
    v_target := format('%I.%I', r.schema_name, r.view_name);
    IF to_regclass(v_target) IS NOT NULL AND v_target IS DISTINCT FROM r.built_as THEN
        RAISE EXCEPTION 'nls: relation % already exists', v_target
            USING ERRCODE = '42P07', HINT = 'Give another view_name.';
    END IF;
    IF r.built_as IS DISTINCT FROM v_target AND to_regclass(r.built_as) IS NOT NULL THEN
        EXECUTE format('DROP VIEW %s', r.built_as);   -- re-created under another name
    END IF;
    v_want := nls._typed_view_columns(r.columns);
    v_have := ARRAY(SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                     WHERE a.attrelid = to_regclass(v_target) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum);
    IF cardinality(v_have) > 0 AND v_have <> v_want[1:cardinality(v_have)] THEN
        -- a column changed type or place: CREATE OR REPLACE VIEW cannot do that (a view built on it blocks this)
        EXECUTE format('DROP VIEW %s', v_target);
    END IF;
    EXECUTE format('CREATE OR REPLACE VIEW %s WITH (security_invoker = true) AS %s', v_target,
                   nls._typed_view_definition(r.id, r.columns));
    -- the catalogue is every role's to read: comments the same for every user's view, no property name or id
    EXECUTE format('COMMENT ON VIEW %s IS %L', v_target, nls._typed_view_comment());
    FOR c IN SELECT f FROM jsonb_array_elements(nls._typed_fixed_columns()) AS a(f) LOOP
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', v_target, c ->> 0, c ->> 3);
    END LOOP;
    FOR c IN SELECT e FROM jsonb_array_elements(r.columns) AS a(e) LOOP
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', v_target, c ->> 'column',
                       'a property of the data source: nls.typed_view_columns gives its name, id and type');
    END LOOP;
    EXECUTE format('GRANT SELECT ON %s TO nls_app, nls_cron', v_target);
    UPDATE nls.typed_views SET build_wanted = false, built_as = v_target, built_at = now(), build_error = NULL
     WHERE id = p_id;
    RETURN v_target;
END
$$;

--
-- Name: FUNCTION _build_typed_view(p_id bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._build_typed_view(p_id bigint) IS 'Internal: (re)builds the view of one typed_views row from its columns: CREATE OR REPLACE when only columns were
added, else drop and create; security_invoker, over the data source its row names (nls._typed_view_definition),
commented (view and every column, the same text for every user: nls._typed_view_comment, nls.typed_view_columns
has the properties), SELECT for nls_app and nls_cron.
Returns the view''s qualified name. Raises 42P07 when the name is another relation''s, 42501 when the row''s source
is not its user''s.';

--
-- Name: _build_typed_views(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._build_typed_views() RETURNS TABLE(typed_view_id bigint, built_as text, error text, error_code text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    r record;
    v_msg text;
    v_state text;
BEGIN
    -- only rows a session wrote under row-level security ask to be built, and each is built as its row says
    FOR r IN SELECT t.id, t.user_id, t.schema_name, t.view_name, t.data_source_id FROM nls.typed_views t
              WHERE t.build_wanted AND t.data_source_id IS NOT NULL ORDER BY t.id LOOP
        BEGIN
            typed_view_id := r.id;
            built_as := nls._build_typed_view(r.id);
            error := NULL;
            error_code := NULL;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE;
            UPDATE nls.typed_views t SET build_wanted = false, build_error = v_msg WHERE t.id = r.id;
            INSERT INTO nls.typed_view_history (user_id, typed_view_id, view, data_source_id, change, detail)
            VALUES (r.user_id, r.id, format('%I.%I', r.schema_name, r.view_name), r.data_source_id, 'build_failed', v_msg);
            built_as := NULL;
            error := v_msg;
            error_code := v_state;
        END;
        RETURN NEXT;
    END LOOP;
    -- views nls built whose registry row is gone (drop_typed_view, remove_source)
    FOR r IN SELECT format('%I.%I', n.nspname, c.relname) AS view FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind = 'v' AND n.nspname IN (SELECT s.schema_name FROM nls.typed_view_schemas s)
                AND obj_description(c.oid, 'pg_class') LIKE 'nls typed view%'
                AND NOT EXISTS (SELECT 1 FROM nls.typed_views t WHERE t.built_as = format('%I.%I', n.nspname, c.relname)) LOOP
        BEGIN
            EXECUTE format('DROP VIEW %s', r.view);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            NULL;   -- a view of the user's own reads it: left in place
        END;
    END LOOP;
    -- schemas nls created that no typed view names any more (its last one moved or was dropped), when empty
    FOR r IN SELECT s.schema_name FROM nls.typed_view_schemas s
              WHERE NOT EXISTS (SELECT 1 FROM nls.typed_views t WHERE t.schema_name = s.schema_name) LOOP
        BEGIN
            EXECUTE format('DROP SCHEMA IF EXISTS %I', r.schema_name);
            DELETE FROM nls.typed_view_schemas s WHERE s.schema_name = r.schema_name;
        EXCEPTION WHEN dependent_objects_still_exist THEN
            NULL;   -- it holds something else: left in place
        END;
    END LOOP;
END
$$;

--
-- Name: FUNCTION _build_typed_views(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._build_typed_views() IS 'Internal: builds every typed view whose registry row asks for it (build_wanted, set by a session under row-level
security), recording a failure in the row (build_error) and in nls.typed_view_history instead of raising, then drops
the views nls built whose row is gone, and the schemas nls created that no row names and nothing else is in.
Returns (typed_view_id, built_as, error, error_code: the SQLSTATE) per row it tried.';

--
-- Name: _check_setting(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._check_setting() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF NOT nls._setting_fits(NEW.value, NEW.type, NEW.min_value, NEW.max_value, NEW.allowed) THEN
        RAISE EXCEPTION 'nls: setting % takes %, not %', NEW.name,
                        nls._setting_allowed(NEW.type, NEW.unit, NEW.min_value, NEW.max_value, NEW.allowed),
                        coalesce('"' || NEW.value || '"', 'NULL')
            USING ERRCODE = CASE WHEN NEW.value IS NULL THEN '22004' ELSE '22023' END,
                  HINT = format('SELECT name, value, type, unit, min_value, max_value, allowed, description FROM '
                                'nls.settings WHERE name = %L shows it.', NEW.name);
    END IF;
    NEW.value := btrim(NEW.value);
    RETURN NEW;
END
$$;

--
-- Name: FUNCTION _check_setting(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._check_setting() IS 'Internal: the trigger settings_value_check on nls.settings: refuses a value its catalogue row does not allow (22023;
NULL: 22004), naming the setting and what it takes.';

--
-- Name: _check_target(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._check_target() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF nls._target_kind(NEW.target) IS NULL THEN
        RAISE EXCEPTION 'nls: unknown sync target "%" for database %', NEW.target, NEW.database_id
            USING ERRCODE = '23514',
                  HINT = 'Use one of: ' || (SELECT string_agg(t.target, ', ' ORDER BY t.clean_order) FROM nls.targets() AS t)
                         || ' (SELECT * FROM nls.targets() lists them).';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: FUNCTION _check_target(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._check_target() IS 'Internal: the trigger sources_target_check on nls.sources: refuses (23514) a target nls.targets() does not list.';

--
-- Name: _claim_event_deliveries(integer); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._claim_event_deliveries(p_limit integer) RETURNS TABLE(endpoint_id bigint, event_id bigint, url text, headers jsonb, body text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    d record;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('nls.deliver_events')) THEN
        RETURN;
    END IF;
    FOR d IN SELECT x.endpoint_id, x.event_id FROM nls._event_deliveries x
              WHERE x.status = 'sending' AND x.last_attempt_at
                    < clock_timestamp() - make_interval(secs => nls._event_setting('event_timeout_s') + 60) LOOP
        PERFORM nls._event_delivered(d.endpoint_id, d.event_id, NULL, 'no answer recorded by the worker');
    END LOOP;
    RETURN QUERY SELECT h.endpoint_id, h.event_id, h.url, nls._event_headers(h.secret, h.body, h.kind, h.event_id),
                        h.body
                   FROM nls._event_heads(p_limit) h;
END
$$;

--
-- Name: FUNCTION _claim_event_deliveries(p_limit integer); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._claim_event_deliveries(p_limit integer) IS 'Internal (worker runtime: the nls workers): claims at most p_limit due deliveries (one per endpoint, in order) and
returns each with its url, its signed headers and its body; the worker POSTs it and reports with
nls._event_delivered. An attempt with no report event_timeout_s + 60 s later counts as failed. The secret stays in
the server: only the signature leaves it.';

--
-- Name: _claim_sync_user(timestamp with time zone); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._claim_sync_user(p_joined timestamp with time zone, OUT p_round timestamp with time zone, OUT p_user text) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _claim_sync_user(p_joined timestamp with time zone, OUT p_round timestamp with time zone, OUT p_user text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._claim_sync_user(p_joined timestamp with time zone, OUT p_round timestamp with time zone, OUT p_user text) IS 'Internal (scheduled workers): _claim_sync_user(p_joined) returns (p_round, p_user). With p_joined NULL (a worker''s
first claim): the round still going (one whose users are not all finished), else a new one queuing every active
integration with an enabled source; with p_joined, that round only. p_user is the next of the round''s users no
worker has taken, or NULL when none is left (the worker is then done). The pg_cron worker jobs fire together and so share one round;
a user claimed by a backend that has ended counts as finished (abandoned).';

--
-- Name: _clean_affected(text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._clean_affected(p_user text, p_pages text[]) RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT CASE WHEN p_pages IS NULL THEN NULL ELSE ARRAY(
        SELECT unnest(p_pages)
        UNION   -- pages whose relations reach a changed page (a concept gone: its cards lose it)
        SELECT e.page_id FROM nls.notion_relation_edges e WHERE e.user_id = p_user AND e.target_page_id = ANY (p_pages)
        UNION   -- cards that hold a card id a changed card holds, held or now claims, and cards without one
        SELECT a.notion_id FROM nls.learning_atoms a
         WHERE a.user_id = p_user AND a.notion_id IS NOT NULL
           AND (a.card_id IS NULL
                OR a.card_id IN (SELECT c.card_id FROM nls.learning_atoms c
                                  WHERE c.user_id = p_user AND c.notion_id = ANY (p_pages))
                OR a.card_id IN (SELECT nls.normalize_card_id(nls._field(st.raw_properties,
                                         nls._source_map('flashcards', s.property_map, s.property_ids), 'card_id'))
                                   FROM nls.stg_notion_flashcards st JOIN nls.sources s ON s.id = st.source_id
                                  WHERE st.user_id = p_user AND st.notion_page_id = ANY (p_pages)))) END
$$;

--
-- Name: FUNCTION _clean_affected(p_user text, p_pages text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._clean_affected(p_user text, p_pages text[]) IS 'Internal: _clean_affected(user_id, pages) is the page ids a cleaning that follows the change re-grades: the changed
pages, the pages whose relations reach them, and the cards sharing a card id with them or holding none (who holds a
card id depends on them); NULL for NULL (a whole pass).';

--
-- Name: _clean_entity(text, text, text, uuid, text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._clean_entity(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[], OUT added integer, OUT updated integer, OUT removed integer) RETURNS record
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
    v_cols text[];
    v_list text;
    v_t text;
    v_w text;
    v_x text;
    v_set text;
    v_written int;
BEGIN
    added := 0; updated := 0; removed := 0;
    IF NOT nls._clean_touched(p_table, p_target, p_user, p_key, p_pages) THEN
        RETURN;   -- following the change: none of its pages changed, nor depend on a change
    END IF;
    SELECT array_agg(attname::text ORDER BY attnum) INTO v_cols
      FROM pg_attribute
     WHERE attrelid = format('nls.%I', '_want_' || p_table)::regclass AND attnum > 0 AND NOT attisdropped
       AND attname NOT IN ('user_id', p_key);
    SELECT string_agg(format('%I', c), ', '), string_agg(format('t.%I', c), ', '),
           string_agg(format('w.%I', c), ', '), string_agg(format('excluded.%I', c), ', '),
           string_agg(format('%1$I = excluded.%1$I', c), ', ')
      INTO v_list, v_t, v_w, v_x, v_set
      FROM unnest(v_cols) AS c;
    PERFORM nls._clean_want(p_table, p_key, p_user, p_pages);
    -- two-way sync (sql/80_push.sql): what waits to be pushed stays; the writes below are the pipeline's own
    PERFORM nls._two_way_want(p_table, p_key, p_user);
    -- 1. rows that change: their old and new values (changed fields only) into cleaning_log
    EXECUTE format($q$
        INSERT INTO nls.cleaning_log (atom_id, operation, old_value, new_value, user_id, entity, notion_id, sync_log_id)
        SELECT CASE WHEN %1$L = 'learning_atoms' THEN t.id END, 'notion_update',
               (SELECT jsonb_object_agg(k, to_jsonb(t) -> k) FROM unnest($2::text[]) AS k
                 WHERE to_jsonb(t) -> k IS DISTINCT FROM to_jsonb(w) -> k),
               (SELECT jsonb_object_agg(k, to_jsonb(w) -> k) FROM unnest($2::text[]) AS k
                 WHERE to_jsonb(t) -> k IS DISTINCT FROM to_jsonb(w) -> k),
               w.user_id, %1$L, w.%4$I, $1
          FROM pg_temp._nls_want w JOIN nls.%1$I t ON t.user_id = w.user_id AND t.%4$I = w.%4$I
         WHERE (%2$s) IS DISTINCT FROM (%3$s)
    $q$, p_table, v_t, v_w, p_key) USING p_log, v_cols;
    GET DIAGNOSTICS updated = ROW_COUNT;
    -- 2. the upsert: new rows and changed rows; unchanged rows are not written
    EXECUTE format($q$
        INSERT INTO nls.%1$I AS t (user_id, %6$I, %2$s)
        SELECT user_id, %6$I, %2$s FROM pg_temp._nls_want
        ON CONFLICT (user_id, %6$I) DO UPDATE SET %3$s, updated_at = now()
         WHERE (%4$s) IS DISTINCT FROM (%5$s)
    $q$, p_table, v_list, v_set, v_t, v_x, p_key);
    GET DIAGNOSTICS v_written = ROW_COUNT;
    added := v_written - updated;
    removed := nls._clean_removed(p_table, p_target, p_user, p_log, p_key, p_pages);
    PERFORM nls._two_way_done();
    DROP TABLE pg_temp._nls_want;
END
$_$;

--
-- Name: FUNCTION _clean_entity(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[], OUT added integer, OUT updated integer, OUT removed integer); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._clean_entity(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[], OUT added integer, OUT updated integer, OUT removed integer) IS 'Step 2 of nls.clean() for one canonical table (p_key: its Notion page id column, notion_id or notion_page_id;
p_pages: only the rows of these pages, or NULL for all): write the difference between nls._want_<table> and the table
(one upsert; unchanged rows untouched), log each change (changed fields, old and new) and each removal (the whole
last row) in cleaning_log. A row leaves only when its user syncs the table''s target and its page is trashed, gone
or no longer synced; rows a user wrote by hand (or whose last source of the target was removed) stay.
Returns (added, updated, removed).';

--
-- Name: _clean_removed(text, text, text, uuid, text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._clean_removed(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
    v_removed int;
BEGIN
    -- rows whose page left (trashed, deleted, unshared, source removed): last state into cleaning_log
    EXECUTE format($q$
        WITH gone AS (
            DELETE FROM nls.%1$I t
             WHERE ($1::text IS NULL OR t.user_id = $1) AND t.%2$I IS NOT NULL
               AND ($4::text[] IS NULL OR t.%2$I = ANY ($4))
               AND NOT EXISTS (SELECT 1 FROM pg_temp._nls_want w WHERE w.user_id = t.user_id AND w.%2$I = t.%2$I)
               -- only where Notion is the user's source of truth for this table
               AND EXISTS (SELECT 1 FROM nls.sources s WHERE s.user_id = t.user_id AND s.target = $3)
            RETURNING t.*
        )
        INSERT INTO nls.cleaning_log (operation, old_value, user_id, entity, notion_id, sync_log_id)
        SELECT 'notion_removed', to_jsonb(gone), gone.user_id, %1$L, gone.%2$I, $2 FROM gone
    $q$, p_table, p_key) USING p_user, p_log, p_target, p_pages;
    GET DIAGNOSTICS v_removed = ROW_COUNT;
    RETURN v_removed;
END
$_$;

--
-- Name: FUNCTION _clean_removed(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._clean_removed(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[]) IS 'Internal (nls._clean_entity, step 3): deletes the rows of a canonical table whose page left (not in pg_temp._nls_want;
only where the user syncs the table''s target; restricted to p_pages when not NULL), each logged whole in
cleaning_log as notion_removed; returns how many.';

--
-- Name: _clean_tables(text, uuid, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._clean_tables(p_user text, p_log uuid, p_pages text[]) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    t record;
    v_r record;
    v_out jsonb := '{"added": 0, "updated": 0, "removed": 0, "tables": {}}';
BEGIN
    -- parents before children, so that each step resolves its relations against this pass's rows
    FOR t IN SELECT c.canonical_table, c.target, c.page_id_column FROM nls.targets() AS c
              WHERE c.kind <> 'raw' ORDER BY c.clean_order LOOP
        SELECT * INTO v_r FROM nls._clean_entity(t.canonical_table, t.target, p_user, p_log, t.page_id_column, p_pages);
        v_out := jsonb_build_object(
            'added', (v_out ->> 'added')::int + v_r.added, 'updated', (v_out ->> 'updated')::int + v_r.updated,
            'removed', (v_out ->> 'removed')::int + v_r.removed,
            'tables', (v_out -> 'tables') || jsonb_build_object(t.canonical_table, jsonb_build_object(
                'added', v_r.added, 'updated', v_r.updated, 'removed', v_r.removed)));
    END LOOP;
    RETURN v_out;
END
$$;

--
-- Name: FUNCTION _clean_tables(p_user text, p_log uuid, p_pages text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._clean_tables(p_user text, p_log uuid, p_pages text[]) IS 'Internal (nls.clean, step 2): nls._clean_entity for every canonical table of nls.targets(), parents first; returns
{"added", "updated", "removed", "tables": {table: {"added", "updated", "removed"}}}.';

--
-- Name: _clean_touched(text, text, text, text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._clean_touched(p_table text, p_target text, p_user text, p_key text, p_pages text[]) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
    v_any boolean;
BEGIN
    IF p_pages IS NULL THEN
        RETURN true;   -- a whole pass
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM nls.stg_notion_pages p JOIN nls.sources s ON s.id = p.source_id '
                   'AND s.target = $3 WHERE p.user_id = $1 AND p.page_id = ANY ($2)) '
                   'OR EXISTS (SELECT 1 FROM nls.%I WHERE user_id = $1 AND %I = ANY ($2))', p_table, p_key)
        INTO v_any USING p_user, p_pages, p_target;
    RETURN v_any;
END
$_$;

--
-- Name: FUNCTION _clean_touched(p_table text, p_target text, p_user text, p_key text, p_pages text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._clean_touched(p_table text, p_target text, p_user text, p_key text, p_pages text[]) IS 'Internal (nls._clean_entity): whether a canonical table has anything to do in a pass that follows the change: one of
p_pages is a page of the table''s target or a row of the table (true for a whole pass, p_pages NULL).';

--
-- Name: _clean_want(text, text, text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._clean_want(p_table text, p_key text, p_user text, p_pages text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
BEGIN
    -- the wanted rows, computed once (the views grade every card: evaluating them once per step would triple it);
    -- dropped at the end of nls._clean_entity, a failed pass rolls its creation back with everything else.
    -- p_pages: only the rows of those pages (the cleaning following the change); the atoms through _want_atoms,
    -- whose grading a filter on the view would not reach
    IF p_pages IS NOT NULL AND p_table = 'learning_atoms' THEN
        EXECUTE 'CREATE TEMP TABLE _nls_want ON COMMIT DROP AS SELECT * FROM nls._want_atoms($1, $2)'
            USING p_user, p_pages;
    ELSE
        EXECUTE format('CREATE TEMP TABLE _nls_want ON COMMIT DROP AS SELECT * FROM nls.%I WHERE ($1::text IS NULL '
                       'OR user_id = $1) AND ($2::text[] IS NULL OR %I = ANY ($2))', '_want_' || p_table, p_key)
            USING p_user, p_pages;
    END IF;
    EXECUTE format('CREATE UNIQUE INDEX ON pg_temp._nls_want (user_id, %I)', p_key);
    ANALYZE pg_temp._nls_want;
END
$_$;

--
-- Name: FUNCTION _clean_want(p_table text, p_key text, p_user text, p_pages text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._clean_want(p_table text, p_key text, p_user text, p_pages text[]) IS 'Internal (nls._clean_entity): pg_temp._nls_want, the rows a canonical table should hold (nls._want_<table>) for one
user or every user (NULL), restricted to p_pages when not NULL; indexed on (user_id, page id column).';

--
-- Name: _close_stale_runs(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._close_stale_runs() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _close_stale_runs(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._close_stale_runs() IS 'Internal: closes as failed (backend_ended) every running sync_log row whose backend is gone (nls._backend_alive;
a row that names no backend: whose source lock nobody holds), keeping the counts its last committed batch
wrote; returns how many sources had such rows.';

--
-- Name: _collect_pg_net(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._collect_pg_net() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    d record;
    v_done int := 0;
    v_wait float8 := nls._event_setting('event_timeout_s') + 60;
BEGIN
    FOR d IN SELECT x.endpoint_id, x.event_id, x.request_id, x.last_attempt_at, r.status_code, r.error_msg, r.timed_out,
                    r.id IS NOT NULL AS answered
               FROM nls._event_deliveries x LEFT JOIN net._http_response r ON r.id = x.request_id
              WHERE x.status = 'sending' LOOP
        CONTINUE WHEN NOT d.answered AND d.request_id IS NOT NULL
                      AND (d.last_attempt_at > clock_timestamp() - make_interval(secs => v_wait)
                           OR EXISTS (SELECT 1 FROM net.http_request_queue q WHERE q.id = d.request_id));
        PERFORM nls._event_delivered(d.endpoint_id, d.event_id, d.status_code,
                    CASE WHEN NOT d.answered THEN 'no answer recorded by pg_net'
                         WHEN d.timed_out THEN 'timed out: ' || coalesce(d.error_msg, '')
                         ELSE d.error_msg END);
        v_done := v_done + 1;
    END LOOP;
    RETURN v_done;
END
$$;

--
-- Name: FUNCTION _collect_pg_net(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._collect_pg_net() IS 'Internal (nls.deliver_events): reads pg_net''s answers (net._http_response) to the deliveries out and settles or
retries each; one with no answer event_timeout_s + 60 s after it left counts as a failed attempt. Returns how many.';

--
-- Name: _date(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._date(p text) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN p ~ '^\d{4}-\d{2}-\d{2}' AND to_char(to_date(left(p, 10), 'YYYY-MM-DD'), 'YYYY-MM-DD') = left(p, 10)
                THEN to_date(left(p, 10), 'YYYY-MM-DD') END
$$;

--
-- Name: FUNCTION _date(p text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._date(p text) IS 'The date part of a Notion date (YYYY-MM-DD...); NULL when not a valid date.';

--
-- Name: _deployed(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._deployed() RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$SELECT '{"release": "0.2.0", "migrations": ["0001.engine-schema", "0002.learning-schema", "0003.edges-and-schemas", "0004.page-markdown", "0005.creative-schema", "0006.tenancy", "0007.value-marks", "0008.catalogues", "0009.runs-tell-the-truth", "0010.typed-views", "0011.two-way", "0012.anki", "0013.webhooks-and-change", "0014.export-and-typed-views", "0015.retired-functions", "0016.shared-budget", "0017.worker-runtime", "0018.events", "0019.rate-limits"]}'::jsonb$$;

--
-- Name: FUNCTION _deployed(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._deployed() IS 'Internal: what the last nls install deployed: {"release": "0.2.0", "migrations": ["0001.engine-schema", ...]}
(jsonb), the release and the ids of the migrations its engine needs, exactly. Written by nls install on every install;
read by nls.version() and nls._release_problem().';

--
-- Name: _drifted_pages(bigint, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._drifted_pages(p_source_id bigint, p_pages jsonb) RETURNS SETOF text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _drifted_pages(p_source_id bigint, p_pages jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._drifted_pages(p_source_id bigint, p_pages jsonb) IS 'Internal: _drifted_pages(source_id, pages jsonb [{id, last_edited_time, in_trash, computed: {property id: value}}])
returns the ids of pages not stored, marked gone, or whose last_edited_time, in_trash or formula/rollup values differ
from the stored copy: what the reconciling read fetches whole.';

--
-- Name: _emit_event(text, text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._emit_event(p_user text, p_kind text, p_data jsonb) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_id bigint;
    v_payload jsonb;
BEGIN
    v_id := nextval(pg_get_serial_sequence('nls._events', 'id'));
    v_payload := jsonb_build_object('id', v_id, 'kind', p_kind, 'time', clock_timestamp(), 'user_id', p_user,
                                    'data', coalesce(p_data, '{}'));
    INSERT INTO nls._events (id, user_id, kind, payload) OVERRIDING SYSTEM VALUE
    VALUES (v_id, p_user, p_kind, v_payload);
    INSERT INTO nls._event_deliveries (endpoint_id, event_id, user_id)
    SELECT p.id, v_id, p_user FROM nls._event_endpoints p WHERE p.user_id = p_user AND p_kind = ANY (p.kinds);
    -- every role that may connect may LISTEN (PostgreSQL has no privilege on it): the channel names the event only
    PERFORM pg_notify('nls_events', (v_payload - 'data')::text);
    RETURN v_id;
END
$$;

--
-- Name: FUNCTION _emit_event(p_user text, p_kind text, p_data jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._emit_event(p_user text, p_kind text, p_data jsonb) IS 'Internal (the events'' triggers): makes event p_kind of user p_user with p_data (ids and counts), one delivery per
endpoint of that user taking the kind, and NOTIFY nls_events with the event''s id, kind, time and user (its data is read from nls.events).
Runs as its owner: a trigger may fire in a session acting for nobody (a stale run closed by the schedule).';

--
-- Name: _event_delivered(bigint, bigint, integer, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._event_delivered(p_endpoint bigint, p_event bigint, p_status integer, p_error text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_max int := coalesce(nls._event_setting('event_max_attempts'), 8);
    v_base float8 := nls._event_setting('event_retry_s');
    v_out text;
BEGIN
    UPDATE nls._event_deliveries d
       SET status = CASE WHEN p_status BETWEEN 200 AND 299 THEN 'sent'
                         WHEN d.attempts >= v_max THEN 'failed' ELSE 'pending' END,
           last_status = p_status,
           last_error = CASE WHEN p_status BETWEEN 200 AND 299 THEN NULL
                             ELSE coalesce(nullif(left(p_error, 500), ''), 'HTTP ' || p_status, 'no answer') END,
           next_attempt_at = clock_timestamp()
                             + make_interval(secs => least(v_base * 2 ^ greatest(d.attempts - 1, 0), 3600)),
           settled_at = CASE WHEN p_status BETWEEN 200 AND 299 OR d.attempts >= v_max THEN clock_timestamp() END,
           request_id = NULL
     WHERE d.endpoint_id = p_endpoint AND d.event_id = p_event AND d.status = 'sending'
    RETURNING d.status INTO v_out;
    RETURN v_out;
END
$$;

--
-- Name: FUNCTION _event_delivered(p_endpoint bigint, p_event bigint, p_status integer, p_error text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._event_delivered(p_endpoint bigint, p_event bigint, p_status integer, p_error text) IS 'Internal (the delivery step, the nls workers): the answer to an attempt of a delivery: p_status (the HTTP status;
NULL when none came) and p_error. A 2xx settles it sent; otherwise it is tried again after event_retry_s doubled per
attempt (at most an hour), or settled failed after event_max_attempts. Returns the delivery''s new status.';

--
-- Name: _event_headers(text, text, text, bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._event_headers(p_secret text, p_body text, p_kind text, p_event bigint) RETURNS jsonb
    LANGUAGE sql STABLE STRICT
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT jsonb_build_object('Content-Type', 'application/json', 'User-Agent', 'nls-events',
                              'X-Nls-Event', p_kind, 'X-Nls-Event-Id', p_event::text,
                              'X-Nls-Timestamp', t::text, 'X-Nls-Signature', nls._event_signature(p_secret, t, p_body))
      FROM (SELECT extract(epoch FROM clock_timestamp())::bigint AS t) now_
$$;

--
-- Name: FUNCTION _event_headers(p_secret text, p_body text, p_kind text, p_event bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._event_headers(p_secret text, p_body text, p_kind text, p_event bigint) IS 'Internal: the headers of a delivery (JSON object): Content-Type, User-Agent, X-Nls-Event (the kind), X-Nls-Event-Id,
X-Nls-Timestamp (unix seconds, now) and X-Nls-Signature over the timestamp and p_body.';

--
-- Name: _event_heads(integer); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._event_heads(p_limit integer) RETURNS TABLE(endpoint_id bigint, event_id bigint, url text, secret text, body text, kind text)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    WITH heads AS (
        SELECT DISTINCT ON (d.endpoint_id) d.endpoint_id, d.event_id, d.status, d.next_attempt_at
          FROM nls._event_deliveries d WHERE d.status IN ('pending', 'sending')
         ORDER BY d.endpoint_id, d.event_id
    ), due AS (
        SELECT h.endpoint_id, h.event_id FROM heads h
         WHERE h.status = 'pending' AND h.next_attempt_at <= clock_timestamp()
         ORDER BY h.next_attempt_at LIMIT p_limit
    ), claimed AS (
        UPDATE nls._event_deliveries d
           SET status = 'sending', attempts = d.attempts + 1, last_attempt_at = clock_timestamp()
          FROM due WHERE d.endpoint_id = due.endpoint_id AND d.event_id = due.event_id AND d.status = 'pending'
        RETURNING d.endpoint_id, d.event_id
    )
    SELECT c.endpoint_id, c.event_id, e.url, e.secret, v.payload::text, v.kind
      FROM claimed c JOIN nls._event_endpoints e ON e.id = c.endpoint_id JOIN nls._events v ON v.id = c.event_id
$$;

--
-- Name: FUNCTION _event_heads(p_limit integer); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._event_heads(p_limit integer) IS 'Internal: claims (status sending, one attempt more) the first unsettled delivery of each endpoint when it is pending
and due, at most p_limit, and returns them with the endpoint''s url and secret and the body to send. Runs as its
owner (every user''s deliveries, the secrets); the caller holds the delivery lock.';

--
-- Name: _event_setting(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._event_setting(p_name text) RETURNS double precision
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT s.value::float8 FROM nls.settings s WHERE s.name = p_name $$;

--
-- Name: FUNCTION _event_setting(p_name text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._event_setting(p_name text) IS 'Internal: a numeric setting of the events (nls.settings).';

--
-- Name: _event_signature(text, bigint, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._event_signature(p_secret text, p_timestamp bigint, p_body text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT 'sha256=' || encode(nls._hmac_sha256(convert_to(p_secret, 'UTF8'),
                                                convert_to(p_timestamp::text || '.' || p_body, 'UTF8')), 'hex')
$$;

--
-- Name: FUNCTION _event_signature(p_secret text, p_timestamp bigint, p_body text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._event_signature(p_secret text, p_timestamp bigint, p_body text) IS 'Internal: the X-Nls-Signature header of a delivery: ''sha256='' and the hex HMAC-SHA256, under the endpoint''s
secret, of "<timestamp>.<raw body>" (the timestamp in unix seconds, as X-Nls-Timestamp says).';

--
-- Name: _event_transport(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._event_transport() RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT CASE WHEN to_regprocedure('nls._claim_request(uuid)') IS NOT NULL THEN 'worker'
                WHEN to_regprocedure('net.http_post(text, jsonb, jsonb, jsonb, integer)') IS NOT NULL THEN 'pg_net'
                ELSE 'none' END
$$;

--
-- Name: FUNCTION _event_transport(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._event_transport() IS 'Internal: who sends the events'' HTTP deliveries in this database: worker (the worker runtime: the nls workers),
pg_net (the extension is installed: nls.deliver_events), none (NOTIFY only: deliveries stay pending).';

--
-- Name: _events_of_conflict(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._events_of_conflict() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    PERFORM nls._emit_event(NEW.user_id,
                            CASE WHEN NEW.status = 'conflict' THEN 'conflict.appeared' ELSE 'conflict.resolved' END,
                            jsonb_build_object('sync_state_id', NEW.id, 'source_id', NEW.source_id,
                                               'notion_page_id', NEW.notion_page_id, 'local_table', NEW.local_table,
                                               'local_id', NEW.local_id, 'status', NEW.status));
    RETURN NULL;
END
$$;

--
-- Name: FUNCTION _events_of_conflict(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._events_of_conflict() IS 'Internal (triggers on nls.notion_sync_state): an object entering two-way conflict makes conflict.appeared, leaving it
conflict.resolved.';

--
-- Name: _events_of_reauth(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._events_of_reauth() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    PERFORM nls._emit_event(NEW.user_id, 'integration.needs_reauth', jsonb_build_object(
        'integration', TG_ARGV[0],
        'integration_id', CASE WHEN TG_ARGV[0] = 'notion' THEN to_jsonb(NEW) -> 'integration_id' END));
    RETURN NULL;
END
$$;

--
-- Name: FUNCTION _events_of_reauth(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._events_of_reauth() IS 'Internal (triggers on nls.integration_notes and nls.anki_accounts): Notion refusing a token, or an Anki account
becoming needs_reauth, makes integration.needs_reauth.';

--
-- Name: _events_of_run(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._events_of_run() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
    v_reviewed int := CASE WHEN NEW.details ->> 'reviewed' ~ '^\d{1,9}$' THEN (NEW.details ->> 'reviewed')::int END;
BEGIN
    PERFORM nls._emit_event(NEW.user_id, 'run.finished', jsonb_build_object(
        'sync_log_id', NEW.id, 'sync_type', NEW.sync_type, 'status', NEW.status, 'source_id', NEW.source_id,
        'started_at', NEW.started_at, 'completed_at', NEW.completed_at, 'error_code', NEW.error_code,
        'counts', jsonb_build_object('processed', NEW.items_processed, 'added', NEW.items_added,
                                     'updated', NEW.items_updated, 'removed', NEW.items_removed)));
    IF NEW.sync_type = 'anki_pull' AND v_reviewed > 0 THEN
        PERFORM nls._emit_event(NEW.user_id, 'anki.reviews_pulled',
                                jsonb_build_object('sync_log_id', NEW.id, 'notes_reviewed', v_reviewed));
    END IF;
    RETURN NULL;
END
$_$;

--
-- Name: FUNCTION _events_of_run(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._events_of_run() IS 'Internal (triggers on nls.sync_log): a run that ends (its status leaves running) makes run.finished, and an Anki pull
that read reviews anki.reviews_pulled.';

--
-- Name: _field(jsonb, jsonb, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._field(p_properties jsonb, p_map jsonb, p_field text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT nls.notion_text(nls._mapped(p_properties, p_map, p_field)) $$;

--
-- Name: FUNCTION _field(p_properties jsonb, p_map jsonb, p_field text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._field(p_properties jsonb, p_map jsonb, p_field text) IS 'The text of a mapped field''s property value (nls.notion_text).';

--
-- Name: _finish_run(uuid, text, integer, integer, integer, integer, integer, integer, text, text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._finish_run(p_log_id uuid, p_status text, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_error_code text, p_error_message text, p_details jsonb) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    UPDATE nls.sync_log
       SET status = p_status, completed_at = clock_timestamp(), items_processed = p_processed,
           items_added = p_added, items_updated = p_updated, items_removed = p_removed,
           requests_made = p_requests, retries = p_retries, error_code = p_error_code,
           error_message = p_error_message, details = coalesce(p_details, '{}'::jsonb)
     WHERE id = p_log_id
$$;

--
-- Name: FUNCTION _finish_run(p_log_id uuid, p_status text, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_error_code text, p_error_message text, p_details jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._finish_run(p_log_id uuid, p_status text, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_error_code text, p_error_message text, p_details jsonb) IS 'Internal: closes a sync_log row with its status (completed, partial, failed), counts, requests, retries, error code
and message, and details (jsonb).';

--
-- Name: _finish_sync_user(timestamp with time zone, text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._finish_sync_user(p_round timestamp with time zone, p_user text, p_status text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    UPDATE nls.sync_rounds SET finished_at = clock_timestamp(), status = p_status
     WHERE round = p_round AND user_id = p_user AND claimed_by = pg_backend_pid();
$$;

--
-- Name: FUNCTION _finish_sync_user(p_round timestamp with time zone, p_user text, p_status text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._finish_sync_user(p_round timestamp with time zone, p_user text, p_status text) IS 'Internal (scheduled workers): marks this worker''s user of the round done with its status (completed, partial,
failed, cancelled, or skipped when another session was syncing that user''s sources).';

--
-- Name: _first_related(jsonb, jsonb, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._first_related(p_properties jsonb, p_map jsonb, p_field text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (nls.notion_relation_ids(nls._mapped(p_properties, p_map, p_field)))[1] $$;

--
-- Name: FUNCTION _first_related(p_properties jsonb, p_map jsonb, p_field text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._first_related(p_properties jsonb, p_map jsonb, p_field text) IS 'The first page id of a mapped relation field, or NULL.';

--
-- Name: _fold_integration_notes(bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._fold_integration_notes(p_integration bigint) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _fold_integration_notes(p_integration bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._fold_integration_notes(p_integration bigint) IS 'Internal: folds the notes of integration p_integration this session sees into nls.integrations and deletes them,
unless another transaction holds the integration''s row or a note (then they wait, read through
nls._integration_now, for the next fold). Never waits on a lock. Returns whether the row could be taken.';

--
-- Name: _hmac_sha256(bytea, bytea); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._hmac_sha256(p_key bytea, p_message bytea) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_key bytea := CASE WHEN length(p_key) > 64 THEN sha256(p_key) ELSE p_key END;
    v_inner bytea;
    v_outer bytea;
BEGIN
    v_key := v_key || decode(repeat('00', 64 - length(v_key)), 'hex');
    v_inner := v_key;
    v_outer := v_key;
    FOR i IN 0..63 LOOP
        v_inner := set_byte(v_inner, i, get_byte(v_key, i) # 54);    -- 0x36
        v_outer := set_byte(v_outer, i, get_byte(v_key, i) # 92);    -- 0x5c
    END LOOP;
    RETURN sha256(v_outer || sha256(v_inner || p_message));
END
$$;

--
-- Name: FUNCTION _hmac_sha256(p_key bytea, p_message bytea); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._hmac_sha256(p_key bytea, p_message bytea) IS 'Internal: HMAC-SHA256 of p_message under p_key (bytea, 32 bytes), on PostgreSQL''s sha256().';

--
-- Name: _hold_budget(text, text, double precision, double precision, double precision); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._hold_budget(p_kind text, p_id text, p_seconds double precision, p_rate double precision, p_burst double precision) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _hold_budget(p_kind text, p_id text, p_seconds double precision, p_rate double precision, p_burst double precision); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._hold_budget(p_kind text, p_id text, p_seconds double precision, p_rate double precision, p_burst double precision) IS 'Internal: Notion answered 429 with p_seconds of Retry-After for a budget (p_kind token: p_id the user id; workspace:
its id): no backend''s request of it starts before that time has passed (p_rate and p_burst as for nls._take_budget).
Returns false when every register the budget may use is in use (the backend that got the 429 then waits on its
own).';

--
-- Name: _int(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._int(p text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT nls._num(p, -2147483648, 2147483647, 0)::int $$;

--
-- Name: FUNCTION _int(p text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._int(p text) IS 'A whole number read from Notion text (rounded); NULL when not a number or out of int range.';

--
-- Name: _integration_now(bigint, bigint[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._integration_now(p_integration bigint, p_notes bigint[] DEFAULT NULL::bigint[]) RETURNS TABLE(status text, workspace_id text, workspace_name text, bot_id text, trash_checked_at timestamp with time zone)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _integration_now(p_integration bigint, p_notes bigint[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._integration_now(p_integration bigint, p_notes bigint[]) IS 'Internal: integration p_integration as its notes (nls.integration_notes: those this session sees, or only the ids
p_notes) have it: (status: needs_reauth when Notion refused its token as stored now, workspace_id, workspace_name,
bot_id, trash_checked_at). Row-level security applies.';

--
-- Name: _iso_day_ok(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._iso_day_ok(p text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(p ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])'
                    AND left(p, 4) <> '0000'
                    AND substr(p, 9, 2)::int <= extract(day from make_date(left(p, 4)::int, substr(p, 6, 2)::int, 1)
                                                                  + interval '1 month' - interval '1 day'), false)
$$;

--
-- Name: FUNCTION _iso_day_ok(p text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._iso_day_ok(p text) IS 'Internal: whether text starts with a valid calendar date YYYY-MM-DD (so that casting it cannot fail).';

--
-- Name: _learn_property_ids(text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._learn_property_ids(p_user text, p_pages text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    -- learn the stable id of each mapped property while it still has its name (newest page of each source)
    UPDATE nls.sources s
       SET property_ids = s.property_ids || learned.ids
      FROM (SELECT p.source_id, jsonb_object_agg('#' || f.key, p.raw_properties -> (f.value #>> '{}') ->> 'id') AS ids
              FROM (SELECT DISTINCT ON (pg.source_id) pg.source_id, pg.raw_properties
                      FROM nls.stg_notion_pages pg JOIN nls.sources ls ON ls.id = pg.source_id AND ls.target <> 'pages'
                     WHERE (p_user IS NULL OR pg.user_id = p_user) AND (p_pages IS NULL OR pg.page_id = ANY (p_pages))
                     ORDER BY pg.source_id, pg.last_edited_time DESC) p
              JOIN nls.sources s2 ON s2.id = p.source_id
             CROSS JOIN LATERAL jsonb_each(nls.property_map(s2.target, s2.property_map)) AS f
             WHERE jsonb_typeof(f.value) = 'string'
               AND jsonb_typeof(p.raw_properties -> (f.value #>> '{}') -> 'id') = 'string'
             GROUP BY p.source_id) learned
     WHERE s.id = learned.source_id AND NOT s.property_ids @> learned.ids;
END
$$;

--
-- Name: FUNCTION _learn_property_ids(p_user text, p_pages text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._learn_property_ids(p_user text, p_pages text[]) IS 'Internal (nls._stage_learning): records in nls.sources.property_ids the stable id of each mapped property, read from
the newest page of each source among p_pages (all when NULL), so that a property renamed later still feeds its field.';

--
-- Name: _learn_window(text, text, double precision, double precision); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._learn_window(p_kind text, p_id text, p_retry_s double precision, p_window_s double precision) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _learn_window(p_kind text, p_id text, p_retry_s double precision, p_window_s double precision); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._learn_window(p_kind text, p_id text, p_retry_s double precision, p_window_s double precision) IS 'Internal: Notion answered 429 with p_retry_s seconds of Retry-After for a token (p_kind token, p_id the user id) or
a workspace (workspace, its id). A wait of more than 2 s: the window budget is the count taken in its window when
refused, less the refused request (one less than learned when another request in flight was refused in the same
window; without a count what was learned stays); refused long before a budget learned was spent, the window is
longer than p_window_s: its length is learned instead (from the Retry-After); the window is full until the
Retry-After has passed (no backend sends in it again). A wait of 1 or 2 s is a window''s end or a rate limit: the
first is noted with its count and held; a second in a row (no window ended without a 429 between them), or a first
while the window counted has more than 5 s to go after it (not its end), makes the limit a rate, paced by nls._take_budget from then on with the burst the first let through. What was learned is kept
for 10 windows after the last request. Returns the budget learned (int: 0 none), or minus the burst when the limit
is a rate.';

--
-- Name: _load_engine(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._load_engine() RETURNS text
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
import hashlib, importlib.abc, importlib.util, json, sys
problem = plpy.execute("SELECT nls._release_problem() AS p")[0]["p"]
if problem is not None:
    problem = json.loads(problem)
    plpy.error("nls: " + problem["problem"], hint=problem["hint"], sqlstate="55000")
rows = plpy.execute('SELECT name, source, sha256 FROM nls._python_module ORDER BY name COLLATE "C"')
version = hashlib.sha256("".join(r["sha256"] for r in rows).encode()).hexdigest()[:16]
if GD.get("nls_engine_version") == version:
    return version
if not len(rows):
    plpy.error("nls: the engine's Python modules are not deployed", hint="Run nls install --dsn ... again.",
               sqlstate="55000")
sources = {r["name"]: r["source"] for r in rows}
packages = {name.rpartition(".")[0] for name in sources if "." in name}   # a name other names extend

class NlsEngineFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    nls = True
    def find_spec(self, fullname, path, target=None):
        if fullname in sources:
            return importlib.util.spec_from_loader(fullname, self, is_package=fullname in packages)
        return None
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        name = module.__name__
        file = name.replace(".", "/") + ("/__init__.py" if name in packages else ".py")
        exec(compile(sources[name], "<nls>/" + file, "exec"), module.__dict__)

for name in [m for m in sys.modules if m == "nls_engine" or m.startswith("nls_engine.")]:
    del sys.modules[name]
sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "nls", False)]
sys.meta_path.insert(0, NlsEngineFinder())
for key in [k for k in GD if isinstance(k, tuple) and k and k[0] == "nls_plan"]:
    del GD[key]
GD["nls_engine_version"] = version
return version
$$;

--
-- Name: FUNCTION _load_engine(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._load_engine() IS 'Internal: loads the deployed nls_engine Python modules (nls._python_module) into this backend, once per deployed
version. Returns that version (16 hex digits, as nls.version() shows it). Raises 55000 when the schema''s migrations
are not the ones the engine was deployed with (nls._release_problem(): a migration rolled back or applied by hand),
and when nothing is deployed (run nls install).';

--
-- Name: _lock_class(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._lock_class(p_kind text) RETURNS integer
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT CASE p_kind
        WHEN 'source' THEN 1852601203          -- 'nls': one run of a source at a time; -1 the round's claims, 0 cleaning
        WHEN 'anki' THEN 1852601204            -- one Anki sync of an account at a time
        WHEN 'user_flow' THEN 1852601210       -- one run of a user's flow (trash listing, webhook events) at a time
        WHEN 'budget' THEN 1852601215          -- the request budgets' registers, for one statement (object 0)
        WHEN 'call' THEN 1852601216            -- worker runtime: a call's caller, while it waits for its answer
    END
$$;

--
-- Name: FUNCTION _lock_class(p_kind text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._lock_class(p_kind text) IS 'Internal: the advisory lock class (int) of a kind of lock: source, anki, user_flow, budget, call; NULL for another
kind.';

--
-- Name: _lock_key(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._lock_key() RETURNS integer
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT nls._lock_class('source') $$;

--
-- Name: FUNCTION _lock_key(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._lock_key() IS 'Internal: the advisory lock class (int) of nls; the object id is the source id.';

--
-- Name: _log_card_id_normalisations(text, text[], uuid); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._log_card_id_normalisations(p_user text, p_dirty text[], p_log uuid) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    -- a card id written differently in Notion than the atom holds it: the normalisation, once per value
    INSERT INTO nls.cleaning_log (atom_id, operation, old_value, new_value, user_id, entity, notion_id, sync_log_id)
    SELECT a.id, 'prefix_normalize', to_jsonb(r.raw), to_jsonb(a.card_id), a.user_id, 'learning_atoms',
           a.notion_id, p_log
      FROM nls.learning_atoms a
      JOIN nls.stg_notion_flashcards st ON st.user_id = a.user_id AND st.notion_page_id = a.notion_id
      JOIN nls.sources s ON s.id = st.source_id
     CROSS JOIN LATERAL (SELECT nls._field(st.raw_properties, nls._source_map('flashcards', s.property_map, s.property_ids),
                                           'card_id') AS raw) r
     WHERE (p_user IS NULL OR a.user_id = p_user) AND a.card_id IS NOT NULL AND r.raw IS DISTINCT FROM a.card_id
       AND (p_dirty IS NULL OR a.notion_id = ANY (p_dirty))
       AND NOT EXISTS (SELECT 1 FROM nls.cleaning_log l
                        WHERE l.atom_id = a.id AND l.operation = 'prefix_normalize'
                          AND l.old_value = to_jsonb(r.raw) AND l.new_value = to_jsonb(a.card_id))
$$;

--
-- Name: FUNCTION _log_card_id_normalisations(p_user text, p_dirty text[], p_log uuid); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._log_card_id_normalisations(p_user text, p_dirty text[], p_log uuid) IS 'Internal (nls.clean, step 3): logs in cleaning_log (prefix_normalize) each card id Notion writes otherwise than the
atom holds it, once per value, for the pages p_dirty (all when NULL).';

--
-- Name: _mapped(jsonb, jsonb, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._mapped(p_properties jsonb, p_map jsonb, p_field text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(nls.notion_property(p_properties, p_map ->> p_field),
                    nls._mapped_list(p_properties, p_map -> p_field),
                    nls.notion_property(p_properties, p_map ->> ('#' || p_field)))
$$;

--
-- Name: FUNCTION _mapped(p_properties jsonb, p_map jsonb, p_field text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._mapped(p_properties jsonb, p_map jsonb, p_field text) IS 'The property value behind a mapped field: by the map''s name or id (a list: the first of its properties that holds a
value), else by the stable id learned for it ("#field").';

--
-- Name: _mapped_list(jsonb, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._mapped_list(p_properties jsonb, p_keys jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN jsonb_typeof(p_keys) = 'array'
                THEN (SELECT nls.notion_property(p_properties, k)
                        FROM jsonb_array_elements_text(p_keys) WITH ORDINALITY AS a(k, o)
                       WHERE nls.notion_text(nls.notion_property(p_properties, k)) IS NOT NULL
                       ORDER BY o LIMIT 1) END
$$;

--
-- Name: FUNCTION _mapped_list(p_properties jsonb, p_keys jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._mapped_list(p_properties jsonb, p_keys jsonb) IS 'The first property of a mapped list (["Description", "Bio", ...]) that holds a value; NULL when p_keys is no list.';

--
-- Name: _mark_gone(bigint, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._mark_gone(p_source_id bigint, p_page_id text) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _mark_gone(p_source_id bigint, p_page_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._mark_gone(p_source_id bigint, p_page_id text) IS 'Internal: sets deleted_at on a page Notion answered 404 for (deleted or unshared); nothing is dropped.';

--
-- Name: _mark_trashed(text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._mark_trashed(p_user text, p_pages jsonb) RETURNS integer
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _mark_trashed(p_user text, p_pages jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._mark_trashed(p_user text, p_pages jsonb) IS 'Internal: _mark_trashed(user_id, pages jsonb [{page_id, last_edited_time?, sync_hash?, event_time?}]) marks the
user''s live stored pages trashed (Notion''s trash listing named them, with their time and hash; or a page.deleted
webhook event, with the time Notion deleted the page as event_time, which leaves the stored time to be confirmed by
the next read), never over a copy whose last_edited_time is later than last_edited_time, else event_time (a deletion
delivered after the restore that undid it changes nothing); returns how many were marked.';

--
-- Name: _name(jsonb, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._name(p_properties jsonb, p_map jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nls._field(p_properties, p_map, 'name'), nls._title(p_properties), 'Untitled') $$;

--
-- Name: FUNCTION _name(p_properties jsonb, p_map jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._name(p_properties jsonb, p_map jsonb) IS 'A canonical name: the mapped name field, else the title, else ''Untitled''.';

--
-- Name: _new_page_cards(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._new_page_cards(p_user text) RETURNS TABLE(atom_id uuid, user_id text, card_id text, held_by jsonb)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    -- the card id is derived from the atom's id when the atom has none, so that a page carrying it is known to be
    -- the atom's even after the transaction that gave the atom that card id (or the page's notion_id) rolled back
    SELECT a.id, a.user_id, c.card_id,
           (SELECT jsonb_build_object('atom_id', b.id, 'page_id', b.notion_id) FROM nls.learning_atoms b
             WHERE b.user_id = a.user_id AND b.card_id = c.card_id AND b.id <> a.id ORDER BY b.id LIMIT 1)
      FROM nls.learning_atoms a
      LEFT JOIN nls.notion_sync_state st
             ON st.user_id = a.user_id AND st.local_table = 'learning_atoms' AND st.local_id = a.id
     CROSS JOIN LATERAL (SELECT coalesce(CASE WHEN st.create_attempted_at IS NOT NULL THEN st.create_card_id END,
                                         a.card_id, 'NLS-' || upper(left(replace(a.id::text, '-', ''), 12)))
                                    AS card_id) c
     WHERE a.notion_id IS NULL AND (p_user IS NULL OR a.user_id = p_user)
$$;

--
-- Name: FUNCTION _new_page_cards(p_user text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._new_page_cards(p_user text) IS 'Internal: _new_page_cards(user_id) returns, for each atom of the user (NULL: every user the session sees) with no
page, the card id the page nls creates for it carries (card_id: the one a create already sent used, else the atom''s,
else NLS- and the first 12 hex digits of the atom''s id, upper case) and the other atom that holds that card id
already (held_by: {"atom_id", "page_id"}, or NULL). The push creates pages with these card ids; the cleaning gives a
synced page carrying one to its atom.';

--
-- Name: _normalize_id(text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._normalize_id(p_id text, p_what text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _normalize_id(p_id text, p_what text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._normalize_id(p_id text, p_what text) IS 'Internal: a Notion id (dashed, undashed or a URL ending in it) as a dashed lowercase uuid; raises 22023 naming the
argument otherwise.';

--
-- Name: _note_local_change(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._note_local_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_target text;
    v_key text;
    v_old jsonb := to_jsonb(OLD);
    v_new jsonb := to_jsonb(NEW);
    v_page text;
    v_source bigint;
    v_raw jsonb;
    v_staged_at timestamptz;
    v_state nls.notion_sync_state;
    v_changed jsonb;
BEGIN
    v_target := TG_ARGV[0];
    v_key := TG_ARGV[1];
    v_page := v_new ->> v_key;
    IF v_page IS NULL THEN   -- no page yet: a create sends what the row holds then; a failed one is tried again
        UPDATE nls.notion_sync_state st SET status = 'pending', updated_at = clock_timestamp()
         WHERE st.user_id = NEW.user_id AND st.local_table = TG_TABLE_NAME AND st.local_id = NEW.id
           AND st.status = 'failed';
        RETURN NULL;
    END IF;
    IF v_old ->> v_key IS DISTINCT FROM v_page THEN
        RETURN NULL;   -- the row now stands for another page
    END IF;
    SELECT c.source_id, c.raw, c.staged_at INTO v_source, v_raw, v_staged_at
      FROM nls._page_copy(v_target, NEW.user_id, v_page) AS c;
    -- what nls wrote since that copy was staged is what the row reflects for the columns it wrote
    SELECT * INTO v_state FROM nls.notion_sync_state st
     WHERE st.user_id = NEW.user_id AND st.local_table = TG_TABLE_NAME AND st.local_id = NEW.id;
    SELECT jsonb_object_agg(c.column_name, coalesce(
               CASE WHEN v_state.agreed_values ? c.column_name
                         AND (v_staged_at IS NULL
                              OR (v_state.agreed_values -> c.column_name ->> 'at')::timestamptz >= v_staged_at)
                    THEN v_state.agreed_values -> c.column_name -> 'value' END,
               nls._push_property(v_raw, c.keys), 'null'::jsonb))
      INTO v_changed
      FROM nls._push_columns(v_source) AS c
     WHERE v_old -> c.column_name IS DISTINCT FROM v_new -> c.column_name;
    IF v_changed IS NULL THEN
        RETURN NULL;   -- no pushed column changed (or the page is not from a source that pushes)
    END IF;
    INSERT INTO nls.notion_sync_state AS st (user_id, source_id, local_table, local_id, notion_page_id, base_values,
                                             local_changed_at, status, updated_at)
    VALUES (NEW.user_id, v_source, TG_TABLE_NAME, NEW.id, v_page, v_changed, clock_timestamp(), 'pending',
            clock_timestamp())
    ON CONFLICT ON CONSTRAINT notion_sync_state_object_key DO UPDATE
       -- a column already waiting keeps the value its first change was based on; an object in conflict or failed
       -- is looked at again by the next push
       SET base_values = excluded.base_values || st.base_values,
           local_changed_at = coalesce(st.local_changed_at, excluded.local_changed_at),
           status = 'pending',
           source_id = excluded.source_id, notion_page_id = excluded.notion_page_id,
           updated_at = clock_timestamp();
    RETURN NULL;
END
$$;

--
-- Name: FUNCTION _note_local_change(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._note_local_change() IS 'Internal: the trigger notion_push_local_change (AFTER UPDATE of a canonical table, FOR EACH ROW, when nls.writer is
not set): for each column the row''s source pushes (nls._push_columns) that the statement changed, records in
nls.notion_sync_state that it waits to be pushed, with the Notion value it was based on (from the staged copy of the
page the row reflects, or what nls wrote to the column since that copy was staged: agreed_values; a column already
waiting keeps its first base); the object is then pending, whatever it was
(a conflict or a failure is looked at again). A row with no page is left to the push''s creates (a failed create is
tried again). Trigger arguments: the target and the column holding the Notion page id.';

--
-- Name: _notes_committed(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._notes_committed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _notes_committed(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._notes_committed() IS 'Internal: the trigger integration_notes_fold runs it as the transaction that noted something commits: the note is
folded into nls.integrations then (nls._fold_integration_notes, acting for its user), the row locked only for the
rest of the commit. What goes wrong there leaves the notes for the next fold and never fails the commit.';

--
-- Name: _notion_result(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._notion_result(property jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(property -> 'formula', property -> 'rollup', property) $$;

--
-- Name: FUNCTION _notion_result(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._notion_result(property jsonb) IS 'Internal: a formula''s or rollup''s result object ({"type": "number", "number": 3}, ...), else the value itself.';

--
-- Name: _notion_time(text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._notion_time(p text, time_zone text DEFAULT NULL::text) RETURNS timestamp with time zone
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $_$
    SELECT CASE
        WHEN NOT nls._iso_day_ok(p) THEN NULL
        WHEN length(p) = 10 THEN (p || 'T00:00:00Z')::timestamptz   -- a date without a time: midnight UTC
        WHEN p !~ '^.{10}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?$'
            THEN NULL
        WHEN p ~ '(Z|[+-][0-9:]{4,5})$' THEN p::timestamptz
        -- a time without an offset is in the value's time_zone (Notion gives one then), else UTC
        WHEN time_zone IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names z WHERE z.name = time_zone)
            THEN p::timestamp AT TIME ZONE time_zone
        ELSE p::timestamp AT TIME ZONE 'UTC' END
$_$;

--
-- Name: FUNCTION _notion_time(p text, time_zone text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._notion_time(p text, time_zone text) IS 'Internal: a Notion date or date-time string as timestamptz (a date alone: midnight UTC; a time without an offset:
in time_zone, else UTC); NULL when malformed.';

--
-- Name: _num(text, numeric, numeric, integer); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._num(p text, p_min numeric, p_max numeric, p_scale integer) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
    SELECT CASE WHEN p ~ '^\s*-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\s*$'
                 AND p::numeric BETWEEN p_min AND p_max THEN round(p::numeric, p_scale) END
$_$;

--
-- Name: FUNCTION _num(p text, p_min numeric, p_max numeric, p_scale integer); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._num(p text, p_min numeric, p_max numeric, p_scale integer) IS 'A number read from Notion text, rounded to the column''s scale; NULL when not a number or outside [min, max].';

--
-- Name: _open_round(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._open_round() RETURNS timestamp with time zone
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _open_round(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._open_round() IS 'Internal (the schedule): the round still going (one whose users are not all finished), else a new one queuing every
active integration with an enabled source; returns its time (the round''s key in nls.sync_rounds).';

--
-- Name: _page_copy(text, text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._page_copy(p_target text, p_user text, p_page text, OUT source_id bigint, OUT raw jsonb, OUT staged_at timestamp with time zone) RETURNS record
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
BEGIN
    -- the copy of the page a canonical row reflects: the typed staging row the last cleaning read, else the stored page
    IF to_regclass('nls.stg_notion_' || p_target) IS NOT NULL THEN
        EXECUTE format('SELECT st.source_id, st.raw_properties, st.last_synced_at FROM nls.%I st '
                       'WHERE st.user_id = $1 AND st.notion_page_id = $2', 'stg_notion_' || p_target)
           INTO source_id, raw, staged_at USING p_user, p_page;
    END IF;
    IF source_id IS NULL THEN
        SELECT p.source_id, p.raw_properties, p.last_synced_at INTO source_id, raw, staged_at
          FROM nls.stg_notion_pages p JOIN nls.sources s ON s.id = p.source_id AND s.target = p_target
         WHERE p.user_id = p_user AND p.page_id = p_page
         ORDER BY p.last_edited_time DESC LIMIT 1;
    END IF;
END
$_$;

--
-- Name: FUNCTION _page_copy(p_target text, p_user text, p_page text, OUT source_id bigint, OUT raw jsonb, OUT staged_at timestamp with time zone); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._page_copy(p_target text, p_user text, p_page text, OUT source_id bigint, OUT raw jsonb, OUT staged_at timestamp with time zone) IS 'Internal (nls._note_local_change): the copy of a page a canonical row of target p_target reflects: (source_id, raw
properties, when it was staged), from the typed staging table the last cleaning read, else from stg_notion_pages.';

--
-- Name: _pages_off_schema(bigint, text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._pages_off_schema(p_source_id bigint, p_data_source_id text, p_schema jsonb) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT count(*) FROM nls.stg_notion_pages s
     WHERE s.source_id = p_source_id AND s.data_source_id = p_data_source_id
       AND NOT s.in_trash AND s.deleted_at IS NULL
       AND (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('id', e.value -> 'id', 'type', e.value -> 'type')),
                            '{}')
              FROM jsonb_each(s.raw_properties) AS e) IS DISTINCT FROM p_schema
$$;

--
-- Name: FUNCTION _pages_off_schema(p_source_id bigint, p_data_source_id text, p_schema jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._pages_off_schema(p_source_id bigint, p_data_source_id text, p_schema jsonb) IS 'Internal: _pages_off_schema(source_id, data_source_id, schema jsonb {name: {id, type}}) counts the stored pages
(not trashed, not gone) whose raw_properties hold other names, ids or types: pages a rename or type change left
behind, which the reconciliation then reads again.';

--
-- Name: _progress_run(uuid, integer, integer, integer, integer, integer, integer, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._progress_run(p_log_id uuid, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_details jsonb) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    UPDATE nls.sync_log
       SET items_processed = p_processed, items_added = p_added, items_updated = p_updated,
           items_removed = p_removed, requests_made = p_requests, retries = p_retries,
           details = coalesce(p_details, '{}'::jsonb)
     WHERE id = p_log_id AND status = 'running'
$$;

--
-- Name: FUNCTION _progress_run(p_log_id uuid, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_details jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._progress_run(p_log_id uuid, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_details jsonb) IS 'Internal: _progress_run(log_id, processed, added, updated, removed, requests, retries, details) writes a running
run''s counts so far, with each batch the scheduled procedure commits: a run killed later still tells what it did.';

--
-- Name: _push_agreed(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_agreed(p_values jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('value', e.value, 'at', clock_timestamp())), '{}')
      FROM jsonb_each(coalesce(p_values, '{}')) AS e WHERE e.value <> 'null'::jsonb
$$;

--
-- Name: FUNCTION _push_agreed(p_values jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_agreed(p_values jsonb) IS 'Internal: {column: property value} as nls.notion_sync_state.agreed_values holds it: {column: {"value", "at": now
(clock time)}}; columns with no value are left out.';

--
-- Name: _push_catalogue(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_catalogue() RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$ SELECT $push$
{
  "concept_clusters": {"push_map": {},
                       "references": {"concept_area_id": {"field": "area", "table": "clean_concept_areas"}}},
  "concepts": {"push_map": {"status": true, "dec_score": true, "proc_score": true, "app_score": true},
               "references": {"cluster_id": {"field": "cluster", "table": "clean_concept_clusters"},
                              "concept_area_id": {"field": "area", "table": "clean_concept_areas"}}},
  "tracks": {"push_map": {}, "references": {"program_id": {"field": "program", "table": "clean_programs"}}},
  "modules": {"push_map": {}, "references": {"track_id": {"field": "track", "table": "clean_tracks"}}},
  "flashcards": {"push_map": {"front": true, "back": true, "card_id": true, "atom_type": true, "concept_id": true,
                              "module_id": true, "create_pages": true},
                 "references": {"concept_id": {"field": "concept", "table": "concepts"},
                                "module_id": {"field": "module", "table": "learning_modules"}}}
}
$push$::jsonb $_$;

--
-- Name: FUNCTION _push_catalogue(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_catalogue() IS 'Internal: what two-way sync pushes by default, {target: {push_map, references: {column: {field, table}}}} (jsonb);
targets not listed push nothing by default. Read it through nls.push_map().';

--
-- Name: _push_columns(bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_columns(p_source_id bigint) RETURNS TABLE(column_name text, keys text[], create_options boolean, ref_table text)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT e.key,
           CASE WHEN jsonb_typeof(v.prop) = 'string' THEN ARRAY[v.prop #>> '{}']
                ELSE array_remove(ARRAY[s.property_ids ->> ('#' || v.field)]
                                  || CASE jsonb_typeof(m.pm -> v.field)
                                          WHEN 'string' THEN ARRAY[m.pm ->> v.field]
                                          WHEN 'array' THEN ARRAY(SELECT jsonb_array_elements_text(m.pm -> v.field))
                                          ELSE '{}'::text[] END, NULL) END,
           jsonb_typeof(e.value) = 'object' AND coalesce(e.value -> 'create_options', 'false') = 'true'::jsonb,
           v.ref ->> 'table'
      FROM nls.sources s
     CROSS JOIN LATERAL (SELECT nls.push_map(s.target, s.push_map) AS push,
                                nls.property_map(s.target, s.property_map) AS pm) m
     CROSS JOIN LATERAL jsonb_each(m.push) AS e
     CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(e.value) = 'object' THEN coalesce(e.value -> 'property', 'true')
                                     ELSE e.value END AS prop,
                                nls._push_catalogue() -> s.target -> 'references' -> e.key AS ref,
                                coalesce(nls._push_catalogue() -> s.target -> 'references' -> e.key ->> 'field', e.key)
                                    AS field) v
     WHERE s.id = p_source_id AND e.key NOT IN ('create_pages', 'enabled')
       AND coalesce(m.push -> 'enabled', 'true') <> 'false'::jsonb
       AND v.prop NOT IN ('false'::jsonb, 'null'::jsonb)
     ORDER BY e.key
$$;

--
-- Name: FUNCTION _push_columns(p_source_id bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_columns(p_source_id bigint) IS 'Internal: _push_columns(source_id) returns the columns the source''s push map sends (column_name), the Notion
property each goes to as candidate keys in order (keys: the property''s stable id learned by the pipeline, then the
names of the source''s property map; or the name or id the push map gives), whether a select option that does not
exist may be created (create_options), and for a column holding another canonical row, that row''s table (ref_table:
sent as a relation to its page). No rows when the push map is disabled ("enabled": false).';

--
-- Name: _push_create_state(bigint, uuid, text, text, boolean); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_create_state(p_source_id bigint, p_atom_id uuid, p_card_id text, p_data_source_id text, p_attempted boolean) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_id uuid;
BEGIN
    PERFORM set_config('nls.writer', 'push', true);
    UPDATE nls.learning_atoms a SET card_id = p_card_id WHERE a.id = p_atom_id AND a.card_id IS NULL
       AND NOT EXISTS (SELECT 1 FROM nls.learning_atoms b
                        WHERE b.user_id = a.user_id AND b.card_id = p_card_id AND b.id <> a.id);
    PERFORM set_config('nls.writer', '', true);
    INSERT INTO nls.notion_sync_state AS st (user_id, source_id, local_table, local_id, notion_data_source_id,
                                             create_card_id, create_attempted_at, status, updated_at)
    SELECT a.user_id, p_source_id, 'learning_atoms', a.id, p_data_source_id, p_card_id,
           CASE WHEN p_attempted THEN clock_timestamp() END, 'pending', clock_timestamp()
      FROM nls.learning_atoms a WHERE a.id = p_atom_id
    ON CONFLICT ON CONSTRAINT notion_sync_state_object_key DO UPDATE
       SET source_id = excluded.source_id, notion_data_source_id = excluded.notion_data_source_id,
           create_card_id = excluded.create_card_id,
           create_attempted_at = coalesce(excluded.create_attempted_at, st.create_attempted_at),
           updated_at = clock_timestamp()
    RETURNING st.id INTO v_id;
    RETURN v_id;
END
$$;

--
-- Name: FUNCTION _push_create_state(p_source_id bigint, p_atom_id uuid, p_card_id text, p_data_source_id text, p_attempted boolean); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_create_state(p_source_id bigint, p_atom_id uuid, p_card_id text, p_data_source_id text, p_attempted boolean) IS 'Internal: the state row of an atom whose page the push creates: _push_create_state(source_id, atom_id, card_id,
data_source_id, attempted) gives the atom the card id the page carries (when it has none and no other atom holds it)
and, with attempted (before POST /v1/pages is sent), records that a create was sent (create_attempted_at), so that a
create whose answer is lost is looked for by its card id rather than sent again. Returns the state row''s id.';

--
-- Name: _push_created(uuid, text, text, timestamp with time zone, text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_created(p_state_id uuid, p_page_id text, p_data_source_id text, p_last_edited_time timestamp with time zone, p_sync_hash text, p_agreed jsonb) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_atom uuid;
BEGIN
    SELECT st.local_id INTO v_atom FROM nls.notion_sync_state st WHERE st.id = p_state_id;
    IF EXISTS (SELECT 1 FROM nls.learning_atoms b JOIN nls.learning_atoms a ON a.user_id = b.user_id
                WHERE a.id = v_atom AND b.notion_id = p_page_id AND b.id <> v_atom) THEN
        RETURN false;   -- another atom already stands for that page
    END IF;
    PERFORM set_config('nls.writer', 'push', true);
    UPDATE nls.learning_atoms a SET notion_id = p_page_id, updated_at = now() WHERE a.id = v_atom;
    PERFORM set_config('nls.writer', '', true);
    UPDATE nls.notion_sync_state
       SET notion_page_id = p_page_id, notion_data_source_id = p_data_source_id, status = 'synced',
           base_values = '{}', conflict = NULL, sync_hash = p_sync_hash, last_synced_at = clock_timestamp(),
           notion_last_edited_time = p_last_edited_time, agreed_values = nls._push_agreed(p_agreed),
           create_attempted_at = NULL, last_error = NULL,
           last_error_code = NULL, failed_hash = NULL, local_changed_at = NULL, updated_at = clock_timestamp()
     WHERE id = p_state_id;
    RETURN true;
END
$$;

--
-- Name: FUNCTION _push_created(p_state_id uuid, p_page_id text, p_data_source_id text, p_last_edited_time timestamp with time zone, p_sync_hash text, p_agreed jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_created(p_state_id uuid, p_page_id text, p_data_source_id text, p_last_edited_time timestamp with time zone, p_sync_hash text, p_agreed jsonb) IS 'Internal: a page was created (or found) for an atom: its learning_atoms.notion_id and its state row (synced, with
the page, the SHA-256 of what was sent, the page''s last_edited_time and its values of the pushed columns). Returns false, changing nothing, when
another atom already stands for that page.';

--
-- Name: _push_creates(bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_creates(p_source_id bigint) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT s.target = 'flashcards' AND coalesce(m.push -> 'create_pages', 'false') = 'true'::jsonb
           AND coalesce(m.push -> 'enabled', 'true') <> 'false'::jsonb
           AND s.id = (SELECT min(o.id) FROM nls.sources o
                        WHERE o.user_id = s.user_id AND o.target = 'flashcards' AND o.enabled
                          AND coalesce(nls.push_map(o.target, o.push_map) -> 'create_pages', 'false') = 'true'::jsonb
                          AND coalesce(nls.push_map(o.target, o.push_map) -> 'enabled', 'true') <> 'false'::jsonb)
      FROM nls.sources s CROSS JOIN LATERAL (SELECT nls.push_map(s.target, s.push_map) AS push) m
     WHERE s.id = p_source_id
$$;

--
-- Name: FUNCTION _push_creates(p_source_id bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_creates(p_source_id bigint) IS 'Internal: whether a push of the source creates pages for atoms with none: the user''s first enabled flashcards source
whose push map creates pages ("create_pages", the default) and is enabled.';

--
-- Name: _push_map_error(text, text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_map_error(p_target text, p_table text, p_map jsonb) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT CASE
        WHEN p_map IS NULL THEN NULL
        WHEN jsonb_typeof(p_map) <> 'object' THEN format('must be a JSON object, not %s', p_map)
        ELSE (SELECT format('"%s" %s', r.key, r.why) FROM (
                SELECT e.key, CASE
                    WHEN e.key IN ('enabled', 'create_pages') THEN
                        CASE WHEN jsonb_typeof(e.value) <> 'boolean' THEN 'takes true or false'
                             WHEN e.key = 'create_pages' AND p_target <> 'flashcards'
                                 THEN 'applies to a flashcards source only' END
                    WHEN NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = format('nls.%I', p_table)::regclass
                                        AND a.attname = e.key AND a.attnum > 0 AND NOT a.attisdropped)
                        THEN format('is no column of nls.%s', p_table)
                    WHEN e.key IN ('id', 'user_id', 'notion_id', 'notion_page_id', 'source_id', 'created_at',
                                   'updated_at', 'properties', 'content_hash')
                        THEN 'is nls''s own column, which is not pushed'
                    WHEN NOT (jsonb_typeof(e.value) = 'boolean'
                              OR (jsonb_typeof(e.value) = 'string' AND btrim(e.value #>> '{}') <> '')
                              OR (jsonb_typeof(e.value) = 'object'
                                  AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(e.value) AS o(k)
                                                   WHERE o.k NOT IN ('property', 'create_options'))
                                  AND jsonb_typeof(coalesce(e.value -> 'create_options', 'false')) = 'boolean'
                                  AND (coalesce(e.value -> 'property', 'true') = 'true'::jsonb
                                       OR (jsonb_typeof(e.value -> 'property') = 'string'
                                           AND btrim(e.value ->> 'property') <> ''))))
                        THEN format('takes true, false, a property name or id, or {"property", "create_options"}, '
                                    'not %s', e.value)
                    WHEN (e.value = 'true' OR (jsonb_typeof(e.value) = 'object'
                                               AND coalesce(e.value -> 'property', 'true') = 'true'::jsonb))
                         AND NOT nls.property_map(p_target) ?
                             coalesce(nls._push_catalogue() -> p_target -> 'references' -> e.key ->> 'field', e.key)
                        THEN 'is in no property map of the target: give the Notion property''s name instead of true'
                    END AS why
                  FROM jsonb_each(p_map) AS e) r
               WHERE r.why IS NOT NULL ORDER BY r.key LIMIT 1) END
$$;

--
-- Name: FUNCTION _push_map_error(p_target text, p_table text, p_map jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_map_error(p_target text, p_table text, p_map jsonb) IS 'Internal: what is wrong with a push map for a target and its table (the first key, and why), or NULL when nothing.';

--
-- Name: _push_objects(bigint, boolean); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_objects(p_source_id bigint, p_create boolean) RETURNS SETOF jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
    v_source nls.sources;
    v_table text;
    v_key text;
    v_local text;
    v_card text := 'NULL::jsonb';
    v_card_join text := '';
BEGIN
    SELECT * INTO v_source FROM nls.sources s WHERE s.id = p_source_id;
    SELECT t.canonical_table, t.page_id_column INTO v_table, v_key
      FROM nls.targets() AS t WHERE t.target = v_source.target;
    IF v_table = 'learning_atoms' THEN   -- an atom with no page: the card id its new page carries, and who holds it
        v_card := 'CASE WHEN nc.atom_id IS NOT NULL THEN jsonb_build_object(''card_id'', nc.card_id, '
                  '''held_by'', nc.held_by) END';
        v_card_join := 'LEFT JOIN nls._new_page_cards($2) nc ON nc.atom_id = t.id';
    END IF;
    SELECT 'jsonb_build_object(' || coalesce(string_agg(format('%L, %s', c.column_name,
               CASE WHEN c.ref_table IS NULL THEN format('to_jsonb(t.%I)', c.column_name)
                    ELSE format('(SELECT to_jsonb(r.notion_id) FROM nls.%I r WHERE r.id = t.%I)', c.ref_table,
                                c.column_name) END), ', '), '') || ')'
      INTO v_local FROM nls._push_columns(p_source_id) AS c;
    RETURN QUERY EXECUTE format($q$
        WITH fresh AS (SELECT max(l.started_at) AS at FROM nls.sync_log l
                        WHERE l.source_id = $1 AND l.status = 'completed'
                          AND l.sync_type IN ('notion_full', 'notion_incremental', 'notion_reconcile'))
        SELECT jsonb_build_object(
                   'state_id', st.id, 'local_table', %1$L, 'local_id', t.id, 'page_id', t.%2$I,
                   'status', st.status, 'base_values', coalesce(st.base_values, '{}'), 'conflict', st.conflict,
                   'sync_hash', st.sync_hash, 'failed_hash', st.failed_hash, 'last_error_code', st.last_error_code,
                   'local_changed_at', st.local_changed_at, 'create_attempted_at', st.create_attempted_at,
                   'new_card', %4$s, 'seen_at', clock_timestamp(), 'local', %3$s,
                   'copy', (SELECT jsonb_build_object('properties', p.raw_properties,
                                                      'data_source_id', p.data_source_id,
                                                      'last_edited_time', p.last_edited_time, 'in_trash', p.in_trash,
                                                      'gone', p.deleted_at IS NOT NULL,
                                                      'fresh_as_of', greatest(p.last_synced_at, fresh.at))
                              FROM nls.stg_notion_pages p WHERE p.source_id = $1 AND p.page_id = t.%2$I))
          FROM nls.%1$I t
          LEFT JOIN nls.notion_sync_state st ON st.user_id = t.user_id AND st.local_table = %1$L AND st.local_id = t.id
          %5$s
         CROSS JOIN fresh
         WHERE t.user_id = $2
           AND ((t.%2$I IS NOT NULL AND st.source_id = $1
                 AND (st.status IN ('pending', 'failed')
                      OR (st.status = 'conflict' AND EXISTS (
                              SELECT 1 FROM nls.stg_notion_pages p WHERE p.source_id = $1
                                 AND p.page_id = st.notion_page_id AND p.last_synced_at > st.updated_at))))
                OR ($3 AND t.%2$I IS NULL))
         ORDER BY t.%2$I IS NULL, st.local_changed_at, t.created_at, t.id
    $q$, v_table, v_key, v_local, v_card, v_card_join) USING p_source_id, v_source.user_id, p_create;
END
$_$;

--
-- Name: FUNCTION _push_objects(p_source_id bigint, p_create boolean); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_objects(p_source_id bigint, p_create boolean) IS 'Internal: _push_objects(source_id, create) returns one jsonb per object of the source to push: those with a local
change waiting (status pending), a conflict to re-check, or a failure, and with create, the atoms with no page.
Each: {"state_id", "local_table", "local_id", "page_id", "status", "base_values", "conflict", "sync_hash",
"failed_hash", "last_error_code", "local_changed_at", "create_attempted_at", "new_card" (an atom with no page:
{"card_id" its new page carries, "held_by": the other atom holding that card id, or null; nls._new_page_cards}),
"seen_at", "local": {column: value; a relation column as its page id}, "copy": the stored page {"properties",
"data_source_id", "last_edited_time", "in_trash", "gone", "fresh_as_of": the later of when it was stored and the start
of the source''s last complete read} or null}.';

--
-- Name: _push_outcome(uuid, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_outcome(p_state_id uuid, p_outcome jsonb) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    UPDATE nls.notion_sync_state s
       SET base_values = CASE WHEN x.changed_since THEN s.base_values || coalesce(p_outcome -> 'settled', '{}')
                              ELSE s.base_values
                                   - ARRAY(SELECT jsonb_object_keys(coalesce(p_outcome -> 'settled', '{}')))
                         END,
           status = CASE WHEN x.changed_since AND p_outcome ->> 'status' = 'synced' THEN 'pending'
                         ELSE p_outcome ->> 'status' END,
           conflict = p_outcome -> 'conflict',
           agreed_values = s.agreed_values || nls._push_agreed(p_outcome -> 'settled'),
           sync_hash = coalesce(p_outcome ->> 'sync_hash', s.sync_hash),
           last_synced_at = CASE WHEN p_outcome ? 'sync_hash' THEN clock_timestamp() ELSE s.last_synced_at END,
           notion_last_edited_time = coalesce((p_outcome ->> 'last_edited_time')::timestamptz,
                                              s.notion_last_edited_time),
           notion_data_source_id = coalesce(p_outcome ->> 'data_source_id', s.notion_data_source_id),
           last_error = p_outcome ->> 'error', last_error_code = p_outcome ->> 'error_code',
           failed_hash = p_outcome ->> 'failed_hash',
           local_changed_at = CASE WHEN p_outcome ->> 'status' = 'synced' AND NOT x.changed_since THEN NULL
                                   ELSE s.local_changed_at END,
           updated_at = clock_timestamp()
      FROM (SELECT s2.updated_at > (p_outcome ->> 'seen_at')::timestamptz AS changed_since
              FROM nls.notion_sync_state s2 WHERE s2.id = p_state_id) x
     WHERE s.id = p_state_id
$$;

--
-- Name: FUNCTION _push_outcome(p_state_id uuid, p_outcome jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_outcome(p_state_id uuid, p_outcome jsonb) IS 'Internal: records what the push did with one object: _push_outcome(state_id, {"status", "settled": {column: the
property value Notion now holds} (written, or already equal), "conflict"?, "sync_hash"?, "last_edited_time"?,
"data_source_id"?, "error"?, "error_code"?, "failed_hash"?, "seen_at": when the object was read}). Settled columns
stop waiting, and what Notion holds for them becomes agreed_values; a column changed again locally since seen_at
waits on, based on what was written.';

--
-- Name: _push_plan(bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_plan(p_source_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT jsonb_build_object(
        'table', t.canonical_table, 'key', t.page_id_column,
        'columns', coalesce((SELECT jsonb_agg(to_jsonb(c)) FROM nls._push_columns(s.id) AS c), '[]'),
        -- new pages for atoms with none: in the user's first flashcards source whose push map creates them
        'create', nls._push_creates(s.id),
        'data_source_id', (SELECT st.data_source_id FROM nls.sync_state st WHERE st.source_id = s.id
                            ORDER BY st.data_source_id LIMIT 1),
        'schema', (SELECT d.properties FROM nls.data_source_schemas d JOIN nls.sync_state st
                     ON st.source_id = d.source_id AND st.data_source_id = d.data_source_id
                    WHERE d.source_id = s.id ORDER BY st.data_source_id, d.last_seen_at DESC LIMIT 1))
      FROM nls.sources s
      JOIN nls.targets() AS t ON t.target = s.target
     WHERE s.id = p_source_id
$$;

--
-- Name: FUNCTION _push_plan(p_source_id bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_plan(p_source_id bigint) IS 'Internal: what a push of one source works with: {"table" (canonical table), "key" (its page id column), "columns"
(nls._push_columns), "create" (whether this run creates pages for atoms with none), "data_source_id" (where: the
source''s first data source), "schema" ({property name: {id, type}} as its pages last showed it)}.';

--
-- Name: _push_property(jsonb, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_property(p_properties jsonb, p_keys text[]) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT nls.notion_property(p_properties, k) FROM unnest(p_keys) WITH ORDINALITY AS u(k, o)
     WHERE nls.notion_property(p_properties, k) IS NOT NULL ORDER BY o LIMIT 1
$$;

--
-- Name: FUNCTION _push_property(p_properties jsonb, p_keys text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_property(p_properties jsonb, p_keys text[]) IS 'Internal: _push_property(properties jsonb, keys text[]) returns the value of the first property of a page object''s
properties found by one of the keys (name, else id; nls.notion_property), NULL when none is.';

--
-- Name: _push_prune(bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_prune(p_source_id bigint) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
    v_table text;
    v_rows int;
BEGIN
    SELECT t.canonical_table INTO v_table FROM nls.sources s JOIN nls.targets() AS t ON t.target = s.target
     WHERE s.id = p_source_id;
    IF v_table IS NULL OR v_table = 'stg_notion_pages' THEN
        RETURN 0;
    END IF;
    EXECUTE format('DELETE FROM nls.notion_sync_state s WHERE s.source_id = $1 AND s.local_table = %1$L '
                   'AND NOT EXISTS (SELECT 1 FROM nls.%1$I t WHERE t.id = s.local_id)', v_table) USING p_source_id;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$_$;

--
-- Name: FUNCTION _push_prune(p_source_id bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_prune(p_source_id bigint) IS 'Internal: drops the state rows of a source''s objects whose local row is gone (a row deleted locally, or removed by
the cleaning when its page left Notion): nothing of theirs is left to push. Returns how many.';

--
-- Name: _push_sources(text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._push_sources(p_user text, p_retried text[]) RETURNS TABLE(id bigint, user_id text, database_id text, database_name text, target text, with_content boolean)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT s.id, s.user_id, s.database_id, s.database_name, s.target, s.with_content
      FROM nls.sources s JOIN nls.integrations i ON i.user_id = s.user_id
     WHERE s.enabled AND (p_user IS NULL OR s.user_id = p_user) AND nls._target_kind(s.target) <> 'raw'
       AND (EXISTS (SELECT 1 FROM nls.notion_sync_state st
                     WHERE st.source_id = s.id AND st.notion_page_id IS NOT NULL
                       AND (st.status = 'pending' OR (st.status = 'failed' AND st.last_error_code = ANY (p_retried))
                            -- a conflict whose page was read again since: Notion may agree now
                            OR (st.status = 'conflict' AND EXISTS (
                                    SELECT 1 FROM nls.stg_notion_pages p WHERE p.source_id = s.id
                                       AND p.page_id = st.notion_page_id AND p.last_synced_at > st.updated_at))))
            OR (nls._push_creates(s.id) AND EXISTS (
                    SELECT 1 FROM nls._new_page_cards(s.user_id) n
                      LEFT JOIN nls.notion_sync_state st
                             ON st.user_id = n.user_id AND st.local_table = 'learning_atoms' AND st.local_id = n.atom_id
                     WHERE st.id IS NULL OR st.status = 'pending'
                        OR (st.status = 'failed'
                            AND (st.last_error_code = ANY (p_retried)
                                 -- its card id held by another atom, free now
                                 OR (st.last_error_code = 'card_id_taken' AND n.held_by IS NULL))))))
     ORDER BY s.user_id, s.id
$$;

--
-- Name: FUNCTION _push_sources(p_user text, p_retried text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._push_sources(p_user text, p_retried text[]) IS 'Internal: _push_sources(user_id, retried) returns the enabled sources of a user (NULL: every user the session sees)
with an integration and something to push: an object with a local change waiting, a failure whose error code is one
of retried (transient), a conflict whose page was read again since, or (nls._push_creates) an atom with no page (not
one that failed as card_id_taken while another atom still holds that card id). What
nls.push_notion runs over, ordered by user and id; a source with nothing to push costs no run and no sync_log row.';

--
-- Name: _release_problem(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._release_problem() RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    WITH d AS (SELECT nls._deployed() AS r),
    wanted AS (SELECT jsonb_array_elements_text(r->'migrations') AS id FROM d),
    applied AS (SELECT migration_id AS id FROM nls._yoyo_migration),
    missing AS (SELECT string_agg(id, ', ' ORDER BY id) AS ids FROM (SELECT id FROM wanted EXCEPT
                                                                     SELECT id FROM applied) m),
    extra AS (SELECT string_agg(id, ', ' ORDER BY id) AS ids FROM (SELECT id FROM applied EXCEPT
                                                                   SELECT id FROM wanted) x)
    SELECT CASE
        WHEN missing.ids IS NOT NULL THEN jsonb_build_object(
            'problem', format('the schema lacks migration(s) %s that the deployed nls %s needs (rolled back by hand)',
                              missing.ids, d.r->>'release'),
            'hint', format('Run nls install of nls %s to apply them again (what the rollback dropped is not '
                           'restored), or restore the backup taken before the upgrade: docs/upgrading.md. SELECT '
                           'nls.version() shows the release and the schema''s last migration.', d.r->>'release'))
        WHEN extra.ids IS NOT NULL THEN jsonb_build_object(
            'problem', format('the schema has migration(s) %s that the deployed nls %s does not know (applied by '
                              'hand)', extra.ids, d.r->>'release'),
            'hint', 'Run nls install of the release that ships them, or restore the backup taken before they were '
                    'applied: docs/upgrading.md. SELECT nls.version() shows the release and the schema''s last '
                    'migration.') END
      FROM d, missing, extra
$$;

--
-- Name: FUNCTION _release_problem(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._release_problem() IS 'Internal: NULL when the schema''s migrations (nls._yoyo_migration) are exactly the ones the deployed engine was
deployed with (nls._deployed()); else {"problem", "hint"} (jsonb): which migrations are missing (rolled back by hand)
or extra (applied by hand), and how to get back to a consistent state. nls._load_engine() refuses to load the engine
then (55000), so that no sync runs on a schema it does not match.';

--
-- Name: _require(anyelement, text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._require(p_value anyelement, p_name text, p_call text) RETURNS anyelement
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF p_value IS NULL THEN
        RAISE EXCEPTION 'nls: % needs %; it was NULL', p_call, p_name
            USING ERRCODE = '22004', HINT = format('\df+ nls.%s and its COMMENT say what each argument takes.', p_call);
    END IF;
    RETURN p_value;
END
$$;

--
-- Name: FUNCTION _require(p_value anyelement, p_name text, p_call text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._require(p_value anyelement, p_name text, p_call text) IS 'Internal: _require(value, argument name, function name) returns the value, or raises 22004 naming the argument of
the public function that got NULL.';

--
-- Name: _reserved_schema(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._reserved_schema(p_name text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT p_name IS NULL OR btrim(p_name) = '' OR octet_length(p_name) > 63 OR p_name ~ '^pg_'
           OR p_name IN ('nls', 'public', 'cron', 'information_schema')
$$;

--
-- Name: FUNCTION _reserved_schema(p_name text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._reserved_schema(p_name text) IS 'Internal: whether a schema name may not hold typed views (and may not be the typed_views_schema setting): empty,
longer than 63 bytes, pg_*, nls, public, cron or information_schema. Returns boolean.';

--
-- Name: _session_user(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._session_user() RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT coalesce(nullif(current_setting('nls.user_id', true), ''), current_user::text) $$;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: review_queue; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.review_queue (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    atom_type text DEFAULT 'flashcard'::text NOT NULL,
    front text NOT NULL,
    back text,
    concept_id uuid,
    module_id uuid,
    original_front text,
    original_back text,
    original_atom_id uuid,
    status text DEFAULT 'pending'::text,
    source text NOT NULL,
    batch_id text,
    quality_score numeric(3,2),
    ai_confidence numeric(3,2),
    rewrite_reason text,
    approved_at timestamp with time zone,
    approved_atom_id uuid,
    reviewer_notes text,
    created_at timestamp with time zone DEFAULT now(),
    CONSTRAINT review_queue_ai_confidence_check CHECK (((ai_confidence >= (0)::numeric) AND (ai_confidence <= (1)::numeric))),
    CONSTRAINT review_queue_atom_type_check CHECK ((atom_type = ANY (ARRAY['flashcard'::text, 'cloze'::text, 'mcq'::text, 'true_false'::text, 'matching'::text, 'parsons'::text]))),
    CONSTRAINT review_queue_quality_score_check CHECK (((quality_score >= (0)::numeric) AND (quality_score <= (1)::numeric))),
    CONSTRAINT review_queue_source_check CHECK ((source = ANY (ARRAY['gemini'::text, 'vertex'::text, 'notion_ai'::text, 'duplicate_merge'::text, 'anki_edit'::text]))),
    CONSTRAINT review_queue_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'approved'::text, 'rejected'::text, 'edited'::text])))
);

ALTER TABLE ONLY nls.review_queue FORCE ROW LEVEL SECURITY;

--
-- Name: _review_item(uuid, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._review_item(p_id uuid, p_action text) RETURNS nls.review_queue
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v nls.review_queue;
BEGIN
    PERFORM nls._require(p_id, 'review_id', p_action || '_review');
    SELECT * INTO v FROM nls.review_queue WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'nls: review_queue item % does not exist', p_id
            USING ERRCODE = 'P0002', HINT = 'SELECT id, status, front FROM nls.review_queue WHERE status = ''pending''';
    END IF;
    IF v.status NOT IN ('pending', 'edited') THEN
        RAISE EXCEPTION 'nls: cannot % review_queue item %: it is already %', p_action, p_id, v.status
            USING ERRCODE = '55000', HINT = 'Only pending or edited items can be approved, rejected or edited.';
    END IF;
    RETURN v;
END
$$;

--
-- Name: FUNCTION _review_item(p_id uuid, p_action text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._review_item(p_id uuid, p_action text) IS 'The review_queue item, locked, when it exists and is pending or edited; raises P0002 / 55000 otherwise.';

--
-- Name: _round_waiting(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._round_waiting() RETURNS timestamp with time zone
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT max(r.round) FROM nls.sync_rounds r WHERE r.finished_at IS NULL AND r.claimed_by IS NULL
$$;

--
-- Name: FUNCTION _round_waiting(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._round_waiting() IS 'Internal (worker runtime): the round that has a user no worker took yet, or NULL (a worker joins it; it never opens
one: pg_cron''s job does).';

--
-- Name: _save_data_sources(bigint, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._save_data_sources(p_source_id bigint, p_data_sources jsonb) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _save_data_sources(p_source_id bigint, p_data_sources jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._save_data_sources(p_source_id bigint, p_data_sources jsonb) IS 'Internal: _save_data_sources(source_id, data_sources jsonb [{id, name}]) remembers the data sources the database lists
now: each has a sync_state row marked listed (a new one without a watermark, so its first read is whole), the others
are marked not listed; sources.data_sources_listed_at is set. An incremental run then reads them without asking GET
/v1/databases/{id}.';

--
-- Name: _save_schema(bigint, text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._save_schema(p_source_id bigint, p_data_source_id text, p_properties jsonb) RETURNS text
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _save_schema(p_source_id bigint, p_data_source_id text, p_properties jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._save_schema(p_source_id bigint, p_data_source_id text, p_properties jsonb) IS 'Record the schema a data source''s pages showed ({property name: {id, type}}) in nls.data_source_schemas: a new
schema gets a row, a known one its last_seen_at; sync_state.schema_hash follows. Returns the schema hash (md5).';

--
-- Name: _save_state(bigint, text, text, timestamp with time zone, boolean); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._save_state(p_source_id bigint, p_data_source_id text, p_name text, p_watermark timestamp with time zone, p_full_done boolean) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    INSERT INTO nls.sync_state AS st (source_id, data_source_id, data_source_name, watermark, last_full_sync_at, last_run_at)
    VALUES (p_source_id, p_data_source_id, p_name, p_watermark, CASE WHEN p_full_done THEN now() END, now())
    ON CONFLICT (source_id, data_source_id) DO UPDATE
       SET data_source_name = coalesce(excluded.data_source_name, st.data_source_name),
           watermark = greatest(st.watermark, excluded.watermark),
           last_full_sync_at = coalesce(excluded.last_full_sync_at, st.last_full_sync_at),
           last_run_at = now()
$$;

--
-- Name: FUNCTION _save_state(p_source_id bigint, p_data_source_id text, p_name text, p_watermark timestamp with time zone, p_full_done boolean); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._save_state(p_source_id bigint, p_data_source_id text, p_name text, p_watermark timestamp with time zone, p_full_done boolean) IS 'Internal: records a data source''s watermark (never moved back) and, when p_full_done, the time of a complete
reconciliation (a whole full read, or the ids-only read of a reconciling run) in last_full_sync_at.';

--
-- Name: _save_webhook_event(text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._save_webhook_event(p_path text, p_event jsonb) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
    WITH sub AS (
        UPDATE nls.webhook_subscriptions w
           SET subscription_id = coalesce(w.subscription_id, p_event ->> 'subscription_id'),
               verified_at = coalesce(w.verified_at, now()), last_delivery_at = now()
         WHERE w.path = p_path
        RETURNING w.user_id
    )
    INSERT INTO nls.webhook_events AS e (user_id, event_id, event_type, entity_id, entity_type, event_time,
                                         attempt_number, payload)
    SELECT sub.user_id, p_event ->> 'id', p_event ->> 'type', p_event -> 'entity' ->> 'id',
           p_event -> 'entity' ->> 'type',
           CASE WHEN p_event ->> 'timestamp' ~ '^\d{4}-\d{2}-\d{2}T' THEN (p_event ->> 'timestamp')::timestamptz END,
           CASE WHEN p_event ->> 'attempt_number' ~ '^\d{1,4}$' THEN (p_event ->> 'attempt_number')::int END,
           p_event - 'attempt_number'
      FROM sub
    ON CONFLICT ON CONSTRAINT webhook_events_pkey DO UPDATE
       SET deliveries = e.deliveries + 1, attempt_number = greatest(e.attempt_number, excluded.attempt_number);
    -- the workers of the worker runtime listen: an event is applied as soon as it is committed
    SELECT pg_catalog.pg_notify('nls_work', 'events');
$_$;

--
-- Name: FUNCTION _save_webhook_event(p_path text, p_event jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._save_webhook_event(p_path text, p_event jsonb) IS 'Internal: _save_webhook_event(path, event) stores a verified delivery of the subscription on path in
nls.webhook_events, once per event id (a retry counts a delivery), notes the subscription id and the time, and
notifies channel nls_work (payload events) as the transaction commits.';

--
-- Name: _seen_begin(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._seen_begin() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF to_regclass('pg_temp._nls_seen') IS NULL THEN   -- (IF NOT EXISTS would say so in a NOTICE every read)
        CREATE TEMP TABLE _nls_seen (page_id text PRIMARY KEY, last_edited_time text NOT NULL);
    ELSE
        TRUNCATE pg_temp._nls_seen;
    END IF;
END
$$;

--
-- Name: FUNCTION _seen_begin(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._seen_begin() IS 'Internal: begins a read''s record of the rows it handed on (pg_temp._nls_seen, created when missing, emptied).';

--
-- Name: _seen_fresh(text[], text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._seen_fresh(p_ids text[], p_times text[]) RETURNS TABLE(page_id text, is_new boolean)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _seen_fresh(p_ids text[], p_times text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._seen_fresh(p_ids text[], p_times text[]) IS 'Internal: _seen_fresh(page ids, last_edited_times) records an answer''s rows in the read''s record and returns those
new to the read or edited since it handed them on (is_new: not read before at all).';

--
-- Name: _setting_allowed(text, text, numeric, numeric, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._setting_allowed(p_type text, p_unit text, p_min numeric, p_max numeric, p_allowed text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT CASE p_type
        WHEN 'number' THEN CASE WHEN p_unit = 's' THEN format('a number of seconds from %s to %s', p_min, p_max)
                                ELSE format('a number%s from %s to %s', ' of ' || p_unit, p_min, p_max) END
        WHEN 'integer' THEN format('a whole number%s from %s to %s', ' of ' || p_unit, p_min, p_max)
        WHEN 'choice' THEN 'one of ' || array_to_string(p_allowed, ', ')
        WHEN 'url' THEN 'an http:// or https:// URL'
        WHEN 'path' THEN 'an absolute file path, or '''' for none'
        WHEN 'identifier' THEN 'a schema name of at most 63 bytes (not nls, public, cron, information_schema or '
                               'pg_*), or '''' for none'
        ELSE 'any text' END
$$;

--
-- Name: FUNCTION _setting_allowed(p_type text, p_unit text, p_min numeric, p_max numeric, p_allowed text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._setting_allowed(p_type text, p_unit text, p_min numeric, p_max numeric, p_allowed text[]) IS 'Internal: what a setting takes, in words, from its catalogue columns (type, unit, min_value, max_value, allowed):
e.g. "a number of seconds from 0.1 to 600". Used in nls.set_setting''s errors and the table of docs/settings.md.';

--
-- Name: _setting_fits(text, text, numeric, numeric, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._setting_fits(p_value text, p_type text, p_min numeric, p_max numeric, p_allowed text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
    SELECT p_value IS NOT NULL AND CASE p_type
        WHEN 'number' THEN p_value ~ '^\s*[+]?([0-9]{1,12}(\.[0-9]{0,12})?|\.[0-9]{1,12})\s*$'
                           AND p_value::numeric BETWEEN p_min AND p_max
        WHEN 'integer' THEN p_value ~ '^\s*[+]?[0-9]{1,9}\s*$' AND p_value::numeric BETWEEN p_min AND p_max
        WHEN 'choice' THEN p_value = ANY (p_allowed)
        WHEN 'url' THEN p_value ~ '^https?://[^\s/?#]+[^\s]*$'
        WHEN 'path' THEN p_value = '' OR p_value ~ '^/'
        WHEN 'identifier' THEN p_value = '' OR NOT nls._reserved_schema(p_value)
        ELSE true END
$_$;

--
-- Name: FUNCTION _setting_fits(p_value text, p_type text, p_min numeric, p_max numeric, p_allowed text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._setting_fits(p_value text, p_type text, p_min numeric, p_max numeric, p_allowed text[]) IS 'Internal: whether a value fits a setting''s catalogue columns (type, min_value, max_value, allowed); false for NULL.';

--
-- Name: _source_changed(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._source_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    INSERT INTO nls._clean_queue (user_id, source_id, page_id) VALUES (OLD.user_id, OLD.id, '*') ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

--
-- Name: FUNCTION _source_changed(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._source_changed() IS 'Internal: the trigger sources_clean_whole: a source removed, or its target, property map or enabled flag changed, makes
the next cleaning of its user a whole pass.';

--
-- Name: _source_map(text, jsonb, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._source_map(p_target text, p_property_map jsonb, p_property_ids jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT nls.property_map(p_target, p_property_map) || p_property_ids $$;

--
-- Name: FUNCTION _source_map(p_target text, p_property_map jsonb, p_property_ids jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._source_map(p_target text, p_property_map jsonb, p_property_ids jsonb) IS 'A source''s whole map: nls.property_map(target, sources.property_map) with the stable ids learned for its fields.';

--
-- Name: _sql_keywords(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._sql_keywords() RETURNS SETOF text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T') $$;

--
-- Name: FUNCTION _sql_keywords(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._sql_keywords() IS 'Internal: the SQL key words a column name cannot be unquoted (reserved, or reserved but for functions and types).';

--
-- Name: _stage_learning(text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._stage_learning(p_user text, p_pages text[] DEFAULT NULL::text[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_total int := 0;
    t record;
BEGIN
    PERFORM nls._learn_property_ids(p_user, p_pages);
    FOR t IN SELECT c.target FROM nls.targets() AS c WHERE c.kind = 'learning' ORDER BY c.clean_order LOOP
        v_total := v_total + nls._stage_target(t.target, p_user, p_pages);
    END LOOP;
    PERFORM nls._stage_parents(p_user, p_pages);
    RETURN v_total;
END
$$;

--
-- Name: FUNCTION _stage_learning(p_user text, p_pages text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._stage_learning(p_user text, p_pages text[]) IS 'Step 1 of nls.clean(): _stage_learning(user_id, pages => NULL) copies the pages of learning sources from
stg_notion_pages into their typed staging table (stg_notion_flashcards, ...), only rows that changed; fills
parent_type / parent_notion_id (concepts) and parent_area_notion_id (clusters); with pages NULL it also drops staged
pages whose source is gone, else it looks at those page ids only (the pages written since the last cleaning).
Returns the rows written (int).';

--
-- Name: _stage_parents(text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._stage_parents(p_user text, p_pages text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    -- parents, from the relations the property map names
    UPDATE nls.stg_notion_concepts st
       SET parent_type = x.parent_type, parent_notion_id = x.parent_notion_id
      FROM (SELECT c.user_id, c.notion_page_id,
                   CASE WHEN nls._first_related(c.raw_properties, m.map, 'cluster') IS NOT NULL THEN 'cluster'
                        WHEN nls._first_related(c.raw_properties, m.map, 'area') IS NOT NULL THEN 'area' END
                       AS parent_type,
                   coalesce(nls._first_related(c.raw_properties, m.map, 'cluster'),
                            nls._first_related(c.raw_properties, m.map, 'area')) AS parent_notion_id
              FROM nls.stg_notion_concepts c JOIN nls.sources s ON s.id = c.source_id
             CROSS JOIN LATERAL (SELECT nls._source_map('concepts', s.property_map, s.property_ids) AS map) m
             WHERE (p_user IS NULL OR c.user_id = p_user) AND (p_pages IS NULL OR c.notion_page_id = ANY (p_pages))) x
     WHERE st.user_id = x.user_id AND st.notion_page_id = x.notion_page_id
       AND (st.parent_type, st.parent_notion_id) IS DISTINCT FROM (x.parent_type, x.parent_notion_id);
    UPDATE nls.stg_notion_concept_clusters st
       SET parent_area_notion_id = x.area
      FROM (SELECT c.user_id, c.notion_page_id,
                   nls._first_related(c.raw_properties, nls._source_map('concept_clusters', s.property_map, s.property_ids), 'area')
                       AS area
              FROM nls.stg_notion_concept_clusters c JOIN nls.sources s ON s.id = c.source_id
             WHERE (p_user IS NULL OR c.user_id = p_user) AND (p_pages IS NULL OR c.notion_page_id = ANY (p_pages))) x
     WHERE st.user_id = x.user_id AND st.notion_page_id = x.notion_page_id
       AND st.parent_area_notion_id IS DISTINCT FROM x.area;
END
$$;

--
-- Name: FUNCTION _stage_parents(p_user text, p_pages text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._stage_parents(p_user text, p_pages text[]) IS 'Internal (nls._stage_learning): fills parent_type / parent_notion_id of staged concepts and parent_area_notion_id of
staged clusters from the relations their property map names.';

--
-- Name: _stage_target(text, text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._stage_target(p_target text, p_user text, p_pages text[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
    v_target text := p_target;
    v_rows int;
BEGIN
    -- a page whose source went away (remove_source) leaves staging; the canonical step then removes its row
    -- (a source removed or changed queues a whole pass: nls._source_changed)
    IF p_pages IS NULL THEN
        EXECUTE format($q$
            DELETE FROM nls.%1$I st
             WHERE ($1::text IS NULL OR st.user_id = $1)
               AND NOT EXISTS (SELECT 1 FROM nls.stg_notion_pages p JOIN nls.sources s ON s.id = p.source_id
                                WHERE s.target = %2$L AND p.user_id = st.user_id AND p.page_id = st.notion_page_id)
        $q$, 'stg_notion_' || v_target, v_target) USING p_user;
    END IF;
    EXECUTE format($q$
        INSERT INTO nls.%1$I AS st (user_id, notion_page_id, source_id, raw_properties, raw_content,
                                    last_edited_time, in_trash, last_synced_at, sync_hash)
        SELECT DISTINCT ON (p.user_id, p.page_id) p.user_id, p.page_id, p.source_id, p.raw_properties,
               p.raw_content, p.last_edited_time, p.in_trash OR p.deleted_at IS NOT NULL, p.last_synced_at,
               p.sync_hash
          FROM nls.stg_notion_pages p JOIN nls.sources s ON s.id = p.source_id AND s.target = %2$L
         WHERE ($1::text IS NULL OR p.user_id = $1) AND ($2::text[] IS NULL OR p.page_id = ANY ($2))
         ORDER BY p.user_id, p.page_id, p.last_edited_time DESC, p.source_id
        ON CONFLICT (user_id, notion_page_id) DO UPDATE
           SET source_id = excluded.source_id, raw_properties = excluded.raw_properties,
               raw_content = excluded.raw_content, last_edited_time = excluded.last_edited_time,
               in_trash = excluded.in_trash, last_synced_at = excluded.last_synced_at,
               sync_hash = excluded.sync_hash
         WHERE (st.source_id, st.sync_hash, st.in_trash, st.last_synced_at)
               IS DISTINCT FROM (excluded.source_id, excluded.sync_hash, excluded.in_trash, excluded.last_synced_at)
    $q$, 'stg_notion_' || v_target, v_target) USING p_user, p_pages;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$_$;

--
-- Name: FUNCTION _stage_target(p_target text, p_user text, p_pages text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._stage_target(p_target text, p_user text, p_pages text[]) IS 'Internal (nls._stage_learning): copies the pages of one learning target (p_pages, or all with NULL, when staged rows
whose source went away leave too) into its typed staging table stg_notion_<target>, only rows that changed; returns
how many were written.';

--
-- Name: _status(text, text[], text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._status(p text, p_allowed text[], p_default text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN v = ANY (p_allowed) THEN v ELSE p_default END
      FROM (SELECT regexp_replace(lower(btrim(p)), '[\s-]+', '_', 'g') AS v) AS x
$$;

--
-- Name: FUNCTION _status(p text, p_allowed text[], p_default text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._status(p text, p_allowed text[], p_default text) IS 'A status value in the learning schema''s vocabulary: lower case, spaces and dashes as "_" ("In progress" ->
in_progress); the default when it is not one of the allowed values (the Notion value stays in staging).';

--
-- Name: _stored_hashes(bigint, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._stored_hashes(p_source_id bigint, p_page_ids text[]) RETURNS TABLE(page_id text, sync_hash text, has_content boolean, gone boolean)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT s.page_id, s.sync_hash, s.raw_content IS NOT NULL OR s.content_markdown IS NOT NULL,
           s.deleted_at IS NOT NULL
      FROM nls.stg_notion_pages s
     WHERE s.source_id = p_source_id AND s.page_id = ANY (p_page_ids)
$$;

--
-- Name: FUNCTION _stored_hashes(p_source_id bigint, p_page_ids text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._stored_hashes(p_source_id bigint, p_page_ids text[]) IS 'Internal: for a source and page ids, the stored sync_hash, whether content is stored, and whether the page is
marked gone.';

--
-- Name: _take_budget(text, text, double precision, double precision, double precision); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._take_budget(p_user text, p_workspace_id text, p_rate double precision, p_workspace_rate double precision, p_burst double precision, OUT wait_s double precision, OUT reserved boolean) RETURNS record
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _take_budget(p_user text, p_workspace_id text, p_rate double precision, p_workspace_rate double precision, p_burst double precision, OUT wait_s double precision, OUT reserved boolean); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._take_budget(p_user text, p_workspace_id text, p_rate double precision, p_workspace_rate double precision, p_burst double precision, OUT wait_s double precision, OUT reserved boolean) IS 'Internal: one request of user p_user''s token (in workspace p_workspace_id; NULL while it is not known) in the
request budgets every backend shares: p_rate requests a second for the token and p_workspace_rate for the workspace,
at most p_burst - 1 at once (one request of the burst is kept for the network''s jitter). Returns (wait_s: the
seconds to wait before sending it, reserved: true), or (wait_s, false) when every register a budget may use is in
use: wait, then ask again. A request of a workspace not known yet counts in every workspace budget in use, and a workspace budget is
never behind the one of workspaces not known yet. Never waits on a lock longer than one call takes.';

--
-- Name: _take_clean_queue(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._take_clean_queue(p_user text) RETURNS text[]
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_pages text[];
    v_whole boolean;
BEGIN
    WITH taken AS (
        DELETE FROM nls._clean_queue q WHERE p_user IS NULL OR q.user_id = p_user RETURNING q.page_id
    )
    SELECT coalesce(array_agg(DISTINCT t.page_id) FILTER (WHERE t.page_id <> '*'), '{}'), bool_or(t.page_id = '*')
      INTO v_pages, v_whole FROM taken t;
    RETURN CASE WHEN p_user IS NULL OR v_whole THEN NULL ELSE v_pages END;
END
$$;

--
-- Name: FUNCTION _take_clean_queue(p_user text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._take_clean_queue(p_user text) IS 'Internal: _take_clean_queue(user_id) empties the user''s part of nls._clean_queue and returns the page ids written
since the last cleaning ({} when none), or NULL when the pass must be whole (every user; a source removed or changed).';

--
-- Name: _take_window(text, text, double precision, integer); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._take_window(p_kind text, p_id text, p_window_s double precision, p_default integer, OUT wait_s double precision, OUT budget integer, OUT paced boolean) RETURNS record
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _take_window(p_kind text, p_id text, p_window_s double precision, p_default integer, OUT wait_s double precision, OUT budget integer, OUT paced boolean); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._take_window(p_kind text, p_id text, p_window_s double precision, p_default integer, OUT wait_s double precision, OUT budget integer, OUT paced boolean) IS 'Internal: one request in the window budget of a token (p_kind token, p_id the user id) or a workspace (workspace,
its id) every backend shares. Returns (wait_s 0: counted, send it; wait_s > 0: the budget of the window is spent,
wait that long for its end and ask again; budget: the requests per window the scope is known to have, p_default
until one is learned (spent at any pace: in a burst), half as much again after a window spent whole without a 429;
paced: true when the scope''s limit is a rate (budget: the burst it lets through, 0 when not known), when no
register is free, or when p_default is past 4095 while nothing is learned: pace with nls._take_budget, nothing was
counted). A window opens with the first request after the last one ended and lasts p_window_s seconds (or as long
as Notion showed it to be) and one more for the network.';

--
-- Name: _target_catalogue(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._target_catalogue() RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$ SELECT $targets$
{
  "pages": {"kind": "raw", "canonical_table": "stg_notion_pages", "page_id_column": "page_id",
            "notion_database_name": null, "clean_order": 0, "property_map": {}},
  "concept_areas": {"kind": "learning", "canonical_table": "clean_concept_areas", "page_id_column": "notion_id",
                    "notion_database_name": "Concept Areas", "clean_order": 1,
                    "property_map": {"name": "Name", "description": "Description", "domain": "Domain",
                                     "display_order": "Order"}},
  "concept_clusters": {"kind": "learning", "canonical_table": "clean_concept_clusters", "page_id_column": "notion_id",
                       "notion_database_name": "Concept Clusters", "clean_order": 2,
                       "property_map": {"name": "Name", "description": "Description", "area": "Area",
                                        "exam_weight": "Exam Weight", "display_order": "Order"}},
  "concepts": {"kind": "learning", "canonical_table": "concepts", "page_id_column": "notion_id",
               "notion_database_name": "Concepts", "clean_order": 3,
               "property_map": {"name": "Name", "definition": "Definition", "domain": "Domain", "status": "Status",
                                "cluster": "Cluster", "area": "Area", "dec_score": "DEC Score",
                                "proc_score": "PROC Score", "app_score": "APP Score",
                                "last_reviewed_at": "Last Reviewed"}},
  "programs": {"kind": "learning", "canonical_table": "clean_programs", "page_id_column": "notion_id",
               "notion_database_name": "Programs", "clean_order": 4,
               "property_map": {"name": "Name", "description": "Description", "status": "Status",
                                "start_date": "Start Date", "end_date": "End Date"}},
  "tracks": {"kind": "learning", "canonical_table": "clean_tracks", "page_id_column": "notion_id",
             "notion_database_name": "Tracks", "clean_order": 5,
             "property_map": {"name": "Name", "description": "Description", "program": "Program",
                              "display_order": "Order"}},
  "modules": {"kind": "learning", "canonical_table": "learning_modules", "page_id_column": "notion_id",
              "notion_database_name": "Modules", "clean_order": 6,
              "property_map": {"name": "Name", "description": "Description", "track": "Track", "week_order": "Week",
                               "status": "Status"}},
  "flashcards": {"kind": "learning", "canonical_table": "learning_atoms", "page_id_column": "notion_id",
                 "notion_database_name": "Flashcards", "clean_order": 7,
                 "property_map": {"card_id": "CardID", "front": "Question", "back": "Answer", "concept": "Concept",
                                  "module": "Module", "status": "Status", "atom_type": "Type"}},
  "worlds": {"kind": "creative", "canonical_table": "worlds", "page_id_column": "notion_page_id",
             "notion_database_name": "Worlds", "clean_order": 8,
             "property_map": {"name": "World Name", "description": "Concept/Premise"}},
  "characters": {"kind": "creative", "canonical_table": "characters", "page_id_column": "notion_page_id",
                 "notion_database_name": "Characters", "clean_order": 9,
                 "property_map": {"name": "Name", "description": ["Description", "Bio", "Backstory"]}},
  "stories": {"kind": "creative", "canonical_table": "stories", "page_id_column": "notion_page_id",
              "notion_database_name": "Stories", "clean_order": 10,
              "property_map": {"title": "Story Title", "description": "Premise"}},
  "chat_sessions": {"kind": "creative", "canonical_table": "chat_sessions", "page_id_column": "notion_page_id",
                    "notion_database_name": "Chat Sessions", "clean_order": 11,
                    "property_map": {"title": "Session Title", "transcript": "Raw Transcript",
                                     "message_count": "Message Count"}}
}
$targets$::jsonb $_$;

--
-- Name: FUNCTION _target_catalogue(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._target_catalogue() IS 'Internal: the one list of sync targets, {target: {kind, canonical_table, page_id_column, notion_database_name,
clean_order, property_map}} (jsonb). Read it through nls.targets() and nls.property_map().';

--
-- Name: _target_kind(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._target_kind(p_target text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT nls._target_catalogue() -> p_target ->> 'kind' $$;

--
-- Name: FUNCTION _target_kind(p_target text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._target_kind(p_target text) IS 'Internal: the kind of a target (raw, learning, creative), or NULL for a name that is no target.';

--
-- Name: _title(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._title(p_properties jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT nls.notion_text(v) FROM jsonb_each(p_properties) AS e(k, v) WHERE v ->> 'type' = 'title' LIMIT 1 $$;

--
-- Name: FUNCTION _title(p_properties jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._title(p_properties jsonb) IS 'The text of a page''s title property, whatever its name.';

--
-- Name: _two_way_done(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._two_way_done() RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT set_config('nls.writer', '', true) $$;

--
-- Name: FUNCTION _two_way_done(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._two_way_done() IS 'Internal: ends what nls._two_way_want began: later writes of the transaction are local changes again.';

--
-- Name: _two_way_want(text, text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._two_way_want(p_table text, p_key text, p_user text) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
    v_column text;
    v_rows int;
    v_kept int := 0;
BEGIN
    -- what the pipeline writes from here on is Notion's, not a local change (nls._two_way_done ends it)
    PERFORM set_config('nls.writer', 'clean', true);
    IF p_table = 'learning_atoms' THEN
        -- an atom with no page whose new page's card id (nls._new_page_cards) a synced page holds is that page's
        -- atom: a page nls created whose answer was lost, or whose notion_id and card id a rolled-back transaction
        -- took away; the page becomes no second atom
        UPDATE nls.learning_atoms a SET notion_id = w.notion_id
          FROM nls._new_page_cards(p_user) n
          JOIN pg_temp._nls_want w ON w.user_id = n.user_id AND w.card_id = n.card_id
         WHERE a.id = n.atom_id AND a.notion_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM nls.learning_atoms b
                            WHERE b.user_id = w.user_id AND b.notion_id = w.notion_id);
        UPDATE nls.notion_sync_state st
           SET notion_page_id = a.notion_id, create_attempted_at = NULL, status = 'synced', base_values = '{}',
               conflict = NULL, last_error = NULL, last_error_code = NULL, updated_at = clock_timestamp()
          FROM nls.learning_atoms a
         WHERE st.local_table = 'learning_atoms' AND st.local_id = a.id AND st.notion_page_id IS NULL
           AND a.notion_id IS NOT NULL AND (p_user IS NULL OR a.user_id = p_user);
    END IF;
    -- a column waiting to be pushed keeps its local value in the wanted rows
    FOR v_column IN SELECT DISTINCT k.key FROM nls.notion_sync_state s
                     CROSS JOIN LATERAL jsonb_object_keys(s.base_values) AS k(key)
                     WHERE s.local_table = p_table AND (p_user IS NULL OR s.user_id = p_user)
                       AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = 'pg_temp._nls_want'::regclass
                                      AND a.attname = k.key AND NOT a.attisdropped AND a.attnum > 0)
    LOOP
        EXECUTE format('UPDATE pg_temp._nls_want w SET %1$I = t.%1$I FROM nls.%2$I t '
                       'JOIN nls.notion_sync_state s ON s.user_id = t.user_id AND s.local_table = %2$L '
                       'AND s.local_id = t.id '
                       'WHERE w.user_id = t.user_id AND w.%3$I = t.%3$I AND s.base_values ? %4$L '
                       'AND w.%1$I IS DISTINCT FROM t.%1$I', v_column, p_table, p_key, v_column);
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        v_kept := v_kept + v_rows;
    END LOOP;
    RETURN v_kept;
END
$_$;

--
-- Name: FUNCTION _two_way_want(p_table text, p_key text, p_user text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._two_way_want(p_table text, p_key text, p_user text) IS 'Internal (nls._clean_entity, after it computed pg_temp._nls_want): marks the pipeline''s writes as its own
(nls.writer = ''clean'', transaction-local), gives an atom with no page the synced page that carries the card id of
its new page (nls._new_page_cards: also the one derived from its id, which a rolled-back push may have sent), so that
no second atom is made for that page, and keeps in the wanted rows the local value of every column waiting to be
pushed (nls.notion_sync_state.base_values), so that a cleaning never overwrites a local change Notion has not taken
yet. Returns how many wanted values it kept local.';

--
-- Name: _typed_fixed_columns(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._typed_fixed_columns() RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT '[["page_id", "text", "p.page_id", "the Notion page id"],
             ["url", "text", "p.raw_page ->> ''url''", "the page''s URL in Notion"],
             ["in_trash", "boolean", "p.in_trash", "the page is in Notion''s trash"],
             ["is_archived", "boolean", "coalesce(CASE WHEN jsonb_typeof(p.raw_page -> ''is_archived'') = ''boolean'' THEN (p.raw_page -> ''is_archived'')::boolean END, false)", "the page is archived (a state apart from trash, Notion-Version 2026-03-11)"],
             ["deleted_at", "timestamp with time zone", "p.deleted_at", "when Notion answered 404 for the page (deleted or no longer shared); NULL while it exists"],
             ["value_marks", "jsonb", "p.value_marks", "values that are not Notion''s true value, by property id (nls.stg_notion_pages.value_marks): their columns are NULL"]]'::jsonb
$$;

--
-- Name: FUNCTION _typed_fixed_columns(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._typed_fixed_columns() IS 'Internal: the columns every typed view has before its property columns: [name, SQL type, expression, meaning].';

--
-- Name: _typed_kinds(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._typed_kinds() RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT '{"text":            ["text", "nls.notion_text(%s)"],
             "number":          ["numeric", "nls.notion_number(%s)"],
             "boolean":         ["boolean", "nls.notion_boolean(%s)"],
             "names":           ["text[]", "nls.notion_names(%s)"],
             "ids":             ["text[]", "nls.notion_ids(%s)"],
             "texts":           ["text[]", "nls.notion_texts(%s)"],
             "date":            ["date", "nls.notion_date(%s)"],
             "date_end":        ["date", "nls.notion_date(%s, ''end'')"],
             "timestamptz":     ["timestamp with time zone", "nls.notion_timestamptz(%s)"],
             "timestamptz_end": ["timestamp with time zone", "nls.notion_timestamptz(%s, ''end'')"],
             "range":           ["tstzrange", "nls.notion_range(%s)"],
             "user":            ["text", "nls.notion_user(%s)"],
             "unique_number":   ["bigint", "nls.notion_unique_number(%s)"],
             "jsonb":           ["jsonb", "%s"]}'::jsonb
$$;

--
-- Name: FUNCTION _typed_kinds(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._typed_kinds() IS 'Internal: the kinds a typed view''s column can be, {kind: [SQL type, expression over the property value]}: the
only expressions nls._typed_view_select writes into a view.';

--
-- Name: _typed_observed(bigint, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._typed_observed(p_source_id bigint, p_data_source_id text) RETURNS TABLE(property_id text, name text, type text, result_types jsonb, has_time boolean, has_end boolean)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    WITH v AS MATERIALIZED (
        SELECT e.value ->> 'id' AS property_id, e.key AS name, e.value ->> 'type' AS type,
               e.value -> (e.value ->> 'type') AS inner_value, p.last_synced_at, p.last_edited_time
          FROM nls.stg_notion_pages p CROSS JOIN LATERAL jsonb_each(p.raw_properties) AS e
         WHERE p.source_id = p_source_id AND p.data_source_id = p_data_source_id
           AND NOT p.in_trash AND p.deleted_at IS NULL AND e.value ->> 'id' IS NOT NULL
    ), cur AS (   -- each property as the page read last shows it
        SELECT DISTINCT ON (v.property_id) v.property_id, v.name, v.type
          FROM v ORDER BY v.property_id, v.last_synced_at DESC, v.last_edited_time DESC
    ), shaped AS (
        SELECT v.property_id,
               CASE WHEN v.type IN ('formula', 'rollup') THEN v.inner_value ->> 'type' END AS result_type,
               CASE WHEN v.type = 'date' THEN v.inner_value
                    WHEN v.type IN ('formula', 'rollup') AND v.inner_value ->> 'type' = 'date'
                        THEN v.inner_value -> 'date' END AS d
          FROM v JOIN cur ON cur.property_id = v.property_id AND cur.type = v.type
    ), stats AS (
        SELECT s.property_id,
               coalesce(bool_or(length(s.d ->> 'start') > 10 OR length(s.d ->> 'end') > 10), false) AS has_time,
               coalesce(bool_or(s.d ->> 'end' IS NOT NULL), false) AS has_end
          FROM shaped s GROUP BY s.property_id
    ), results AS (
        SELECT r.property_id, jsonb_object_agg(r.result_type, r.n) AS result_types
          FROM (SELECT s.property_id, s.result_type, count(*) AS n FROM shaped s
                 WHERE s.result_type IS NOT NULL GROUP BY 1, 2) r
         GROUP BY r.property_id
    )
    SELECT cur.property_id, cur.name, cur.type, coalesce(results.result_types, '{}'),
           coalesce(stats.has_time, false), coalesce(stats.has_end, false)
      FROM cur LEFT JOIN stats USING (property_id) LEFT JOIN results USING (property_id)
     ORDER BY cur.property_id
$$;

--
-- Name: FUNCTION _typed_observed(p_source_id bigint, p_data_source_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._typed_observed(p_source_id bigint, p_data_source_id text) IS 'Internal: what the live stored pages of a data source show of each property, for its typed view:
(property_id, name and type as the page read last shows them, result_types {formula or rollup result type: pages},
has_time: some date value holds a time, has_end: some date value is a range).';

--
-- Name: _typed_view_columns(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._typed_view_columns(p_columns jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT ARRAY(SELECT f ->> 0 || ' ' || (f ->> 1) FROM jsonb_array_elements(nls._typed_fixed_columns())
                                                          WITH ORDINALITY AS a(f, o) ORDER BY o)
        || ARRAY(SELECT (c ->> 'column') || ' ' || (nls._typed_kinds() -> (c ->> 'kind') ->> 0)
                   FROM jsonb_array_elements(p_columns) WITH ORDINALITY AS a(c, o) ORDER BY o)
$$;

--
-- Name: FUNCTION _typed_view_columns(p_columns jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._typed_view_columns(p_columns jsonb) IS 'Internal: a typed view''s columns as "name type" (format_type''s spelling), fixed columns first.';

--
-- Name: _typed_view_comment(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._typed_view_comment() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT 'nls typed view: one row per page of a synced Notion data source, one column per property, read by '
           'property id (nls.typed_view_columns says which, to the view''s own user only). Follows the data '
           'source''s schema after each sync; nls.create_typed_view re-creates it, nls.drop_typed_view drops it; its '
           'changes are in nls.typed_view_history.'
$$;

--
-- Name: FUNCTION _typed_view_comment(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._typed_view_comment() IS 'Internal: the COMMENT of every typed view, the same for every user''s (the catalogue is readable by every role).';

--
-- Name: _typed_view_definition(bigint, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._typed_view_definition(p_typed_view_id bigint, p_columns jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT nls._typed_view_select(p_columns)
           || format(' WHERE p.source_id = (SELECT t.source_id FROM nls.typed_views t WHERE t.id = %s)'
                     ' AND p.data_source_id = (SELECT t.data_source_id FROM nls.typed_views t WHERE t.id = %s)',
                     p_typed_view_id, p_typed_view_id)
$$;

--
-- Name: FUNCTION _typed_view_definition(p_typed_view_id bigint, p_columns jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._typed_view_definition(p_typed_view_id bigint, p_columns jsonb) IS 'Internal: the text of a built typed view (nls._build_typed_view): _typed_view_definition(typed_view_id,
columns jsonb) returns nls._typed_view_select''s SELECT over the data source its nls.typed_views row names, read
through that row (under row-level security) when the view is queried: the view''s definition, which every role can
read in the catalogue, holds no source or data source id. Raises 22023 for a column of no known kind.';

--
-- Name: _typed_view_query(bigint, text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._typed_view_query(p_source_id bigint, p_data_source_id text, p_columns jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT nls._typed_view_select(p_columns)
           || format(' WHERE p.source_id = %s AND p.data_source_id = %L', p_source_id, p_data_source_id)
$$;

--
-- Name: FUNCTION _typed_view_query(p_source_id bigint, p_data_source_id text, p_columns jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._typed_view_query(p_source_id bigint, p_data_source_id text, p_columns jsonb) IS 'Internal: the query of the typed rows of one data source of a source, for the session that asked
(nls.typed_select): _typed_view_query(source_id, data_source_id, columns jsonb) returns its SELECT text
(nls._typed_view_select), the source and data source written in. Raises 22023 for a column of no known kind.';

--
-- Name: _typed_view_schema(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._typed_view_schema(p_schema text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF nls._typed_view_schema_ok(p_schema) THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE SCHEMA %I', p_schema);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO nls_app, nls_cron', p_schema);
    EXECUTE format('COMMENT ON SCHEMA %I IS %L', p_schema,
                   'nls typed views: one view per synced Notion data source (SELECT * FROM nls.typed_views)');
    INSERT INTO nls.typed_view_schemas (schema_name) VALUES (p_schema);
END
$$;

--
-- Name: FUNCTION _typed_view_schema(p_schema text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._typed_view_schema(p_schema text) IS 'Internal (nls._build_typed_view only): makes sure a schema may hold typed views: creates it (owned by nls''s owner,
usable by nls_app and nls_cron) unless nls already did; raises 22023 for a reserved name, 42P06 for a schema nls did
not create (nls._typed_view_schema_ok).';

--
-- Name: _typed_view_schema_ok(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._typed_view_schema_ok(p_schema text) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF nls._reserved_schema(p_schema) THEN
        RAISE EXCEPTION 'nls: schema_name "%" cannot hold typed views', p_schema
            USING ERRCODE = '22023', HINT = 'Use a schema of your own (default notion), not nls, public, cron, '
                                            'information_schema or pg_*, of at most 63 bytes.';
    END IF;
    IF EXISTS (SELECT 1 FROM nls.typed_view_schemas s WHERE s.schema_name = p_schema) THEN
        RETURN true;
    END IF;
    IF to_regnamespace(quote_ident(p_schema)) IS NOT NULL THEN
        RAISE EXCEPTION 'nls: schema "%" exists and was not created by nls for typed views', p_schema
            USING ERRCODE = '42P06',
                  HINT = 'Give a schema_name that does not exist yet (nls creates it) or that already holds typed views.';
    END IF;
    RETURN false;
END
$$;

--
-- Name: FUNCTION _typed_view_schema_ok(p_schema text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._typed_view_schema_ok(p_schema text) IS 'Internal: whether a schema may hold typed views, creating nothing (nls.create_typed_view asks it): true when nls
created it, false when it does not exist yet (the builder creates it with the first view there); raises 22023 for a
reserved name, 42P06 for a schema nls did not create.';

--
-- Name: _typed_view_select(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._typed_view_select(p_columns jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_kinds jsonb := nls._typed_kinds();
    v_list text[] := ARRAY(SELECT format('%s AS %I', f ->> 2, f ->> 0)
                             FROM jsonb_array_elements(nls._typed_fixed_columns()) WITH ORDINALITY AS a(f, o)
                            ORDER BY o);
    c jsonb;
    v_kind jsonb;
    v_expr text;
BEGIN
    FOR c IN SELECT e FROM jsonb_array_elements(p_columns) WITH ORDINALITY AS a(e, o) ORDER BY o LOOP
        v_kind := v_kinds -> (c ->> 'kind');
        IF v_kind IS NULL OR coalesce(c ->> 'column', '') = '' OR coalesce(c ->> 'property_id', '') = '' THEN
            RAISE EXCEPTION 'nls: typed view column % is not one nls can build', c
                USING ERRCODE = '22023', HINT = 'Kinds: ' || (SELECT string_agg(k, ', ') FROM jsonb_object_keys(v_kinds) k);
        END IF;
        IF coalesce((c ->> 'removed')::boolean, false) THEN
            v_expr := format('NULL::%s', v_kind ->> 0);
        ELSE
            v_expr := format('(%s)::%s', format(v_kind ->> 1, format('x.v -> %L', c ->> 'property_id')), v_kind ->> 0);
            IF c ->> 'type' IN ('formula', 'rollup') THEN   -- a marked value is not Notion's true value
                v_expr := format('CASE WHEN p.value_marks ? %L THEN NULL ELSE %s END', c ->> 'property_id', v_expr);
            END IF;
        END IF;
        v_list := v_list || format('%s AS %I', v_expr, c ->> 'column');
    END LOOP;
    RETURN format(E'SELECT %s\n  FROM nls.stg_notion_pages p\n'
                  || E' CROSS JOIN LATERAL (SELECT jsonb_object_agg(e.value ->> ''id'', e.value) AS v\n'
                  || E'                       FROM jsonb_each(p.raw_properties) AS e WHERE e.value ? ''id'') AS x\n',
                  array_to_string(v_list, E',\n       '));
END
$$;

--
-- Name: FUNCTION _typed_view_select(p_columns jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._typed_view_select(p_columns jsonb) IS 'Internal: a typed view''s SELECT and FROM, without its WHERE: _typed_view_select(columns jsonb [{column,
property_id, type, kind, removed?}]) returns text: the fixed columns (nls._typed_fixed_columns), then each property
read by its id (a rename does not move it), typed by its kind (nls._typed_kinds); a removed property''s column is
NULL, a marked formula or rollup value NULL. Raises 22023 for a column of no known kind.';

--
-- Name: _unseen_pages(bigint, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._unseen_pages(p_source_id bigint, p_data_source_id text) RETURNS SETOF text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    RETURN QUERY
    SELECT s.page_id FROM nls.stg_notion_pages s
     WHERE s.source_id = p_source_id AND s.data_source_id = p_data_source_id
       AND NOT s.in_trash AND s.deleted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM pg_temp._nls_seen r WHERE r.page_id = s.page_id);
END
$$;

--
-- Name: FUNCTION _unseen_pages(p_source_id bigint, p_data_source_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._unseen_pages(p_source_id bigint, p_data_source_id text) IS 'Internal: stored, not trashed, not gone pages of a data source that the complete read just made did not return (its
record, pg_temp._nls_seen).';

--
-- Name: _upsert_pages(bigint, text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._upsert_pages(p_source_id bigint, p_user_id text, p_pages jsonb, OUT added integer, OUT updated integer) RETURNS record
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION _upsert_pages(p_source_id bigint, p_user_id text, p_pages jsonb, OUT added integer, OUT updated integer); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._upsert_pages(p_source_id bigint, p_user_id text, p_pages jsonb, OUT added integer, OUT updated integer) IS 'Internal: upserts a JSON array of pages into nls.stg_notion_pages, writing only changed hashes and never an older
last_edited_time over a newer one; returns (added, updated).';

--
-- Name: _want_atoms(text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._want_atoms(p_user text, p_pages text[]) RETURNS TABLE(user_id text, notion_id text, card_id text, atom_type text, front text, back text, concept_id uuid, module_id uuid, quality_score numeric, is_atomic boolean, front_word_count integer, back_word_count integer, atomicity_status text, needs_review boolean)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
WITH cards AS MATERIALIZED (
    SELECT st.user_id, st.notion_page_id AS notion_id,
           nls.normalize_card_id(CASE WHEN ps.base_values ? 'card_id' THEN cur.card_id
                                      ELSE nls._field(st.raw_properties, m.map, 'card_id') END) AS card_id,
           -- a local change waiting to be pushed (nls.notion_sync_state, sql/80_push.sql) wins over Notion's value;
           -- so does an approved rewrite newer than the card's last Notion edit, of an atom two-way sync has not taken
           CASE WHEN ps.base_values ? 'front' OR (cur.last_rewrite_at > st.last_edited_time AND ps.id IS NULL)
                THEN cur.front ELSE coalesce(nls._field(st.raw_properties, m.map, 'front'), '') END AS front,
           CASE WHEN ps.base_values ? 'back' OR (cur.last_rewrite_at > st.last_edited_time AND ps.id IS NULL)
                THEN cur.back ELSE nls._field(st.raw_properties, m.map, 'back') END AS back,
           CASE WHEN ps.base_values ? 'atom_type' THEN cur.atom_type
                ELSE nls._field(st.raw_properties, m.map, 'atom_type') END AS mapped_type,
           CASE WHEN ps.base_values ? 'concept_id' THEN cur.concept_id ELSE c.id END AS concept_id,
           CASE WHEN ps.base_values ? 'module_id' THEN cur.module_id ELSE mo.id END AS module_id,
           cur.card_id AS current_card_id
      FROM nls.stg_notion_flashcards st JOIN nls.sources s ON s.id = st.source_id
     CROSS JOIN LATERAL (SELECT nls._source_map('flashcards', s.property_map, s.property_ids) AS map) m
      LEFT JOIN nls.learning_atoms cur ON cur.user_id = st.user_id AND cur.notion_id = st.notion_page_id
      LEFT JOIN nls.notion_sync_state ps
             ON ps.user_id = cur.user_id AND ps.local_table = 'learning_atoms' AND ps.local_id = cur.id
      LEFT JOIN nls.concepts c
             ON c.user_id = st.user_id AND c.notion_id = nls._first_related(st.raw_properties, m.map, 'concept')
      LEFT JOIN nls.learning_modules mo
             ON mo.user_id = st.user_id AND mo.notion_id = nls._first_related(st.raw_properties, m.map, 'module')
     WHERE NOT st.in_trash AND (p_user IS NULL OR st.user_id = p_user)
       AND (p_pages IS NULL OR st.notion_page_id = ANY (p_pages))
), graded AS MATERIALIZED (
    SELECT cards.*, nls.atom_type_for(front, mapped_type) AS atom_type,
           nls.atomicity_status(front, back) AS atomicity_status,
           -- two cards of one user with one card id: the card that holds it keeps it, the other loses it
           card_id IS NOT NULL AND row_number() OVER (
               PARTITION BY user_id, card_id
               ORDER BY (current_card_id IS NOT DISTINCT FROM card_id) DESC, notion_id) > 1 AS duplicate_card_id
      FROM cards
), scored AS (
    SELECT graded.*, nls.atom_quality_score(front, back, atom_type, atomicity_status, concept_id IS NOT NULL,
                                            module_id IS NOT NULL) AS quality_score
      FROM graded
)
SELECT user_id, notion_id, CASE WHEN duplicate_card_id THEN NULL ELSE card_id END AS card_id, atom_type, front, back,
       concept_id, module_id, quality_score, atomicity_status = 'atomic' AS is_atomic,
       nls.word_count(front) AS front_word_count, nls.word_count(back) AS back_word_count, atomicity_status,
       duplicate_card_id OR nls.atom_needs_review(back, atomicity_status, quality_score) AS needs_review
  FROM scored
$$;

--
-- Name: FUNCTION _want_atoms(p_user text, p_pages text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._want_atoms(p_user text, p_pages text[]) IS 'Internal: _want_atoms(user_id, pages) is what nls.learning_atoms should hold for the synced flashcards (every user''s
with NULL, every card with pages NULL), graded by the card rules; the view nls._want_learning_atoms reads it whole.
Two cards of one user with one card id: the card that holds it keeps it (so a restricted call must include the cards
that hold or lack a card id the given ones hold or held: nls.clean does).';

--
-- Name: _webhook_users(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._webhook_users() RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT DISTINCT e.user_id FROM nls.webhook_events e
      JOIN nls.integrations i ON i.user_id = e.user_id AND i.status = 'active'
     WHERE e.applied_at IS NULL ORDER BY 1
$$;

--
-- Name: FUNCTION _webhook_users(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._webhook_users() IS 'Internal (the scheduled job): the users with webhook events waiting to be applied and an active integration. Runs
as its owner: the job must see every user to apply each user''s events acting for that user; it learns user ids and
nothing else.';

--
-- Name: _window_learned(bigint[], bigint, bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._window_learned(p_budgets bigint[], p_tag bigint, p_now bigint) RETURNS integer
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT CASE WHEN t > p_now THEN (t & 16777215)::int ELSE 0 END FROM nls._budget_time(p_budgets, p_tag) t
$$;

--
-- Name: FUNCTION _window_learned(p_budgets bigint[], p_tag bigint, p_now bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._window_learned(p_budgets bigint[], p_tag bigint, p_now bigint) IS 'Internal: what was learned of a limit (the low 24 bits of its register, tagged p_tag) while it is not forgotten at
p_now; 0 when nothing is.';

--
-- Name: _window_time(bigint, double precision, bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._window_time(p_now bigint, p_seconds double precision, p_unit bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT (ceil((p_now + p_seconds * 10000) / p_unit)::bigint * p_unit) $$;

--
-- Name: FUNCTION _window_time(p_now bigint, p_seconds double precision, p_unit bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._window_time(p_now bigint, p_seconds double precision, p_unit bigint) IS 'Internal: p_seconds after p_now (ticks), rounded up to a multiple of p_unit (ticks): a window''s end (16384) or
when what was learned of a limit is forgotten (2^24).';

--
-- Name: _write_edges(bigint, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls._write_edges(p_source_id bigint, p_page_ids text[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET enable_bitmapscan TO 'off'
    SET enable_seqscan TO 'off'
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

--
-- Name: FUNCTION _write_edges(p_source_id bigint, p_page_ids text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls._write_edges(p_source_id bigint, p_page_ids text[]) IS 'Rewrite nls.notion_relation_edges for these pages of a source from their stored raw_properties (one row per
relation item, in Notion''s order); returns the edges written. Called by the sync with every batch it stores.';

--
-- Name: add_anki_account(text, text, text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.add_anki_account(user_id text, username text, password text, endpoint text DEFAULT NULL::text) RETURNS bigint
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.add_anki_account(plpy, GD, user_id, username, password, endpoint)
$$;

--
-- Name: FUNCTION add_anki_account(user_id text, username text, password text, endpoint text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.add_anki_account(user_id text, username text, password text, endpoint text) IS 'Store a user''s Anki account: add_anki_account(user_id, username, password, endpoint => NULL) returns the
account id (bigint). endpoint NULL is AnkiWeb; else the URL of the learner''s own sync server (http or https, no
credentials in it). username and password are encrypted together with the token key ring (AES-256-GCM, the owner
and "anki" bound in; pass them as bound parameters) and never echoed; the first nls.anki_sync logs in, keeps the
session key the same way and drops the password. Storing again sets the account active (after needs_reauth); with
another username or endpoint the collection nls kept is forgotten. Needs neither Anki''s library nor the network.
Raises 22004 for a NULL user_id, username or password, 22023 for an empty one or an endpoint that is no sync server
URL (the argument is named), and when no encryption key is set (the hint says how).';

--
-- Name: add_event_endpoint(text, text, text, text[]); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.add_event_endpoint(user_id text, url text, secret text, kinds text[] DEFAULT NULL::text[]) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
    v_user text := nls._require(add_event_endpoint.user_id, 'user_id', 'add_event_endpoint');
    v_url text := btrim(nls._require(add_event_endpoint.url, 'url', 'add_event_endpoint'));
    v_secret text := nls._require(add_event_endpoint.secret, 'secret', 'add_event_endpoint');
    v_kinds text[] := coalesce(add_event_endpoint.kinds, nls.event_kinds());
    v_id bigint;
BEGIN
    IF v_url !~* '^https?://[^/\s?#@]+(/\S*)?$' THEN   -- the URL is not echoed: it may carry a credential
        RAISE EXCEPTION 'nls: add_event_endpoint needs an http:// or https:// URL without user:password@ (argument url)'
              USING ERRCODE = '22023',
                    HINT = 'Give the full URL the deliveries are POSTed to, e.g. https://app.example/nls-events; '
                           'the secret signs each delivery, so the URL needs no credential.';
    END IF;
    IF btrim(v_secret) = '' THEN
        RAISE EXCEPTION 'nls: add_event_endpoint needs a secret (argument secret), not an empty text'
              USING ERRCODE = '22023',
                    HINT = 'Give the secret the receiver checks X-Nls-Signature with (at least 32 random bytes, '
                           'e.g. encode(gen_random_bytes(32), ''hex'')).';
    END IF;
    IF cardinality(v_kinds) = 0
       OR EXISTS (SELECT 1 FROM unnest(v_kinds) k WHERE k IS NULL OR k <> ALL (nls.event_kinds())) THEN
        RAISE EXCEPTION 'nls: add_event_endpoint got unknown or no kinds (argument kinds): %', v_kinds
              USING ERRCODE = '22023',
                    HINT = 'Use NULL for every kind, or some of: ' || array_to_string(nls.event_kinds(), ', ') || '.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM nls.integrations i WHERE i.user_id = v_user)
       AND NOT EXISTS (SELECT 1 FROM nls.anki_accounts a WHERE a.user_id = v_user) THEN
        RAISE EXCEPTION 'nls: user % has no integration this session can see (argument user_id)',
              quote_literal(v_user)
              USING ERRCODE = 'P0002',
                    HINT = 'Store the user''s token first (nls.add_integration), and act for that user '
                           '(SET nls.user_id) when not an administrator.';
    END IF;
    v_kinds := ARRAY(SELECT DISTINCT k FROM unnest(v_kinds) k ORDER BY 1);
    -- (no ON CONFLICT: it would read the secret column, which the application may write but not read)
    UPDATE nls._event_endpoints e SET secret = v_secret, kinds = v_kinds, updated_at = now()
     WHERE e.user_id = v_user AND e.url = v_url
    RETURNING e.id INTO v_id;
    IF v_id IS NULL THEN
        INSERT INTO nls._event_endpoints AS e (user_id, url, secret, kinds) VALUES (v_user, v_url, v_secret, v_kinds)
        RETURNING e.id INTO v_id;
    END IF;
    RETURN v_id;
END
$_$;

--
-- Name: FUNCTION add_event_endpoint(user_id text, url text, secret text, kinds text[]); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.add_event_endpoint(user_id text, url text, secret text, kinds text[]) IS 'Registers where a user''s events go: add_event_endpoint(user_id, url, secret, kinds => NULL) returns the endpoint''s
id (bigint). Every event of the user whose kind is in kinds (NULL: every kind of nls.event_kinds()) made from then on
is POSTed to url as JSON, signed with secret (headers X-Nls-Timestamp, X-Nls-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<raw body>">), in order, retried with backoff (docs/events.md). The same user and url again replace the
secret and the kinds and keep the id. Row-level security applies: a session acting for a user registers for that
user only. Raises 22004 for a NULL user_id, url or secret, 22023 for a url that is not http(s), an empty secret or
an unknown kind, P0002 when the session sees no integration of that user.';

--
-- Name: add_integration(text, text, text, text, text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.add_integration(user_id text, access_token text, workspace_id text DEFAULT NULL::text, workspace_name text DEFAULT NULL::text, workspace_icon text DEFAULT NULL::text, bot_id text DEFAULT NULL::text) RETURNS bigint
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.add_integration(plpy, GD, user_id, access_token, workspace_id, workspace_name, workspace_icon, bot_id)
$$;

--
-- Name: FUNCTION add_integration(user_id text, access_token text, workspace_id text, workspace_name text, workspace_icon text, bot_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.add_integration(user_id text, access_token text, workspace_id text, workspace_name text, workspace_icon text, bot_id text) IS 'Store a user''s Notion connection: add_integration(user_id, access_token, workspace_id, workspace_name,
workspace_icon, bot_id) returns the integration id (bigint). The token is encrypted with AES-256-GCM (key from the
server environment NLS_ENCRYPTION_KEY or the encryption_key_file setting, owner bound as associated data) and never
echoed. Storing again replaces the token and sets the integration active. Raises 55000 when the key is missing (the
hint says how to set it), 22004 for a NULL user_id or access_token, 22023 for an empty one.';

--
-- Name: add_source(text, text, text, text, boolean, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.add_source(user_id text, database_id text, target text DEFAULT 'pages'::text, database_name text DEFAULT NULL::text, with_content boolean DEFAULT false, property_map jsonb DEFAULT NULL::jsonb) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION add_source(user_id text, database_id text, target text, database_name text, with_content boolean, property_map jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.add_source(user_id text, database_id text, target text, database_name text, with_content boolean, property_map jsonb) IS 'Sync a Notion database for a user: add_source(user_id, database_id, target => ''pages'', database_name => NULL,
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

--
-- Name: anki_sync(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.anki_sync(user_id text) RETURNS jsonb
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.anki_sync(plpy, GD, user_id)
$$;

--
-- Name: FUNCTION anki_sync(user_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.anki_sync(user_id text) IS 'Sync a user''s Anki collection now, in the caller''s transaction (in the worker runtime a worker runs it and
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

--
-- Name: apply_all_webhook_events(); Type: PROCEDURE; Schema: nls; Owner: -
--

CREATE PROCEDURE nls.apply_all_webhook_events()
    LANGUAGE plpython3u
    AS $_$
# as nls.sync_all_users_notion_databases: a procedure that commits sets its own search_path and puts the caller's back
before = plpy.execute("SELECT pg_catalog.current_setting('search_path') AS p")[0]["p"]
plpy.execute("SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false)")
try:
    plpy.execute("SELECT nls._load_engine()")
    from nls_engine import entry
    entry.apply_all_webhook_events(plpy, GD)
finally:
    plpy.execute(plpy.prepare("SELECT pg_catalog.set_config('search_path', $1, false)", ["text"]), [before])
$_$;

--
-- Name: PROCEDURE apply_all_webhook_events(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON PROCEDURE nls.apply_all_webhook_events() IS 'The pg_cron entry point of the webhooks (job apply-notion-webhooks, every minute, as role nls_cron): CALL
nls.apply_all_webhook_events() applies every user''s waiting webhook events (as nls.apply_webhook_events, acting for
each user), committing after each batch. With nothing waiting it costs the engine''s load check and one query
(nls._webhook_users) and writes nothing. Raises 57014 on a cancel or statement_timeout (the batches committed
before stay); a user whose events failed to apply is a failed sync_log row and a WARNING, not an error.';

--
-- Name: apply_webhook_events(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.apply_webhook_events(user_id text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.apply_webhook_events(plpy, GD, user_id)
$$;

--
-- Name: FUNCTION apply_webhook_events(user_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.apply_webhook_events(user_id text) IS 'Apply the webhook events waiting (nls.webhook_events) now, in the caller''s transaction (in the worker runtime a
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

--
-- Name: approve_review(uuid, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.approve_review(review_id uuid, reviewer_notes text DEFAULT NULL::text) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v nls.review_queue := nls._review_item(review_id, 'approve');
    v_atom nls.learning_atoms;
    v_status text := nls.atomicity_status(v.front, v.back);
    v_type text := coalesce(v.atom_type, nls.atom_type_for(v.front));
    v_quality numeric;
    v_id uuid;
BEGIN
    IF v.original_atom_id IS NOT NULL THEN
        SELECT * INTO v_atom FROM nls.learning_atoms WHERE id = v.original_atom_id FOR UPDATE;
    END IF;
    v_quality := nls.atom_quality_score(v.front, v.back, v_type, v_status,
                                        coalesce(v.concept_id, v_atom.concept_id) IS NOT NULL,
                                        coalesce(v.module_id, v_atom.module_id) IS NOT NULL);
    IF v_atom.id IS NOT NULL THEN
        UPDATE nls.learning_atoms
           SET front = v.front, back = v.back, atom_type = v_type,
               concept_id = coalesce(v.concept_id, concept_id), module_id = coalesce(v.module_id, module_id),
               front_word_count = nls.word_count(v.front), back_word_count = nls.word_count(v.back),
               atomicity_status = v_status, is_atomic = v_status = 'atomic', quality_score = v_quality,
               needs_review = nls.atom_needs_review(v.back, v_status, v_quality),
               rewrite_count = rewrite_count + 1, last_rewrite_at = now(), batch_id = coalesce(v.batch_id, batch_id),
               updated_at = now()
         WHERE id = v_atom.id;
        v_id := v_atom.id;
        INSERT INTO nls.cleaning_log (atom_id, operation, old_value, new_value, user_id, entity, notion_id)
        VALUES (v_id, 'ai_rewrite', jsonb_build_object('front', v_atom.front, 'back', v_atom.back),
                jsonb_build_object('front', v.front, 'back', v.back, 'review_id', v.id, 'source', v.source),
                v.user_id, 'learning_atoms', v_atom.notion_id);
    ELSE
        INSERT INTO nls.learning_atoms (user_id, atom_type, front, back, concept_id, module_id, quality_score,
                                        is_atomic, front_word_count, back_word_count, atomicity_status,
                                        needs_review, source, batch_id)
        VALUES (v.user_id, v_type, v.front, v.back, v.concept_id, v.module_id, v_quality, v_status = 'atomic',
                nls.word_count(v.front), nls.word_count(v.back), v_status,
                nls.atom_needs_review(v.back, v_status, v_quality), 'ai_batch', v.batch_id)
        RETURNING id INTO v_id;
    END IF;
    UPDATE nls.review_queue
       SET status = 'approved', approved_at = now(), approved_atom_id = v_id,
           reviewer_notes = coalesce(approve_review.reviewer_notes, review_queue.reviewer_notes)
     WHERE id = v.id;
    RETURN v_id;
END
$$;

--
-- Name: FUNCTION approve_review(review_id uuid, reviewer_notes text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.approve_review(review_id uuid, reviewer_notes text) IS 'Accept a review_queue item: approve_review(review_id uuid, reviewer_notes => NULL) returns the learning atom''s id
(uuid). An item with original_atom_id rewrites that atom (front, back, type; rewrite_count + 1, last_rewrite_at; the
old text kept in cleaning_log as ''ai_rewrite''; the rewrite goes back to Notion with the next nls.push_notion, and
a Notion edit of the same field before that is a conflict, nls.push_conflicts); an item without creates a new atom
(source ''ai_batch''), which the next push gives a Notion page. Either way the atom is graded by the card rules and
the item becomes ''approved'' with approved_at and approved_atom_id. Raises P0002 for an unknown id, 55000 for an
item that is not pending or edited.';

--
-- Name: atom_needs_review(text, text, numeric); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.atom_needs_review(back text, atomicity text, quality_score numeric) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(btrim(back), '') = '' OR atomicity <> 'atomic' OR quality_score < 0.75 $$;

--
-- Name: FUNCTION atom_needs_review(back text, atomicity text, quality_score numeric); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.atom_needs_review(back text, atomicity text, quality_score numeric) IS 'Whether a card goes to manual review: atom_needs_review(back, atomicity, quality_score) returns true for an empty
back, a card that is not atomic, or a quality_score under 0.75 (the threshold of the learning schema''s Anki query). A
card whose id another card of the same user already holds is flagged as well (see nls._want_learning_atoms). Raises
nothing.';

--
-- Name: atom_quality_score(text, text, text, text, boolean, boolean); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.atom_quality_score(front text, back text, atom_type text, atomicity text, has_concept boolean, has_module boolean) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT round(greatest(0.0, least(1.0, 1.0
        - CASE WHEN coalesce(btrim(back), '') = '' THEN 0.50 ELSE 0 END
        - CASE WHEN coalesce(btrim(back), '') <> '' AND lower(btrim(back)) = lower(btrim(front)) THEN 0.30 ELSE 0 END
        - CASE atomicity WHEN 'needs_split' THEN 0.25 WHEN 'verbose' THEN 0.15 ELSE 0 END
        - CASE WHEN nls.word_count(front) < 3 THEN 0.10 ELSE 0 END
        - CASE WHEN atom_type = 'flashcard' AND position('?' IN coalesce(front, '')) = 0
                    AND right(btrim(coalesce(front, '')), 1) <> ':' THEN 0.10 ELSE 0 END
        - CASE WHEN has_concept THEN 0 ELSE 0.10 END
        - CASE WHEN has_module THEN 0 ELSE 0.05 END)), 2)
$$;

--
-- Name: FUNCTION atom_quality_score(front text, back text, atom_type text, atomicity text, has_concept boolean, has_module boolean); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.atom_quality_score(front text, back text, atom_type text, atomicity text, has_concept boolean, has_module boolean) IS 'A card''s quality_score in 0.00-1.00: atom_quality_score(front, back, atom_type, atomicity, has_concept,
has_module) returns numeric(3,2) = 1.00 - 0.50 empty back - 0.30 back repeats the front - 0.25 needs_split /
0.15 verbose - 0.10 front under 3 words - 0.10 a flashcard front that is not a question (no "?", no final ":")
- 0.10 no concept - 0.05 no module, clamped to [0, 1]. Raises nothing.';

--
-- Name: atom_type_for(text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.atom_type_for(front text, mapped_type text DEFAULT NULL::text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE
        WHEN regexp_replace(lower(btrim(mapped_type)), '[\s/-]+', '_', 'g')
             IN ('flashcard', 'cloze', 'mcq', 'true_false', 'matching', 'parsons')
            THEN regexp_replace(lower(btrim(mapped_type)), '[\s/-]+', '_', 'g')
        WHEN front ~ '\{\{c\d+::' THEN 'cloze'
        ELSE 'flashcard' END
$$;

--
-- Name: FUNCTION atom_type_for(front text, mapped_type text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.atom_type_for(front text, mapped_type text) IS 'A card''s atom_type: atom_type_for(front text, mapped_type text) returns the mapped type property''s value when it
names a known type (flashcard, cloze, mcq, true_false, matching, parsons; case and spacing free), else ''cloze''
when the front holds an Anki cloze deletion ({{c1::...}}), else ''flashcard''. Raises nothing.';

--
-- Name: atomicity_status(text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.atomicity_status(front text, back text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE
        WHEN length(front) - length(replace(front, '?', '')) > 1
          OR nls.word_count(back) > 60
          OR (SELECT count(*) FROM regexp_matches(coalesce(back, ''), '(^|\n)\s*([-*•]|\d+[.)])\s', 'g')) >= 3
            THEN 'needs_split'
        WHEN nls.word_count(front) > 25 OR nls.word_count(back) > 25 THEN 'verbose'
        ELSE 'atomic' END
$$;

--
-- Name: FUNCTION atomicity_status(front text, back text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.atomicity_status(front text, back text) IS 'The minimum-information check of a card: atomicity_status(front text, back text) returns ''needs_split'' when
the front asks more than one question (two or more "?"), the back runs past 60 words or lists 3 or more items
(lines starting with -, *, • or 1. / 1)); else ''verbose'' when either side runs past 25 words; else ''atomic''.
Raises nothing.';

--
-- Name: clean(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.clean(user_id text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_user text := clean.user_id;
    v_log uuid;
    v_sum jsonb;
    v_staged int;
    v_state text;
    v_msg text;
    v_dirty text[];
    v_pages text[];
BEGIN
    INSERT INTO nls.sync_log (sync_type, started_at, status, user_id, details)
    VALUES ('cleaning', clock_timestamp(), 'running', v_user, '{}') RETURNING id INTO v_log;
    BEGIN
        -- one cleaning at a time (a pass reads and writes every learning table of its users)
        PERFORM pg_advisory_xact_lock(nls._lock_key(), 0);
        -- the pages written since the last cleaning (nls._clean_queue); a whole pass for every user, or when a
        -- source was removed or its target or map changed (the queue holds '*')
        v_dirty := nls._take_clean_queue(v_user);
        IF v_dirty IS NOT NULL AND cardinality(v_dirty) = 0 THEN
            UPDATE nls.sync_log SET status = 'completed', completed_at = clock_timestamp(),
                   details = '{"staged_rows_written": 0, "pages_changed": 0}' WHERE id = v_log;
            RETURN jsonb_build_object('success', true, 'sync_log_id', v_log, 'added', 0, 'updated', 0, 'removed', 0,
                                      'staged_rows_written', 0, 'pages_changed', 0, 'tables', '{}'::jsonb);
        END IF;
        v_staged := nls._stage_learning(v_user, v_dirty);
        v_pages := nls._clean_affected(v_user, v_dirty);
        v_sum := nls._clean_tables(v_user, v_log, v_pages);
        PERFORM nls._log_card_id_normalisations(v_user, v_dirty, v_log);
        SET CONSTRAINTS nls.learning_atoms_user_card_id_key IMMEDIATE;
        SET CONSTRAINTS nls.learning_atoms_user_card_id_key DEFERRED;
    EXCEPTION WHEN OTHERS THEN   -- (a cancel is not among OTHERS: it reaches the caller)
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
        UPDATE nls.sync_log SET status = 'failed', completed_at = clock_timestamp(), error_code = v_state,
               error_message = v_msg
         WHERE id = v_log;
        RETURN jsonb_build_object('success', false, 'sync_log_id', v_log, 'error', v_msg, 'sqlstate', v_state);
    END;
    UPDATE nls.sync_log
       SET status = 'completed', completed_at = clock_timestamp(), items_processed = v_staged,
           items_added = (v_sum ->> 'added')::int, items_updated = (v_sum ->> 'updated')::int,
           items_removed = (v_sum ->> 'removed')::int,
           details = (v_sum -> 'tables') || jsonb_build_object('staged_rows_written', v_staged, 'pages_changed',
                                                               cardinality(v_dirty), 'rows_graded', cardinality(v_pages))
     WHERE id = v_log;
    RETURN jsonb_build_object('success', true, 'sync_log_id', v_log, 'staged_rows_written', v_staged,
                              'pages_changed', cardinality(v_dirty)) || (v_sum - 'tables')
           || jsonb_build_object('tables', v_sum -> 'tables');
END
$$;

--
-- Name: FUNCTION clean(user_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.clean(user_id text) IS 'The cleaning pipeline: clean(user_id => NULL) turns the synced pages of the learning and creative sources into the
canonical tables (clean_concept_areas, clean_concept_clusters, concepts, clean_programs, clean_tracks,
learning_modules, learning_atoms; characters, worlds, stories, chat_sessions) for one user or, with NULL, every user;
set-based; relations resolved whatever order the sources were synced in; each change and removal kept in cleaning_log.
Runs after every sync of a learning or creative source. It follows the change: for one user it looks only at the pages
written since its last pass (nls._clean_queue) and the rows that depend on them (nls._clean_affected); with nothing
written it returns at once; for every user (NULL), or after a source was removed or its target or map changed, it
grades everything. Logs a sync_log row (sync_type ''cleaning''). Returns jsonb {"success", "sync_log_id", "added",
"updated", "removed", "pages_changed" (NULL for a whole pass), "tables": {...}}; on failure {"success": false,
"error", "sqlstate"}, writing nothing but the failed sync_log row. Raises nothing.';

--
-- Name: create_typed_view(text, text, text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.create_typed_view(database_id text DEFAULT NULL::text, view_name text DEFAULT NULL::text, schema_name text DEFAULT 'notion'::text, user_id text DEFAULT NULL::text) RETURNS TABLE(view text, database_id text, data_source_id text, columns integer)
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.create_typed_view(plpy, GD, database_id, view_name, schema_name, user_id)
$$;

--
-- Name: FUNCTION create_typed_view(database_id text, view_name text, schema_name text, user_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.create_typed_view(database_id text, view_name text, schema_name text, user_id text) IS 'Make (or make again) a typed view of a synced Notion database: create_typed_view(database_id, view_name => NULL,
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

--
-- Name: deliver_events(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.deliver_events() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
DECLARE
    v_transport text := nls._event_transport();
    v_collected int := 0;
    v_sent int := 0;
    h record;
    v_request bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('nls.deliver_events')) THEN
        RETURN jsonb_build_object('transport', v_transport, 'busy', true);
    END IF;
    DELETE FROM nls._events v
     WHERE v.created_at < now() - make_interval(days => nls._event_setting('event_keep_days')::int)
       AND NOT EXISTS (SELECT 1 FROM nls._event_deliveries d
                        WHERE d.event_id = v.id AND d.status IN ('pending', 'sending'));
    IF v_transport <> 'pg_net' THEN
        RETURN jsonb_build_object('transport', v_transport, 'sent', 0, 'collected', 0);
    END IF;
    v_collected := nls._collect_pg_net();
    FOR h IN SELECT * FROM nls._event_heads(1000) LOOP
        BEGIN
            EXECUTE 'SELECT net.http_post(url => $1, body => $2::jsonb, headers => $3, timeout_milliseconds => $4)'
               INTO v_request
              USING h.url, h.body, nls._event_headers(h.secret, h.body, h.kind, h.event_id),
                    (nls._event_setting('event_timeout_s') * 1000)::int;
            UPDATE nls._event_deliveries d SET request_id = v_request
             WHERE d.endpoint_id = h.endpoint_id AND d.event_id = h.event_id;
            v_sent := v_sent + 1;
        EXCEPTION WHEN OTHERS THEN   -- pg_net refused it: a failed attempt, the other endpoints go on
            PERFORM nls._event_delivered(h.endpoint_id, h.event_id, NULL, 'pg_net refused the request: ' || SQLERRM);
        END;
    END LOOP;
    RETURN jsonb_build_object('transport', v_transport, 'sent', v_sent, 'collected', v_collected,
                              'out', (SELECT count(*) FROM nls._event_deliveries d WHERE d.status = 'sending'));
END
$_$;

--
-- Name: FUNCTION deliver_events(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.deliver_events() IS 'The delivery step of the events with pg_net (the scheduled webhook job runs it every minute; run it by hand at
will): reads pg_net''s answers to the deliveries out (settling each sent, retried or failed), then hands pg_net the
next due delivery of each endpoint (net.http_post, signed), which pg_net sends once this transaction commits, and
drops settled events older than event_keep_days (in every runtime). Returns {"transport", "sent" (handed to pg_net now), "collected"
(answers read), "out" (deliveries pg_net has in hand)} ("busy": another session is delivering; transport worker or
none: nothing to do here). An endpoint gets one event per step and answer: the scheduled job runs steps for up to 45 s
while deliveries are out. Raises nothing of its own.';

--
-- Name: discover(text, boolean); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.discover(user_id text, add boolean DEFAULT false) RETURNS TABLE(database_id text, data_source_id text, name text, target text, source_id bigint, added boolean)
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.discover(plpy, GD, user_id, add)
$$;

--
-- Name: FUNCTION discover(user_id text, add boolean); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.discover(user_id text, add boolean) IS 'What a user''s integration can see (POST /v1/search, data sources): discover(user_id, add => false) returns one row
per data source (database_id, data_source_id, name, target, source_id, added). target is the one its name suggests
(nls.targets(): Flashcards -> flashcards, Characters -> characters, ...; else pages); source_id is set when the
database is already synced. With add => true every database not yet a source is added with that target (added =
true). Raises 22004 for a NULL user_id, P0002 when the session cannot see the user''s integration, 55000 when its
token cannot be used, 58000 when Notion refuses the search.';

--
-- Name: drop_typed_view(regclass); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.drop_typed_view(view regclass) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    r nls.typed_views;
BEGIN
    DELETE FROM nls.typed_views t WHERE t.built_as = view::text RETURNING * INTO r;
    IF r.id IS NULL THEN
        RETURN false;
    END IF;
    INSERT INTO nls.typed_view_history (user_id, view, data_source_id, change)
    VALUES (r.user_id, r.built_as, r.data_source_id, 'dropped');
    PERFORM nls._build_typed_views();
    RETURN to_regclass(r.built_as) IS NULL;
END
$$;

--
-- Name: FUNCTION drop_typed_view(view regclass); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.drop_typed_view(view regclass) IS 'Drop a typed view and forget it (the sync stops following its data source): drop_typed_view(view regclass)
returns true when the view is gone, false when it is no typed view this session''s user has (nothing changes), or
when a view of your own still reads it (it is then forgotten but left in place, and reads no rows: its registry row,
through which it finds its data source, is gone). Raises nothing itself: a name that is no relation fails its cast
to regclass (42P01) before the call.';

--
-- Name: edit_review(uuid, text, text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.edit_review(review_id uuid, front text, back text DEFAULT NULL::text, reviewer_notes text DEFAULT NULL::text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v nls.review_queue := nls._review_item(review_id, 'edit');
BEGIN
    IF coalesce(btrim(edit_review.front), '') = '' THEN
        RAISE EXCEPTION 'nls: review_queue item %: the edited front is empty', review_id
            USING ERRCODE = '22023', HINT = 'Give the question or prompt the card should ask.';
    END IF;
    UPDATE nls.review_queue
       SET front = edit_review.front, back = edit_review.back, status = 'edited',
           reviewer_notes = coalesce(edit_review.reviewer_notes, review_queue.reviewer_notes)
     WHERE id = v.id;
    -- the proposal it replaces is kept (original_front / original_back keep the atom's text before the rewrite)
    INSERT INTO nls.cleaning_log (atom_id, operation, old_value, new_value, user_id, entity)
    VALUES (v.original_atom_id, 'review_edit', jsonb_build_object('front', v.front, 'back', v.back, 'review_id', v.id),
            jsonb_build_object('front', edit_review.front, 'back', edit_review.back, 'review_id', v.id),
            v.user_id, 'review_queue');
END
$$;

--
-- Name: FUNCTION edit_review(review_id uuid, front text, back text, reviewer_notes text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.edit_review(review_id uuid, front text, back text, reviewer_notes text) IS 'Change a review_queue item by hand before approving it: edit_review(review_id uuid, front text, back => NULL,
reviewer_notes => NULL) sets front and back and the status ''edited'' (the replaced proposal is kept in
cleaning_log as ''review_edit''); approve_review then writes it. Raises P0002 for an unknown id, 55000 for an
item that is not pending or edited, 22023 for an empty front.';

--
-- Name: engine_status(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.engine_status() RETURNS jsonb
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.engine_status(plpy, GD)
$$;

--
-- Name: FUNCTION engine_status(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.engine_status() IS 'What the sync runs with inside this server: {"python", "requests", "urllib3", "cryptography", "encryption_key",
"anki"} (jsonb). encryption_key is "ok" or says what is missing and how to provide it; anki is the version of Anki''s
library the Anki sync imports (setting anki_python_path), or "not importable: ..." with how to install it (the
Notion sync does not need it). nls install reports it. Raises nothing for a missing key or library: the result says
so.';

--
-- Name: event_kinds(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.event_kinds() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ SELECT ARRAY['run.finished', 'conflict.appeared', 'conflict.resolved', 'integration.needs_reauth',
                   'anki.reviews_pulled'] $$;

--
-- Name: FUNCTION event_kinds(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.event_kinds() IS 'The kinds of event nls makes (text[]): run.finished (a row of nls.sync_log ended: its id, type, status, source and
counts), conflict.appeared and conflict.resolved (a two-way conflict of nls.push_conflicts: the sync state id, the
source, the page and the local row), integration.needs_reauth (Notion refused the token, or Anki the login: the
integration), anki.reviews_pulled (an Anki pull read reviews: the sync_log id and how many notes). Raises nothing.';

--
-- Name: normalize_card_id(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.normalize_card_id(card_id text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT nullif(btrim(regexp_replace(regexp_replace(upper(btrim(card_id)), '[\s_.]+', '-', 'g'),
                                       '-{2,}', '-', 'g'), '-'), '')
$$;

--
-- Name: FUNCTION normalize_card_id(card_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.normalize_card_id(card_id text) IS 'A card id in its canonical form: normalize_card_id(card_id text) returns text: upper case, spaces, underscores
and dots turned into one dash, no leading or trailing dash (" net_m1 001-dec " -> "NET-M1-001-DEC"); NULL when
empty. Raises nothing.';

--
-- Name: notion_boolean(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_boolean(property jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN jsonb_typeof(coalesce(property -> 'checkbox', property -> 'formula' -> 'boolean')) = 'boolean'
                THEN coalesce(property -> 'checkbox', property -> 'formula' -> 'boolean')::boolean END
$$;

--
-- Name: FUNCTION notion_boolean(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_boolean(property jsonb) IS 'A checkbox, or a formula whose result is a boolean: notion_boolean(property jsonb) returns boolean; NULL otherwise.
Raises nothing.';

--
-- Name: notion_date(jsonb, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_date(property jsonb, part text DEFAULT 'start'::text) RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN nls._iso_day_ok(nls._notion_result(property) -> 'date' ->> part)
                THEN left(nls._notion_result(property) -> 'date' ->> part, 10)::date END
$$;

--
-- Name: FUNCTION notion_date(property jsonb, part text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_date(property jsonb, part text) IS 'The day of a date value (or a formula or rollup whose result is a date): notion_date(property jsonb, part =>
''start'' | ''end'') returns date, as written in Notion (no time zone conversion); NULL when empty or malformed
(or for another part). Raises nothing.';

--
-- Name: notion_ids(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_ids(property jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN property ->> 'type' IN ('relation', 'people')
                 AND jsonb_typeof(property -> (property ->> 'type')) = 'array'
                THEN ARRAY(SELECT e ->> 'id' FROM jsonb_array_elements(property -> (property ->> 'type'))
                                                  WITH ORDINALITY AS a(e, o) ORDER BY o) END
$$;

--
-- Name: FUNCTION notion_ids(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_ids(property jsonb) IS 'The ids a relation (page ids) or people (user ids) value holds, in Notion''s order: notion_ids(property jsonb)
returns text[]; NULL for another type. Relations are whole past Notion''s 25-item cut (the sync completes them);
nls.notion_relation_edges holds them as rows, for joins. Raises nothing.';

--
-- Name: notion_names(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_names(property jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN property ->> 'type' IN ('multi_select', 'files', 'people')
                 AND jsonb_typeof(property -> (property ->> 'type')) = 'array'
                THEN ARRAY(SELECT e ->> 'name' FROM jsonb_array_elements(property -> (property ->> 'type'))
                                                    WITH ORDINALITY AS a(e, o) ORDER BY o) END
$$;

--
-- Name: FUNCTION notion_names(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_names(property jsonb) IS 'The names a multi_select, files or people value holds, in Notion''s order: notion_names(property jsonb) returns
text[] (a file''s name, never its url; a person''s name, NULL where Notion does not give it); NULL for another type.
Raises nothing.';

--
-- Name: notion_number(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_number(property jsonb) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN jsonb_typeof(nls._notion_result(property) -> 'number') = 'number'
                THEN (nls._notion_result(property) -> 'number')::numeric END
$$;

--
-- Name: FUNCTION notion_number(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_number(property jsonb) IS 'The number of a Notion property value: notion_number(property jsonb) returns numeric for a number property, a
formula or a rollup whose result is a number; NULL otherwise (empty, another type). Raises nothing.';

--
-- Name: notion_property(jsonb, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_property(properties jsonb, key text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(properties -> key,
                    (SELECT v FROM jsonb_each(properties) AS e(k, v) WHERE v ->> 'id' = key LIMIT 1))
$$;

--
-- Name: FUNCTION notion_property(properties jsonb, key text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_property(properties jsonb, key text) IS 'One property value of a Notion page object (GET /v1/pages/{id} "properties"): notion_property(properties jsonb,
key text) returns the property''s jsonb, found by property name, else by property id (as Notion gives it, e.g.
''%3CnJT''); NULL when absent. Raises 22023 when properties is not a JSON object and key names none of it.';

--
-- Name: notion_range(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_range(property jsonb) RETURNS tstzrange
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN nls.notion_timestamptz(property) IS NOT NULL
                 AND coalesce(nls.notion_timestamptz(property, 'end'), nls.notion_timestamptz(property))
                     >= nls.notion_timestamptz(property)
                THEN tstzrange(nls.notion_timestamptz(property),
                               coalesce(nls.notion_timestamptz(property, 'end'), nls.notion_timestamptz(property)),
                               '[]') END
$$;

--
-- Name: FUNCTION notion_range(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_range(property jsonb) IS 'A date value as a range: notion_range(property jsonb) returns tstzrange [start, end], both bounds included as in
Notion (a value without an end is the one instant [start, start]); NULL when empty, malformed or ending before
it starts. Raises nothing.';

--
-- Name: notion_relation_ids(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_relation_ids(property jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(array_agg(x ->> 'id' ORDER BY o), '{}')
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(property -> 'relation') = 'array'
                                     THEN property -> 'relation' ELSE '[]' END) WITH ORDINALITY AS t(x, o)
$$;

--
-- Name: FUNCTION notion_relation_ids(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_relation_ids(property jsonb) IS 'The page ids a relation property holds, in Notion''s order: notion_relation_ids(property jsonb) returns text[]
(empty when the property is absent or not a relation). A page object holds at most 25 of them (has_more). Raises
nothing.';

--
-- Name: notion_text(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_text(property jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT nullif(CASE property ->> 'type'
        WHEN 'title' THEN (SELECT string_agg(x ->> 'plain_text', '' ORDER BY o)
                             FROM jsonb_array_elements(property -> 'title') WITH ORDINALITY AS t(x, o))
        WHEN 'rich_text' THEN (SELECT string_agg(x ->> 'plain_text', '' ORDER BY o)
                                 FROM jsonb_array_elements(property -> 'rich_text') WITH ORDINALITY AS t(x, o))
        WHEN 'select' THEN property -> 'select' ->> 'name'
        WHEN 'status' THEN property -> 'status' ->> 'name'
        WHEN 'multi_select' THEN (SELECT string_agg(x ->> 'name', ', ' ORDER BY o)
                                    FROM jsonb_array_elements(property -> 'multi_select') WITH ORDINALITY AS t(x, o))
        WHEN 'people' THEN (SELECT string_agg(coalesce(x ->> 'name', x ->> 'id'), ', ' ORDER BY o)
                              FROM jsonb_array_elements(property -> 'people') WITH ORDINALITY AS t(x, o))
        WHEN 'relation' THEN (SELECT string_agg(x ->> 'id', ', ' ORDER BY o)
                                FROM jsonb_array_elements(property -> 'relation') WITH ORDINALITY AS t(x, o))
        WHEN 'files' THEN (SELECT string_agg(x ->> 'name', ', ' ORDER BY o)   -- names: signed urls expire
                             FROM jsonb_array_elements(property -> 'files') WITH ORDINALITY AS t(x, o))
        WHEN 'number' THEN property ->> 'number'
        WHEN 'checkbox' THEN property ->> 'checkbox'
        WHEN 'date' THEN property -> 'date' ->> 'start'
        WHEN 'url' THEN property ->> 'url'
        WHEN 'email' THEN property ->> 'email'
        WHEN 'phone_number' THEN property ->> 'phone_number'
        WHEN 'created_time' THEN property ->> 'created_time'
        WHEN 'last_edited_time' THEN property ->> 'last_edited_time'
        WHEN 'unique_id' THEN concat_ws('-', property -> 'unique_id' ->> 'prefix', property -> 'unique_id' ->> 'number')
        WHEN 'formula' THEN CASE property -> 'formula' ->> 'type'
                                WHEN 'date' THEN property -> 'formula' -> 'date' ->> 'start'
                                WHEN 'string' THEN property -> 'formula' ->> 'string'
                                WHEN 'number' THEN property -> 'formula' ->> 'number'
                                WHEN 'boolean' THEN property -> 'formula' ->> 'boolean'
                                END   -- "unsupported": unknown, not a value (stg_notion_pages.value_marks)
        END, '')
$$;

--
-- Name: FUNCTION notion_text(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_text(property jsonb) IS 'The text of one Notion property value (any type: title and rich_text joined plain_text, select/status name,
multi_select, people and files names joined by '', '' (never a file''s url: see nls.notion_files), number, checkbox, date start, url, email, unique_id PREFIX-N,
formula result, relation ids); notion_text(property jsonb) returns text, NULL for an empty value. Raises 22023 when a
title, rich_text, multi_select, people, relation or files value is not a JSON array.';

--
-- Name: notion_texts(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_texts(property jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN jsonb_typeof(nls._notion_result(property) -> 'array') = 'array'
                THEN ARRAY(SELECT nls.notion_text(e) FROM jsonb_array_elements(nls._notion_result(property) -> 'array')
                                                           WITH ORDINALITY AS a(e, o) ORDER BY o) END
$$;

--
-- Name: FUNCTION notion_texts(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_texts(property jsonb) IS 'The items of a rollup whose result is an array, each as nls.notion_text gives it: notion_texts(property jsonb)
returns text[]; NULL for another result. Raises nothing.';

--
-- Name: notion_timestamptz(jsonb, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_timestamptz(property jsonb, part text DEFAULT 'start'::text) RETURNS timestamp with time zone
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT nls._notion_time(coalesce(nls._notion_result(property) -> 'date' ->> part,
                                     CASE WHEN part = 'start' THEN coalesce(property ->> 'created_time',
                                                                            property ->> 'last_edited_time') END),
                            nls._notion_result(property) -> 'date' ->> 'time_zone')
$$;

--
-- Name: FUNCTION notion_timestamptz(property jsonb, part text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_timestamptz(property jsonb, part text) IS 'The time of a date value (or a formula or rollup whose result is a date, or a created_time / last_edited_time):
notion_timestamptz(property jsonb, part => ''start'' | ''end'') returns timestamptz; a date without a time is
midnight UTC, a time without an offset is in the value''s time_zone; NULL when empty or malformed (or for another
part). Raises nothing.';

--
-- Name: notion_unique_number(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_unique_number(property jsonb) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN jsonb_typeof(property -> 'unique_id' -> 'number') = 'number'
                 AND abs((property -> 'unique_id' -> 'number')::numeric) < 9e18
                THEN round((property -> 'unique_id' -> 'number')::numeric)::bigint END
$$;

--
-- Name: FUNCTION notion_unique_number(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_unique_number(property jsonb) IS 'The number of a unique_id value (ST-4 -> 4): notion_unique_number(property jsonb) returns bigint; NULL otherwise.
Raises nothing.';

--
-- Name: notion_user(jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.notion_user(property jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(property -> 'created_by', property -> 'last_edited_by') ->> 'id' $$;

--
-- Name: FUNCTION notion_user(property jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.notion_user(property jsonb) IS 'The user id of a created_by or last_edited_by value: notion_user(property jsonb) returns text; NULL otherwise.
Raises nothing.';

--
-- Name: property_map(text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.property_map(target text, overrides jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nls._target_catalogue() -> target -> 'property_map', '{}') || coalesce(overrides, '{}') $$;

--
-- Name: FUNCTION property_map(target text, overrides jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.property_map(target text, overrides jsonb) IS 'Which Notion property feeds which column of a target: property_map(target text, overrides jsonb) returns
{field: property name or id, or a list of them read in order} (jsonb): the target''s default from nls.targets()
(for the learning targets e.g. flashcards: CardID, Question, Answer, Concept, Module, Status, Type; for the
creative ones e.g. characters: Name, Description else Bio else Backstory), overlaid with
a source''s nls.sources.property_map. A name or title field falls back to the page''s title. {} for a name that is
no target. Raises nothing.';

--
-- Name: push_map(text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.push_map(target text, overrides jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nls._push_catalogue() -> target -> 'push_map', '{}') || coalesce(overrides, '{}') $$;

--
-- Name: FUNCTION push_map(target text, overrides jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.push_map(target text, overrides jsonb) IS 'Which columns two-way sync writes back to which Notion properties: push_map(target text, overrides jsonb) returns
{column: true | "property name or id" | {"property": true | "name or id", "create_options": boolean} | false,
"create_pages"?: boolean, "enabled"?: boolean} (jsonb): the target''s default (flashcards: front, back, card_id,
atom_type, concept_id, module_id and new pages for atoms with none; concepts: status, dec_score, proc_score,
app_score; others nothing) overlaid with a source''s nls.sources.push_map. true means the property the source''s
property map reads that column from (by its stable id once learned); false leaves a column out. {} for a name that
is no target. Raises nothing.';

--
-- Name: push_notion(text, boolean); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.push_notion(user_id text DEFAULT NULL::text, dry_run boolean DEFAULT false) RETURNS jsonb
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.push_notion(plpy, GD, user_id, dry_run)
$$;

--
-- Name: FUNCTION push_notion(user_id text, dry_run boolean); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.push_notion(user_id text, dry_run boolean) IS 'Two-way sync: write back to Notion what changed in PostgreSQL, in the caller''s transaction (in the worker runtime
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

--
-- Name: reject_review(uuid, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.reject_review(review_id uuid, reviewer_notes text DEFAULT NULL::text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v nls.review_queue := nls._review_item(review_id, 'reject');
BEGIN
    UPDATE nls.review_queue
       SET status = 'rejected', reviewer_notes = coalesce(reject_review.reviewer_notes, review_queue.reviewer_notes)
     WHERE id = v.id;
END
$$;

--
-- Name: FUNCTION reject_review(review_id uuid, reviewer_notes text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.reject_review(review_id uuid, reviewer_notes text) IS 'Turn down a review_queue item: reject_review(review_id uuid, reviewer_notes => NULL); the original atom stays as it
is. Raises P0002 for an unknown id, 55000 for an item that is not pending or edited.';

--
-- Name: remove_anki_account(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.remove_anki_account(user_id text) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_found boolean;
BEGIN
    DELETE FROM nls.anki_accounts a WHERE a.user_id = remove_anki_account.user_id;
    v_found := FOUND;
    DELETE FROM nls.anki_notes n WHERE n.user_id = remove_anki_account.user_id;
    UPDATE nls.learning_atoms a SET anki_note_id = NULL, anki_card_id = NULL
     WHERE a.user_id = remove_anki_account.user_id AND a.anki_note_id IS NOT NULL;
    RETURN v_found;
END
$$;

--
-- Name: FUNCTION remove_anki_account(user_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.remove_anki_account(user_id text) IS 'Forget a user''s Anki account: remove_anki_account(user_id) deletes the encrypted credential, the collection nls
kept and its note list, and clears the atoms'' anki_note_id and anki_card_id (their last schedule stays). The notes
stay in the learner''s collection on their endpoint. Returns true when there was an account (false for NULL or an
unknown user). Raises nothing.';

--
-- Name: remove_event_endpoint(bigint); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.remove_event_endpoint(endpoint_id bigint) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_id bigint := nls._require(remove_event_endpoint.endpoint_id, 'endpoint_id', 'remove_event_endpoint');
BEGIN
    DELETE FROM nls._event_endpoints e WHERE e.id = v_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'nls: no event endpoint % this session can see (argument endpoint_id)', v_id
              USING ERRCODE = 'P0002', HINT = 'SELECT id, user_id, url FROM nls.event_endpoints';
    END IF;
    RETURN true;
END
$$;

--
-- Name: FUNCTION remove_event_endpoint(endpoint_id bigint); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.remove_event_endpoint(endpoint_id bigint) IS 'Removes an event endpoint and its deliveries (sent or not); returns true. A delivery pg_net already has in hand may
still arrive. Row-level security applies. Raises 22004 for a NULL endpoint_id, P0002 when the session sees no such
endpoint.';

--
-- Name: remove_integration(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.remove_integration(user_id text) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
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

--
-- Name: FUNCTION remove_integration(user_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.remove_integration(user_id text) IS 'Forget a user''s Notion connection: remove_integration(user_id) deletes the encrypted token and, with it, the
user''s sources and synced pages. Returns true when there was one. Raises 22004 for a NULL user_id.';

--
-- Name: remove_source(text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.remove_source(user_id text, database_id text) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_user text := nls._require(remove_source.user_id, 'user_id', 'remove_source');
    v_db text := nls._normalize_id(remove_source.database_id, 'database_id');
BEGIN
    DELETE FROM nls.sources s WHERE s.user_id = v_user AND s.database_id = v_db;
    RETURN FOUND;
END
$$;

--
-- Name: FUNCTION remove_source(user_id text, database_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.remove_source(user_id text, database_id text) IS 'Stop syncing a database and drop what was synced from it: remove_source(user_id, database_id) returns true when a
source was removed. Its rows in stg_notion_pages and sync_state go with it; sync_log keeps its history (source_id
set to NULL). To pause a source instead, UPDATE nls.sources SET enabled = false. Raises 22004 for a NULL argument,
22023 for a malformed database id.';

--
-- Name: resolve_conflict(uuid, text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.resolve_conflict(id uuid, resolution text, column_name text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_id uuid := nls._require(resolve_conflict.id, 'id', 'resolve_conflict');
    v_how text := nls._require(resolve_conflict.resolution, 'resolution', 'resolve_conflict');
    v nls.notion_sync_state;
    v_columns text[];
    v_clean jsonb;
BEGIN
    IF v_how NOT IN ('notion', 'local') THEN
        RAISE EXCEPTION 'nls: resolve_conflict: resolution "%" is neither ''notion'' nor ''local''', v_how
            USING ERRCODE = '22023', HINT = '''notion'' keeps Notion''s value (the local row takes it); ''local'' '
                                            'writes the local value to Notion with the next push.';
    END IF;
    SELECT * INTO v FROM nls.notion_sync_state s WHERE s.id = v_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'nls: resolve_conflict: no push state % (argument id)', v_id
            USING ERRCODE = 'P0002', HINT = 'SELECT id, column_name, notion_value, local_value FROM nls.push_conflicts';
    END IF;
    IF v.status <> 'conflict' THEN
        RAISE EXCEPTION 'nls: resolve_conflict: % is not in conflict (it is %)', v_id, v.status
            USING ERRCODE = '55000', HINT = 'nls.push_conflicts lists the conflicts there are.';
    END IF;
    v_columns := ARRAY(SELECT k FROM jsonb_object_keys(v.conflict) AS k
                        WHERE resolve_conflict.column_name IS NULL OR k = resolve_conflict.column_name ORDER BY k);
    IF v_columns = '{}' THEN
        RAISE EXCEPTION 'nls: resolve_conflict: column "%" is not in conflict in %', resolve_conflict.column_name, v_id
            USING ERRCODE = '22023',
                  HINT = 'One of: ' || (SELECT string_agg(k, ', ') FROM jsonb_object_keys(v.conflict) k);
    END IF;
    UPDATE nls.notion_sync_state s
       SET base_values = CASE WHEN v_how = 'local'   -- rebased on Notion's value: the next push writes the local one
                              THEN s.base_values || (SELECT jsonb_object_agg(k, s.conflict -> k -> 'notion')
                                                       FROM unnest(v_columns) AS k)
                              ELSE s.base_values - v_columns END,
           conflict = nullif(s.conflict - v_columns, '{}'::jsonb),
           local_changed_at = CASE WHEN v_how = 'local' THEN clock_timestamp() ELSE s.local_changed_at END,
           updated_at = clock_timestamp()
     WHERE s.id = v_id
    RETURNING * INTO v;
    UPDATE nls.notion_sync_state s
       SET status = CASE WHEN s.conflict IS NOT NULL THEN 'conflict' WHEN s.base_values <> '{}' THEN 'pending'
                         ELSE 'synced' END
     WHERE s.id = v_id
    RETURNING * INTO v;
    IF v_how = 'notion' THEN   -- the local row takes Notion's value now: its page is graded again by the cleaning
        INSERT INTO nls._clean_queue (user_id, source_id, page_id)
        SELECT v.user_id, p.source_id, p.page_id FROM nls.stg_notion_pages p
         WHERE p.user_id = v.user_id AND p.page_id = v.notion_page_id
        ON CONFLICT DO NOTHING;
        v_clean := nls.clean(v.user_id);
    END IF;
    RETURN jsonb_build_object('id', v_id, 'resolution', v_how, 'columns', to_jsonb(v_columns), 'status', v.status)
           || CASE WHEN v_clean IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('cleaning', v_clean) END;
END
$$;

--
-- Name: FUNCTION resolve_conflict(id uuid, resolution text, column_name text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.resolve_conflict(id uuid, resolution text, column_name text) IS 'Settle a conflict of nls.push_conflicts: resolve_conflict(id uuid, resolution text, column_name => NULL) with
resolution ''notion'' keeps Notion''s value (the column stops waiting to be pushed and the local row takes Notion''s
value at once: nls.clean(user) runs) or ''local'' writes the local value to Notion with the next push (nls.push_notion
or the schedule; that push reads the page again first, and a Notion edit made since is a new conflict). column_name
settles one column, NULL every column in conflict. Returns jsonb {"id", "resolution", "columns", "status",
"cleaning"?}. Raises 22004 for a NULL id or resolution, 22023 for another resolution or a column not in conflict,
P0002 for an unknown id, 55000 when it is not in conflict.';

--
-- Name: rotate_encryption_key(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.rotate_encryption_key() RETURNS jsonb
    LANGUAGE plpython3u SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.rotate_encryption_key(plpy, GD)
$$;

--
-- Name: FUNCTION rotate_encryption_key(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.rotate_encryption_key() IS 'Re-encrypt every stored Notion token under the newest key of the key ring: first add the new
key as a higher version (NLS_ENCRYPTION_KEY=''2:<new>,1:<old>'' and restart, or the same in the key file), then
SELECT nls.rotate_encryption_key(), then drop the old entry. Returns jsonb {"key_version", "rotated",
"already_current", "unreadable": [user ids whose token decrypts with no key of the ring, left untouched],
"anki"?: {"rotated", "unreadable"} for the Anki credentials (nls.add_anki_account), when there were any to rotate}. Runs as
its owner (it must see every user''s integration); executable by nls_admin only. Raises 55000 when no key is set or
the key ring is malformed (the hint says how to set it).';

--
-- Name: set_push_map(text, text, jsonb); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.set_push_map(user_id text, database_id text, push_map jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_user text := nls._require(set_push_map.user_id, 'user_id', 'set_push_map');
    v_db text := nls._normalize_id(set_push_map.database_id, 'database_id');
    v_source nls.sources;
    v_table text;
    v_bad text;
BEGIN
    SELECT * INTO v_source FROM nls.sources s WHERE s.user_id = v_user AND s.database_id = v_db;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'nls: user "%" has no source of database %', v_user, v_db
            USING ERRCODE = 'P0002', HINT = 'Add it first: SELECT nls.add_source(user_id, database_id, target).';
    END IF;
    SELECT t.canonical_table INTO v_table FROM nls.targets() AS t WHERE t.target = v_source.target AND t.kind <> 'raw';
    IF v_table IS NULL THEN
        RAISE EXCEPTION 'nls: set_push_map: the source of database % has target "pages", which has no table to push',
                        v_db USING ERRCODE = '22023',
                        HINT = 'Only sources of a learning or creative target push (SELECT * FROM nls.targets()).';
    END IF;
    v_bad := nls._push_map_error(v_source.target, v_table, set_push_map.push_map);
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'nls: set_push_map: push_map %', v_bad
            USING ERRCODE = '22023',
                  HINT = 'Give {"column": true | "Notion property name or id" | {"property": ..., "create_options": '
                         'true} | false}, with "create_pages" (flashcards) and "enabled" as true or false. \d nls.'
                         || v_table || ' lists the columns; nls.push_map(target) the default.';
    END IF;
    UPDATE nls.sources s SET push_map = coalesce(set_push_map.push_map, '{}'), updated_at = now()
     WHERE s.id = v_source.id;
    -- what failed may go through now (a column to another property, options allowed): the next push tries again
    UPDATE nls.notion_sync_state st SET status = 'pending', updated_at = clock_timestamp()
     WHERE st.source_id = v_source.id AND st.status = 'failed';
    RETURN nls.push_map(v_source.target, coalesce(set_push_map.push_map, '{}'));
END
$$;

--
-- Name: FUNCTION set_push_map(user_id text, database_id text, push_map jsonb); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.set_push_map(user_id text, database_id text, push_map jsonb) IS 'Choose what two-way sync writes back to Notion from a source: set_push_map(user_id, database_id, push_map jsonb)
stores the source''s push map, overlaid on the target''s default (nls.push_map(target)), and returns the map in
effect (jsonb). push_map: {column of the target''s table: true (the property the source''s property map reads it
from), "Notion property name or id", {"property": ..., "create_options": true} (let a select value that does not
exist become a new option), or false (not pushed)}, "create_pages": true | false (flashcards: a page for each atom
with none), "enabled": false (push nothing). NULL goes back to the default. The source''s failed objects are tried
again by the next push. Raises 22004 for a NULL user_id or database_id, 22023 for a malformed database id, a target
with no table or a push map naming no column of it (or a value of another shape), P0002 when the user has no such
source.';

--
-- Name: set_setting(text, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.set_setting(name text, value text) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_value text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM nls.settings s WHERE s.name = set_setting.name) THEN
        RAISE EXCEPTION 'nls: unknown setting %', coalesce('"' || set_setting.name || '"', 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'One of: ' || (SELECT string_agg(s.name, ', ' ORDER BY s.name) FROM nls.settings s)
                         || '. SELECT name, value, description FROM nls.settings lists them.';
    END IF;
    -- the trigger settings_value_check refuses what the catalogue does not allow
    UPDATE nls.settings s SET value = set_setting.value WHERE s.name = set_setting.name RETURNING s.value INTO v_value;
    RETURN v_value;
END
$$;

--
-- Name: FUNCTION set_setting(name text, value text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.set_setting(name text, value text) IS 'Change an nls setting: set_setting(name text, value text) returns the value stored (text, trimmed). The value is
checked against the setting''s catalogue row in nls.settings (type, unit, min_value and max_value, or allowed
values). SELECT * FROM nls.settings lists every setting with its type, unit, default, range and meaning. Raises
22023 for a value out of range, of the wrong type or not among the allowed ones (naming the setting and what it
takes) and for an unknown name (listing the settings), 22004 for NULL; nothing changes then.';

--
-- Name: sync_all_users_notion_databases(); Type: PROCEDURE; Schema: nls; Owner: -
--

CREATE PROCEDURE nls.sync_all_users_notion_databases()
    LANGUAGE plpython3u
    AS $_$
# A procedure that commits cannot carry SET search_path: it sets its own for its run and puts the caller's back, so
# that nothing planted in public or pg_temp is found before pg_catalog.
before = plpy.execute("SELECT pg_catalog.current_setting('search_path') AS p")[0]["p"]
plpy.execute("SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false)")
try:
    plpy.execute("SELECT nls._load_engine()")
    from nls_engine import entry
    entry.sync_all(plpy, GD)
finally:
    plpy.execute(plpy.prepare("SELECT pg_catalog.set_config('search_path', $1, false)", ["text"]), [before])
$_$;

--
-- Name: PROCEDURE sync_all_users_notion_databases(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON PROCEDURE nls.sync_all_users_notion_databases() IS 'The pg_cron entry point: every worker job nls install schedules (sync-notion-databases, -2, ... every 15 minutes, as
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

--
-- Name: sync_notion(text, text, text, boolean); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.sync_notion(database_id text DEFAULT NULL::text, database_name text DEFAULT NULL::text, user_id text DEFAULT NULL::text, full_sync boolean DEFAULT false) RETURNS jsonb
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.sync_notion(plpy, GD, database_id, database_name, user_id, full_sync)
$$;

--
-- Name: FUNCTION sync_notion(database_id text, database_name text, user_id text, full_sync boolean); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.sync_notion(database_id text, database_name text, user_id text, full_sync boolean) IS 'Sync now, in the caller''s transaction (in the worker runtime a worker runs it and commits: docs/managed.md): sync_notion(database_id => NULL, database_name => NULL,
user_id => NULL, full_sync => false) returns jsonb: for one database {"success", "synced_count", "database_name",
"status", "sync_log_id", "items_*", "requests_made"}, for several (no database_id: all of user_id''s sources, or every
source) {"success", "results": [...]}. Incremental unless full_sync or first run. Notion failures do not raise:
they return "success": false with "error" and leave a failed nls.sync_log row. Reads POST
/v1/data_sources/{id}/query, GET /v1/databases/{id}, GET /v1/pages/{id}, GET /v1/blocks/{id}/children. Raises 22023
for a malformed database_id, 57014 (query_canceled) on a cancel or statement_timeout, like any statement, within
about a second even while a Notion request is pending.';

--
-- Name: targets(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.targets() RETURNS TABLE(target text, kind text, canonical_table text, page_id_column text, notion_database_name text, clean_order integer, property_map jsonb)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT t.key, t.value ->> 'kind', t.value ->> 'canonical_table', t.value ->> 'page_id_column',
           t.value ->> 'notion_database_name', (t.value ->> 'clean_order')::int, t.value -> 'property_map'
      FROM jsonb_each(nls._target_catalogue()) AS t
     ORDER BY (t.value ->> 'clean_order')::int
$$;

--
-- Name: FUNCTION targets(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.targets() IS 'The sync targets a source can have, the one list every part of nls reads: targets() returns (target, kind,
canonical_table, page_id_column, notion_database_name, clean_order, property_map), ordered by clean_order. kind
''raw'' (pages: nls.stg_notion_pages only), ''learning'' (the learning schema) or ''creative''; canonical_table is
the nls table nls.clean() fills from the target''s pages, in clean_order (parents first), its page_id_column holding
the Notion page id; notion_database_name is the Notion database name nls.discover() recognises; property_map is the
default {field: Notion property name, or a list of names read in order} (see nls.property_map). Raises nothing.';

--
-- Name: typed_select(bigint, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.typed_select(source_id bigint, data_source_id text, OUT columns jsonb, OUT query text) RETURNS record
    LANGUAGE plpython3u STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.typed_select(plpy, GD, source_id, data_source_id)
$$;

--
-- Name: FUNCTION typed_select(source_id bigint, data_source_id text, OUT columns jsonb, OUT query text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.typed_select(source_id bigint, data_source_id text, OUT columns jsonb, OUT query text) IS 'The typed rows of one data source of a source, as a query: typed_select(source_id, data_source_id) returns
(columns jsonb [{column, property_id, property, type, kind, ...}], query text: the SELECT of its typed view). The
columns are its typed view''s when it has one, else the ones a view made now would have. Run the query as the
session that asked (row-level security applies); nls export sqlite writes it as a table. Creates nothing. Raises
22004 for a NULL argument (naming it), P0002 for a source this session does not see.';

--
-- Name: version(); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.version() RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    SELECT jsonb_build_object(
               'release', d.r->>'release',
               'migration', (SELECT max(migration_id) FROM nls._yoyo_migration),
               'engine', (SELECT left(encode(sha256(convert_to(string_agg(m.sha256, '' ORDER BY m.name COLLATE "C"),
                                                               'UTF8')), 'hex'), 16)
                            FROM nls._python_module m),
               'schema_matches', p.problem IS NULL)
           || coalesce(p.problem, '{}')
      FROM (SELECT nls._deployed() AS r) d, (SELECT nls._release_problem() AS problem) p
$$;

--
-- Name: FUNCTION version(); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.version() IS 'The nls this database runs: {"release": "0.2.0", "migration": the last migration applied, "engine": the deployed
engine''s version (16 hex digits, what nls._load_engine() returns), "schema_matches": true} (jsonb). When the
schema''s migrations are not the ones the engine was deployed with (a migration rolled back or applied by hand),
"schema_matches" is false and "problem" and "hint" say what is wrong and what to do; every sync refuses to run then.
Raises nothing.';

--
-- Name: webhook_apply(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.webhook_apply(path text) RETURNS jsonb
    LANGUAGE plpython3u SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.webhook_apply(plpy, GD, path)
$$;

--
-- Name: FUNCTION webhook_apply(path text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.webhook_apply(path text) IS 'What the webhook receiver (nls webhooks serve) calls once an event delivered on a path is stored, in the background
of its answer: webhook_apply(path) applies the waiting events of the path''s user now, in the caller''s transaction,
as nls.apply_webhook_events(user_id) does, and returns its jsonb {"success", "results"} (a result of status skipped
when another run of that user''s events holds them: the receiver tries again). An unknown path applies nothing. In
the worker runtime it returns at once {"success": true, "results": [], "applied_by": "worker"}: the workers are
woken by the event''s NOTIFY and apply it. The pg_cron job apply-notion-webhooks stays the safety net. Raises 57014
on a cancel or statement_timeout; Notion''s failures do not raise (the events stay pending).';

--
-- Name: webhook_endpoint(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.webhook_endpoint(user_id text) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
DECLARE
    v_user text := webhook_endpoint.user_id;
    v_path text;
    v_window float8;
BEGIN
    IF v_user IS NULL THEN
        RAISE EXCEPTION 'nls: webhook_endpoint needs user_id; it was NULL' USING ERRCODE = '22004',
              HINT = 'webhook_endpoint(user_id text): the user whose Notion integration Notion''s webhooks are for.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM nls.integrations i WHERE i.user_id = v_user) THEN
        RAISE EXCEPTION 'nls: user % has no Notion integration this session can see (argument user_id)', v_user
              USING ERRCODE = 'P0002',
                    HINT = 'Store the token with nls.add_integration(user_id, access_token), and act for that user '
                           '(SET nls.user_id) when not an administrator.';
    END IF;
    SELECT s.value::float8 INTO v_window FROM nls.settings s WHERE s.name = 'webhook_handshake_window_s';
    INSERT INTO nls.webhook_subscriptions AS w (user_id, path, armed_until)
    VALUES (v_user, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
            now() + make_interval(secs => v_window))
    ON CONFLICT ON CONSTRAINT webhook_subscriptions_pkey DO UPDATE SET armed_until = excluded.armed_until
    RETURNING w.path INTO v_path;
    RETURN '/notion/' || v_path;
END
$$;

--
-- Name: FUNCTION webhook_endpoint(user_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.webhook_endpoint(user_id text) IS 'The webhook endpoint of a user''s Notion integration: webhook_endpoint(user_id) returns its path (text,
''/notion/<64 hex digits>'': unguessable, one per integration, the same on every call), which the DBA appends to the
public URL of `nls webhooks serve` in the integration''s webhook settings in Notion. Each call arms the path for
webhook_handshake_window_s (default 600 s): only then does it take Notion''s handshake, whose verification_token is
stored encrypted with the key ring (a new handshake replaces it) and shown once by nls.webhook_verification_token, to
be pasted back in Notion. Raises 22004 for a NULL user_id, P0002 when the session sees no integration of that user.';

--
-- Name: webhook_receive(text, bytea, text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.webhook_receive(path text, body bytea, signature text DEFAULT NULL::text) RETURNS integer
    LANGUAGE plpython3u SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.webhook_receive(plpy, GD, path, body, signature)
$$;

--
-- Name: FUNCTION webhook_receive(path text, body bytea, signature text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.webhook_receive(path text, body bytea, signature text) IS 'What `nls webhooks serve` calls for every POST it gets: webhook_receive(path, body bytea: the raw bytes as they
arrived, signature: the X-Notion-Signature header or NULL) returns the HTTP status to answer (int): 200 a handshake
taken while the path is armed (nls.webhook_endpoint), or a delivery verified and stored in nls.webhook_events (once per
event id); 401 unsigned (outside the handshake window), wrongly signed (HMAC-SHA256 over the raw bytes, keyed by the
verification token, compared in constant time) or naming another subscription; 404 an unknown path; 413 a body over
webhook_max_body_bytes; 400 a verified body that is no event (or a NULL path or body); 500 when the key ring cannot
be read (with a WARNING). Nothing is stored but what it answers 200. Runs as its owner (the token is decrypted where the
engine runs, with the key ring only it holds: inside the server, or in the worker runtime in a worker; the receiver holds no
secret); executable by nls_webhook and nls_admin only. Raises nothing: every refusal is a
status.';

--
-- Name: webhook_verification_token(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.webhook_verification_token(user_id text) RETURNS text
    LANGUAGE plpython3u
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.webhook_verification_token(plpy, GD, user_id)
$$;

--
-- Name: FUNCTION webhook_verification_token(user_id text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.webhook_verification_token(user_id text) IS 'The verification token Notion''s handshake brought to the user''s webhook endpoint, to paste back in the integration''s
webhook settings: webhook_verification_token(user_id) returns it (text) once. Raises 22004 for a NULL user_id, P0002
when no handshake came (arm the path with nls.webhook_endpoint first), 55000 when it was shown already (arm again and
have Notion send a new handshake).';

--
-- Name: word_count(text); Type: FUNCTION; Schema: nls; Owner: -
--

CREATE FUNCTION nls.word_count(body text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN body IS NULL OR btrim(body) = '' THEN 0
                ELSE array_length(regexp_split_to_array(btrim(body), '\s+'), 1) END
$$;

--
-- Name: FUNCTION word_count(body text); Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON FUNCTION nls.word_count(body text) IS 'Words in a card side: word_count(body text) returns int, the number of runs of non-space characters (0 for NULL).
Raises nothing.';

--
-- Name: _budget_00; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_00
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_01; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_01
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_02; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_02
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_03; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_03
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_04; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_04
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_05; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_05
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_06; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_06
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_064; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_064
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_065; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_065
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_066; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_066
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_067; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_067
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_068; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_068
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_069; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_069
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_07; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_07
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_070; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_070
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_071; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_071
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_072; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_072
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_073; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_073
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_074; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_074
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_075; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_075
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_076; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_076
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_077; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_077
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_078; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_078
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_079; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_079
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_08; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_08
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_080; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_080
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_081; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_081
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_082; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_082
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_083; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_083
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_084; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_084
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_085; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_085
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_086; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_086
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_087; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_087
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_088; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_088
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_089; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_089
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_09; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_09
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_090; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_090
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_091; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_091
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_092; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_092
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_093; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_093
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_094; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_094
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_095; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_095
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_096; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_096
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_097; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_097
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_098; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_098
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_099; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_099
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_10; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_10
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_100; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_100
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_101; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_101
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_102; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_102
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_103; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_103
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_104; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_104
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_105; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_105
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_106; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_106
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_107; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_107
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_108; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_108
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_109; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_109
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_11; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_11
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_110; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_110
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_111; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_111
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_112; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_112
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_113; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_113
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_114; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_114
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_115; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_115
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_116; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_116
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_117; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_117
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_118; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_118
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_119; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_119
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_12; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_12
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_120; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_120
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_121; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_121
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_122; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_122
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_123; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_123
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_124; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_124
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_125; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_125
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_126; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_126
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_127; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_127
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_128; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_128
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_129; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_129
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_13; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_13
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_130; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_130
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_131; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_131
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_132; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_132
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_133; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_133
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_134; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_134
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_135; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_135
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_136; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_136
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_137; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_137
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_138; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_138
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_139; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_139
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_14; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_14
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_140; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_140
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_141; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_141
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_142; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_142
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_143; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_143
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_144; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_144
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_145; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_145
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_146; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_146
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_147; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_147
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_148; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_148
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_149; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_149
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_15; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_15
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_150; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_150
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_151; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_151
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_152; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_152
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_153; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_153
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_154; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_154
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_155; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_155
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_156; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_156
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_157; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_157
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_158; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_158
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_159; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_159
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_16; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_16
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_160; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_160
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_161; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_161
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_162; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_162
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_163; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_163
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_164; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_164
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_165; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_165
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_166; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_166
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_167; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_167
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_168; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_168
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_169; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_169
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_17; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_17
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_170; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_170
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_171; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_171
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_172; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_172
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_173; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_173
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_174; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_174
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_175; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_175
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_176; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_176
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_177; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_177
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_178; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_178
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_179; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_179
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_18; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_18
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_180; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_180
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_181; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_181
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_182; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_182
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_183; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_183
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_184; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_184
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_185; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_185
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_186; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_186
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_187; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_187
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_188; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_188
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_189; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_189
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_19; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_19
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_190; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_190
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_191; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_191
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_192; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_192
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_193; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_193
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_194; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_194
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_195; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_195
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_196; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_196
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_197; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_197
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_198; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_198
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_199; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_199
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_20; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_20
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_200; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_200
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_201; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_201
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_202; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_202
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_203; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_203
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_204; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_204
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_205; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_205
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_206; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_206
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_207; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_207
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_208; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_208
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_209; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_209
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_21; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_21
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_210; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_210
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_211; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_211
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_212; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_212
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_213; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_213
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_214; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_214
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_215; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_215
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_216; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_216
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_217; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_217
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_218; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_218
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_219; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_219
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_22; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_22
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_220; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_220
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_221; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_221
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_222; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_222
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_223; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_223
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_224; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_224
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_225; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_225
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_226; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_226
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_227; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_227
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_228; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_228
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_229; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_229
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_23; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_23
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_230; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_230
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_231; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_231
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_232; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_232
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_233; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_233
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_234; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_234
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_235; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_235
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_236; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_236
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_237; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_237
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_238; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_238
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_239; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_239
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_24; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_24
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_240; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_240
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_241; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_241
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_242; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_242
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_243; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_243
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_244; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_244
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_245; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_245
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_246; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_246
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_247; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_247
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_248; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_248
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_249; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_249
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_25; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_25
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_250; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_250
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_251; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_251
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_252; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_252
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_253; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_253
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_254; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_254
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_255; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_255
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_26; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_26
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_27; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_27
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_28; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_28
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_29; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_29
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_30; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_30
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_31; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_31
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_32; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_32
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_33; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_33
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_34; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_34
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_35; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_35
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_36; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_36
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_37; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_37
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_38; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_38
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_39; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_39
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_40; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_40
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_41; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_41
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_42; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_42
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_43; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_43
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_44; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_44
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_45; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_45
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_46; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_46
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_47; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_47
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_48; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_48
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_49; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_49
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_50; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_50
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_51; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_51
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_52; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_52
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_53; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_53
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_54; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_54
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_55; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_55
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_56; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_56
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_57; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_57
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_58; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_58
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_59; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_59
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_60; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_60
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_61; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_61
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_62; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_62
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_63; Type: SEQUENCE; Schema: nls; Owner: -
--

CREATE SEQUENCE nls._budget_63
    START WITH 0
    INCREMENT BY 1
    MINVALUE 0
    NO MAXVALUE
    CACHE 1;

--
-- Name: _budget_registers; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._budget_registers (
    register integer NOT NULL,
    seq regclass NOT NULL
);

--
-- Name: TABLE _budget_registers; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls._budget_registers IS 'Internal: the sequences that hold the request budgets every backend shares (nls._take_budget, nls._take_window): one
budget (a token''s or a workspace''s pacing, window, or what was learned of its limit) in use per register; a register
whose budget is full again (or whose window ended) is free for another.';

--
-- Name: _clean_queue; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._clean_queue (
    user_id text NOT NULL,
    source_id bigint NOT NULL,
    page_id text NOT NULL
);

ALTER TABLE ONLY nls._clean_queue FORCE ROW LEVEL SECURITY;

--
-- Name: sources; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.sources (
    id bigint NOT NULL,
    user_id text NOT NULL,
    database_id text NOT NULL,
    database_name text,
    target text DEFAULT 'pages'::text NOT NULL,
    with_content boolean DEFAULT false NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    property_map jsonb DEFAULT '{}'::jsonb NOT NULL,
    property_ids jsonb DEFAULT '{}'::jsonb NOT NULL,
    push_map jsonb DEFAULT '{}'::jsonb NOT NULL,
    data_sources_listed_at timestamp with time zone,
    CONSTRAINT sources_database_id_check CHECK ((database_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'::text)),
    CONSTRAINT sources_property_map_check CHECK ((jsonb_typeof(property_map) = 'object'::text)),
    CONSTRAINT sources_push_map_check CHECK ((jsonb_typeof(push_map) = 'object'::text))
);

ALTER TABLE ONLY nls.sources FORCE ROW LEVEL SECURITY;

--
-- Name: COLUMN sources.data_sources_listed_at; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.sources.data_sources_listed_at IS 'When GET /v1/databases/{id} last listed the database''s data sources (they are the sync_state rows marked listed);
NULL: unknown, the next run lists them again (first run, a data_source.* webhook event, a query that answered 404 or
400). An incremental run of a source whose data sources are known makes no GET /v1/databases/{id}.';

--
-- Name: stg_notion_pages; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.stg_notion_pages (
    source_id bigint NOT NULL,
    page_id text NOT NULL,
    user_id text NOT NULL,
    data_source_id text NOT NULL,
    raw_properties jsonb NOT NULL,
    raw_page jsonb NOT NULL,
    raw_content jsonb,
    created_time timestamp with time zone NOT NULL,
    last_edited_time timestamp with time zone NOT NULL,
    in_trash boolean DEFAULT false NOT NULL,
    deleted_at timestamp with time zone,
    last_synced_at timestamp with time zone DEFAULT now() NOT NULL,
    sync_hash text NOT NULL,
    content_markdown text,
    value_marks jsonb DEFAULT '{}'::jsonb NOT NULL
);

ALTER TABLE ONLY nls.stg_notion_pages FORCE ROW LEVEL SECURITY;

--
-- Name: COLUMN stg_notion_pages.value_marks; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.stg_notion_pages.value_marks IS 'Property values of raw_properties that are not Notion''s true value, by property id: {"<property id>": {"property":
name, "type": rollup|formula|..., "mark": "computed_over_cut_relation" (a rollup Notion computed over the first 25
items of a longer relation; "relation_property_id" and "related" give the relation and its full length) or
"unsupported" (Notion could not compute it: unknown, not null)}}. Empty when every value is whole.';

--
-- Name: _creative_pages; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._creative_pages WITH (security_invoker='true') AS
 SELECT DISTINCT ON (p.user_id, p.page_id) p.user_id,
    p.page_id AS notion_page_id,
    p.source_id,
    s.target,
    nls._source_map(s.target, s.property_map, s.property_ids) AS map,
    p.raw_properties AS properties,
    p.sync_hash AS content_hash,
    p.created_time AS notion_created_time,
    p.last_edited_time AS notion_last_edited_time
   FROM (nls.stg_notion_pages p
     JOIN nls.sources s ON ((s.id = p.source_id)))
  WHERE ((nls._target_kind(s.target) = 'creative'::text) AND (NOT p.in_trash) AND (p.deleted_at IS NULL))
  ORDER BY p.user_id, p.page_id, p.last_edited_time DESC, p.source_id;

--
-- Name: VIEW _creative_pages; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls._creative_pages IS 'Internal: the live pages (not trashed, not gone) of every creative source with the source''s property map; one row
per user and page (the newest, should two sources hold it).';

--
-- Name: _event_deliveries; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._event_deliveries (
    endpoint_id bigint NOT NULL,
    event_id bigint NOT NULL,
    user_id text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    last_attempt_at timestamp with time zone,
    request_id bigint,
    last_status integer,
    last_error text,
    settled_at timestamp with time zone,
    CONSTRAINT _event_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'sending'::text, 'sent'::text, 'failed'::text])))
);

ALTER TABLE ONLY nls._event_deliveries FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE _event_deliveries; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls._event_deliveries IS 'One row per event and endpoint that takes its kind: pending (waiting for its turn or its next attempt), sending (an
attempt is out: request_id is pg_net''s), sent (a 2xx answer), failed (given up after event_max_attempts); attempts,
the last HTTP status and error. An endpoint gets its events in order: the next one only once the one before is
settled (sent or failed).';

--
-- Name: _event_endpoints; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._event_endpoints (
    id bigint NOT NULL,
    user_id text NOT NULL,
    url text NOT NULL,
    secret text NOT NULL,
    kinds text[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT _event_endpoints_kinds_check CHECK ((cardinality(kinds) > 0)),
    CONSTRAINT _event_endpoints_secret_check CHECK ((secret <> ''::text)),
    CONSTRAINT _event_endpoints_url_check CHECK ((url ~* '^https?://[^/\s?#]+'::text))
);

ALTER TABLE ONLY nls._event_endpoints FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE _event_endpoints; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls._event_endpoints IS 'Where a user''s events go: one row per (user_id, url), the kinds of event it takes and the secret each delivery is
signed with (HMAC-SHA256). The secret is read by nls''s owner only (the delivery signs inside the server); the
application reads the other columns through nls.event_endpoints.';

--
-- Name: _event_endpoints_id_seq; Type: SEQUENCE; Schema: nls; Owner: -
--

ALTER TABLE nls._event_endpoints ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nls._event_endpoints_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: _events; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._events (
    id bigint NOT NULL,
    user_id text NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);

ALTER TABLE ONLY nls._events FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE _events; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls._events IS 'Every event made, with the JSON document its deliveries carry as their body ({"id", "kind", "time", "user_id",
"data": ids and counts to look up}; never a token or page content). Kept event_keep_days once every delivery of it
is settled.';

--
-- Name: _events_id_seq; Type: SEQUENCE; Schema: nls; Owner: -
--

ALTER TABLE nls._events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nls._events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: _loopback; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._loopback (
    only_row boolean DEFAULT true NOT NULL,
    conninfo text NOT NULL,
    role name NOT NULL,
    CONSTRAINT _loopback_only_row_check CHECK (only_row)
);

--
-- Name: _python_module; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._python_module (
    name text NOT NULL,
    source text NOT NULL,
    sha256 text NOT NULL,
    deployed_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: _requests; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._requests (
    id uuid NOT NULL,
    kind text NOT NULL,
    args jsonb DEFAULT '{}'::jsonb NOT NULL,
    secret bytea,
    secret_iv bytea,
    acting_user text,
    scope text DEFAULT ''::text NOT NULL,
    caller_role name NOT NULL,
    caller_pid integer NOT NULL,
    caller_started timestamp with time zone NOT NULL,
    requested_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    status text DEFAULT 'queued'::text NOT NULL,
    claimed_by uuid,
    claimed_pid integer,
    claimed_at timestamp with time zone,
    cancel_asked_at timestamp with time zone,
    finished_at timestamp with time zone,
    result jsonb,
    error jsonb,
    messages jsonb,
    CONSTRAINT _requests_scope_check CHECK ((scope = ANY (ARRAY[''::text, 'read'::text, 'all'::text]))),
    CONSTRAINT _requests_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'done'::text, 'failed'::text, 'cancelled'::text])))
);

--
-- Name: _want_characters; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_characters WITH (security_invoker='true') AS
 SELECT _creative_pages.user_id,
    _creative_pages.notion_page_id,
    _creative_pages.source_id,
    nls._name(_creative_pages.properties, _creative_pages.map) AS name,
    nls._field(_creative_pages.properties, _creative_pages.map, 'description'::text) AS description,
    _creative_pages.properties,
    _creative_pages.content_hash,
    _creative_pages.notion_created_time,
    _creative_pages.notion_last_edited_time
   FROM nls._creative_pages
  WHERE (_creative_pages.target = 'characters'::text);

--
-- Name: VIEW _want_characters; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls._want_characters IS 'What nls.characters should hold: name (Name, else the title), description (Description, else Bio, else Backstory).';

--
-- Name: _want_chat_sessions; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_chat_sessions WITH (security_invoker='true') AS
 SELECT _creative_pages.user_id,
    _creative_pages.notion_page_id,
    _creative_pages.source_id,
    COALESCE(nls._field(_creative_pages.properties, _creative_pages.map, 'title'::text), nls._title(_creative_pages.properties), 'Untitled'::text) AS title,
    nls._field(_creative_pages.properties, _creative_pages.map, 'transcript'::text) AS transcript,
    nls._int(nls._field(_creative_pages.properties, _creative_pages.map, 'message_count'::text)) AS message_count,
    _creative_pages.properties,
    _creative_pages.content_hash,
    _creative_pages.notion_created_time,
    _creative_pages.notion_last_edited_time
   FROM nls._creative_pages
  WHERE (_creative_pages.target = 'chat_sessions'::text);

--
-- Name: VIEW _want_chat_sessions; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls._want_chat_sessions IS 'What nls.chat_sessions should hold: title (Session Title, else the title), transcript (Raw Transcript),
message_count (Message Count, a whole number).';

--
-- Name: stg_notion_concept_areas; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.stg_notion_concept_areas (
    user_id text NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    raw_properties jsonb NOT NULL,
    raw_content jsonb,
    last_edited_time timestamp with time zone,
    in_trash boolean DEFAULT false NOT NULL,
    last_synced_at timestamp with time zone DEFAULT now(),
    sync_hash text
);

ALTER TABLE ONLY nls.stg_notion_concept_areas FORCE ROW LEVEL SECURITY;

--
-- Name: _want_clean_concept_areas; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_clean_concept_areas WITH (security_invoker='true') AS
 SELECT st.user_id,
    st.notion_page_id AS notion_id,
    nls._name(st.raw_properties, m.map) AS name,
    nls._field(st.raw_properties, m.map, 'description'::text) AS description,
    nls._field(st.raw_properties, m.map, 'domain'::text) AS domain,
    COALESCE(nls._int(nls._field(st.raw_properties, m.map, 'display_order'::text)), 0) AS display_order
   FROM ((nls.stg_notion_concept_areas st
     JOIN nls.sources s ON ((s.id = st.source_id)))
     CROSS JOIN LATERAL ( SELECT nls._source_map('concept_areas'::text, s.property_map, s.property_ids) AS map) m)
  WHERE (NOT st.in_trash);

--
-- Name: clean_concept_areas; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.clean_concept_areas (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_id text,
    name text NOT NULL,
    description text,
    domain text,
    display_order integer DEFAULT 0,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now()
);

ALTER TABLE ONLY nls.clean_concept_areas FORCE ROW LEVEL SECURITY;

--
-- Name: stg_notion_concept_clusters; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.stg_notion_concept_clusters (
    user_id text NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    raw_properties jsonb NOT NULL,
    raw_content jsonb,
    last_edited_time timestamp with time zone,
    in_trash boolean DEFAULT false NOT NULL,
    last_synced_at timestamp with time zone DEFAULT now(),
    sync_hash text,
    parent_area_notion_id text
);

ALTER TABLE ONLY nls.stg_notion_concept_clusters FORCE ROW LEVEL SECURITY;

--
-- Name: _want_clean_concept_clusters; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_clean_concept_clusters WITH (security_invoker='true') AS
 SELECT st.user_id,
    st.notion_page_id AS notion_id,
    a.id AS concept_area_id,
    nls._name(st.raw_properties, m.map) AS name,
    nls._field(st.raw_properties, m.map, 'description'::text) AS description,
    nls._num(nls._field(st.raw_properties, m.map, 'exam_weight'::text), (0)::numeric, (100)::numeric, 2) AS exam_weight,
    COALESCE(nls._int(nls._field(st.raw_properties, m.map, 'display_order'::text)), 0) AS display_order
   FROM (((nls.stg_notion_concept_clusters st
     JOIN nls.sources s ON ((s.id = st.source_id)))
     CROSS JOIN LATERAL ( SELECT nls._source_map('concept_clusters'::text, s.property_map, s.property_ids) AS map) m)
     LEFT JOIN nls.clean_concept_areas a ON (((a.user_id = st.user_id) AND (a.notion_id = st.parent_area_notion_id))))
  WHERE (NOT st.in_trash);

--
-- Name: stg_notion_programs; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.stg_notion_programs (
    user_id text NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    raw_properties jsonb NOT NULL,
    raw_content jsonb,
    last_edited_time timestamp with time zone,
    in_trash boolean DEFAULT false NOT NULL,
    last_synced_at timestamp with time zone DEFAULT now(),
    sync_hash text
);

ALTER TABLE ONLY nls.stg_notion_programs FORCE ROW LEVEL SECURITY;

--
-- Name: _want_clean_programs; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_clean_programs WITH (security_invoker='true') AS
 SELECT st.user_id,
    st.notion_page_id AS notion_id,
    nls._name(st.raw_properties, m.map) AS name,
    nls._field(st.raw_properties, m.map, 'description'::text) AS description,
    nls._status(nls._field(st.raw_properties, m.map, 'status'::text), '{active,completed,paused,archived}'::text[], 'active'::text) AS status,
    nls._date(nls._field(st.raw_properties, m.map, 'start_date'::text)) AS start_date,
    nls._date(nls._field(st.raw_properties, m.map, 'end_date'::text)) AS end_date
   FROM ((nls.stg_notion_programs st
     JOIN nls.sources s ON ((s.id = st.source_id)))
     CROSS JOIN LATERAL ( SELECT nls._source_map('programs'::text, s.property_map, s.property_ids) AS map) m)
  WHERE (NOT st.in_trash);

--
-- Name: clean_programs; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.clean_programs (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_id text,
    name text NOT NULL,
    description text,
    status text DEFAULT 'active'::text,
    start_date date,
    end_date date,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    CONSTRAINT clean_programs_status_check CHECK ((status = ANY (ARRAY['active'::text, 'completed'::text, 'paused'::text, 'archived'::text])))
);

ALTER TABLE ONLY nls.clean_programs FORCE ROW LEVEL SECURITY;

--
-- Name: stg_notion_tracks; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.stg_notion_tracks (
    user_id text NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    raw_properties jsonb NOT NULL,
    raw_content jsonb,
    last_edited_time timestamp with time zone,
    in_trash boolean DEFAULT false NOT NULL,
    last_synced_at timestamp with time zone DEFAULT now(),
    sync_hash text
);

ALTER TABLE ONLY nls.stg_notion_tracks FORCE ROW LEVEL SECURITY;

--
-- Name: _want_clean_tracks; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_clean_tracks WITH (security_invoker='true') AS
 SELECT st.user_id,
    st.notion_page_id AS notion_id,
    p.id AS program_id,
    nls._name(st.raw_properties, m.map) AS name,
    nls._field(st.raw_properties, m.map, 'description'::text) AS description,
    COALESCE(nls._int(nls._field(st.raw_properties, m.map, 'display_order'::text)), 0) AS display_order
   FROM (((nls.stg_notion_tracks st
     JOIN nls.sources s ON ((s.id = st.source_id)))
     CROSS JOIN LATERAL ( SELECT nls._source_map('tracks'::text, s.property_map, s.property_ids) AS map) m)
     LEFT JOIN nls.clean_programs p ON (((p.user_id = st.user_id) AND (p.notion_id = nls._first_related(st.raw_properties, m.map, 'program'::text)))))
  WHERE (NOT st.in_trash);

--
-- Name: clean_concept_clusters; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.clean_concept_clusters (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_id text,
    concept_area_id uuid,
    name text NOT NULL,
    description text,
    exam_weight numeric(5,2),
    display_order integer DEFAULT 0,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    CONSTRAINT clean_concept_clusters_exam_weight_check CHECK (((exam_weight >= (0)::numeric) AND (exam_weight <= (100)::numeric)))
);

ALTER TABLE ONLY nls.clean_concept_clusters FORCE ROW LEVEL SECURITY;

--
-- Name: stg_notion_concepts; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.stg_notion_concepts (
    user_id text NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    raw_properties jsonb NOT NULL,
    raw_content jsonb,
    parent_type text,
    parent_notion_id text,
    last_edited_time timestamp with time zone,
    in_trash boolean DEFAULT false NOT NULL,
    last_synced_at timestamp with time zone DEFAULT now(),
    sync_hash text,
    CONSTRAINT stg_notion_concepts_parent_type_check CHECK ((parent_type = ANY (ARRAY['area'::text, 'cluster'::text])))
);

ALTER TABLE ONLY nls.stg_notion_concepts FORCE ROW LEVEL SECURITY;

--
-- Name: _want_concepts; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_concepts WITH (security_invoker='true') AS
 SELECT st.user_id,
    st.notion_page_id AS notion_id,
    cl.id AS cluster_id,
    a.id AS concept_area_id,
    nls._name(st.raw_properties, m.map) AS name,
    nls._field(st.raw_properties, m.map, 'definition'::text) AS definition,
    nls._field(st.raw_properties, m.map, 'domain'::text) AS domain,
    nls._status(nls._field(st.raw_properties, m.map, 'status'::text), '{to_learn,active,reviewing,mastered,stale}'::text[], 'to_learn'::text) AS status,
    nls._num(nls._field(st.raw_properties, m.map, 'dec_score'::text), (0)::numeric, (10)::numeric, 2) AS dec_score,
    nls._num(nls._field(st.raw_properties, m.map, 'proc_score'::text), (0)::numeric, (10)::numeric, 2) AS proc_score,
    nls._num(nls._field(st.raw_properties, m.map, 'app_score'::text), (0)::numeric, (10)::numeric, 2) AS app_score,
    GREATEST((nls._date(nls._field(st.raw_properties, m.map, 'last_reviewed_at'::text)))::timestamp with time zone, nls._anki_last_review(st.user_id, st.notion_page_id)) AS last_reviewed_at
   FROM ((((nls.stg_notion_concepts st
     JOIN nls.sources s ON ((s.id = st.source_id)))
     CROSS JOIN LATERAL ( SELECT nls._source_map('concepts'::text, s.property_map, s.property_ids) AS map) m)
     LEFT JOIN nls.clean_concept_clusters cl ON (((st.parent_type = 'cluster'::text) AND (cl.user_id = st.user_id) AND (cl.notion_id = st.parent_notion_id))))
     LEFT JOIN nls.clean_concept_areas a ON (((a.user_id = st.user_id) AND (a.notion_id = nls._first_related(st.raw_properties, m.map, 'area'::text)))))
  WHERE (NOT st.in_trash);

--
-- Name: _want_learning_atoms; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_learning_atoms WITH (security_invoker='true') AS
 SELECT _want_atoms.user_id,
    _want_atoms.notion_id,
    _want_atoms.card_id,
    _want_atoms.atom_type,
    _want_atoms.front,
    _want_atoms.back,
    _want_atoms.concept_id,
    _want_atoms.module_id,
    _want_atoms.quality_score,
    _want_atoms.is_atomic,
    _want_atoms.front_word_count,
    _want_atoms.back_word_count,
    _want_atoms.atomicity_status,
    _want_atoms.needs_review
   FROM nls._want_atoms(NULL::text, NULL::text[]) _want_atoms(user_id, notion_id, card_id, atom_type, front, back, concept_id, module_id, quality_score, is_atomic, front_word_count, back_word_count, atomicity_status, needs_review);

--
-- Name: VIEW _want_learning_atoms; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls._want_learning_atoms IS 'What learning_atoms should hold for the synced flashcards (one row per card that is not trashed), computed by the
card rules; nls.clean() writes the difference.';

--
-- Name: clean_tracks; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.clean_tracks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_id text,
    program_id uuid,
    name text NOT NULL,
    description text,
    display_order integer DEFAULT 0,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now()
);

ALTER TABLE ONLY nls.clean_tracks FORCE ROW LEVEL SECURITY;

--
-- Name: stg_notion_modules; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.stg_notion_modules (
    user_id text NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    raw_properties jsonb NOT NULL,
    raw_content jsonb,
    last_edited_time timestamp with time zone,
    in_trash boolean DEFAULT false NOT NULL,
    last_synced_at timestamp with time zone DEFAULT now(),
    sync_hash text
);

ALTER TABLE ONLY nls.stg_notion_modules FORCE ROW LEVEL SECURITY;

--
-- Name: _want_learning_modules; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_learning_modules WITH (security_invoker='true') AS
 SELECT st.user_id,
    st.notion_page_id AS notion_id,
    t.id AS track_id,
    nls._name(st.raw_properties, m.map) AS name,
    nls._field(st.raw_properties, m.map, 'description'::text) AS description,
    nls._int(nls._field(st.raw_properties, m.map, 'week_order'::text)) AS week_order,
    nls._status(nls._field(st.raw_properties, m.map, 'status'::text), '{not_started,in_progress,completed,reviewing}'::text[], 'not_started'::text) AS status
   FROM (((nls.stg_notion_modules st
     JOIN nls.sources s ON ((s.id = st.source_id)))
     CROSS JOIN LATERAL ( SELECT nls._source_map('modules'::text, s.property_map, s.property_ids) AS map) m)
     LEFT JOIN nls.clean_tracks t ON (((t.user_id = st.user_id) AND (t.notion_id = nls._first_related(st.raw_properties, m.map, 'track'::text)))))
  WHERE (NOT st.in_trash);

--
-- Name: _want_stories; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_stories WITH (security_invoker='true') AS
 SELECT _creative_pages.user_id,
    _creative_pages.notion_page_id,
    _creative_pages.source_id,
    COALESCE(nls._field(_creative_pages.properties, _creative_pages.map, 'title'::text), nls._title(_creative_pages.properties), 'Untitled'::text) AS title,
    nls._field(_creative_pages.properties, _creative_pages.map, 'description'::text) AS description,
    _creative_pages.properties,
    _creative_pages.content_hash,
    _creative_pages.notion_created_time,
    _creative_pages.notion_last_edited_time
   FROM nls._creative_pages
  WHERE (_creative_pages.target = 'stories'::text);

--
-- Name: VIEW _want_stories; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls._want_stories IS 'What nls.stories should hold: title (Story Title, else the title), description (Premise).';

--
-- Name: _want_worlds; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls._want_worlds WITH (security_invoker='true') AS
 SELECT _creative_pages.user_id,
    _creative_pages.notion_page_id,
    _creative_pages.source_id,
    nls._name(_creative_pages.properties, _creative_pages.map) AS name,
    nls._field(_creative_pages.properties, _creative_pages.map, 'description'::text) AS description,
    _creative_pages.properties,
    _creative_pages.content_hash,
    _creative_pages.notion_created_time,
    _creative_pages.notion_last_edited_time
   FROM nls._creative_pages
  WHERE (_creative_pages.target = 'worlds'::text);

--
-- Name: VIEW _want_worlds; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls._want_worlds IS 'What nls.worlds should hold: name (World Name, else the title), description (Concept/Premise).';

--
-- Name: _workers; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._workers (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    concurrency integer NOT NULL,
    release text,
    engine text,
    heartbeat_s double precision DEFAULT 5 NOT NULL,
    started_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    stopping_at timestamp with time zone,
    running jsonb DEFAULT '[]'::jsonb NOT NULL
);

--
-- Name: _yoyo_log; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._yoyo_log (
    id character varying(36) NOT NULL,
    migration_hash character varying(64),
    migration_id character varying(255),
    operation character varying(10),
    username character varying(255),
    hostname character varying(255),
    comment character varying(255),
    created_at_utc timestamp without time zone
);

--
-- Name: _yoyo_migration; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._yoyo_migration (
    migration_hash character varying(64) NOT NULL,
    migration_id character varying(255),
    applied_at_utc timestamp without time zone
);

--
-- Name: _yoyo_version; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls._yoyo_version (
    version integer NOT NULL,
    installed_at_utc timestamp without time zone
);

--
-- Name: anki_accounts; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.anki_accounts (
    id bigint NOT NULL,
    user_id text NOT NULL,
    endpoint text,
    credential_kind text NOT NULL,
    credential_ciphertext bytea NOT NULL,
    credential_nonce bytea NOT NULL,
    key_version integer DEFAULT 1 NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT anki_accounts_credential_kind_check CHECK ((credential_kind = ANY (ARRAY['password'::text, 'session_key'::text]))),
    CONSTRAINT anki_accounts_status_check CHECK ((status = ANY (ARRAY['active'::text, 'needs_reauth'::text, 'disabled'::text])))
);

ALTER TABLE ONLY nls.anki_accounts FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE anki_accounts; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.anki_accounts IS 'A user''s Anki account (nls.add_anki_account): the sync endpoint (NULL: AnkiWeb) and, encrypted with the key ring
(AES-256-GCM, the owner and "anki" bound in), the credential: the username and password until the first login, then
the username and the session key (hkey) Anki''s login returned; the password is then dropped. status needs_reauth:
the endpoint refused the login or the session key; nls.add_anki_account again sets it active.';

--
-- Name: anki_accounts_id_seq; Type: SEQUENCE; Schema: nls; Owner: -
--

ALTER TABLE nls.anki_accounts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nls.anki_accounts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: anki_collections; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.anki_collections (
    user_id text NOT NULL,
    collection bytea NOT NULL,
    bytes integer NOT NULL,
    saved_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE ONLY nls.anki_collections ALTER COLUMN collection SET STORAGE EXTERNAL;

ALTER TABLE ONLY nls.anki_collections FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE anki_collections; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.anki_collections IS 'The Anki collection nls keeps for a user (one SQLite file, as Anki''s library writes it), saved after every exchange
with the endpoint that succeeded: it always holds what the endpoint holds, never a change the endpoint has not taken.';

--
-- Name: anki_notes; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.anki_notes (
    user_id text NOT NULL,
    guid text NOT NULL,
    atom_key text NOT NULL,
    notetype text NOT NULL,
    note_id bigint,
    card_id bigint,
    deck text,
    content_hash text NOT NULL,
    fields_hash text NOT NULL,
    edit_hash text,
    removed_at timestamp with time zone,
    deleted_at timestamp with time zone,
    reviews integer DEFAULT 0 NOT NULL,
    last_review_at timestamp with time zone,
    pushed_at timestamp with time zone DEFAULT now() NOT NULL,
    pulled_at timestamp with time zone
);

ALTER TABLE ONLY nls.anki_notes FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE anki_notes; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.anki_notes IS 'One row per note nls put into a user''s Anki collection: its guid (derived from the atom: the Notion page id, or the
atom id), the note and first card ids, the deck, the SHA-256 of what nls last wrote (content_hash: fields, deck, tags;
fields_hash: the fields alone, to tell a learner''s edit), the last learner edit already offered for review
(edit_hash), when its atom left Notion (removed_at: the cards are suspended and tagged, never deleted), when the
learner deleted it in Anki (deleted_at), and the review count and last review time read back.';

--
-- Name: sync_log; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.sync_log (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    sync_type text NOT NULL,
    started_at timestamp with time zone DEFAULT now(),
    completed_at timestamp with time zone,
    status text DEFAULT 'running'::text,
    items_processed integer DEFAULT 0,
    items_added integer DEFAULT 0,
    items_updated integer DEFAULT 0,
    items_removed integer DEFAULT 0,
    error_message text,
    details jsonb,
    user_id text,
    source_id bigint,
    notion_version text,
    requests_made integer DEFAULT 0 NOT NULL,
    retries integer DEFAULT 0 NOT NULL,
    error_code text,
    backend_pid integer,
    backend_start timestamp with time zone,
    CONSTRAINT sync_log_status_check CHECK ((status = ANY (ARRAY['running'::text, 'completed'::text, 'partial'::text, 'failed'::text, 'cancelled'::text])))
);

ALTER TABLE ONLY nls.sync_log FORCE ROW LEVEL SECURITY;

--
-- Name: COLUMN sync_log.status; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.sync_log.status IS 'running, then completed, partial (stopped early or some pages not stored: the next run resumes), failed, or
cancelled (a cancel or statement_timeout stopped it; the scheduled procedure commits that before it stops). A
running row whose backend is gone reads as failed in nls.sync_status and is closed by the next run. The JSON
nls.sync_notion returns says "success" for completed (mapped once, in plpython/nls_engine/report.py).';

--
-- Name: COLUMN sync_log.details; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.sync_log.details IS 'What a run found, one shape for every run of the engine (plpython/nls_engine/report.py): {"data_sources": [{"id",
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

--
-- Name: anki_status; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.anki_status WITH (security_invoker='true') AS
 SELECT a.user_id,
    COALESCE(a.endpoint, 'AnkiWeb'::text) AS endpoint,
    a.status,
    a.credential_kind,
    c.bytes AS collection_bytes,
    c.saved_at AS collection_saved_at,
    ( SELECT count(*) AS count
           FROM nls.anki_notes n
          WHERE ((n.user_id = a.user_id) AND (n.removed_at IS NULL) AND (n.deleted_at IS NULL))) AS notes,
    ( SELECT count(*) AS count
           FROM nls.anki_notes n
          WHERE ((n.user_id = a.user_id) AND (n.removed_at IS NOT NULL))) AS suspended,
    ( SELECT count(*) AS count
           FROM nls.anki_notes n
          WHERE ((n.user_id = a.user_id) AND (n.deleted_at IS NOT NULL))) AS deleted_in_anki,
    last.sync_type AS last_step,
    last.status AS last_status,
    last.started_at AS last_run_at,
    last.error_code AS last_error_code,
    last.error_message AS last_error,
    ( SELECT max(l.completed_at) AS max
           FROM nls.sync_log l
          WHERE ((l.user_id = a.user_id) AND (l.sync_type = 'anki_push'::text) AND (l.status = 'completed'::text))) AS last_push_at,
    ( SELECT max(l.completed_at) AS max
           FROM nls.sync_log l
          WHERE ((l.user_id = a.user_id) AND (l.sync_type = 'anki_pull'::text) AND (l.status = 'completed'::text))) AS last_pull_at
   FROM ((nls.anki_accounts a
     LEFT JOIN nls.anki_collections c ON ((c.user_id = a.user_id)))
     LEFT JOIN LATERAL ( SELECT l.id,
            l.sync_type,
            l.started_at,
            l.completed_at,
            l.status,
            l.items_processed,
            l.items_added,
            l.items_updated,
            l.items_removed,
            l.error_message,
            l.details,
            l.user_id,
            l.source_id,
            l.notion_version,
            l.requests_made,
            l.retries,
            l.error_code,
            l.backend_pid,
            l.backend_start
           FROM nls.sync_log l
          WHERE ((l.user_id = a.user_id) AND (l.source_id IS NULL) AND (l.sync_type ~~ 'anki%'::text))
          ORDER BY l.started_at DESC
         LIMIT 1) last ON (true));

--
-- Name: VIEW anki_status; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.anki_status IS 'One row per Anki account: endpoint (AnkiWeb when none was given), status (active, needs_reauth), what is held
(password until the first login, then session_key), the size and save time of the collection nls keeps, its notes
(live, suspended because their atom left Notion, deleted by the learner), the last Anki step (anki_sync, anki_pull,
anki_push) with its status and error, and the last completed push and pull.';

--
-- Name: characters; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.characters (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    name text NOT NULL,
    description text,
    properties jsonb NOT NULL,
    content_hash text NOT NULL,
    notion_created_time timestamp with time zone,
    notion_last_edited_time timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY nls.characters FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE characters; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.characters IS 'Characters (a source of target characters), one row per synced page: name, description, every property (properties),
owner, Notion page id, content hash (the page''s sync hash). Written by nls.clean(); a trashed or gone page''s row
leaves (its last state in cleaning_log).';

--
-- Name: chat_sessions; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.chat_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    title text NOT NULL,
    transcript text,
    message_count integer,
    properties jsonb NOT NULL,
    content_hash text NOT NULL,
    notion_created_time timestamp with time zone,
    notion_last_edited_time timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY nls.chat_sessions FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE chat_sessions; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.chat_sessions IS 'Chat Sessions (a source of target chat_sessions), one row per synced page: title, transcript, message_count (see
nls.characters).';

--
-- Name: cleaning_log; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.cleaning_log (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    atom_id uuid,
    operation text NOT NULL,
    old_value jsonb,
    new_value jsonb,
    performed_at timestamp with time zone DEFAULT now(),
    user_id text DEFAULT nls._session_user(),
    entity text,
    notion_id text,
    sync_log_id uuid
);

ALTER TABLE ONLY nls.cleaning_log FORCE ROW LEVEL SECURITY;

--
-- Name: concepts; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.concepts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_id text,
    cluster_id uuid,
    concept_area_id uuid,
    name text NOT NULL,
    definition text,
    domain text,
    status text DEFAULT 'to_learn'::text,
    dec_score numeric(4,2),
    proc_score numeric(4,2),
    app_score numeric(4,2),
    last_reviewed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    CONSTRAINT concepts_app_score_check CHECK (((app_score >= (0)::numeric) AND (app_score <= (10)::numeric))),
    CONSTRAINT concepts_dec_score_check CHECK (((dec_score >= (0)::numeric) AND (dec_score <= (10)::numeric))),
    CONSTRAINT concepts_proc_score_check CHECK (((proc_score >= (0)::numeric) AND (proc_score <= (10)::numeric))),
    CONSTRAINT concepts_status_check CHECK ((status = ANY (ARRAY['to_learn'::text, 'active'::text, 'reviewing'::text, 'mastered'::text, 'stale'::text])))
);

ALTER TABLE ONLY nls.concepts FORCE ROW LEVEL SECURITY;

--
-- Name: data_source_schemas; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.data_source_schemas (
    source_id bigint NOT NULL,
    data_source_id text NOT NULL,
    schema_hash text NOT NULL,
    properties jsonb NOT NULL,
    first_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY nls.data_source_schemas FORCE ROW LEVEL SECURITY;

--
-- Name: event_deliveries; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.event_deliveries WITH (security_invoker='true') AS
 SELECT d.endpoint_id,
    e.url,
    d.event_id,
    v.kind,
    d.user_id,
    v.created_at AS event_time,
    d.status,
    d.attempts,
    d.last_status,
    d.last_error,
    d.last_attempt_at,
        CASE
            WHEN (d.status = 'pending'::text) THEN d.next_attempt_at
            ELSE NULL::timestamp with time zone
        END AS next_attempt_at,
    d.settled_at,
    d.request_id,
        CASE
            WHEN (d.status <> 'pending'::text) THEN NULL::text
            WHEN (nls._event_transport() = 'none'::text) THEN 'pg_net is not installed: the event went out on NOTIFY nls_events only (docs/events.md)'::text
            WHEN (EXISTS ( SELECT 1
               FROM nls._event_deliveries b
              WHERE ((b.endpoint_id = d.endpoint_id) AND (b.event_id < d.event_id) AND (b.status = ANY (ARRAY['pending'::text, 'sending'::text]))))) THEN 'waits for an earlier event to this endpoint'::text
            WHEN (d.next_attempt_at > now()) THEN 'retried at next_attempt_at'::text
            ELSE 'due: the next delivery step sends it'::text
        END AS waiting_reason,
    v.payload
   FROM ((nls._event_deliveries d
     JOIN nls._event_endpoints e ON ((e.id = d.endpoint_id)))
     JOIN nls._events v ON ((v.id = d.event_id)));

--
-- Name: VIEW event_deliveries; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.event_deliveries IS 'One row per event and endpoint: status (pending, sending, sent, failed), attempts, the last HTTP status and error,
when it was last tried, when it is tried next (pending), when it settled, pg_net''s request id, why a pending one
waits (waiting_reason: pg_net missing, an earlier event first, a retry later, due) and the body sent (payload).
Row-level security applies.';

--
-- Name: event_endpoints; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.event_endpoints AS
SELECT
    NULL::bigint AS id,
    NULL::text AS user_id,
    NULL::text AS url,
    NULL::text[] AS kinds,
    NULL::timestamp with time zone AS created_at,
    NULL::timestamp with time zone AS updated_at,
    NULL::bigint AS pending,
    NULL::bigint AS sent,
    NULL::bigint AS failed,
    NULL::timestamp with time zone AS last_sent_at;

--
-- Name: VIEW event_endpoints; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.event_endpoints IS 'One row per event endpoint: its id, user, url, the kinds it takes, when it was registered and changed, and its
deliveries pending, sent and failed, with the last one sent (the secret is never shown). Row-level security applies.';

--
-- Name: events; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.events WITH (security_invoker='true') AS
 SELECT v.id,
    v.user_id,
    v.kind,
    v.created_at,
    v.payload
   FROM nls._events v;

--
-- Name: VIEW events; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.events IS 'One row per event kept (event_keep_days): its id, user, kind, when it was made, and the document its deliveries
send (payload: id, kind, time, user_id and data, the ids to look up). NOTIFY nls_events names an event by its id,
kind, time and user; its data is read here. Row-level security applies: a session acting for a user sees that
user''s events only.';

--
-- Name: integration_notes; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.integration_notes (
    id bigint NOT NULL,
    integration_id bigint NOT NULL,
    user_id text NOT NULL,
    noted_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    workspace_id text,
    workspace_name text,
    bot_id text,
    trash_checked_at timestamp with time zone,
    refused_nonce bytea
);

ALTER TABLE ONLY nls.integration_notes FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE integration_notes; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.integration_notes IS 'What a run learned about its integration and has not yet folded into nls.integrations: the workspace (workspace_id,
workspace_name) and bot user (bot_id) GET /v1/users/me named, when a look at the trash began (trash_checked_at), or
that Notion refused the token (refused_nonce: the token_nonce of the token refused). A run inserts a note (which
locks no row another session needs; integration_id has no foreign key, whose check would lock the integration''s
row) and the note is folded into nls.integrations and deleted as the run''s transaction commits
(nls._fold_integration_notes); until then nls._integration() reads the integration with its notes.';

--
-- Name: integration_notes_id_seq; Type: SEQUENCE; Schema: nls; Owner: -
--

ALTER TABLE nls.integration_notes ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nls.integration_notes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: integrations; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.integrations (
    id bigint NOT NULL,
    user_id text NOT NULL,
    token_ciphertext bytea NOT NULL,
    token_nonce bytea NOT NULL,
    key_version integer DEFAULT 1 NOT NULL,
    workspace_id text,
    workspace_name text,
    workspace_icon text,
    bot_id text,
    status text DEFAULT 'active'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    trash_checked_at timestamp with time zone,
    CONSTRAINT integrations_status_check CHECK ((status = ANY (ARRAY['active'::text, 'needs_reauth'::text, 'disabled'::text])))
);

ALTER TABLE ONLY nls.integrations FORCE ROW LEVEL SECURITY;

--
-- Name: COLUMN integrations.trash_checked_at; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.integrations.trash_checked_at IS 'When the last look at the integration''s trash began (POST /v1/search, in_trash): the next one reads the trash back
to that time less overlap_s.';

--
-- Name: integrations_id_seq; Type: SEQUENCE; Schema: nls; Owner: -
--

ALTER TABLE nls.integrations ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nls.integrations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: learning_atoms; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.learning_atoms (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_id text,
    card_id text,
    atom_type text DEFAULT 'flashcard'::text NOT NULL,
    front text NOT NULL,
    back text,
    concept_id uuid,
    module_id uuid,
    quality_score numeric(3,2),
    is_atomic boolean DEFAULT true,
    front_word_count integer,
    back_word_count integer,
    atomicity_status text,
    needs_review boolean DEFAULT false,
    rewrite_count integer DEFAULT 0,
    last_rewrite_at timestamp with time zone,
    anki_note_id bigint,
    anki_card_id bigint,
    anki_deck text,
    anki_synced_at timestamp with time zone,
    anki_ease_factor numeric(4,3),
    anki_interval integer,
    anki_review_count integer DEFAULT 0,
    anki_lapses integer DEFAULT 0,
    anki_stability numeric(8,2),
    anki_difficulty numeric(3,2),
    anki_queue integer,
    source text DEFAULT 'notion'::text,
    batch_id text,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    CONSTRAINT learning_atoms_atom_type_check CHECK ((atom_type = ANY (ARRAY['flashcard'::text, 'cloze'::text, 'mcq'::text, 'true_false'::text, 'matching'::text, 'parsons'::text]))),
    CONSTRAINT learning_atoms_atomicity_status_check CHECK ((atomicity_status = ANY (ARRAY['atomic'::text, 'verbose'::text, 'needs_split'::text]))),
    CONSTRAINT learning_atoms_quality_score_check CHECK (((quality_score >= (0)::numeric) AND (quality_score <= (1)::numeric))),
    CONSTRAINT learning_atoms_source_check CHECK ((source = ANY (ARRAY['notion'::text, 'ai_batch'::text, 'manual'::text, 'module'::text])))
);

ALTER TABLE ONLY nls.learning_atoms FORCE ROW LEVEL SECURITY;

--
-- Name: learning_modules; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.learning_modules (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_id text,
    track_id uuid,
    name text NOT NULL,
    description text,
    week_order integer,
    status text DEFAULT 'not_started'::text,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    CONSTRAINT learning_modules_status_check CHECK ((status = ANY (ARRAY['not_started'::text, 'in_progress'::text, 'completed'::text, 'reviewing'::text])))
);

ALTER TABLE ONLY nls.learning_modules FORCE ROW LEVEL SECURITY;

--
-- Name: notion_files; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.notion_files WITH (security_invoker='true') AS
 WITH found AS (
         SELECT p.user_id,
            p.source_id,
            p.page_id,
            'property'::text AS found_in,
            e.key AS property_name,
            NULL::text AS block_id,
            x.ordinal,
            x.item AS file
           FROM ((nls.stg_notion_pages p
             CROSS JOIN LATERAL jsonb_each(p.raw_properties) e(key, value))
             CROSS JOIN LATERAL jsonb_array_elements(
                CASE
                    WHEN (((e.value ->> 'type'::text) = 'files'::text) AND (jsonb_typeof((e.value -> 'files'::text)) = 'array'::text)) THEN (e.value -> 'files'::text)
                    ELSE '[]'::jsonb
                END) WITH ORDINALITY x(item, ordinal))
        UNION ALL
         SELECT p.user_id,
            p.source_id,
            p.page_id,
            c.k,
            NULL::text,
            NULL::text,
            1,
            (p.raw_page -> c.k)
           FROM (nls.stg_notion_pages p
             CROSS JOIN ( VALUES ('cover'::text), ('icon'::text)) c(k))
          WHERE (((p.raw_page -> c.k) ->> 'type'::text) = ANY (ARRAY['file'::text, 'external'::text]))
        UNION ALL
         SELECT p.user_id,
            p.source_id,
            p.page_id,
            'block'::text,
            NULL::text,
            (b.b ->> 'id'::text),
            1,
            (b.b -> (b.b ->> 'type'::text))
           FROM (nls.stg_notion_pages p
             CROSS JOIN LATERAL jsonb_path_query(p.raw_content, 'strict $.**?(@."object" == "block")'::jsonpath) b(b))
          WHERE (((b.b -> (b.b ->> 'type'::text)) ->> 'type'::text) = ANY (ARRAY['file'::text, 'external'::text]))
        )
 SELECT found.user_id,
    found.source_id,
    found.page_id,
    found.found_in,
    found.property_name,
    found.block_id,
    found.ordinal,
    (found.file ->> 'name'::text) AS name,
    ((found.file ->> 'type'::text) = 'file'::text) AS notion_hosted,
    ((found.file -> (found.file ->> 'type'::text)) ->> 'url'::text) AS url,
    (((found.file -> 'file'::text) ->> 'expiry_time'::text))::timestamp with time zone AS expires_at,
    ((found.file ->> 'type'::text) = 'external'::text) AS lasting,
    COALESCE(((((found.file -> 'file'::text) ->> 'expiry_time'::text))::timestamp with time zone <= now()), false) AS expired
   FROM found;

--
-- Name: VIEW notion_files; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.notion_files IS 'Every file of the stored pages: files properties (found_in property, with property_name and ordinal), page cover
and icon, and file, image, pdf, video and audio blocks of raw_content (found_in block, block_id). notion_hosted
files have a signed url that Notion lets live about an hour: expires_at says until when (expired once past); they
are never lasting links: a fresh url comes with the next read of the page (nls.sync_notion(..., full_sync => true)
re-reads every page). external files are the links users gave (lasting true). Markdown content
(content_markdown) holds the signed urls as text, with no expiry: read them here.';

--
-- Name: notion_relation_edges; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.notion_relation_edges (
    source_id bigint NOT NULL,
    page_id text NOT NULL,
    property_id text NOT NULL,
    ordinal integer NOT NULL,
    target_page_id text NOT NULL,
    user_id text NOT NULL,
    property_name text,
    CONSTRAINT notion_relation_edges_ordinal_check CHECK ((ordinal >= 1))
);

ALTER TABLE ONLY nls.notion_relation_edges FORCE ROW LEVEL SECURITY;

--
-- Name: notion_sync_state; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.notion_sync_state (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text NOT NULL,
    source_id bigint,
    local_table text NOT NULL,
    local_id uuid NOT NULL,
    notion_page_id text,
    notion_data_source_id text,
    sync_hash text,
    last_synced_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    notion_last_edited_time timestamp with time zone,
    base_values jsonb DEFAULT '{}'::jsonb NOT NULL,
    local_changed_at timestamp with time zone,
    agreed_values jsonb DEFAULT '{}'::jsonb NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    conflict jsonb,
    last_error text,
    last_error_code text,
    failed_hash text,
    create_card_id text,
    create_attempted_at timestamp with time zone,
    CONSTRAINT notion_sync_state_agreed_values_check CHECK ((jsonb_typeof(agreed_values) = 'object'::text)),
    CONSTRAINT notion_sync_state_base_values_check CHECK ((jsonb_typeof(base_values) = 'object'::text)),
    CONSTRAINT notion_sync_state_status_check CHECK ((status = ANY (ARRAY['synced'::text, 'pending'::text, 'conflict'::text, 'failed'::text])))
);

ALTER TABLE ONLY nls.notion_sync_state FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE notion_sync_state; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.notion_sync_state IS 'The delta-sync state of two-way sync, one row per local object (local_table, local_id) that two-way sync has touched: the
Notion page it is mirrored to (notion_page_id, in notion_data_source_id of source_id), sync_hash (SHA-256 of the
pushed columns'' values last sent), last_synced_at, and what a two-way sync needs: notion_last_edited_time (the page''s
time after nls''s last write), base_values ({column: the Notion property value an unsent local change of that column
was based on}: its keys are the columns waiting to be pushed), local_changed_at (when the first of them changed),
agreed_values ({column: {"value": the value Notion held for it when a push last wrote it or found it equal, "at":
when}}: what a later local change is based on until a read and a cleaning stage a newer copy of the page),
status (synced, pending, conflict: see conflict and nls.push_conflicts; failed: see last_error), and for a page nls
creates, the card id it writes (create_card_id) and when a create was sent (create_attempted_at: a create whose answer
was lost is looked for by that card id before any other is sent).';

--
-- Name: COLUMN notion_sync_state.conflict; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.notion_sync_state.conflict IS 'When status is conflict: {column: {"property", "property_id", "base", "notion", "local"}}, the property changed both
in Notion and locally since base: Notion''s value now and the value nls would send (property values as Notion''s
API gives them). nls.resolve_conflict(id, ''notion'' | ''local'') settles it.';

--
-- Name: push_conflicts; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.push_conflicts WITH (security_invoker='true') AS
 SELECT s.id,
    s.user_id,
    s.local_table,
    s.local_id,
    s.notion_page_id,
    c.key AS column_name,
    (c.value ->> 'property'::text) AS property,
    nls.notion_text((c.value -> 'notion'::text)) AS notion_value,
    nls.notion_text((c.value -> 'local'::text)) AS local_value,
    nls.notion_text((c.value -> 'base'::text)) AS base_value,
    (c.value -> 'notion'::text) AS notion_property,
    (c.value -> 'local'::text) AS local_property,
    s.updated_at AS detected_at
   FROM (nls.notion_sync_state s
     CROSS JOIN LATERAL jsonb_each(COALESCE(s.conflict, '{}'::jsonb)) c(key, value))
  WHERE (s.status = 'conflict'::text);

--
-- Name: VIEW push_conflicts; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.push_conflicts IS 'One row per property changed both in Notion and locally since the value the local change was based on, which the
push did not write: the state row (id, for nls.resolve_conflict), the local row (local_table, local_id), the page,
the column and its Notion property, Notion''s value now (notion_value, as text; notion_property as Notion gives it),
the value nls would send (local_value, local_property) and the value both started from (base_value); detected_at.';

--
-- Name: settings; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.settings (
    name text NOT NULL,
    value text NOT NULL,
    description text NOT NULL,
    type text DEFAULT 'text'::text NOT NULL,
    unit text,
    default_value text,
    min_value numeric,
    max_value numeric,
    allowed text[],
    CONSTRAINT settings_type_check CHECK ((type = ANY (ARRAY['text'::text, 'number'::text, 'integer'::text, 'choice'::text, 'url'::text, 'path'::text, 'identifier'::text])))
);

--
-- Name: TABLE settings; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.settings IS 'The settings catalogue: one row per setting with its value and what it may hold. Change a value with
nls.set_setting(name, value) (nls_admin); the trigger settings_value_check refuses what the catalogue does not allow.';

--
-- Name: COLUMN settings.type; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.settings.type IS 'number (a decimal), integer, choice (one of allowed), url (http or https), path (absolute, or empty), identifier
(a schema name, or empty), text';

--
-- Name: COLUMN settings.unit; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.settings.unit IS 'the unit of a number or integer: s (seconds), requests/s, requests, levels, bytes, events';

--
-- Name: COLUMN settings.default_value; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.settings.default_value IS 'the value a new install starts with';

--
-- Name: COLUMN settings.min_value; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.settings.min_value IS 'the smallest value allowed (number, integer), inclusive';

--
-- Name: COLUMN settings.max_value; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.settings.max_value IS 'the largest value allowed (number, integer), inclusive';

--
-- Name: COLUMN settings.allowed; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.settings.allowed IS 'the values a choice may take';

--
-- Name: sources_id_seq; Type: SEQUENCE; Schema: nls; Owner: -
--

ALTER TABLE nls.sources ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nls.sources_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: stg_notion_flashcards; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.stg_notion_flashcards (
    user_id text NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    raw_properties jsonb NOT NULL,
    raw_content jsonb,
    last_edited_time timestamp with time zone,
    in_trash boolean DEFAULT false NOT NULL,
    last_synced_at timestamp with time zone DEFAULT now(),
    sync_hash text
);

ALTER TABLE ONLY nls.stg_notion_flashcards FORCE ROW LEVEL SECURITY;

--
-- Name: stories; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.stories (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    title text NOT NULL,
    description text,
    properties jsonb NOT NULL,
    content_hash text NOT NULL,
    notion_created_time timestamp with time zone,
    notion_last_edited_time timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY nls.stories FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE stories; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.stories IS 'Stories (a source of target stories), one row per synced page: title, description (see
nls.characters).';

--
-- Name: sync_rounds; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.sync_rounds (
    round timestamp with time zone NOT NULL,
    user_id text NOT NULL,
    claimed_by integer,
    claimed_at timestamp with time zone,
    finished_at timestamp with time zone,
    status text,
    CONSTRAINT sync_rounds_status_check CHECK ((status = ANY (ARRAY['completed'::text, 'partial'::text, 'failed'::text, 'cancelled'::text, 'skipped'::text, 'abandoned'::text])))
);

--
-- Name: sync_state; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.sync_state (
    source_id bigint NOT NULL,
    data_source_id text NOT NULL,
    data_source_name text,
    watermark timestamp with time zone,
    last_full_sync_at timestamp with time zone,
    last_run_at timestamp with time zone,
    schema_hash text,
    listed boolean DEFAULT true NOT NULL
);

ALTER TABLE ONLY nls.sync_state FORCE ROW LEVEL SECURITY;

--
-- Name: COLUMN sync_state.listed; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON COLUMN nls.sync_state.listed IS 'Whether the database listed this data source the last time its data sources were read; a data source no longer
listed is not queried (its stored pages stay).';

--
-- Name: sync_status; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.sync_status WITH (security_invoker='true') AS
 SELECT s.id AS source_id,
    s.user_id,
    s.database_id,
    s.database_name,
    s.target,
    s.enabled,
    last.started_at AS last_run_at,
        CASE
            WHEN last.dead THEN 'failed'::text
            ELSE last.status
        END AS last_status,
    last.sync_type AS last_sync_type,
    last.items_processed,
    last.items_added,
    last.items_updated,
    last.items_removed,
        CASE
            WHEN last.dead THEN 'backend_ended'::text
            ELSE last.error_code
        END AS last_error_code,
        CASE
            WHEN last.dead THEN 'the backend running this sync ended before the run finished'::text
            ELSE last.error_message
        END AS last_error,
    st.watermark,
    st.last_full_sync_at,
    ok.completed_at AS last_success_at,
    (now() - ok.completed_at) AS behind,
    pg.pages,
    pg.trashed,
    pg.gone,
    push.started_at AS last_push_at,
    push.status AS last_push_status,
    waiting.pending AS push_pending,
    waiting.conflicts AS push_conflicts,
    waiting.failed AS push_failed
   FROM ((((((nls.sources s
     LEFT JOIN LATERAL ( SELECT l.id,
            l.sync_type,
            l.started_at,
            l.completed_at,
            l.status,
            l.items_processed,
            l.items_added,
            l.items_updated,
            l.items_removed,
            l.error_message,
            l.details,
            l.user_id,
            l.source_id,
            l.notion_version,
            l.requests_made,
            l.retries,
            l.error_code,
            l.backend_pid,
            l.backend_start,
            ((l.status = 'running'::text) AND (NOT nls._backend_alive(l.backend_pid, l.backend_start))) AS dead
           FROM nls.sync_log l
          WHERE ((l.source_id = s.id) AND (l.sync_type <> 'notion_push'::text))
          ORDER BY l.started_at DESC
         LIMIT 1) last ON (true))
     LEFT JOIN LATERAL ( SELECT l.completed_at
           FROM nls.sync_log l
          WHERE ((l.source_id = s.id) AND (l.status = 'completed'::text) AND (l.sync_type <> 'notion_push'::text))
          ORDER BY l.completed_at DESC
         LIMIT 1) ok ON (true))
     LEFT JOIN LATERAL ( SELECT l.started_at,
                CASE
                    WHEN ((l.status = 'running'::text) AND (NOT nls._backend_alive(l.backend_pid, l.backend_start))) THEN 'failed'::text
                    ELSE l.status
                END AS status
           FROM nls.sync_log l
          WHERE ((l.source_id = s.id) AND (l.sync_type = 'notion_push'::text))
          ORDER BY l.started_at DESC
         LIMIT 1) push ON (true))
     LEFT JOIN LATERAL ( SELECT count(*) FILTER (WHERE (w.status = 'pending'::text)) AS pending,
            count(*) FILTER (WHERE (w.status = 'conflict'::text)) AS conflicts,
            count(*) FILTER (WHERE (w.status = 'failed'::text)) AS failed
           FROM nls.notion_sync_state w
          WHERE (w.source_id = s.id)) waiting ON (true))
     LEFT JOIN LATERAL ( SELECT min(x.watermark) AS watermark,
            min(x.last_full_sync_at) AS last_full_sync_at
           FROM nls.sync_state x
          WHERE (x.source_id = s.id)) st ON (true))
     LEFT JOIN LATERAL ( SELECT count(*) AS pages,
            count(*) FILTER (WHERE p.in_trash) AS trashed,
            count(*) FILTER (WHERE (p.deleted_at IS NOT NULL)) AS gone
           FROM nls.stg_notion_pages p
          WHERE (p.source_id = s.id)) pg ON (true));

--
-- Name: VIEW sync_status; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.sync_status IS 'One row per source: its last run (time, status, type, counts, error; a run whose backend is gone reads as failed,
backend_ended, never as running), the watermark (latest last_edited_time
read, the smallest over its data sources), the last complete reconciliation (full read or ids-only, which finds
deletions), the last successful run and how long ago that was
(behind), and how many pages are stored, trashed in Notion, or gone (404 / unshared). Runs of the push (two-way
sync) have their own columns: last_push_at, last_push_status, and the source''s objects waiting to be pushed
(push_pending), in conflict (push_conflicts, see nls.push_conflicts) and failed (push_failed).';

--
-- Name: typed_views; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.typed_views (
    id bigint NOT NULL,
    user_id text NOT NULL,
    source_id bigint NOT NULL,
    data_source_id text,
    schema_name text NOT NULL,
    view_name text,
    columns jsonb DEFAULT '[]'::jsonb NOT NULL,
    build_wanted boolean DEFAULT true NOT NULL,
    built_as text,
    built_at timestamp with time zone,
    build_error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT typed_views_check CHECK (((data_source_id IS NULL) OR (view_name IS NOT NULL))),
    CONSTRAINT typed_views_columns_check CHECK ((jsonb_typeof(columns) = 'array'::text)),
    CONSTRAINT typed_views_schema_name_check CHECK (((schema_name <> ''::text) AND (octet_length(schema_name) <= 63))),
    CONSTRAINT typed_views_view_name_check CHECK (((view_name <> ''::text) AND (octet_length(view_name) <= 63)))
);

ALTER TABLE ONLY nls.typed_views FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE typed_views; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.typed_views IS 'Typed views, one per synced data source a user asked for (nls.create_typed_view, or the typed_views_schema setting
on add_source): where it lives (schema_name, view_name), its columns [{column, property_id, property, type,
result_type?, kind, removed?}] in order, whether it waits to be (re)built, what was built (built_as, built_at,
build_error). A row whose data_source_id is NULL waits for its source''s first sync.';

--
-- Name: typed_view_columns; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.typed_view_columns WITH (security_invoker='true') AS
 SELECT t.id AS typed_view_id,
    t.user_id,
    t.built_as AS view,
    t.source_id,
    t.data_source_id,
    (jsonb_array_length(nls._typed_fixed_columns()) + (c.o)::integer) AS "position",
    (c.e ->> 'column'::text) AS column_name,
    (c.e ->> 'property'::text) AS property_name,
    (c.e ->> 'property_id'::text) AS property_id,
    (c.e ->> 'type'::text) AS property_type,
    (c.e ->> 'result_type'::text) AS result_type,
    (c.e ->> 'kind'::text) AS kind,
    ((nls._typed_kinds() -> (c.e ->> 'kind'::text)) ->> 0) AS sql_type,
    COALESCE(((c.e ->> 'removed'::text))::boolean, false) AS removed
   FROM (nls.typed_views t
     CROSS JOIN LATERAL jsonb_array_elements(t.columns) WITH ORDINALITY c(e, o));

--
-- Name: VIEW typed_view_columns; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.typed_view_columns IS 'The property columns of the typed views this session''s user has (row-level security of nls.typed_views), one row
each: typed_view_id, user_id, view (qualified, NULL until built), source_id, data_source_id, position (the column''s
number in the view, after the fixed columns), column_name, property_name (as Notion names it now), property_id,
property_type (Notion''s), result_type (a formula''s or rollup''s), kind and sql_type (what the column holds), removed
(the property left the data source: the column is NULL until the view is made again).';

--
-- Name: typed_view_history; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.typed_view_history (
    id bigint NOT NULL,
    user_id text NOT NULL,
    typed_view_id bigint,
    view text,
    data_source_id text,
    changed_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    change text NOT NULL,
    property_id text,
    property_name text,
    column_name text,
    old_type text,
    new_type text,
    detail text,
    CONSTRAINT typed_view_history_change_check CHECK ((change = ANY (ARRAY['created'::text, 'recreated'::text, 'column_added'::text, 'column_retyped'::text, 'property_renamed'::text, 'property_removed'::text, 'property_restored'::text, 'column_renamed'::text, 'column_dropped'::text, 'build_failed'::text, 'dropped'::text])))
);

ALTER TABLE ONLY nls.typed_view_history FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE typed_view_history; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.typed_view_history IS 'Every change of a typed view, one row each: created, recreated, column_added, column_retyped, property_renamed
(the column keeps its name), property_removed (the column stays, NULL), property_restored, column_renamed and
column_dropped (when re-created), build_failed, dropped; with the property id and name, the column, the old and new
type, and a detail.';

--
-- Name: typed_view_history_id_seq; Type: SEQUENCE; Schema: nls; Owner: -
--

ALTER TABLE nls.typed_view_history ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nls.typed_view_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: typed_view_schemas; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.typed_view_schemas (
    schema_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: TABLE typed_view_schemas; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.typed_view_schemas IS 'The schemas nls created to hold typed views; no other schema holds them.';

--
-- Name: typed_views_id_seq; Type: SEQUENCE; Schema: nls; Owner: -
--

ALTER TABLE nls.typed_views ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nls.typed_views_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: v_concept_atom_stats; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.v_concept_atom_stats WITH (security_invoker='true') AS
 SELECT c.id AS concept_id,
    c.name AS concept_name,
    c.status,
    count(a.id) AS total_atoms,
    count(a.id) FILTER (WHERE (a.is_atomic = true)) AS atomic_count,
    count(a.id) FILTER (WHERE (a.atom_type = ANY (ARRAY['flashcard'::text, 'cloze'::text]))) AS anki_syncable,
    count(a.id) FILTER (WHERE (a.anki_note_id IS NOT NULL)) AS in_anki_count,
    avg(a.anki_ease_factor) AS avg_ease,
    avg(a.anki_interval) AS avg_interval,
    count(a.id) FILTER (WHERE a.needs_review) AS needs_review_count,
    c.user_id
   FROM (nls.concepts c
     LEFT JOIN nls.learning_atoms a ON ((a.concept_id = c.id)))
  GROUP BY c.id, c.name, c.status, c.user_id;

--
-- Name: VIEW v_concept_atom_stats; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.v_concept_atom_stats IS 'Atom counts per concept (total, atomic, Anki-syncable, in Anki, average ease and interval), needs_review_count
(the atoms flagged for review: the "concepts needing attention" query reads it) and user_id.';

--
-- Name: v_due_atoms; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.v_due_atoms WITH (security_invoker='true') AS
 SELECT a.id,
    a.user_id,
    a.notion_id,
    a.card_id,
    a.atom_type,
    a.front,
    a.back,
    a.concept_id,
    a.module_id,
    a.quality_score,
    a.is_atomic,
    a.front_word_count,
    a.back_word_count,
    a.atomicity_status,
    a.needs_review,
    a.rewrite_count,
    a.last_rewrite_at,
    a.anki_note_id,
    a.anki_card_id,
    a.anki_deck,
    a.anki_synced_at,
    a.anki_ease_factor,
    a.anki_interval,
    a.anki_review_count,
    a.anki_lapses,
    a.anki_stability,
    a.anki_difficulty,
    a.anki_queue,
    a.source,
    a.batch_id,
    a.created_at,
    a.updated_at,
    c.name AS concept_name,
    m.name AS module_name,
    cl.name AS cluster_name,
    ca.name AS area_name
   FROM ((((nls.learning_atoms a
     LEFT JOIN nls.concepts c ON ((a.concept_id = c.id)))
     LEFT JOIN nls.learning_modules m ON ((a.module_id = m.id)))
     LEFT JOIN nls.clean_concept_clusters cl ON ((c.cluster_id = cl.id)))
     LEFT JOIN nls.clean_concept_areas ca ON ((cl.concept_area_id = ca.id)))
  WHERE ((a.atom_type = ANY (ARRAY['flashcard'::text, 'cloze'::text])) AND (a.anki_note_id IS NOT NULL) AND (a.is_atomic = true));

--
-- Name: VIEW v_due_atoms; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.v_due_atoms IS 'Atoms to study (flashcard or cloze, in Anki, atomic): every column of nls.learning_atoms, with the names of the
atom''s concept, module, cluster and area.';

--
-- Name: v_review_queue_summary; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.v_review_queue_summary WITH (security_invoker='true') AS
 SELECT review_queue.source,
    review_queue.status,
    count(*) AS count,
    min(review_queue.created_at) AS oldest,
    max(review_queue.created_at) AS newest
   FROM nls.review_queue
  GROUP BY review_queue.source, review_queue.status
  ORDER BY review_queue.source, review_queue.status;

--
-- Name: VIEW v_review_queue_summary; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.v_review_queue_summary IS 'review_queue items counted per source and status, with the oldest
and newest created_at.';

--
-- Name: webhook_events; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.webhook_events (
    user_id text NOT NULL,
    event_id text NOT NULL,
    event_type text NOT NULL,
    entity_id text,
    entity_type text,
    event_time timestamp with time zone,
    attempt_number integer,
    deliveries integer DEFAULT 1 NOT NULL,
    payload jsonb NOT NULL,
    received_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    applied_at timestamp with time zone,
    outcome text,
    sync_log_id uuid
);

ALTER TABLE ONLY nls.webhook_events FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE webhook_events; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.webhook_events IS 'Every verified delivery of a user''s webhook subscription, once per event id (Notion''s retries, by attempt_number,
count in deliveries, not as new rows). nls.apply_webhook_events() applies the pending ones (applied_at NULL) and
says what it did with each (outcome: read, trashed, schema, listed, own_write, not_synced, ignored).';

--
-- Name: webhook_subscriptions; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.webhook_subscriptions (
    user_id text NOT NULL,
    path text NOT NULL,
    armed_until timestamp with time zone,
    token_ciphertext bytea,
    token_nonce bytea,
    key_version integer,
    subscription_id text,
    verified_at timestamp with time zone,
    token_shown_at timestamp with time zone,
    last_delivery_at timestamp with time zone,
    refused bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_subscriptions_path_check CHECK ((path ~ '^[0-9a-f]{64}$'::text))
);

ALTER TABLE ONLY nls.webhook_subscriptions FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE webhook_subscriptions; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.webhook_subscriptions IS 'One Notion webhook subscription per integration (nls.webhook_endpoint): the unguessable path the receiver serves
it on, until when it accepts Notion''s handshake (armed_until), the handshake''s verification_token encrypted with the
key ring (AES-256-GCM, the owner and "webhook" bound in), the subscription id Notion''s deliveries carry, and counts.';

--
-- Name: webhook_status; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.webhook_status WITH (security_invoker='true') AS
 SELECT w.user_id,
    ('/notion/'::text || w.path) AS path,
    (w.armed_until > now()) AS armed,
    w.armed_until,
    (w.token_ciphertext IS NOT NULL) AS token_received,
    w.token_shown_at,
    w.subscription_id,
    w.verified_at AS first_delivery_at,
    w.last_delivery_at,
    w.refused,
    ( SELECT count(*) AS count
           FROM nls.webhook_events e
          WHERE ((e.user_id = w.user_id) AND (e.applied_at IS NULL))) AS pending,
    ( SELECT count(*) AS count
           FROM nls.webhook_events e
          WHERE (e.user_id = w.user_id)) AS events,
    ( SELECT sum((e.deliveries - 1)) AS sum
           FROM nls.webhook_events e
          WHERE (e.user_id = w.user_id)) AS redeliveries
   FROM nls.webhook_subscriptions w;

--
-- Name: VIEW webhook_status; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.webhook_status IS 'Per user''s webhook subscription: its path, whether it is armed for a handshake (and until when), whether a token was
received and shown, the subscription id Notion''s deliveries carry, the first and last delivery, deliveries refused
on its path (401: unsigned, wrongly signed, another subscription; 400: signed but no event; nothing of them stored;
a 404 for an unknown path or a 413 for a body too large is counted nowhere), events pending, events stored and
deliveries that were retries of a stored event.';

--
-- Name: workers; Type: VIEW; Schema: nls; Owner: -
--

CREATE VIEW nls.workers WITH (security_invoker='true') AS
 SELECT w.id,
    w.host,
    w.pid,
    w.started_at,
    w.last_seen_at,
    ((w.stopping_at IS NULL) AND (w.last_seen_at > (clock_timestamp() - (((3)::double precision * w.heartbeat_s) * '00:00:01'::interval)))) AS alive,
    w.concurrency,
    w.running,
    w.release,
    w.engine,
    w.stopping_at
   FROM nls._workers w;

--
-- Name: VIEW workers; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON VIEW nls.workers IS 'The nls workers of the worker runtime (nls worker --dsn ...), one row per process: id, host, pid, started_at,
last_seen_at (its last heartbeat), alive (a heartbeat within three beats of worker_heartbeat_s, and not stopping),
concurrency (its slots), running (jsonb: what each busy slot runs now: [{"slot", "work": a call''s kind, round or
webhook_events, "request_id"?, "user_id"?, "since"}]), release and engine (the nls release and engine hash it
runs), stopping_at. Rows of workers gone for a day are removed. Empty in the server runtime.';

--
-- Name: worlds; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.worlds (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id text DEFAULT nls._session_user() NOT NULL,
    notion_page_id text NOT NULL,
    source_id bigint,
    name text NOT NULL,
    description text,
    properties jsonb NOT NULL,
    content_hash text NOT NULL,
    notion_created_time timestamp with time zone,
    notion_last_edited_time timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY nls.worlds FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE worlds; Type: COMMENT; Schema: nls; Owner: -
--

COMMENT ON TABLE nls.worlds IS 'Worlds (a source of target worlds), one row per synced page (see nls.characters).';

--
-- Name: yoyo_lock; Type: TABLE; Schema: nls; Owner: -
--

CREATE TABLE nls.yoyo_lock (
    locked integer DEFAULT 1 NOT NULL,
    ctime timestamp without time zone,
    pid integer NOT NULL
);

--
-- Name: _budget_registers _budget_registers_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._budget_registers
    ADD CONSTRAINT _budget_registers_pkey PRIMARY KEY (register);

--
-- Name: _budget_registers _budget_registers_seq_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._budget_registers
    ADD CONSTRAINT _budget_registers_seq_key UNIQUE (seq);

--
-- Name: _clean_queue _clean_queue_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._clean_queue
    ADD CONSTRAINT _clean_queue_pkey PRIMARY KEY (user_id, source_id, page_id);

--
-- Name: _event_deliveries _event_deliveries_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._event_deliveries
    ADD CONSTRAINT _event_deliveries_pkey PRIMARY KEY (endpoint_id, event_id);

--
-- Name: _event_endpoints _event_endpoints_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._event_endpoints
    ADD CONSTRAINT _event_endpoints_pkey PRIMARY KEY (id);

--
-- Name: _events _events_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._events
    ADD CONSTRAINT _events_pkey PRIMARY KEY (id);

--
-- Name: _loopback _loopback_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._loopback
    ADD CONSTRAINT _loopback_pkey PRIMARY KEY (only_row);

--
-- Name: _python_module _python_module_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._python_module
    ADD CONSTRAINT _python_module_pkey PRIMARY KEY (name);

--
-- Name: _requests _requests_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._requests
    ADD CONSTRAINT _requests_pkey PRIMARY KEY (id);

--
-- Name: _workers _workers_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._workers
    ADD CONSTRAINT _workers_pkey PRIMARY KEY (id);

--
-- Name: _yoyo_log _yoyo_log_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._yoyo_log
    ADD CONSTRAINT _yoyo_log_pkey PRIMARY KEY (id);

--
-- Name: _yoyo_migration _yoyo_migration_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._yoyo_migration
    ADD CONSTRAINT _yoyo_migration_pkey PRIMARY KEY (migration_hash);

--
-- Name: _yoyo_version _yoyo_version_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._yoyo_version
    ADD CONSTRAINT _yoyo_version_pkey PRIMARY KEY (version);

--
-- Name: anki_accounts anki_accounts_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.anki_accounts
    ADD CONSTRAINT anki_accounts_pkey PRIMARY KEY (id);

--
-- Name: anki_accounts anki_accounts_user_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.anki_accounts
    ADD CONSTRAINT anki_accounts_user_id_key UNIQUE (user_id);

--
-- Name: anki_collections anki_collections_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.anki_collections
    ADD CONSTRAINT anki_collections_pkey PRIMARY KEY (user_id);

--
-- Name: anki_notes anki_notes_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.anki_notes
    ADD CONSTRAINT anki_notes_pkey PRIMARY KEY (user_id, guid);

--
-- Name: characters characters_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.characters
    ADD CONSTRAINT characters_pkey PRIMARY KEY (id);

--
-- Name: characters characters_user_id_notion_page_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.characters
    ADD CONSTRAINT characters_user_id_notion_page_id_key UNIQUE (user_id, notion_page_id);

--
-- Name: chat_sessions chat_sessions_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.chat_sessions
    ADD CONSTRAINT chat_sessions_pkey PRIMARY KEY (id);

--
-- Name: chat_sessions chat_sessions_user_id_notion_page_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.chat_sessions
    ADD CONSTRAINT chat_sessions_user_id_notion_page_id_key UNIQUE (user_id, notion_page_id);

--
-- Name: clean_concept_areas clean_concept_areas_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.clean_concept_areas
    ADD CONSTRAINT clean_concept_areas_pkey PRIMARY KEY (id);

--
-- Name: clean_concept_areas clean_concept_areas_user_id_notion_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.clean_concept_areas
    ADD CONSTRAINT clean_concept_areas_user_id_notion_id_key UNIQUE (user_id, notion_id);

--
-- Name: clean_concept_clusters clean_concept_clusters_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.clean_concept_clusters
    ADD CONSTRAINT clean_concept_clusters_pkey PRIMARY KEY (id);

--
-- Name: clean_concept_clusters clean_concept_clusters_user_id_notion_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.clean_concept_clusters
    ADD CONSTRAINT clean_concept_clusters_user_id_notion_id_key UNIQUE (user_id, notion_id);

--
-- Name: clean_programs clean_programs_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.clean_programs
    ADD CONSTRAINT clean_programs_pkey PRIMARY KEY (id);

--
-- Name: clean_programs clean_programs_user_id_notion_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.clean_programs
    ADD CONSTRAINT clean_programs_user_id_notion_id_key UNIQUE (user_id, notion_id);

--
-- Name: clean_tracks clean_tracks_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.clean_tracks
    ADD CONSTRAINT clean_tracks_pkey PRIMARY KEY (id);

--
-- Name: clean_tracks clean_tracks_user_id_notion_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.clean_tracks
    ADD CONSTRAINT clean_tracks_user_id_notion_id_key UNIQUE (user_id, notion_id);

--
-- Name: cleaning_log cleaning_log_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.cleaning_log
    ADD CONSTRAINT cleaning_log_pkey PRIMARY KEY (id);

--
-- Name: concepts concepts_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.concepts
    ADD CONSTRAINT concepts_pkey PRIMARY KEY (id);

--
-- Name: concepts concepts_user_id_notion_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.concepts
    ADD CONSTRAINT concepts_user_id_notion_id_key UNIQUE (user_id, notion_id);

--
-- Name: data_source_schemas data_source_schemas_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.data_source_schemas
    ADD CONSTRAINT data_source_schemas_pkey PRIMARY KEY (source_id, data_source_id, schema_hash);

--
-- Name: _event_endpoints event_endpoints_user_url_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._event_endpoints
    ADD CONSTRAINT event_endpoints_user_url_key UNIQUE (user_id, url);

--
-- Name: integration_notes integration_notes_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.integration_notes
    ADD CONSTRAINT integration_notes_pkey PRIMARY KEY (id);

--
-- Name: integrations integrations_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.integrations
    ADD CONSTRAINT integrations_pkey PRIMARY KEY (id);

--
-- Name: integrations integrations_user_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.integrations
    ADD CONSTRAINT integrations_user_id_key UNIQUE (user_id);

--
-- Name: learning_atoms learning_atoms_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.learning_atoms
    ADD CONSTRAINT learning_atoms_pkey PRIMARY KEY (id);

--
-- Name: learning_atoms learning_atoms_user_card_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.learning_atoms
    ADD CONSTRAINT learning_atoms_user_card_id_key UNIQUE (user_id, card_id) DEFERRABLE INITIALLY DEFERRED;

--
-- Name: learning_atoms learning_atoms_user_id_notion_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.learning_atoms
    ADD CONSTRAINT learning_atoms_user_id_notion_id_key UNIQUE (user_id, notion_id);

--
-- Name: learning_modules learning_modules_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.learning_modules
    ADD CONSTRAINT learning_modules_pkey PRIMARY KEY (id);

--
-- Name: learning_modules learning_modules_user_id_notion_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.learning_modules
    ADD CONSTRAINT learning_modules_user_id_notion_id_key UNIQUE (user_id, notion_id);

--
-- Name: notion_relation_edges notion_relation_edges_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.notion_relation_edges
    ADD CONSTRAINT notion_relation_edges_pkey PRIMARY KEY (source_id, page_id, property_id, ordinal);

--
-- Name: notion_sync_state notion_sync_state_object_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.notion_sync_state
    ADD CONSTRAINT notion_sync_state_object_key UNIQUE (user_id, local_table, local_id);

--
-- Name: notion_sync_state notion_sync_state_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.notion_sync_state
    ADD CONSTRAINT notion_sync_state_pkey PRIMARY KEY (id);

--
-- Name: review_queue review_queue_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.review_queue
    ADD CONSTRAINT review_queue_pkey PRIMARY KEY (id);

--
-- Name: settings settings_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (name);

--
-- Name: sources sources_id_user_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.sources
    ADD CONSTRAINT sources_id_user_key UNIQUE (id, user_id);

--
-- Name: sources sources_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.sources
    ADD CONSTRAINT sources_pkey PRIMARY KEY (id);

--
-- Name: sources sources_user_id_database_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.sources
    ADD CONSTRAINT sources_user_id_database_id_key UNIQUE (user_id, database_id);

--
-- Name: stg_notion_concept_areas stg_notion_concept_areas_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stg_notion_concept_areas
    ADD CONSTRAINT stg_notion_concept_areas_pkey PRIMARY KEY (user_id, notion_page_id);

--
-- Name: stg_notion_concept_clusters stg_notion_concept_clusters_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stg_notion_concept_clusters
    ADD CONSTRAINT stg_notion_concept_clusters_pkey PRIMARY KEY (user_id, notion_page_id);

--
-- Name: stg_notion_concepts stg_notion_concepts_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stg_notion_concepts
    ADD CONSTRAINT stg_notion_concepts_pkey PRIMARY KEY (user_id, notion_page_id);

--
-- Name: stg_notion_flashcards stg_notion_flashcards_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stg_notion_flashcards
    ADD CONSTRAINT stg_notion_flashcards_pkey PRIMARY KEY (user_id, notion_page_id);

--
-- Name: stg_notion_modules stg_notion_modules_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stg_notion_modules
    ADD CONSTRAINT stg_notion_modules_pkey PRIMARY KEY (user_id, notion_page_id);

--
-- Name: stg_notion_pages stg_notion_pages_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stg_notion_pages
    ADD CONSTRAINT stg_notion_pages_pkey PRIMARY KEY (source_id, page_id);

--
-- Name: stg_notion_programs stg_notion_programs_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stg_notion_programs
    ADD CONSTRAINT stg_notion_programs_pkey PRIMARY KEY (user_id, notion_page_id);

--
-- Name: stg_notion_tracks stg_notion_tracks_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stg_notion_tracks
    ADD CONSTRAINT stg_notion_tracks_pkey PRIMARY KEY (user_id, notion_page_id);

--
-- Name: stories stories_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stories
    ADD CONSTRAINT stories_pkey PRIMARY KEY (id);

--
-- Name: stories stories_user_id_notion_page_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stories
    ADD CONSTRAINT stories_user_id_notion_page_id_key UNIQUE (user_id, notion_page_id);

--
-- Name: sync_log sync_log_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.sync_log
    ADD CONSTRAINT sync_log_pkey PRIMARY KEY (id);

--
-- Name: sync_rounds sync_rounds_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.sync_rounds
    ADD CONSTRAINT sync_rounds_pkey PRIMARY KEY (round, user_id);

--
-- Name: sync_state sync_state_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.sync_state
    ADD CONSTRAINT sync_state_pkey PRIMARY KEY (source_id, data_source_id);

--
-- Name: typed_view_history typed_view_history_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.typed_view_history
    ADD CONSTRAINT typed_view_history_pkey PRIMARY KEY (id);

--
-- Name: typed_view_schemas typed_view_schemas_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.typed_view_schemas
    ADD CONSTRAINT typed_view_schemas_pkey PRIMARY KEY (schema_name);

--
-- Name: typed_views typed_views_data_source_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.typed_views
    ADD CONSTRAINT typed_views_data_source_key UNIQUE NULLS NOT DISTINCT (source_id, data_source_id);

--
-- Name: typed_views typed_views_name_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.typed_views
    ADD CONSTRAINT typed_views_name_key UNIQUE (schema_name, view_name);

--
-- Name: typed_views typed_views_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.typed_views
    ADD CONSTRAINT typed_views_pkey PRIMARY KEY (id);

--
-- Name: webhook_events webhook_events_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.webhook_events
    ADD CONSTRAINT webhook_events_pkey PRIMARY KEY (user_id, event_id);

--
-- Name: webhook_subscriptions webhook_subscriptions_path_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.webhook_subscriptions
    ADD CONSTRAINT webhook_subscriptions_path_key UNIQUE (path);

--
-- Name: webhook_subscriptions webhook_subscriptions_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.webhook_subscriptions
    ADD CONSTRAINT webhook_subscriptions_pkey PRIMARY KEY (user_id);

--
-- Name: worlds worlds_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.worlds
    ADD CONSTRAINT worlds_pkey PRIMARY KEY (id);

--
-- Name: worlds worlds_user_id_notion_page_id_key; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.worlds
    ADD CONSTRAINT worlds_user_id_notion_page_id_key UNIQUE (user_id, notion_page_id);

--
-- Name: yoyo_lock yoyo_lock_pkey; Type: CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.yoyo_lock
    ADD CONSTRAINT yoyo_lock_pkey PRIMARY KEY (locked);

--
-- Name: _requests_queued; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX _requests_queued ON nls._requests USING btree (requested_at) WHERE (status = 'queued'::text);

--
-- Name: idx_anki_notes_atom; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_anki_notes_atom ON nls.anki_notes USING btree (user_id, atom_key);

--
-- Name: idx_characters_name; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_characters_name ON nls.characters USING btree (name);

--
-- Name: idx_characters_notion_page; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_characters_notion_page ON nls.characters USING btree (notion_page_id);

--
-- Name: idx_characters_user; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_characters_user ON nls.characters USING btree (user_id);

--
-- Name: idx_chat_sessions_notion_page; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_chat_sessions_notion_page ON nls.chat_sessions USING btree (notion_page_id);

--
-- Name: idx_chat_sessions_title; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_chat_sessions_title ON nls.chat_sessions USING btree (title);

--
-- Name: idx_chat_sessions_user; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_chat_sessions_user ON nls.chat_sessions USING btree (user_id);

--
-- Name: idx_clean_concept_areas_name; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_clean_concept_areas_name ON nls.clean_concept_areas USING btree (name);

--
-- Name: idx_clean_concept_clusters_area; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_clean_concept_clusters_area ON nls.clean_concept_clusters USING btree (concept_area_id);

--
-- Name: idx_clean_tracks_program; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_clean_tracks_program ON nls.clean_tracks USING btree (program_id);

--
-- Name: idx_cleaning_log_atom; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_cleaning_log_atom ON nls.cleaning_log USING btree (atom_id);

--
-- Name: idx_cleaning_log_entity; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_cleaning_log_entity ON nls.cleaning_log USING btree (user_id, entity, notion_id);

--
-- Name: idx_cleaning_log_operation; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_cleaning_log_operation ON nls.cleaning_log USING btree (operation);

--
-- Name: idx_concepts_area; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_concepts_area ON nls.concepts USING btree (concept_area_id);

--
-- Name: idx_concepts_cluster; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_concepts_cluster ON nls.concepts USING btree (cluster_id);

--
-- Name: idx_concepts_status; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_concepts_status ON nls.concepts USING btree (status);

--
-- Name: idx_event_deliveries_open; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_event_deliveries_open ON nls._event_deliveries USING btree (endpoint_id, event_id) WHERE (status = ANY (ARRAY['pending'::text, 'sending'::text]));

--
-- Name: idx_events_created; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_events_created ON nls._events USING btree (created_at);

--
-- Name: idx_learning_atoms_anki; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_learning_atoms_anki ON nls.learning_atoms USING btree (anki_note_id) WHERE (anki_note_id IS NOT NULL);

--
-- Name: idx_learning_atoms_concept; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_learning_atoms_concept ON nls.learning_atoms USING btree (concept_id);

--
-- Name: idx_learning_atoms_module; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_learning_atoms_module ON nls.learning_atoms USING btree (module_id);

--
-- Name: idx_learning_atoms_notion; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_learning_atoms_notion ON nls.learning_atoms USING btree (notion_id);

--
-- Name: idx_learning_atoms_source; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_learning_atoms_source ON nls.learning_atoms USING btree (source);

--
-- Name: idx_learning_atoms_type; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_learning_atoms_type ON nls.learning_atoms USING btree (atom_type);

--
-- Name: idx_learning_modules_track; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_learning_modules_track ON nls.learning_modules USING btree (track_id);

--
-- Name: idx_learning_modules_week; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_learning_modules_week ON nls.learning_modules USING btree (week_order);

--
-- Name: idx_notion_relation_edges_target; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_notion_relation_edges_target ON nls.notion_relation_edges USING btree (user_id, target_page_id);

--
-- Name: idx_notion_sync_state_page; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_notion_sync_state_page ON nls.notion_sync_state USING btree (user_id, notion_page_id);

--
-- Name: idx_notion_sync_state_source; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_notion_sync_state_source ON nls.notion_sync_state USING btree (source_id, status);

--
-- Name: idx_review_queue_batch; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_review_queue_batch ON nls.review_queue USING btree (batch_id);

--
-- Name: idx_review_queue_pending; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_review_queue_pending ON nls.review_queue USING btree (created_at) WHERE (status = 'pending'::text);

--
-- Name: idx_review_queue_status; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_review_queue_status ON nls.review_queue USING btree (status);

--
-- Name: idx_review_queue_user; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_review_queue_user ON nls.review_queue USING btree (user_id);

--
-- Name: idx_stg_notion_pages_edited; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_stg_notion_pages_edited ON nls.stg_notion_pages USING btree (source_id, data_source_id, last_edited_time);

--
-- Name: idx_stg_notion_pages_user; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_stg_notion_pages_user ON nls.stg_notion_pages USING btree (user_id);

--
-- Name: idx_stories_notion_page; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_stories_notion_page ON nls.stories USING btree (notion_page_id);

--
-- Name: idx_stories_title; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_stories_title ON nls.stories USING btree (title);

--
-- Name: idx_stories_user; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_stories_user ON nls.stories USING btree (user_id);

--
-- Name: idx_sync_log_source; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_sync_log_source ON nls.sync_log USING btree (source_id, started_at DESC);

--
-- Name: idx_sync_log_started; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_sync_log_started ON nls.sync_log USING btree (started_at DESC);

--
-- Name: idx_sync_log_status; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_sync_log_status ON nls.sync_log USING btree (status);

--
-- Name: idx_sync_log_type; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_sync_log_type ON nls.sync_log USING btree (sync_type);

--
-- Name: idx_typed_view_history_user; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_typed_view_history_user ON nls.typed_view_history USING btree (user_id);

--
-- Name: idx_typed_view_history_view; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_typed_view_history_view ON nls.typed_view_history USING btree (typed_view_id, changed_at);

--
-- Name: idx_typed_views_user; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_typed_views_user ON nls.typed_views USING btree (user_id);

--
-- Name: idx_webhook_events_pending; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_webhook_events_pending ON nls.webhook_events USING btree (user_id, received_at) WHERE (applied_at IS NULL);

--
-- Name: idx_worlds_name; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_worlds_name ON nls.worlds USING btree (name);

--
-- Name: idx_worlds_notion_page; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_worlds_notion_page ON nls.worlds USING btree (notion_page_id);

--
-- Name: idx_worlds_user; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX idx_worlds_user ON nls.worlds USING btree (user_id);

--
-- Name: integration_notes_integration; Type: INDEX; Schema: nls; Owner: -
--

CREATE INDEX integration_notes_integration ON nls.integration_notes USING btree (integration_id);

--
-- Name: event_endpoints _RETURN; Type: RULE; Schema: nls; Owner: -
--

CREATE OR REPLACE VIEW nls.event_endpoints WITH (security_invoker='true') AS
 SELECT e.id,
    e.user_id,
    e.url,
    e.kinds,
    e.created_at,
    e.updated_at,
    count(d.*) FILTER (WHERE (d.status = ANY (ARRAY['pending'::text, 'sending'::text]))) AS pending,
    count(d.*) FILTER (WHERE (d.status = 'sent'::text)) AS sent,
    count(d.*) FILTER (WHERE (d.status = 'failed'::text)) AS failed,
    max(d.settled_at) FILTER (WHERE (d.status = 'sent'::text)) AS last_sent_at
   FROM (nls._event_endpoints e
     LEFT JOIN nls._event_deliveries d ON ((d.endpoint_id = e.id)))
  GROUP BY e.id;

--
-- Name: anki_accounts events_anki_reauth; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER events_anki_reauth AFTER UPDATE OF status ON nls.anki_accounts FOR EACH ROW WHEN (((new.status = 'needs_reauth'::text) AND (old.status IS DISTINCT FROM 'needs_reauth'::text))) EXECUTE FUNCTION nls._events_of_reauth('anki');

--
-- Name: notion_sync_state events_conflict; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER events_conflict AFTER UPDATE OF status ON nls.notion_sync_state FOR EACH ROW WHEN (((old.status IS DISTINCT FROM new.status) AND (('conflict'::text = old.status) OR ('conflict'::text = new.status)))) EXECUTE FUNCTION nls._events_of_conflict();

--
-- Name: notion_sync_state events_conflict_new; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER events_conflict_new AFTER INSERT ON nls.notion_sync_state FOR EACH ROW WHEN ((new.status = 'conflict'::text)) EXECUTE FUNCTION nls._events_of_conflict();

--
-- Name: integration_notes events_notion_refused; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER events_notion_refused AFTER INSERT ON nls.integration_notes FOR EACH ROW WHEN ((new.refused_nonce IS NOT NULL)) EXECUTE FUNCTION nls._events_of_reauth('notion');

--
-- Name: sync_log events_run_finished; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER events_run_finished AFTER UPDATE OF status ON nls.sync_log FOR EACH ROW WHEN (((old.status = 'running'::text) AND (new.status IS DISTINCT FROM 'running'::text) AND (new.user_id IS NOT NULL))) EXECUTE FUNCTION nls._events_of_run();

--
-- Name: sync_log events_run_logged; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER events_run_logged AFTER INSERT ON nls.sync_log FOR EACH ROW WHEN (((new.status IS DISTINCT FROM 'running'::text) AND (new.user_id IS NOT NULL))) EXECUTE FUNCTION nls._events_of_run();

--
-- Name: integration_notes integration_notes_fold; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE CONSTRAINT TRIGGER integration_notes_fold AFTER INSERT ON nls.integration_notes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION nls._notes_committed();

--
-- Name: characters notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.characters FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('characters', 'notion_page_id');

--
-- Name: chat_sessions notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.chat_sessions FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('chat_sessions', 'notion_page_id');

--
-- Name: clean_concept_areas notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.clean_concept_areas FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('concept_areas', 'notion_id');

--
-- Name: clean_concept_clusters notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.clean_concept_clusters FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('concept_clusters', 'notion_id');

--
-- Name: clean_programs notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.clean_programs FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('programs', 'notion_id');

--
-- Name: clean_tracks notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.clean_tracks FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('tracks', 'notion_id');

--
-- Name: concepts notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.concepts FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('concepts', 'notion_id');

--
-- Name: learning_atoms notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.learning_atoms FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('flashcards', 'notion_id');

--
-- Name: learning_modules notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.learning_modules FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('modules', 'notion_id');

--
-- Name: stories notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.stories FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('stories', 'notion_page_id');

--
-- Name: worlds notion_push_local_change; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER notion_push_local_change AFTER UPDATE ON nls.worlds FOR EACH ROW WHEN ((COALESCE(current_setting('nls.writer'::text, true), ''::text) = ''::text)) EXECUTE FUNCTION nls._note_local_change('worlds', 'notion_page_id');

--
-- Name: settings settings_value_check; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER settings_value_check BEFORE INSERT OR UPDATE ON nls.settings FOR EACH ROW EXECUTE FUNCTION nls._check_setting();

--
-- Name: sources sources_clean_whole; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER sources_clean_whole AFTER DELETE OR UPDATE OF target, property_map, enabled ON nls.sources FOR EACH ROW EXECUTE FUNCTION nls._source_changed();

--
-- Name: sources sources_target_check; Type: TRIGGER; Schema: nls; Owner: -
--

CREATE TRIGGER sources_target_check BEFORE INSERT OR UPDATE OF target ON nls.sources FOR EACH ROW EXECUTE FUNCTION nls._check_target();

--
-- Name: _event_deliveries _event_deliveries_endpoint_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._event_deliveries
    ADD CONSTRAINT _event_deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES nls._event_endpoints(id) ON DELETE CASCADE;

--
-- Name: _event_deliveries _event_deliveries_event_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls._event_deliveries
    ADD CONSTRAINT _event_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES nls._events(id) ON DELETE CASCADE;

--
-- Name: anki_collections anki_collections_user_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.anki_collections
    ADD CONSTRAINT anki_collections_user_id_fkey FOREIGN KEY (user_id) REFERENCES nls.anki_accounts(user_id) ON DELETE CASCADE;

--
-- Name: characters characters_source_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.characters
    ADD CONSTRAINT characters_source_id_fkey FOREIGN KEY (source_id) REFERENCES nls.sources(id) ON DELETE SET NULL;

--
-- Name: chat_sessions chat_sessions_source_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.chat_sessions
    ADD CONSTRAINT chat_sessions_source_id_fkey FOREIGN KEY (source_id) REFERENCES nls.sources(id) ON DELETE SET NULL;

--
-- Name: clean_concept_clusters clean_concept_clusters_concept_area_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.clean_concept_clusters
    ADD CONSTRAINT clean_concept_clusters_concept_area_id_fkey FOREIGN KEY (concept_area_id) REFERENCES nls.clean_concept_areas(id) ON DELETE SET NULL;

--
-- Name: clean_tracks clean_tracks_program_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.clean_tracks
    ADD CONSTRAINT clean_tracks_program_id_fkey FOREIGN KEY (program_id) REFERENCES nls.clean_programs(id) ON DELETE SET NULL;

--
-- Name: cleaning_log cleaning_log_atom_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.cleaning_log
    ADD CONSTRAINT cleaning_log_atom_id_fkey FOREIGN KEY (atom_id) REFERENCES nls.learning_atoms(id) ON DELETE SET NULL;

--
-- Name: cleaning_log cleaning_log_sync_log_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.cleaning_log
    ADD CONSTRAINT cleaning_log_sync_log_id_fkey FOREIGN KEY (sync_log_id) REFERENCES nls.sync_log(id) ON DELETE SET NULL;

--
-- Name: concepts concepts_cluster_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.concepts
    ADD CONSTRAINT concepts_cluster_id_fkey FOREIGN KEY (cluster_id) REFERENCES nls.clean_concept_clusters(id) ON DELETE SET NULL;

--
-- Name: concepts concepts_concept_area_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.concepts
    ADD CONSTRAINT concepts_concept_area_id_fkey FOREIGN KEY (concept_area_id) REFERENCES nls.clean_concept_areas(id) ON DELETE SET NULL;

--
-- Name: data_source_schemas data_source_schemas_source_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.data_source_schemas
    ADD CONSTRAINT data_source_schemas_source_id_fkey FOREIGN KEY (source_id) REFERENCES nls.sources(id) ON DELETE CASCADE;

--
-- Name: learning_atoms learning_atoms_concept_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.learning_atoms
    ADD CONSTRAINT learning_atoms_concept_id_fkey FOREIGN KEY (concept_id) REFERENCES nls.concepts(id) ON DELETE SET NULL;

--
-- Name: learning_atoms learning_atoms_module_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.learning_atoms
    ADD CONSTRAINT learning_atoms_module_id_fkey FOREIGN KEY (module_id) REFERENCES nls.learning_modules(id) ON DELETE SET NULL;

--
-- Name: learning_modules learning_modules_track_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.learning_modules
    ADD CONSTRAINT learning_modules_track_id_fkey FOREIGN KEY (track_id) REFERENCES nls.clean_tracks(id) ON DELETE SET NULL;

--
-- Name: notion_relation_edges notion_relation_edges_source_id_page_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.notion_relation_edges
    ADD CONSTRAINT notion_relation_edges_source_id_page_id_fkey FOREIGN KEY (source_id, page_id) REFERENCES nls.stg_notion_pages(source_id, page_id) ON DELETE CASCADE;

--
-- Name: notion_sync_state notion_sync_state_source_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.notion_sync_state
    ADD CONSTRAINT notion_sync_state_source_id_fkey FOREIGN KEY (source_id) REFERENCES nls.sources(id) ON DELETE CASCADE;

--
-- Name: review_queue review_queue_approved_atom_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.review_queue
    ADD CONSTRAINT review_queue_approved_atom_id_fkey FOREIGN KEY (approved_atom_id) REFERENCES nls.learning_atoms(id) ON DELETE SET NULL;

--
-- Name: review_queue review_queue_concept_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.review_queue
    ADD CONSTRAINT review_queue_concept_id_fkey FOREIGN KEY (concept_id) REFERENCES nls.concepts(id) ON DELETE SET NULL;

--
-- Name: review_queue review_queue_module_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.review_queue
    ADD CONSTRAINT review_queue_module_id_fkey FOREIGN KEY (module_id) REFERENCES nls.learning_modules(id) ON DELETE SET NULL;

--
-- Name: review_queue review_queue_original_atom_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.review_queue
    ADD CONSTRAINT review_queue_original_atom_id_fkey FOREIGN KEY (original_atom_id) REFERENCES nls.learning_atoms(id) ON DELETE SET NULL;

--
-- Name: sources sources_user_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.sources
    ADD CONSTRAINT sources_user_id_fkey FOREIGN KEY (user_id) REFERENCES nls.integrations(user_id) ON DELETE CASCADE;

--
-- Name: stg_notion_pages stg_notion_pages_source_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stg_notion_pages
    ADD CONSTRAINT stg_notion_pages_source_id_fkey FOREIGN KEY (source_id) REFERENCES nls.sources(id) ON DELETE CASCADE;

--
-- Name: stories stories_source_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.stories
    ADD CONSTRAINT stories_source_id_fkey FOREIGN KEY (source_id) REFERENCES nls.sources(id) ON DELETE SET NULL;

--
-- Name: sync_log sync_log_source_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.sync_log
    ADD CONSTRAINT sync_log_source_id_fkey FOREIGN KEY (source_id) REFERENCES nls.sources(id) ON DELETE SET NULL;

--
-- Name: sync_state sync_state_source_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.sync_state
    ADD CONSTRAINT sync_state_source_id_fkey FOREIGN KEY (source_id) REFERENCES nls.sources(id) ON DELETE CASCADE;

--
-- Name: typed_view_history typed_view_history_typed_view_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.typed_view_history
    ADD CONSTRAINT typed_view_history_typed_view_id_fkey FOREIGN KEY (typed_view_id) REFERENCES nls.typed_views(id) ON DELETE SET NULL;

--
-- Name: typed_views typed_views_source_user_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.typed_views
    ADD CONSTRAINT typed_views_source_user_fkey FOREIGN KEY (source_id, user_id) REFERENCES nls.sources(id, user_id) ON DELETE CASCADE;

--
-- Name: webhook_subscriptions webhook_subscriptions_user_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.webhook_subscriptions
    ADD CONSTRAINT webhook_subscriptions_user_id_fkey FOREIGN KEY (user_id) REFERENCES nls.integrations(user_id) ON DELETE CASCADE;

--
-- Name: worlds worlds_source_id_fkey; Type: FK CONSTRAINT; Schema: nls; Owner: -
--

ALTER TABLE ONLY nls.worlds
    ADD CONSTRAINT worlds_source_id_fkey FOREIGN KEY (source_id) REFERENCES nls.sources(id) ON DELETE SET NULL;

--
-- Name: _clean_queue; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls._clean_queue ENABLE ROW LEVEL SECURITY;

--
-- Name: _event_deliveries; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls._event_deliveries ENABLE ROW LEVEL SECURITY;

--
-- Name: _event_endpoints; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls._event_endpoints ENABLE ROW LEVEL SECURITY;

--
-- Name: _events; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls._events ENABLE ROW LEVEL SECURITY;

--
-- Name: anki_accounts; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.anki_accounts ENABLE ROW LEVEL SECURITY;

--
-- Name: anki_collections; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.anki_collections ENABLE ROW LEVEL SECURITY;

--
-- Name: anki_notes; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.anki_notes ENABLE ROW LEVEL SECURITY;

--
-- Name: characters; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.characters ENABLE ROW LEVEL SECURITY;

--
-- Name: chat_sessions; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.chat_sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: clean_concept_areas; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.clean_concept_areas ENABLE ROW LEVEL SECURITY;

--
-- Name: clean_concept_clusters; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.clean_concept_clusters ENABLE ROW LEVEL SECURITY;

--
-- Name: clean_programs; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.clean_programs ENABLE ROW LEVEL SECURITY;

--
-- Name: clean_tracks; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.clean_tracks ENABLE ROW LEVEL SECURITY;

--
-- Name: cleaning_log; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.cleaning_log ENABLE ROW LEVEL SECURITY;

--
-- Name: concepts; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.concepts ENABLE ROW LEVEL SECURITY;

--
-- Name: data_source_schemas; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.data_source_schemas ENABLE ROW LEVEL SECURITY;

--
-- Name: integration_notes; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.integration_notes ENABLE ROW LEVEL SECURITY;

--
-- Name: integrations; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.integrations ENABLE ROW LEVEL SECURITY;

--
-- Name: learning_atoms; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.learning_atoms ENABLE ROW LEVEL SECURITY;

--
-- Name: learning_modules; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.learning_modules ENABLE ROW LEVEL SECURITY;

--
-- Name: _clean_queue nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls._clean_queue FOR SELECT TO nls_admin USING (true);

--
-- Name: _event_deliveries nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls._event_deliveries FOR SELECT TO nls_admin USING (true);

--
-- Name: _event_endpoints nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls._event_endpoints FOR SELECT TO nls_admin USING (true);

--
-- Name: _events nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls._events FOR SELECT TO nls_admin USING (true);

--
-- Name: anki_accounts nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.anki_accounts FOR SELECT TO nls_admin USING (true);

--
-- Name: anki_collections nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.anki_collections FOR SELECT TO nls_admin USING (true);

--
-- Name: anki_notes nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.anki_notes FOR SELECT TO nls_admin USING (true);

--
-- Name: characters nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.characters FOR SELECT TO nls_admin USING (true);

--
-- Name: chat_sessions nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.chat_sessions FOR SELECT TO nls_admin USING (true);

--
-- Name: clean_concept_areas nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.clean_concept_areas FOR SELECT TO nls_admin USING (true);

--
-- Name: clean_concept_clusters nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.clean_concept_clusters FOR SELECT TO nls_admin USING (true);

--
-- Name: clean_programs nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.clean_programs FOR SELECT TO nls_admin USING (true);

--
-- Name: clean_tracks nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.clean_tracks FOR SELECT TO nls_admin USING (true);

--
-- Name: cleaning_log nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.cleaning_log FOR SELECT TO nls_admin USING (true);

--
-- Name: concepts nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.concepts FOR SELECT TO nls_admin USING (true);

--
-- Name: data_source_schemas nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.data_source_schemas FOR SELECT TO nls_admin USING (true);

--
-- Name: integration_notes nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.integration_notes FOR SELECT TO nls_admin USING (true);

--
-- Name: integrations nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.integrations FOR SELECT TO nls_admin USING (true);

--
-- Name: learning_atoms nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.learning_atoms FOR SELECT TO nls_admin USING (true);

--
-- Name: learning_modules nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.learning_modules FOR SELECT TO nls_admin USING (true);

--
-- Name: notion_relation_edges nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.notion_relation_edges FOR SELECT TO nls_admin USING (true);

--
-- Name: notion_sync_state nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.notion_sync_state FOR SELECT TO nls_admin USING (true);

--
-- Name: review_queue nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.review_queue FOR SELECT TO nls_admin USING (true);

--
-- Name: sources nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.sources FOR SELECT TO nls_admin USING (true);

--
-- Name: stg_notion_concept_areas nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.stg_notion_concept_areas FOR SELECT TO nls_admin USING (true);

--
-- Name: stg_notion_concept_clusters nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.stg_notion_concept_clusters FOR SELECT TO nls_admin USING (true);

--
-- Name: stg_notion_concepts nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.stg_notion_concepts FOR SELECT TO nls_admin USING (true);

--
-- Name: stg_notion_flashcards nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.stg_notion_flashcards FOR SELECT TO nls_admin USING (true);

--
-- Name: stg_notion_modules nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.stg_notion_modules FOR SELECT TO nls_admin USING (true);

--
-- Name: stg_notion_pages nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.stg_notion_pages FOR SELECT TO nls_admin USING (true);

--
-- Name: stg_notion_programs nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.stg_notion_programs FOR SELECT TO nls_admin USING (true);

--
-- Name: stg_notion_tracks nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.stg_notion_tracks FOR SELECT TO nls_admin USING (true);

--
-- Name: stories nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.stories FOR SELECT TO nls_admin USING (true);

--
-- Name: sync_log nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.sync_log FOR SELECT TO nls_admin USING (true);

--
-- Name: sync_state nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.sync_state FOR SELECT TO nls_admin USING (true);

--
-- Name: typed_view_history nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.typed_view_history FOR SELECT TO nls_admin USING (true);

--
-- Name: typed_views nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.typed_views FOR SELECT TO nls_admin USING (true);

--
-- Name: webhook_events nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.webhook_events FOR SELECT TO nls_admin USING (true);

--
-- Name: webhook_subscriptions nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.webhook_subscriptions FOR SELECT TO nls_admin USING (true);

--
-- Name: worlds nls_admin_reads; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_admin_reads ON nls.worlds FOR SELECT TO nls_admin USING (true);

--
-- Name: _clean_queue nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls._clean_queue USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: _event_deliveries nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls._event_deliveries USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: _event_endpoints nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls._event_endpoints USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: _events nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls._events USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: anki_accounts nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.anki_accounts USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: anki_collections nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.anki_collections USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: anki_notes nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.anki_notes USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: characters nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.characters USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: chat_sessions nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.chat_sessions USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: clean_concept_areas nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.clean_concept_areas USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: clean_concept_clusters nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.clean_concept_clusters USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: clean_programs nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.clean_programs USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: clean_tracks nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.clean_tracks USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: cleaning_log nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.cleaning_log USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: concepts nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.concepts USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: data_source_schemas nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.data_source_schemas USING ((EXISTS ( SELECT 1
   FROM nls.sources s
  WHERE (s.id = data_source_schemas.source_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM nls.sources s
  WHERE (s.id = data_source_schemas.source_id))));

--
-- Name: integration_notes nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.integration_notes USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: integrations nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.integrations USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: learning_atoms nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.learning_atoms USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: learning_modules nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.learning_modules USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: notion_relation_edges nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.notion_relation_edges USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: notion_sync_state nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.notion_sync_state USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: review_queue nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.review_queue USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: sources nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.sources USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: stg_notion_concept_areas nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.stg_notion_concept_areas USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: stg_notion_concept_clusters nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.stg_notion_concept_clusters USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: stg_notion_concepts nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.stg_notion_concepts USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: stg_notion_flashcards nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.stg_notion_flashcards USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: stg_notion_modules nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.stg_notion_modules USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: stg_notion_pages nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.stg_notion_pages USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: stg_notion_programs nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.stg_notion_programs USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: stg_notion_tracks nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.stg_notion_tracks USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: stories nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.stories USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: sync_log nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.sync_log USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: sync_state nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.sync_state USING ((EXISTS ( SELECT 1
   FROM nls.sources s
  WHERE (s.id = sync_state.source_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM nls.sources s
  WHERE (s.id = sync_state.source_id))));

--
-- Name: typed_view_history nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.typed_view_history USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: typed_views nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.typed_views USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: webhook_events nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.webhook_events USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: webhook_subscriptions nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.webhook_subscriptions USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: worlds nls_user_rows; Type: POLICY; Schema: nls; Owner: -
--

CREATE POLICY nls_user_rows ON nls.worlds USING ((user_id = ( SELECT nls._session_user() AS _session_user))) WITH CHECK ((user_id = ( SELECT nls._session_user() AS _session_user)));

--
-- Name: notion_relation_edges; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.notion_relation_edges ENABLE ROW LEVEL SECURITY;

--
-- Name: notion_sync_state; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.notion_sync_state ENABLE ROW LEVEL SECURITY;

--
-- Name: review_queue; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.review_queue ENABLE ROW LEVEL SECURITY;

--
-- Name: sources; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.sources ENABLE ROW LEVEL SECURITY;

--
-- Name: stg_notion_concept_areas; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.stg_notion_concept_areas ENABLE ROW LEVEL SECURITY;

--
-- Name: stg_notion_concept_clusters; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.stg_notion_concept_clusters ENABLE ROW LEVEL SECURITY;

--
-- Name: stg_notion_concepts; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.stg_notion_concepts ENABLE ROW LEVEL SECURITY;

--
-- Name: stg_notion_flashcards; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.stg_notion_flashcards ENABLE ROW LEVEL SECURITY;

--
-- Name: stg_notion_modules; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.stg_notion_modules ENABLE ROW LEVEL SECURITY;

--
-- Name: stg_notion_pages; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.stg_notion_pages ENABLE ROW LEVEL SECURITY;

--
-- Name: stg_notion_programs; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.stg_notion_programs ENABLE ROW LEVEL SECURITY;

--
-- Name: stg_notion_tracks; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.stg_notion_tracks ENABLE ROW LEVEL SECURITY;

--
-- Name: stories; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.stories ENABLE ROW LEVEL SECURITY;

--
-- Name: sync_log; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.sync_log ENABLE ROW LEVEL SECURITY;

--
-- Name: sync_state; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.sync_state ENABLE ROW LEVEL SECURITY;

--
-- Name: typed_view_history; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.typed_view_history ENABLE ROW LEVEL SECURITY;

--
-- Name: typed_views; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.typed_views ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_events; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.webhook_events ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_subscriptions; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.webhook_subscriptions ENABLE ROW LEVEL SECURITY;

--
-- Name: worlds; Type: ROW SECURITY; Schema: nls; Owner: -
--

ALTER TABLE nls.worlds ENABLE ROW LEVEL SECURITY;

--
-- Name: SCHEMA nls; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA nls TO nls_admin;
GRANT USAGE ON SCHEMA nls TO nls_app;
GRANT USAGE ON SCHEMA nls TO nls_cron;
GRANT USAGE ON SCHEMA nls TO nls_webhook;

--
-- Name: FUNCTION _anki_atoms(p_user text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._anki_atoms(p_user text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._anki_atoms(p_user text) TO nls_app;
GRANT ALL ON FUNCTION nls._anki_atoms(p_user text) TO nls_cron;

--
-- Name: FUNCTION _anki_last_review(p_user text, p_concept_notion_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._anki_last_review(p_user text, p_concept_notion_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._anki_last_review(p_user text, p_concept_notion_id text) TO nls_app;
GRANT ALL ON FUNCTION nls._anki_last_review(p_user text, p_concept_notion_id text) TO nls_cron;

--
-- Name: FUNCTION _anki_lock_key(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._anki_lock_key() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._anki_lock_key() TO nls_app;
GRANT ALL ON FUNCTION nls._anki_lock_key() TO nls_cron;

--
-- Name: FUNCTION _anki_pull_rows(p_user text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._anki_pull_rows(p_user text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._anki_pull_rows(p_user text) TO nls_app;
GRANT ALL ON FUNCTION nls._anki_pull_rows(p_user text) TO nls_cron;

--
-- Name: FUNCTION _anki_pulled(p_user text, p_rows jsonb, OUT atoms integer, OUT edits integer, OUT deleted integer); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._anki_pulled(p_user text, p_rows jsonb, OUT atoms integer, OUT edits integer, OUT deleted integer) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._anki_pulled(p_user text, p_rows jsonb, OUT atoms integer, OUT edits integer, OUT deleted integer) TO nls_app;
GRANT ALL ON FUNCTION nls._anki_pulled(p_user text, p_rows jsonb, OUT atoms integer, OUT edits integer, OUT deleted integer) TO nls_cron;

--
-- Name: FUNCTION _anki_pushed(p_user text, p_rows jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._anki_pushed(p_user text, p_rows jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._anki_pushed(p_user text, p_rows jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._anki_pushed(p_user text, p_rows jsonb) TO nls_cron;

--
-- Name: FUNCTION _backend_alive(p_pid integer, p_backend_start timestamp with time zone); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._backend_alive(p_pid integer, p_backend_start timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._backend_alive(p_pid integer, p_backend_start timestamp with time zone) TO nls_app;
GRANT ALL ON FUNCTION nls._backend_alive(p_pid integer, p_backend_start timestamp with time zone) TO nls_cron;

--
-- Name: FUNCTION _begin_run(p_source_id bigint, p_user_id text, p_sync_type text, p_notion_version text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._begin_run(p_source_id bigint, p_user_id text, p_sync_type text, p_notion_version text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._begin_run(p_source_id bigint, p_user_id text, p_sync_type text, p_notion_version text) TO nls_app;
GRANT ALL ON FUNCTION nls._begin_run(p_source_id bigint, p_user_id text, p_sync_type text, p_notion_version text) TO nls_cron;

--
-- Name: FUNCTION _budget_pick(p_budgets bigint[], p_tag bigint, p_now bigint, p_taken integer); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._budget_pick(p_budgets bigint[], p_tag bigint, p_now bigint, p_taken integer) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._budget_pick(p_budgets bigint[], p_tag bigint, p_now bigint, p_taken integer) TO nls_app;
GRANT ALL ON FUNCTION nls._budget_pick(p_budgets bigint[], p_tag bigint, p_now bigint, p_taken integer) TO nls_cron;

--
-- Name: FUNCTION _budget_read(p_tags bigint[], p_all boolean, OUT seqs regclass[], OUT budgets bigint[], OUT now bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._budget_read(p_tags bigint[], p_all boolean, OUT seqs regclass[], OUT budgets bigint[], OUT now bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._budget_read(p_tags bigint[], p_all boolean, OUT seqs regclass[], OUT budgets bigint[], OUT now bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._budget_read(p_tags bigint[], p_all boolean, OUT seqs regclass[], OUT budgets bigint[], OUT now bigint) TO nls_cron;

--
-- Name: FUNCTION _budget_tag(p_kind text, p_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._budget_tag(p_kind text, p_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._budget_tag(p_kind text, p_id text) TO nls_app;
GRANT ALL ON FUNCTION nls._budget_tag(p_kind text, p_id text) TO nls_cron;

--
-- Name: FUNCTION _budget_time(p_budgets bigint[], p_tag bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._budget_time(p_budgets bigint[], p_tag bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._budget_time(p_budgets bigint[], p_tag bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._budget_time(p_budgets bigint[], p_tag bigint) TO nls_cron;

--
-- Name: FUNCTION _budget_window(p_tag bigint, p_registers integer); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._budget_window(p_tag bigint, p_registers integer) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._budget_window(p_tag bigint, p_registers integer) TO nls_app;
GRANT ALL ON FUNCTION nls._budget_window(p_tag bigint, p_registers integer) TO nls_cron;

--
-- Name: FUNCTION _budget_write(p_seq regclass, p_tag bigint, p_time bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._budget_write(p_seq regclass, p_tag bigint, p_time bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._budget_write(p_seq regclass, p_tag bigint, p_time bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._budget_write(p_seq regclass, p_tag bigint, p_time bigint) TO nls_cron;

--
-- Name: FUNCTION _build_typed_view(p_id bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._build_typed_view(p_id bigint) FROM PUBLIC;

--
-- Name: FUNCTION _build_typed_views(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._build_typed_views() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._build_typed_views() TO nls_app;
GRANT ALL ON FUNCTION nls._build_typed_views() TO nls_cron;

--
-- Name: FUNCTION _check_setting(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._check_setting() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._check_setting() TO nls_app;
GRANT ALL ON FUNCTION nls._check_setting() TO nls_cron;

--
-- Name: FUNCTION _check_target(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._check_target() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._check_target() TO nls_app;
GRANT ALL ON FUNCTION nls._check_target() TO nls_cron;

--
-- Name: FUNCTION _claim_event_deliveries(p_limit integer); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._claim_event_deliveries(p_limit integer) FROM PUBLIC;

--
-- Name: FUNCTION _claim_sync_user(p_joined timestamp with time zone, OUT p_round timestamp with time zone, OUT p_user text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._claim_sync_user(p_joined timestamp with time zone, OUT p_round timestamp with time zone, OUT p_user text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._claim_sync_user(p_joined timestamp with time zone, OUT p_round timestamp with time zone, OUT p_user text) TO nls_cron;
GRANT ALL ON FUNCTION nls._claim_sync_user(p_joined timestamp with time zone, OUT p_round timestamp with time zone, OUT p_user text) TO nls_admin;

--
-- Name: FUNCTION _clean_affected(p_user text, p_pages text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._clean_affected(p_user text, p_pages text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._clean_affected(p_user text, p_pages text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._clean_affected(p_user text, p_pages text[]) TO nls_cron;

--
-- Name: FUNCTION _clean_entity(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[], OUT added integer, OUT updated integer, OUT removed integer); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._clean_entity(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[], OUT added integer, OUT updated integer, OUT removed integer) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._clean_entity(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[], OUT added integer, OUT updated integer, OUT removed integer) TO nls_app;
GRANT ALL ON FUNCTION nls._clean_entity(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[], OUT added integer, OUT updated integer, OUT removed integer) TO nls_cron;

--
-- Name: FUNCTION _clean_removed(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._clean_removed(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._clean_removed(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._clean_removed(p_table text, p_target text, p_user text, p_log uuid, p_key text, p_pages text[]) TO nls_cron;

--
-- Name: FUNCTION _clean_tables(p_user text, p_log uuid, p_pages text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._clean_tables(p_user text, p_log uuid, p_pages text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._clean_tables(p_user text, p_log uuid, p_pages text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._clean_tables(p_user text, p_log uuid, p_pages text[]) TO nls_cron;

--
-- Name: FUNCTION _clean_touched(p_table text, p_target text, p_user text, p_key text, p_pages text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._clean_touched(p_table text, p_target text, p_user text, p_key text, p_pages text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._clean_touched(p_table text, p_target text, p_user text, p_key text, p_pages text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._clean_touched(p_table text, p_target text, p_user text, p_key text, p_pages text[]) TO nls_cron;

--
-- Name: FUNCTION _clean_want(p_table text, p_key text, p_user text, p_pages text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._clean_want(p_table text, p_key text, p_user text, p_pages text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._clean_want(p_table text, p_key text, p_user text, p_pages text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._clean_want(p_table text, p_key text, p_user text, p_pages text[]) TO nls_cron;

--
-- Name: FUNCTION _close_stale_runs(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._close_stale_runs() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._close_stale_runs() TO nls_cron;
GRANT ALL ON FUNCTION nls._close_stale_runs() TO nls_admin;

--
-- Name: FUNCTION _collect_pg_net(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._collect_pg_net() FROM PUBLIC;

--
-- Name: FUNCTION _date(p text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._date(p text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._date(p text) TO nls_app;
GRANT ALL ON FUNCTION nls._date(p text) TO nls_cron;

--
-- Name: FUNCTION _deployed(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._deployed() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._deployed() TO nls_app;
GRANT ALL ON FUNCTION nls._deployed() TO nls_cron;

--
-- Name: FUNCTION _drifted_pages(p_source_id bigint, p_pages jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._drifted_pages(p_source_id bigint, p_pages jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._drifted_pages(p_source_id bigint, p_pages jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._drifted_pages(p_source_id bigint, p_pages jsonb) TO nls_cron;

--
-- Name: FUNCTION _emit_event(p_user text, p_kind text, p_data jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._emit_event(p_user text, p_kind text, p_data jsonb) FROM PUBLIC;

--
-- Name: FUNCTION _event_delivered(p_endpoint bigint, p_event bigint, p_status integer, p_error text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._event_delivered(p_endpoint bigint, p_event bigint, p_status integer, p_error text) FROM PUBLIC;

--
-- Name: FUNCTION _event_headers(p_secret text, p_body text, p_kind text, p_event bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._event_headers(p_secret text, p_body text, p_kind text, p_event bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._event_headers(p_secret text, p_body text, p_kind text, p_event bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._event_headers(p_secret text, p_body text, p_kind text, p_event bigint) TO nls_cron;

--
-- Name: FUNCTION _event_heads(p_limit integer); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._event_heads(p_limit integer) FROM PUBLIC;

--
-- Name: FUNCTION _event_setting(p_name text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._event_setting(p_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._event_setting(p_name text) TO nls_app;
GRANT ALL ON FUNCTION nls._event_setting(p_name text) TO nls_cron;

--
-- Name: FUNCTION _event_signature(p_secret text, p_timestamp bigint, p_body text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._event_signature(p_secret text, p_timestamp bigint, p_body text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._event_signature(p_secret text, p_timestamp bigint, p_body text) TO nls_app;
GRANT ALL ON FUNCTION nls._event_signature(p_secret text, p_timestamp bigint, p_body text) TO nls_cron;

--
-- Name: FUNCTION _event_transport(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._event_transport() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._event_transport() TO nls_app;
GRANT ALL ON FUNCTION nls._event_transport() TO nls_cron;

--
-- Name: FUNCTION _events_of_conflict(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._events_of_conflict() FROM PUBLIC;

--
-- Name: FUNCTION _events_of_reauth(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._events_of_reauth() FROM PUBLIC;

--
-- Name: FUNCTION _events_of_run(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._events_of_run() FROM PUBLIC;

--
-- Name: FUNCTION _field(p_properties jsonb, p_map jsonb, p_field text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._field(p_properties jsonb, p_map jsonb, p_field text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._field(p_properties jsonb, p_map jsonb, p_field text) TO nls_app;
GRANT ALL ON FUNCTION nls._field(p_properties jsonb, p_map jsonb, p_field text) TO nls_cron;

--
-- Name: FUNCTION _finish_run(p_log_id uuid, p_status text, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_error_code text, p_error_message text, p_details jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._finish_run(p_log_id uuid, p_status text, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_error_code text, p_error_message text, p_details jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._finish_run(p_log_id uuid, p_status text, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_error_code text, p_error_message text, p_details jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._finish_run(p_log_id uuid, p_status text, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_error_code text, p_error_message text, p_details jsonb) TO nls_cron;

--
-- Name: FUNCTION _finish_sync_user(p_round timestamp with time zone, p_user text, p_status text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._finish_sync_user(p_round timestamp with time zone, p_user text, p_status text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._finish_sync_user(p_round timestamp with time zone, p_user text, p_status text) TO nls_cron;
GRANT ALL ON FUNCTION nls._finish_sync_user(p_round timestamp with time zone, p_user text, p_status text) TO nls_admin;

--
-- Name: FUNCTION _first_related(p_properties jsonb, p_map jsonb, p_field text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._first_related(p_properties jsonb, p_map jsonb, p_field text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._first_related(p_properties jsonb, p_map jsonb, p_field text) TO nls_app;
GRANT ALL ON FUNCTION nls._first_related(p_properties jsonb, p_map jsonb, p_field text) TO nls_cron;

--
-- Name: FUNCTION _fold_integration_notes(p_integration bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._fold_integration_notes(p_integration bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._fold_integration_notes(p_integration bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._fold_integration_notes(p_integration bigint) TO nls_cron;

--
-- Name: FUNCTION _hmac_sha256(p_key bytea, p_message bytea); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._hmac_sha256(p_key bytea, p_message bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._hmac_sha256(p_key bytea, p_message bytea) TO nls_app;
GRANT ALL ON FUNCTION nls._hmac_sha256(p_key bytea, p_message bytea) TO nls_cron;

--
-- Name: FUNCTION _hold_budget(p_kind text, p_id text, p_seconds double precision, p_rate double precision, p_burst double precision); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._hold_budget(p_kind text, p_id text, p_seconds double precision, p_rate double precision, p_burst double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._hold_budget(p_kind text, p_id text, p_seconds double precision, p_rate double precision, p_burst double precision) TO nls_app;
GRANT ALL ON FUNCTION nls._hold_budget(p_kind text, p_id text, p_seconds double precision, p_rate double precision, p_burst double precision) TO nls_cron;

--
-- Name: FUNCTION _int(p text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._int(p text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._int(p text) TO nls_app;
GRANT ALL ON FUNCTION nls._int(p text) TO nls_cron;

--
-- Name: FUNCTION _integration_now(p_integration bigint, p_notes bigint[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._integration_now(p_integration bigint, p_notes bigint[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._integration_now(p_integration bigint, p_notes bigint[]) TO nls_app;
GRANT ALL ON FUNCTION nls._integration_now(p_integration bigint, p_notes bigint[]) TO nls_cron;

--
-- Name: FUNCTION _iso_day_ok(p text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._iso_day_ok(p text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._iso_day_ok(p text) TO nls_app;
GRANT ALL ON FUNCTION nls._iso_day_ok(p text) TO nls_cron;

--
-- Name: FUNCTION _learn_property_ids(p_user text, p_pages text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._learn_property_ids(p_user text, p_pages text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._learn_property_ids(p_user text, p_pages text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._learn_property_ids(p_user text, p_pages text[]) TO nls_cron;

--
-- Name: FUNCTION _learn_window(p_kind text, p_id text, p_retry_s double precision, p_window_s double precision); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._learn_window(p_kind text, p_id text, p_retry_s double precision, p_window_s double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._learn_window(p_kind text, p_id text, p_retry_s double precision, p_window_s double precision) TO nls_app;
GRANT ALL ON FUNCTION nls._learn_window(p_kind text, p_id text, p_retry_s double precision, p_window_s double precision) TO nls_cron;

--
-- Name: FUNCTION _load_engine(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._load_engine() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._load_engine() TO nls_app;
GRANT ALL ON FUNCTION nls._load_engine() TO nls_cron;

--
-- Name: FUNCTION _lock_class(p_kind text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._lock_class(p_kind text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._lock_class(p_kind text) TO nls_app;
GRANT ALL ON FUNCTION nls._lock_class(p_kind text) TO nls_cron;

--
-- Name: FUNCTION _lock_key(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._lock_key() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._lock_key() TO nls_app;
GRANT ALL ON FUNCTION nls._lock_key() TO nls_cron;

--
-- Name: FUNCTION _log_card_id_normalisations(p_user text, p_dirty text[], p_log uuid); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._log_card_id_normalisations(p_user text, p_dirty text[], p_log uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._log_card_id_normalisations(p_user text, p_dirty text[], p_log uuid) TO nls_app;
GRANT ALL ON FUNCTION nls._log_card_id_normalisations(p_user text, p_dirty text[], p_log uuid) TO nls_cron;

--
-- Name: FUNCTION _mapped(p_properties jsonb, p_map jsonb, p_field text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._mapped(p_properties jsonb, p_map jsonb, p_field text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._mapped(p_properties jsonb, p_map jsonb, p_field text) TO nls_app;
GRANT ALL ON FUNCTION nls._mapped(p_properties jsonb, p_map jsonb, p_field text) TO nls_cron;

--
-- Name: FUNCTION _mapped_list(p_properties jsonb, p_keys jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._mapped_list(p_properties jsonb, p_keys jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._mapped_list(p_properties jsonb, p_keys jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._mapped_list(p_properties jsonb, p_keys jsonb) TO nls_cron;

--
-- Name: FUNCTION _mark_gone(p_source_id bigint, p_page_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._mark_gone(p_source_id bigint, p_page_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._mark_gone(p_source_id bigint, p_page_id text) TO nls_app;
GRANT ALL ON FUNCTION nls._mark_gone(p_source_id bigint, p_page_id text) TO nls_cron;

--
-- Name: FUNCTION _mark_trashed(p_user text, p_pages jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._mark_trashed(p_user text, p_pages jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._mark_trashed(p_user text, p_pages jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._mark_trashed(p_user text, p_pages jsonb) TO nls_cron;

--
-- Name: FUNCTION _name(p_properties jsonb, p_map jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._name(p_properties jsonb, p_map jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._name(p_properties jsonb, p_map jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._name(p_properties jsonb, p_map jsonb) TO nls_cron;

--
-- Name: FUNCTION _new_page_cards(p_user text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._new_page_cards(p_user text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._new_page_cards(p_user text) TO nls_app;
GRANT ALL ON FUNCTION nls._new_page_cards(p_user text) TO nls_cron;

--
-- Name: FUNCTION _normalize_id(p_id text, p_what text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._normalize_id(p_id text, p_what text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._normalize_id(p_id text, p_what text) TO nls_app;
GRANT ALL ON FUNCTION nls._normalize_id(p_id text, p_what text) TO nls_cron;

--
-- Name: FUNCTION _note_local_change(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._note_local_change() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._note_local_change() TO nls_app;
GRANT ALL ON FUNCTION nls._note_local_change() TO nls_cron;

--
-- Name: FUNCTION _notes_committed(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._notes_committed() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._notes_committed() TO nls_app;
GRANT ALL ON FUNCTION nls._notes_committed() TO nls_cron;

--
-- Name: FUNCTION _notion_result(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._notion_result(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._notion_result(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._notion_result(property jsonb) TO nls_cron;

--
-- Name: FUNCTION _notion_time(p text, time_zone text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._notion_time(p text, time_zone text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._notion_time(p text, time_zone text) TO nls_app;
GRANT ALL ON FUNCTION nls._notion_time(p text, time_zone text) TO nls_cron;

--
-- Name: FUNCTION _num(p text, p_min numeric, p_max numeric, p_scale integer); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._num(p text, p_min numeric, p_max numeric, p_scale integer) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._num(p text, p_min numeric, p_max numeric, p_scale integer) TO nls_app;
GRANT ALL ON FUNCTION nls._num(p text, p_min numeric, p_max numeric, p_scale integer) TO nls_cron;

--
-- Name: FUNCTION _open_round(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._open_round() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._open_round() TO nls_cron;
GRANT ALL ON FUNCTION nls._open_round() TO nls_admin;

--
-- Name: FUNCTION _page_copy(p_target text, p_user text, p_page text, OUT source_id bigint, OUT raw jsonb, OUT staged_at timestamp with time zone); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._page_copy(p_target text, p_user text, p_page text, OUT source_id bigint, OUT raw jsonb, OUT staged_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._page_copy(p_target text, p_user text, p_page text, OUT source_id bigint, OUT raw jsonb, OUT staged_at timestamp with time zone) TO nls_app;
GRANT ALL ON FUNCTION nls._page_copy(p_target text, p_user text, p_page text, OUT source_id bigint, OUT raw jsonb, OUT staged_at timestamp with time zone) TO nls_cron;

--
-- Name: FUNCTION _pages_off_schema(p_source_id bigint, p_data_source_id text, p_schema jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._pages_off_schema(p_source_id bigint, p_data_source_id text, p_schema jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._pages_off_schema(p_source_id bigint, p_data_source_id text, p_schema jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._pages_off_schema(p_source_id bigint, p_data_source_id text, p_schema jsonb) TO nls_cron;

--
-- Name: FUNCTION _progress_run(p_log_id uuid, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_details jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._progress_run(p_log_id uuid, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_details jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._progress_run(p_log_id uuid, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_details jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._progress_run(p_log_id uuid, p_processed integer, p_added integer, p_updated integer, p_removed integer, p_requests integer, p_retries integer, p_details jsonb) TO nls_cron;

--
-- Name: FUNCTION _push_agreed(p_values jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_agreed(p_values jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_agreed(p_values jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._push_agreed(p_values jsonb) TO nls_cron;

--
-- Name: FUNCTION _push_catalogue(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_catalogue() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_catalogue() TO nls_app;
GRANT ALL ON FUNCTION nls._push_catalogue() TO nls_cron;

--
-- Name: FUNCTION _push_columns(p_source_id bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_columns(p_source_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_columns(p_source_id bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._push_columns(p_source_id bigint) TO nls_cron;

--
-- Name: FUNCTION _push_create_state(p_source_id bigint, p_atom_id uuid, p_card_id text, p_data_source_id text, p_attempted boolean); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_create_state(p_source_id bigint, p_atom_id uuid, p_card_id text, p_data_source_id text, p_attempted boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_create_state(p_source_id bigint, p_atom_id uuid, p_card_id text, p_data_source_id text, p_attempted boolean) TO nls_app;
GRANT ALL ON FUNCTION nls._push_create_state(p_source_id bigint, p_atom_id uuid, p_card_id text, p_data_source_id text, p_attempted boolean) TO nls_cron;

--
-- Name: FUNCTION _push_created(p_state_id uuid, p_page_id text, p_data_source_id text, p_last_edited_time timestamp with time zone, p_sync_hash text, p_agreed jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_created(p_state_id uuid, p_page_id text, p_data_source_id text, p_last_edited_time timestamp with time zone, p_sync_hash text, p_agreed jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_created(p_state_id uuid, p_page_id text, p_data_source_id text, p_last_edited_time timestamp with time zone, p_sync_hash text, p_agreed jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._push_created(p_state_id uuid, p_page_id text, p_data_source_id text, p_last_edited_time timestamp with time zone, p_sync_hash text, p_agreed jsonb) TO nls_cron;

--
-- Name: FUNCTION _push_creates(p_source_id bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_creates(p_source_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_creates(p_source_id bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._push_creates(p_source_id bigint) TO nls_cron;

--
-- Name: FUNCTION _push_map_error(p_target text, p_table text, p_map jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_map_error(p_target text, p_table text, p_map jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_map_error(p_target text, p_table text, p_map jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._push_map_error(p_target text, p_table text, p_map jsonb) TO nls_cron;

--
-- Name: FUNCTION _push_objects(p_source_id bigint, p_create boolean); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_objects(p_source_id bigint, p_create boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_objects(p_source_id bigint, p_create boolean) TO nls_app;
GRANT ALL ON FUNCTION nls._push_objects(p_source_id bigint, p_create boolean) TO nls_cron;

--
-- Name: FUNCTION _push_outcome(p_state_id uuid, p_outcome jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_outcome(p_state_id uuid, p_outcome jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_outcome(p_state_id uuid, p_outcome jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._push_outcome(p_state_id uuid, p_outcome jsonb) TO nls_cron;

--
-- Name: FUNCTION _push_plan(p_source_id bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_plan(p_source_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_plan(p_source_id bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._push_plan(p_source_id bigint) TO nls_cron;

--
-- Name: FUNCTION _push_property(p_properties jsonb, p_keys text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_property(p_properties jsonb, p_keys text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_property(p_properties jsonb, p_keys text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._push_property(p_properties jsonb, p_keys text[]) TO nls_cron;

--
-- Name: FUNCTION _push_prune(p_source_id bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_prune(p_source_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_prune(p_source_id bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._push_prune(p_source_id bigint) TO nls_cron;

--
-- Name: FUNCTION _push_sources(p_user text, p_retried text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._push_sources(p_user text, p_retried text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._push_sources(p_user text, p_retried text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._push_sources(p_user text, p_retried text[]) TO nls_cron;

--
-- Name: FUNCTION _release_problem(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._release_problem() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._release_problem() TO nls_app;
GRANT ALL ON FUNCTION nls._release_problem() TO nls_cron;

--
-- Name: FUNCTION _require(p_value anyelement, p_name text, p_call text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._require(p_value anyelement, p_name text, p_call text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._require(p_value anyelement, p_name text, p_call text) TO nls_app;
GRANT ALL ON FUNCTION nls._require(p_value anyelement, p_name text, p_call text) TO nls_cron;

--
-- Name: FUNCTION _reserved_schema(p_name text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._reserved_schema(p_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._reserved_schema(p_name text) TO nls_app;
GRANT ALL ON FUNCTION nls._reserved_schema(p_name text) TO nls_cron;

--
-- Name: FUNCTION _session_user(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._session_user() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._session_user() TO nls_app;
GRANT ALL ON FUNCTION nls._session_user() TO nls_cron;

--
-- Name: TABLE review_queue; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.review_queue TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.review_queue TO nls_cron;

--
-- Name: FUNCTION _review_item(p_id uuid, p_action text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._review_item(p_id uuid, p_action text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._review_item(p_id uuid, p_action text) TO nls_app;
GRANT ALL ON FUNCTION nls._review_item(p_id uuid, p_action text) TO nls_cron;

--
-- Name: FUNCTION _round_waiting(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._round_waiting() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._round_waiting() TO nls_cron;
GRANT ALL ON FUNCTION nls._round_waiting() TO nls_admin;

--
-- Name: FUNCTION _save_data_sources(p_source_id bigint, p_data_sources jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._save_data_sources(p_source_id bigint, p_data_sources jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._save_data_sources(p_source_id bigint, p_data_sources jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._save_data_sources(p_source_id bigint, p_data_sources jsonb) TO nls_cron;

--
-- Name: FUNCTION _save_schema(p_source_id bigint, p_data_source_id text, p_properties jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._save_schema(p_source_id bigint, p_data_source_id text, p_properties jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._save_schema(p_source_id bigint, p_data_source_id text, p_properties jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._save_schema(p_source_id bigint, p_data_source_id text, p_properties jsonb) TO nls_cron;

--
-- Name: FUNCTION _save_state(p_source_id bigint, p_data_source_id text, p_name text, p_watermark timestamp with time zone, p_full_done boolean); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._save_state(p_source_id bigint, p_data_source_id text, p_name text, p_watermark timestamp with time zone, p_full_done boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._save_state(p_source_id bigint, p_data_source_id text, p_name text, p_watermark timestamp with time zone, p_full_done boolean) TO nls_app;
GRANT ALL ON FUNCTION nls._save_state(p_source_id bigint, p_data_source_id text, p_name text, p_watermark timestamp with time zone, p_full_done boolean) TO nls_cron;

--
-- Name: FUNCTION _save_webhook_event(p_path text, p_event jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._save_webhook_event(p_path text, p_event jsonb) FROM PUBLIC;

--
-- Name: FUNCTION _seen_begin(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._seen_begin() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._seen_begin() TO nls_app;
GRANT ALL ON FUNCTION nls._seen_begin() TO nls_cron;

--
-- Name: FUNCTION _seen_fresh(p_ids text[], p_times text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._seen_fresh(p_ids text[], p_times text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._seen_fresh(p_ids text[], p_times text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._seen_fresh(p_ids text[], p_times text[]) TO nls_cron;

--
-- Name: FUNCTION _setting_allowed(p_type text, p_unit text, p_min numeric, p_max numeric, p_allowed text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._setting_allowed(p_type text, p_unit text, p_min numeric, p_max numeric, p_allowed text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._setting_allowed(p_type text, p_unit text, p_min numeric, p_max numeric, p_allowed text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._setting_allowed(p_type text, p_unit text, p_min numeric, p_max numeric, p_allowed text[]) TO nls_cron;

--
-- Name: FUNCTION _setting_fits(p_value text, p_type text, p_min numeric, p_max numeric, p_allowed text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._setting_fits(p_value text, p_type text, p_min numeric, p_max numeric, p_allowed text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._setting_fits(p_value text, p_type text, p_min numeric, p_max numeric, p_allowed text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._setting_fits(p_value text, p_type text, p_min numeric, p_max numeric, p_allowed text[]) TO nls_cron;

--
-- Name: FUNCTION _source_changed(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._source_changed() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._source_changed() TO nls_app;
GRANT ALL ON FUNCTION nls._source_changed() TO nls_cron;

--
-- Name: FUNCTION _source_map(p_target text, p_property_map jsonb, p_property_ids jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._source_map(p_target text, p_property_map jsonb, p_property_ids jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._source_map(p_target text, p_property_map jsonb, p_property_ids jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._source_map(p_target text, p_property_map jsonb, p_property_ids jsonb) TO nls_cron;

--
-- Name: FUNCTION _sql_keywords(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._sql_keywords() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._sql_keywords() TO nls_app;
GRANT ALL ON FUNCTION nls._sql_keywords() TO nls_cron;

--
-- Name: FUNCTION _stage_learning(p_user text, p_pages text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._stage_learning(p_user text, p_pages text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._stage_learning(p_user text, p_pages text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._stage_learning(p_user text, p_pages text[]) TO nls_cron;

--
-- Name: FUNCTION _stage_parents(p_user text, p_pages text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._stage_parents(p_user text, p_pages text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._stage_parents(p_user text, p_pages text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._stage_parents(p_user text, p_pages text[]) TO nls_cron;

--
-- Name: FUNCTION _stage_target(p_target text, p_user text, p_pages text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._stage_target(p_target text, p_user text, p_pages text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._stage_target(p_target text, p_user text, p_pages text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._stage_target(p_target text, p_user text, p_pages text[]) TO nls_cron;

--
-- Name: FUNCTION _status(p text, p_allowed text[], p_default text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._status(p text, p_allowed text[], p_default text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._status(p text, p_allowed text[], p_default text) TO nls_app;
GRANT ALL ON FUNCTION nls._status(p text, p_allowed text[], p_default text) TO nls_cron;

--
-- Name: FUNCTION _stored_hashes(p_source_id bigint, p_page_ids text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._stored_hashes(p_source_id bigint, p_page_ids text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._stored_hashes(p_source_id bigint, p_page_ids text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._stored_hashes(p_source_id bigint, p_page_ids text[]) TO nls_cron;

--
-- Name: FUNCTION _take_budget(p_user text, p_workspace_id text, p_rate double precision, p_workspace_rate double precision, p_burst double precision, OUT wait_s double precision, OUT reserved boolean); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._take_budget(p_user text, p_workspace_id text, p_rate double precision, p_workspace_rate double precision, p_burst double precision, OUT wait_s double precision, OUT reserved boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._take_budget(p_user text, p_workspace_id text, p_rate double precision, p_workspace_rate double precision, p_burst double precision, OUT wait_s double precision, OUT reserved boolean) TO nls_app;
GRANT ALL ON FUNCTION nls._take_budget(p_user text, p_workspace_id text, p_rate double precision, p_workspace_rate double precision, p_burst double precision, OUT wait_s double precision, OUT reserved boolean) TO nls_cron;

--
-- Name: FUNCTION _take_clean_queue(p_user text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._take_clean_queue(p_user text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._take_clean_queue(p_user text) TO nls_app;
GRANT ALL ON FUNCTION nls._take_clean_queue(p_user text) TO nls_cron;

--
-- Name: FUNCTION _take_window(p_kind text, p_id text, p_window_s double precision, p_default integer, OUT wait_s double precision, OUT budget integer, OUT paced boolean); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._take_window(p_kind text, p_id text, p_window_s double precision, p_default integer, OUT wait_s double precision, OUT budget integer, OUT paced boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._take_window(p_kind text, p_id text, p_window_s double precision, p_default integer, OUT wait_s double precision, OUT budget integer, OUT paced boolean) TO nls_app;
GRANT ALL ON FUNCTION nls._take_window(p_kind text, p_id text, p_window_s double precision, p_default integer, OUT wait_s double precision, OUT budget integer, OUT paced boolean) TO nls_cron;

--
-- Name: FUNCTION _target_catalogue(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._target_catalogue() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._target_catalogue() TO nls_app;
GRANT ALL ON FUNCTION nls._target_catalogue() TO nls_cron;

--
-- Name: FUNCTION _target_kind(p_target text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._target_kind(p_target text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._target_kind(p_target text) TO nls_app;
GRANT ALL ON FUNCTION nls._target_kind(p_target text) TO nls_cron;

--
-- Name: FUNCTION _title(p_properties jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._title(p_properties jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._title(p_properties jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._title(p_properties jsonb) TO nls_cron;

--
-- Name: FUNCTION _two_way_done(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._two_way_done() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._two_way_done() TO nls_app;
GRANT ALL ON FUNCTION nls._two_way_done() TO nls_cron;

--
-- Name: FUNCTION _two_way_want(p_table text, p_key text, p_user text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._two_way_want(p_table text, p_key text, p_user text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._two_way_want(p_table text, p_key text, p_user text) TO nls_app;
GRANT ALL ON FUNCTION nls._two_way_want(p_table text, p_key text, p_user text) TO nls_cron;

--
-- Name: FUNCTION _typed_fixed_columns(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._typed_fixed_columns() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._typed_fixed_columns() TO nls_app;
GRANT ALL ON FUNCTION nls._typed_fixed_columns() TO nls_cron;

--
-- Name: FUNCTION _typed_kinds(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._typed_kinds() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._typed_kinds() TO nls_app;
GRANT ALL ON FUNCTION nls._typed_kinds() TO nls_cron;

--
-- Name: FUNCTION _typed_observed(p_source_id bigint, p_data_source_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._typed_observed(p_source_id bigint, p_data_source_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._typed_observed(p_source_id bigint, p_data_source_id text) TO nls_app;
GRANT ALL ON FUNCTION nls._typed_observed(p_source_id bigint, p_data_source_id text) TO nls_cron;

--
-- Name: FUNCTION _typed_view_columns(p_columns jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._typed_view_columns(p_columns jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._typed_view_columns(p_columns jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._typed_view_columns(p_columns jsonb) TO nls_cron;

--
-- Name: FUNCTION _typed_view_comment(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._typed_view_comment() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._typed_view_comment() TO nls_app;
GRANT ALL ON FUNCTION nls._typed_view_comment() TO nls_cron;

--
-- Name: FUNCTION _typed_view_definition(p_typed_view_id bigint, p_columns jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._typed_view_definition(p_typed_view_id bigint, p_columns jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._typed_view_definition(p_typed_view_id bigint, p_columns jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._typed_view_definition(p_typed_view_id bigint, p_columns jsonb) TO nls_cron;

--
-- Name: FUNCTION _typed_view_query(p_source_id bigint, p_data_source_id text, p_columns jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._typed_view_query(p_source_id bigint, p_data_source_id text, p_columns jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._typed_view_query(p_source_id bigint, p_data_source_id text, p_columns jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._typed_view_query(p_source_id bigint, p_data_source_id text, p_columns jsonb) TO nls_cron;

--
-- Name: FUNCTION _typed_view_schema(p_schema text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._typed_view_schema(p_schema text) FROM PUBLIC;

--
-- Name: FUNCTION _typed_view_schema_ok(p_schema text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._typed_view_schema_ok(p_schema text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._typed_view_schema_ok(p_schema text) TO nls_app;
GRANT ALL ON FUNCTION nls._typed_view_schema_ok(p_schema text) TO nls_cron;

--
-- Name: FUNCTION _typed_view_select(p_columns jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._typed_view_select(p_columns jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._typed_view_select(p_columns jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls._typed_view_select(p_columns jsonb) TO nls_cron;

--
-- Name: FUNCTION _unseen_pages(p_source_id bigint, p_data_source_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._unseen_pages(p_source_id bigint, p_data_source_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._unseen_pages(p_source_id bigint, p_data_source_id text) TO nls_app;
GRANT ALL ON FUNCTION nls._unseen_pages(p_source_id bigint, p_data_source_id text) TO nls_cron;

--
-- Name: FUNCTION _upsert_pages(p_source_id bigint, p_user_id text, p_pages jsonb, OUT added integer, OUT updated integer); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._upsert_pages(p_source_id bigint, p_user_id text, p_pages jsonb, OUT added integer, OUT updated integer) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._upsert_pages(p_source_id bigint, p_user_id text, p_pages jsonb, OUT added integer, OUT updated integer) TO nls_app;
GRANT ALL ON FUNCTION nls._upsert_pages(p_source_id bigint, p_user_id text, p_pages jsonb, OUT added integer, OUT updated integer) TO nls_cron;

--
-- Name: FUNCTION _want_atoms(p_user text, p_pages text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._want_atoms(p_user text, p_pages text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._want_atoms(p_user text, p_pages text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._want_atoms(p_user text, p_pages text[]) TO nls_cron;

--
-- Name: FUNCTION _webhook_users(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._webhook_users() FROM PUBLIC;
GRANT ALL ON FUNCTION nls._webhook_users() TO nls_cron;
GRANT ALL ON FUNCTION nls._webhook_users() TO nls_admin;

--
-- Name: FUNCTION _window_learned(p_budgets bigint[], p_tag bigint, p_now bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._window_learned(p_budgets bigint[], p_tag bigint, p_now bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._window_learned(p_budgets bigint[], p_tag bigint, p_now bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._window_learned(p_budgets bigint[], p_tag bigint, p_now bigint) TO nls_cron;

--
-- Name: FUNCTION _window_time(p_now bigint, p_seconds double precision, p_unit bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._window_time(p_now bigint, p_seconds double precision, p_unit bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._window_time(p_now bigint, p_seconds double precision, p_unit bigint) TO nls_app;
GRANT ALL ON FUNCTION nls._window_time(p_now bigint, p_seconds double precision, p_unit bigint) TO nls_cron;

--
-- Name: FUNCTION _write_edges(p_source_id bigint, p_page_ids text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls._write_edges(p_source_id bigint, p_page_ids text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls._write_edges(p_source_id bigint, p_page_ids text[]) TO nls_app;
GRANT ALL ON FUNCTION nls._write_edges(p_source_id bigint, p_page_ids text[]) TO nls_cron;

--
-- Name: FUNCTION add_anki_account(user_id text, username text, password text, endpoint text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.add_anki_account(user_id text, username text, password text, endpoint text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.add_anki_account(user_id text, username text, password text, endpoint text) TO nls_app;
GRANT ALL ON FUNCTION nls.add_anki_account(user_id text, username text, password text, endpoint text) TO nls_cron;

--
-- Name: FUNCTION add_event_endpoint(user_id text, url text, secret text, kinds text[]); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.add_event_endpoint(user_id text, url text, secret text, kinds text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.add_event_endpoint(user_id text, url text, secret text, kinds text[]) TO nls_app;
GRANT ALL ON FUNCTION nls.add_event_endpoint(user_id text, url text, secret text, kinds text[]) TO nls_cron;

--
-- Name: FUNCTION add_integration(user_id text, access_token text, workspace_id text, workspace_name text, workspace_icon text, bot_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.add_integration(user_id text, access_token text, workspace_id text, workspace_name text, workspace_icon text, bot_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.add_integration(user_id text, access_token text, workspace_id text, workspace_name text, workspace_icon text, bot_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.add_integration(user_id text, access_token text, workspace_id text, workspace_name text, workspace_icon text, bot_id text) TO nls_cron;

--
-- Name: FUNCTION add_source(user_id text, database_id text, target text, database_name text, with_content boolean, property_map jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.add_source(user_id text, database_id text, target text, database_name text, with_content boolean, property_map jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.add_source(user_id text, database_id text, target text, database_name text, with_content boolean, property_map jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.add_source(user_id text, database_id text, target text, database_name text, with_content boolean, property_map jsonb) TO nls_cron;

--
-- Name: FUNCTION anki_sync(user_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.anki_sync(user_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.anki_sync(user_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.anki_sync(user_id text) TO nls_cron;

--
-- Name: PROCEDURE apply_all_webhook_events(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON PROCEDURE nls.apply_all_webhook_events() FROM PUBLIC;
GRANT ALL ON PROCEDURE nls.apply_all_webhook_events() TO nls_cron;
GRANT ALL ON PROCEDURE nls.apply_all_webhook_events() TO nls_admin;

--
-- Name: FUNCTION apply_webhook_events(user_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.apply_webhook_events(user_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.apply_webhook_events(user_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.apply_webhook_events(user_id text) TO nls_cron;

--
-- Name: FUNCTION approve_review(review_id uuid, reviewer_notes text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.approve_review(review_id uuid, reviewer_notes text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.approve_review(review_id uuid, reviewer_notes text) TO nls_app;
GRANT ALL ON FUNCTION nls.approve_review(review_id uuid, reviewer_notes text) TO nls_cron;

--
-- Name: FUNCTION atom_needs_review(back text, atomicity text, quality_score numeric); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.atom_needs_review(back text, atomicity text, quality_score numeric) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.atom_needs_review(back text, atomicity text, quality_score numeric) TO nls_app;
GRANT ALL ON FUNCTION nls.atom_needs_review(back text, atomicity text, quality_score numeric) TO nls_cron;

--
-- Name: FUNCTION atom_quality_score(front text, back text, atom_type text, atomicity text, has_concept boolean, has_module boolean); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.atom_quality_score(front text, back text, atom_type text, atomicity text, has_concept boolean, has_module boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.atom_quality_score(front text, back text, atom_type text, atomicity text, has_concept boolean, has_module boolean) TO nls_app;
GRANT ALL ON FUNCTION nls.atom_quality_score(front text, back text, atom_type text, atomicity text, has_concept boolean, has_module boolean) TO nls_cron;

--
-- Name: FUNCTION atom_type_for(front text, mapped_type text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.atom_type_for(front text, mapped_type text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.atom_type_for(front text, mapped_type text) TO nls_app;
GRANT ALL ON FUNCTION nls.atom_type_for(front text, mapped_type text) TO nls_cron;

--
-- Name: FUNCTION atomicity_status(front text, back text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.atomicity_status(front text, back text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.atomicity_status(front text, back text) TO nls_app;
GRANT ALL ON FUNCTION nls.atomicity_status(front text, back text) TO nls_cron;

--
-- Name: FUNCTION clean(user_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.clean(user_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.clean(user_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.clean(user_id text) TO nls_cron;

--
-- Name: FUNCTION create_typed_view(database_id text, view_name text, schema_name text, user_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.create_typed_view(database_id text, view_name text, schema_name text, user_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.create_typed_view(database_id text, view_name text, schema_name text, user_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.create_typed_view(database_id text, view_name text, schema_name text, user_id text) TO nls_cron;

--
-- Name: FUNCTION deliver_events(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.deliver_events() FROM PUBLIC;
GRANT ALL ON FUNCTION nls.deliver_events() TO nls_cron;
GRANT ALL ON FUNCTION nls.deliver_events() TO nls_admin;

--
-- Name: FUNCTION discover(user_id text, add boolean); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.discover(user_id text, add boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.discover(user_id text, add boolean) TO nls_app;
GRANT ALL ON FUNCTION nls.discover(user_id text, add boolean) TO nls_cron;

--
-- Name: FUNCTION drop_typed_view(view regclass); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.drop_typed_view(view regclass) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.drop_typed_view(view regclass) TO nls_app;
GRANT ALL ON FUNCTION nls.drop_typed_view(view regclass) TO nls_cron;

--
-- Name: FUNCTION edit_review(review_id uuid, front text, back text, reviewer_notes text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.edit_review(review_id uuid, front text, back text, reviewer_notes text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.edit_review(review_id uuid, front text, back text, reviewer_notes text) TO nls_app;
GRANT ALL ON FUNCTION nls.edit_review(review_id uuid, front text, back text, reviewer_notes text) TO nls_cron;

--
-- Name: FUNCTION engine_status(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.engine_status() FROM PUBLIC;
GRANT ALL ON FUNCTION nls.engine_status() TO nls_app;
GRANT ALL ON FUNCTION nls.engine_status() TO nls_cron;

--
-- Name: FUNCTION event_kinds(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.event_kinds() FROM PUBLIC;
GRANT ALL ON FUNCTION nls.event_kinds() TO nls_app;
GRANT ALL ON FUNCTION nls.event_kinds() TO nls_cron;

--
-- Name: FUNCTION normalize_card_id(card_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.normalize_card_id(card_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.normalize_card_id(card_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.normalize_card_id(card_id text) TO nls_cron;

--
-- Name: FUNCTION notion_boolean(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_boolean(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_boolean(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_boolean(property jsonb) TO nls_cron;

--
-- Name: FUNCTION notion_date(property jsonb, part text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_date(property jsonb, part text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_date(property jsonb, part text) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_date(property jsonb, part text) TO nls_cron;

--
-- Name: FUNCTION notion_ids(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_ids(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_ids(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_ids(property jsonb) TO nls_cron;

--
-- Name: FUNCTION notion_names(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_names(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_names(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_names(property jsonb) TO nls_cron;

--
-- Name: FUNCTION notion_number(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_number(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_number(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_number(property jsonb) TO nls_cron;

--
-- Name: FUNCTION notion_property(properties jsonb, key text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_property(properties jsonb, key text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_property(properties jsonb, key text) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_property(properties jsonb, key text) TO nls_cron;

--
-- Name: FUNCTION notion_range(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_range(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_range(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_range(property jsonb) TO nls_cron;

--
-- Name: FUNCTION notion_relation_ids(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_relation_ids(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_relation_ids(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_relation_ids(property jsonb) TO nls_cron;

--
-- Name: FUNCTION notion_text(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_text(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_text(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_text(property jsonb) TO nls_cron;

--
-- Name: FUNCTION notion_texts(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_texts(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_texts(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_texts(property jsonb) TO nls_cron;

--
-- Name: FUNCTION notion_timestamptz(property jsonb, part text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_timestamptz(property jsonb, part text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_timestamptz(property jsonb, part text) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_timestamptz(property jsonb, part text) TO nls_cron;

--
-- Name: FUNCTION notion_unique_number(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_unique_number(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_unique_number(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_unique_number(property jsonb) TO nls_cron;

--
-- Name: FUNCTION notion_user(property jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.notion_user(property jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.notion_user(property jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.notion_user(property jsonb) TO nls_cron;

--
-- Name: FUNCTION property_map(target text, overrides jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.property_map(target text, overrides jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.property_map(target text, overrides jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.property_map(target text, overrides jsonb) TO nls_cron;

--
-- Name: FUNCTION push_map(target text, overrides jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.push_map(target text, overrides jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.push_map(target text, overrides jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.push_map(target text, overrides jsonb) TO nls_cron;

--
-- Name: FUNCTION push_notion(user_id text, dry_run boolean); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.push_notion(user_id text, dry_run boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.push_notion(user_id text, dry_run boolean) TO nls_app;
GRANT ALL ON FUNCTION nls.push_notion(user_id text, dry_run boolean) TO nls_cron;

--
-- Name: FUNCTION reject_review(review_id uuid, reviewer_notes text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.reject_review(review_id uuid, reviewer_notes text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.reject_review(review_id uuid, reviewer_notes text) TO nls_app;
GRANT ALL ON FUNCTION nls.reject_review(review_id uuid, reviewer_notes text) TO nls_cron;

--
-- Name: FUNCTION remove_anki_account(user_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.remove_anki_account(user_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.remove_anki_account(user_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.remove_anki_account(user_id text) TO nls_cron;

--
-- Name: FUNCTION remove_event_endpoint(endpoint_id bigint); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.remove_event_endpoint(endpoint_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.remove_event_endpoint(endpoint_id bigint) TO nls_app;
GRANT ALL ON FUNCTION nls.remove_event_endpoint(endpoint_id bigint) TO nls_cron;

--
-- Name: FUNCTION remove_integration(user_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.remove_integration(user_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.remove_integration(user_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.remove_integration(user_id text) TO nls_cron;

--
-- Name: FUNCTION remove_source(user_id text, database_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.remove_source(user_id text, database_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.remove_source(user_id text, database_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.remove_source(user_id text, database_id text) TO nls_cron;

--
-- Name: FUNCTION resolve_conflict(id uuid, resolution text, column_name text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.resolve_conflict(id uuid, resolution text, column_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.resolve_conflict(id uuid, resolution text, column_name text) TO nls_app;
GRANT ALL ON FUNCTION nls.resolve_conflict(id uuid, resolution text, column_name text) TO nls_cron;

--
-- Name: FUNCTION rotate_encryption_key(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.rotate_encryption_key() FROM PUBLIC;
GRANT ALL ON FUNCTION nls.rotate_encryption_key() TO nls_admin;

--
-- Name: FUNCTION set_push_map(user_id text, database_id text, push_map jsonb); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.set_push_map(user_id text, database_id text, push_map jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.set_push_map(user_id text, database_id text, push_map jsonb) TO nls_app;
GRANT ALL ON FUNCTION nls.set_push_map(user_id text, database_id text, push_map jsonb) TO nls_cron;

--
-- Name: FUNCTION set_setting(name text, value text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.set_setting(name text, value text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.set_setting(name text, value text) TO nls_admin;

--
-- Name: PROCEDURE sync_all_users_notion_databases(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON PROCEDURE nls.sync_all_users_notion_databases() FROM PUBLIC;
GRANT ALL ON PROCEDURE nls.sync_all_users_notion_databases() TO nls_cron;
GRANT ALL ON PROCEDURE nls.sync_all_users_notion_databases() TO nls_admin;

--
-- Name: FUNCTION sync_notion(database_id text, database_name text, user_id text, full_sync boolean); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.sync_notion(database_id text, database_name text, user_id text, full_sync boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.sync_notion(database_id text, database_name text, user_id text, full_sync boolean) TO nls_app;
GRANT ALL ON FUNCTION nls.sync_notion(database_id text, database_name text, user_id text, full_sync boolean) TO nls_cron;

--
-- Name: FUNCTION targets(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.targets() FROM PUBLIC;
GRANT ALL ON FUNCTION nls.targets() TO nls_app;
GRANT ALL ON FUNCTION nls.targets() TO nls_cron;

--
-- Name: FUNCTION typed_select(source_id bigint, data_source_id text, OUT columns jsonb, OUT query text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.typed_select(source_id bigint, data_source_id text, OUT columns jsonb, OUT query text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.typed_select(source_id bigint, data_source_id text, OUT columns jsonb, OUT query text) TO nls_app;
GRANT ALL ON FUNCTION nls.typed_select(source_id bigint, data_source_id text, OUT columns jsonb, OUT query text) TO nls_cron;

--
-- Name: FUNCTION version(); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.version() FROM PUBLIC;
GRANT ALL ON FUNCTION nls.version() TO nls_app;
GRANT ALL ON FUNCTION nls.version() TO nls_cron;

--
-- Name: FUNCTION webhook_apply(path text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.webhook_apply(path text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.webhook_apply(path text) TO nls_webhook;
GRANT ALL ON FUNCTION nls.webhook_apply(path text) TO nls_admin;

--
-- Name: FUNCTION webhook_endpoint(user_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.webhook_endpoint(user_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.webhook_endpoint(user_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.webhook_endpoint(user_id text) TO nls_cron;

--
-- Name: FUNCTION webhook_receive(path text, body bytea, signature text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.webhook_receive(path text, body bytea, signature text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.webhook_receive(path text, body bytea, signature text) TO nls_webhook;
GRANT ALL ON FUNCTION nls.webhook_receive(path text, body bytea, signature text) TO nls_admin;

--
-- Name: FUNCTION webhook_verification_token(user_id text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.webhook_verification_token(user_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.webhook_verification_token(user_id text) TO nls_app;
GRANT ALL ON FUNCTION nls.webhook_verification_token(user_id text) TO nls_cron;

--
-- Name: FUNCTION word_count(body text); Type: ACL; Schema: nls; Owner: -
--

REVOKE ALL ON FUNCTION nls.word_count(body text) FROM PUBLIC;
GRANT ALL ON FUNCTION nls.word_count(body text) TO nls_app;
GRANT ALL ON FUNCTION nls.word_count(body text) TO nls_cron;

--
-- Name: SEQUENCE _budget_00; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_00 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_00 TO nls_cron;

--
-- Name: SEQUENCE _budget_01; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_01 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_01 TO nls_cron;

--
-- Name: SEQUENCE _budget_02; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_02 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_02 TO nls_cron;

--
-- Name: SEQUENCE _budget_03; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_03 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_03 TO nls_cron;

--
-- Name: SEQUENCE _budget_04; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_04 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_04 TO nls_cron;

--
-- Name: SEQUENCE _budget_05; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_05 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_05 TO nls_cron;

--
-- Name: SEQUENCE _budget_06; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_06 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_06 TO nls_cron;

--
-- Name: SEQUENCE _budget_064; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_064 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_064 TO nls_cron;

--
-- Name: SEQUENCE _budget_065; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_065 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_065 TO nls_cron;

--
-- Name: SEQUENCE _budget_066; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_066 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_066 TO nls_cron;

--
-- Name: SEQUENCE _budget_067; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_067 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_067 TO nls_cron;

--
-- Name: SEQUENCE _budget_068; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_068 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_068 TO nls_cron;

--
-- Name: SEQUENCE _budget_069; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_069 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_069 TO nls_cron;

--
-- Name: SEQUENCE _budget_07; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_07 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_07 TO nls_cron;

--
-- Name: SEQUENCE _budget_070; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_070 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_070 TO nls_cron;

--
-- Name: SEQUENCE _budget_071; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_071 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_071 TO nls_cron;

--
-- Name: SEQUENCE _budget_072; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_072 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_072 TO nls_cron;

--
-- Name: SEQUENCE _budget_073; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_073 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_073 TO nls_cron;

--
-- Name: SEQUENCE _budget_074; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_074 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_074 TO nls_cron;

--
-- Name: SEQUENCE _budget_075; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_075 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_075 TO nls_cron;

--
-- Name: SEQUENCE _budget_076; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_076 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_076 TO nls_cron;

--
-- Name: SEQUENCE _budget_077; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_077 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_077 TO nls_cron;

--
-- Name: SEQUENCE _budget_078; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_078 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_078 TO nls_cron;

--
-- Name: SEQUENCE _budget_079; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_079 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_079 TO nls_cron;

--
-- Name: SEQUENCE _budget_08; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_08 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_08 TO nls_cron;

--
-- Name: SEQUENCE _budget_080; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_080 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_080 TO nls_cron;

--
-- Name: SEQUENCE _budget_081; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_081 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_081 TO nls_cron;

--
-- Name: SEQUENCE _budget_082; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_082 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_082 TO nls_cron;

--
-- Name: SEQUENCE _budget_083; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_083 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_083 TO nls_cron;

--
-- Name: SEQUENCE _budget_084; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_084 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_084 TO nls_cron;

--
-- Name: SEQUENCE _budget_085; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_085 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_085 TO nls_cron;

--
-- Name: SEQUENCE _budget_086; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_086 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_086 TO nls_cron;

--
-- Name: SEQUENCE _budget_087; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_087 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_087 TO nls_cron;

--
-- Name: SEQUENCE _budget_088; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_088 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_088 TO nls_cron;

--
-- Name: SEQUENCE _budget_089; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_089 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_089 TO nls_cron;

--
-- Name: SEQUENCE _budget_09; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_09 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_09 TO nls_cron;

--
-- Name: SEQUENCE _budget_090; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_090 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_090 TO nls_cron;

--
-- Name: SEQUENCE _budget_091; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_091 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_091 TO nls_cron;

--
-- Name: SEQUENCE _budget_092; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_092 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_092 TO nls_cron;

--
-- Name: SEQUENCE _budget_093; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_093 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_093 TO nls_cron;

--
-- Name: SEQUENCE _budget_094; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_094 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_094 TO nls_cron;

--
-- Name: SEQUENCE _budget_095; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_095 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_095 TO nls_cron;

--
-- Name: SEQUENCE _budget_096; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_096 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_096 TO nls_cron;

--
-- Name: SEQUENCE _budget_097; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_097 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_097 TO nls_cron;

--
-- Name: SEQUENCE _budget_098; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_098 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_098 TO nls_cron;

--
-- Name: SEQUENCE _budget_099; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_099 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_099 TO nls_cron;

--
-- Name: SEQUENCE _budget_10; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_10 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_10 TO nls_cron;

--
-- Name: SEQUENCE _budget_100; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_100 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_100 TO nls_cron;

--
-- Name: SEQUENCE _budget_101; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_101 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_101 TO nls_cron;

--
-- Name: SEQUENCE _budget_102; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_102 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_102 TO nls_cron;

--
-- Name: SEQUENCE _budget_103; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_103 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_103 TO nls_cron;

--
-- Name: SEQUENCE _budget_104; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_104 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_104 TO nls_cron;

--
-- Name: SEQUENCE _budget_105; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_105 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_105 TO nls_cron;

--
-- Name: SEQUENCE _budget_106; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_106 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_106 TO nls_cron;

--
-- Name: SEQUENCE _budget_107; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_107 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_107 TO nls_cron;

--
-- Name: SEQUENCE _budget_108; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_108 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_108 TO nls_cron;

--
-- Name: SEQUENCE _budget_109; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_109 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_109 TO nls_cron;

--
-- Name: SEQUENCE _budget_11; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_11 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_11 TO nls_cron;

--
-- Name: SEQUENCE _budget_110; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_110 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_110 TO nls_cron;

--
-- Name: SEQUENCE _budget_111; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_111 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_111 TO nls_cron;

--
-- Name: SEQUENCE _budget_112; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_112 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_112 TO nls_cron;

--
-- Name: SEQUENCE _budget_113; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_113 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_113 TO nls_cron;

--
-- Name: SEQUENCE _budget_114; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_114 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_114 TO nls_cron;

--
-- Name: SEQUENCE _budget_115; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_115 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_115 TO nls_cron;

--
-- Name: SEQUENCE _budget_116; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_116 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_116 TO nls_cron;

--
-- Name: SEQUENCE _budget_117; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_117 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_117 TO nls_cron;

--
-- Name: SEQUENCE _budget_118; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_118 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_118 TO nls_cron;

--
-- Name: SEQUENCE _budget_119; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_119 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_119 TO nls_cron;

--
-- Name: SEQUENCE _budget_12; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_12 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_12 TO nls_cron;

--
-- Name: SEQUENCE _budget_120; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_120 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_120 TO nls_cron;

--
-- Name: SEQUENCE _budget_121; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_121 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_121 TO nls_cron;

--
-- Name: SEQUENCE _budget_122; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_122 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_122 TO nls_cron;

--
-- Name: SEQUENCE _budget_123; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_123 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_123 TO nls_cron;

--
-- Name: SEQUENCE _budget_124; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_124 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_124 TO nls_cron;

--
-- Name: SEQUENCE _budget_125; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_125 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_125 TO nls_cron;

--
-- Name: SEQUENCE _budget_126; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_126 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_126 TO nls_cron;

--
-- Name: SEQUENCE _budget_127; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_127 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_127 TO nls_cron;

--
-- Name: SEQUENCE _budget_128; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_128 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_128 TO nls_cron;

--
-- Name: SEQUENCE _budget_129; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_129 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_129 TO nls_cron;

--
-- Name: SEQUENCE _budget_13; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_13 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_13 TO nls_cron;

--
-- Name: SEQUENCE _budget_130; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_130 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_130 TO nls_cron;

--
-- Name: SEQUENCE _budget_131; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_131 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_131 TO nls_cron;

--
-- Name: SEQUENCE _budget_132; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_132 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_132 TO nls_cron;

--
-- Name: SEQUENCE _budget_133; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_133 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_133 TO nls_cron;

--
-- Name: SEQUENCE _budget_134; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_134 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_134 TO nls_cron;

--
-- Name: SEQUENCE _budget_135; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_135 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_135 TO nls_cron;

--
-- Name: SEQUENCE _budget_136; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_136 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_136 TO nls_cron;

--
-- Name: SEQUENCE _budget_137; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_137 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_137 TO nls_cron;

--
-- Name: SEQUENCE _budget_138; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_138 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_138 TO nls_cron;

--
-- Name: SEQUENCE _budget_139; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_139 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_139 TO nls_cron;

--
-- Name: SEQUENCE _budget_14; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_14 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_14 TO nls_cron;

--
-- Name: SEQUENCE _budget_140; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_140 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_140 TO nls_cron;

--
-- Name: SEQUENCE _budget_141; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_141 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_141 TO nls_cron;

--
-- Name: SEQUENCE _budget_142; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_142 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_142 TO nls_cron;

--
-- Name: SEQUENCE _budget_143; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_143 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_143 TO nls_cron;

--
-- Name: SEQUENCE _budget_144; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_144 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_144 TO nls_cron;

--
-- Name: SEQUENCE _budget_145; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_145 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_145 TO nls_cron;

--
-- Name: SEQUENCE _budget_146; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_146 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_146 TO nls_cron;

--
-- Name: SEQUENCE _budget_147; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_147 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_147 TO nls_cron;

--
-- Name: SEQUENCE _budget_148; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_148 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_148 TO nls_cron;

--
-- Name: SEQUENCE _budget_149; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_149 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_149 TO nls_cron;

--
-- Name: SEQUENCE _budget_15; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_15 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_15 TO nls_cron;

--
-- Name: SEQUENCE _budget_150; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_150 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_150 TO nls_cron;

--
-- Name: SEQUENCE _budget_151; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_151 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_151 TO nls_cron;

--
-- Name: SEQUENCE _budget_152; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_152 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_152 TO nls_cron;

--
-- Name: SEQUENCE _budget_153; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_153 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_153 TO nls_cron;

--
-- Name: SEQUENCE _budget_154; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_154 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_154 TO nls_cron;

--
-- Name: SEQUENCE _budget_155; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_155 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_155 TO nls_cron;

--
-- Name: SEQUENCE _budget_156; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_156 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_156 TO nls_cron;

--
-- Name: SEQUENCE _budget_157; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_157 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_157 TO nls_cron;

--
-- Name: SEQUENCE _budget_158; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_158 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_158 TO nls_cron;

--
-- Name: SEQUENCE _budget_159; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_159 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_159 TO nls_cron;

--
-- Name: SEQUENCE _budget_16; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_16 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_16 TO nls_cron;

--
-- Name: SEQUENCE _budget_160; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_160 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_160 TO nls_cron;

--
-- Name: SEQUENCE _budget_161; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_161 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_161 TO nls_cron;

--
-- Name: SEQUENCE _budget_162; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_162 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_162 TO nls_cron;

--
-- Name: SEQUENCE _budget_163; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_163 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_163 TO nls_cron;

--
-- Name: SEQUENCE _budget_164; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_164 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_164 TO nls_cron;

--
-- Name: SEQUENCE _budget_165; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_165 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_165 TO nls_cron;

--
-- Name: SEQUENCE _budget_166; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_166 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_166 TO nls_cron;

--
-- Name: SEQUENCE _budget_167; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_167 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_167 TO nls_cron;

--
-- Name: SEQUENCE _budget_168; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_168 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_168 TO nls_cron;

--
-- Name: SEQUENCE _budget_169; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_169 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_169 TO nls_cron;

--
-- Name: SEQUENCE _budget_17; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_17 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_17 TO nls_cron;

--
-- Name: SEQUENCE _budget_170; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_170 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_170 TO nls_cron;

--
-- Name: SEQUENCE _budget_171; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_171 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_171 TO nls_cron;

--
-- Name: SEQUENCE _budget_172; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_172 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_172 TO nls_cron;

--
-- Name: SEQUENCE _budget_173; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_173 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_173 TO nls_cron;

--
-- Name: SEQUENCE _budget_174; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_174 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_174 TO nls_cron;

--
-- Name: SEQUENCE _budget_175; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_175 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_175 TO nls_cron;

--
-- Name: SEQUENCE _budget_176; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_176 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_176 TO nls_cron;

--
-- Name: SEQUENCE _budget_177; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_177 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_177 TO nls_cron;

--
-- Name: SEQUENCE _budget_178; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_178 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_178 TO nls_cron;

--
-- Name: SEQUENCE _budget_179; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_179 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_179 TO nls_cron;

--
-- Name: SEQUENCE _budget_18; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_18 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_18 TO nls_cron;

--
-- Name: SEQUENCE _budget_180; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_180 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_180 TO nls_cron;

--
-- Name: SEQUENCE _budget_181; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_181 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_181 TO nls_cron;

--
-- Name: SEQUENCE _budget_182; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_182 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_182 TO nls_cron;

--
-- Name: SEQUENCE _budget_183; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_183 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_183 TO nls_cron;

--
-- Name: SEQUENCE _budget_184; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_184 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_184 TO nls_cron;

--
-- Name: SEQUENCE _budget_185; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_185 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_185 TO nls_cron;

--
-- Name: SEQUENCE _budget_186; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_186 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_186 TO nls_cron;

--
-- Name: SEQUENCE _budget_187; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_187 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_187 TO nls_cron;

--
-- Name: SEQUENCE _budget_188; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_188 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_188 TO nls_cron;

--
-- Name: SEQUENCE _budget_189; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_189 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_189 TO nls_cron;

--
-- Name: SEQUENCE _budget_19; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_19 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_19 TO nls_cron;

--
-- Name: SEQUENCE _budget_190; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_190 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_190 TO nls_cron;

--
-- Name: SEQUENCE _budget_191; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_191 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_191 TO nls_cron;

--
-- Name: SEQUENCE _budget_192; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_192 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_192 TO nls_cron;

--
-- Name: SEQUENCE _budget_193; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_193 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_193 TO nls_cron;

--
-- Name: SEQUENCE _budget_194; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_194 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_194 TO nls_cron;

--
-- Name: SEQUENCE _budget_195; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_195 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_195 TO nls_cron;

--
-- Name: SEQUENCE _budget_196; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_196 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_196 TO nls_cron;

--
-- Name: SEQUENCE _budget_197; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_197 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_197 TO nls_cron;

--
-- Name: SEQUENCE _budget_198; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_198 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_198 TO nls_cron;

--
-- Name: SEQUENCE _budget_199; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_199 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_199 TO nls_cron;

--
-- Name: SEQUENCE _budget_20; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_20 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_20 TO nls_cron;

--
-- Name: SEQUENCE _budget_200; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_200 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_200 TO nls_cron;

--
-- Name: SEQUENCE _budget_201; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_201 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_201 TO nls_cron;

--
-- Name: SEQUENCE _budget_202; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_202 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_202 TO nls_cron;

--
-- Name: SEQUENCE _budget_203; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_203 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_203 TO nls_cron;

--
-- Name: SEQUENCE _budget_204; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_204 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_204 TO nls_cron;

--
-- Name: SEQUENCE _budget_205; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_205 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_205 TO nls_cron;

--
-- Name: SEQUENCE _budget_206; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_206 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_206 TO nls_cron;

--
-- Name: SEQUENCE _budget_207; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_207 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_207 TO nls_cron;

--
-- Name: SEQUENCE _budget_208; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_208 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_208 TO nls_cron;

--
-- Name: SEQUENCE _budget_209; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_209 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_209 TO nls_cron;

--
-- Name: SEQUENCE _budget_21; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_21 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_21 TO nls_cron;

--
-- Name: SEQUENCE _budget_210; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_210 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_210 TO nls_cron;

--
-- Name: SEQUENCE _budget_211; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_211 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_211 TO nls_cron;

--
-- Name: SEQUENCE _budget_212; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_212 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_212 TO nls_cron;

--
-- Name: SEQUENCE _budget_213; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_213 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_213 TO nls_cron;

--
-- Name: SEQUENCE _budget_214; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_214 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_214 TO nls_cron;

--
-- Name: SEQUENCE _budget_215; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_215 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_215 TO nls_cron;

--
-- Name: SEQUENCE _budget_216; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_216 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_216 TO nls_cron;

--
-- Name: SEQUENCE _budget_217; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_217 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_217 TO nls_cron;

--
-- Name: SEQUENCE _budget_218; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_218 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_218 TO nls_cron;

--
-- Name: SEQUENCE _budget_219; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_219 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_219 TO nls_cron;

--
-- Name: SEQUENCE _budget_22; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_22 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_22 TO nls_cron;

--
-- Name: SEQUENCE _budget_220; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_220 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_220 TO nls_cron;

--
-- Name: SEQUENCE _budget_221; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_221 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_221 TO nls_cron;

--
-- Name: SEQUENCE _budget_222; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_222 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_222 TO nls_cron;

--
-- Name: SEQUENCE _budget_223; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_223 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_223 TO nls_cron;

--
-- Name: SEQUENCE _budget_224; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_224 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_224 TO nls_cron;

--
-- Name: SEQUENCE _budget_225; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_225 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_225 TO nls_cron;

--
-- Name: SEQUENCE _budget_226; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_226 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_226 TO nls_cron;

--
-- Name: SEQUENCE _budget_227; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_227 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_227 TO nls_cron;

--
-- Name: SEQUENCE _budget_228; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_228 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_228 TO nls_cron;

--
-- Name: SEQUENCE _budget_229; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_229 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_229 TO nls_cron;

--
-- Name: SEQUENCE _budget_23; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_23 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_23 TO nls_cron;

--
-- Name: SEQUENCE _budget_230; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_230 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_230 TO nls_cron;

--
-- Name: SEQUENCE _budget_231; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_231 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_231 TO nls_cron;

--
-- Name: SEQUENCE _budget_232; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_232 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_232 TO nls_cron;

--
-- Name: SEQUENCE _budget_233; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_233 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_233 TO nls_cron;

--
-- Name: SEQUENCE _budget_234; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_234 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_234 TO nls_cron;

--
-- Name: SEQUENCE _budget_235; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_235 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_235 TO nls_cron;

--
-- Name: SEQUENCE _budget_236; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_236 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_236 TO nls_cron;

--
-- Name: SEQUENCE _budget_237; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_237 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_237 TO nls_cron;

--
-- Name: SEQUENCE _budget_238; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_238 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_238 TO nls_cron;

--
-- Name: SEQUENCE _budget_239; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_239 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_239 TO nls_cron;

--
-- Name: SEQUENCE _budget_24; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_24 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_24 TO nls_cron;

--
-- Name: SEQUENCE _budget_240; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_240 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_240 TO nls_cron;

--
-- Name: SEQUENCE _budget_241; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_241 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_241 TO nls_cron;

--
-- Name: SEQUENCE _budget_242; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_242 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_242 TO nls_cron;

--
-- Name: SEQUENCE _budget_243; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_243 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_243 TO nls_cron;

--
-- Name: SEQUENCE _budget_244; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_244 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_244 TO nls_cron;

--
-- Name: SEQUENCE _budget_245; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_245 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_245 TO nls_cron;

--
-- Name: SEQUENCE _budget_246; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_246 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_246 TO nls_cron;

--
-- Name: SEQUENCE _budget_247; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_247 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_247 TO nls_cron;

--
-- Name: SEQUENCE _budget_248; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_248 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_248 TO nls_cron;

--
-- Name: SEQUENCE _budget_249; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_249 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_249 TO nls_cron;

--
-- Name: SEQUENCE _budget_25; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_25 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_25 TO nls_cron;

--
-- Name: SEQUENCE _budget_250; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_250 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_250 TO nls_cron;

--
-- Name: SEQUENCE _budget_251; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_251 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_251 TO nls_cron;

--
-- Name: SEQUENCE _budget_252; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_252 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_252 TO nls_cron;

--
-- Name: SEQUENCE _budget_253; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_253 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_253 TO nls_cron;

--
-- Name: SEQUENCE _budget_254; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_254 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_254 TO nls_cron;

--
-- Name: SEQUENCE _budget_255; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_255 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_255 TO nls_cron;

--
-- Name: SEQUENCE _budget_26; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_26 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_26 TO nls_cron;

--
-- Name: SEQUENCE _budget_27; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_27 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_27 TO nls_cron;

--
-- Name: SEQUENCE _budget_28; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_28 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_28 TO nls_cron;

--
-- Name: SEQUENCE _budget_29; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_29 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_29 TO nls_cron;

--
-- Name: SEQUENCE _budget_30; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_30 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_30 TO nls_cron;

--
-- Name: SEQUENCE _budget_31; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_31 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_31 TO nls_cron;

--
-- Name: SEQUENCE _budget_32; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_32 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_32 TO nls_cron;

--
-- Name: SEQUENCE _budget_33; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_33 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_33 TO nls_cron;

--
-- Name: SEQUENCE _budget_34; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_34 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_34 TO nls_cron;

--
-- Name: SEQUENCE _budget_35; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_35 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_35 TO nls_cron;

--
-- Name: SEQUENCE _budget_36; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_36 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_36 TO nls_cron;

--
-- Name: SEQUENCE _budget_37; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_37 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_37 TO nls_cron;

--
-- Name: SEQUENCE _budget_38; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_38 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_38 TO nls_cron;

--
-- Name: SEQUENCE _budget_39; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_39 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_39 TO nls_cron;

--
-- Name: SEQUENCE _budget_40; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_40 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_40 TO nls_cron;

--
-- Name: SEQUENCE _budget_41; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_41 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_41 TO nls_cron;

--
-- Name: SEQUENCE _budget_42; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_42 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_42 TO nls_cron;

--
-- Name: SEQUENCE _budget_43; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_43 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_43 TO nls_cron;

--
-- Name: SEQUENCE _budget_44; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_44 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_44 TO nls_cron;

--
-- Name: SEQUENCE _budget_45; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_45 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_45 TO nls_cron;

--
-- Name: SEQUENCE _budget_46; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_46 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_46 TO nls_cron;

--
-- Name: SEQUENCE _budget_47; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_47 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_47 TO nls_cron;

--
-- Name: SEQUENCE _budget_48; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_48 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_48 TO nls_cron;

--
-- Name: SEQUENCE _budget_49; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_49 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_49 TO nls_cron;

--
-- Name: SEQUENCE _budget_50; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_50 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_50 TO nls_cron;

--
-- Name: SEQUENCE _budget_51; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_51 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_51 TO nls_cron;

--
-- Name: SEQUENCE _budget_52; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_52 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_52 TO nls_cron;

--
-- Name: SEQUENCE _budget_53; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_53 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_53 TO nls_cron;

--
-- Name: SEQUENCE _budget_54; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_54 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_54 TO nls_cron;

--
-- Name: SEQUENCE _budget_55; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_55 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_55 TO nls_cron;

--
-- Name: SEQUENCE _budget_56; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_56 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_56 TO nls_cron;

--
-- Name: SEQUENCE _budget_57; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_57 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_57 TO nls_cron;

--
-- Name: SEQUENCE _budget_58; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_58 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_58 TO nls_cron;

--
-- Name: SEQUENCE _budget_59; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_59 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_59 TO nls_cron;

--
-- Name: SEQUENCE _budget_60; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_60 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_60 TO nls_cron;

--
-- Name: SEQUENCE _budget_61; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_61 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_61 TO nls_cron;

--
-- Name: SEQUENCE _budget_62; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_62 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_62 TO nls_cron;

--
-- Name: SEQUENCE _budget_63; Type: ACL; Schema: nls; Owner: -
--

GRANT ALL ON SEQUENCE nls._budget_63 TO nls_app;
GRANT ALL ON SEQUENCE nls._budget_63 TO nls_cron;

--
-- Name: TABLE _budget_registers; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._budget_registers TO nls_app;
GRANT SELECT ON TABLE nls._budget_registers TO nls_cron;

--
-- Name: TABLE _clean_queue; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls._clean_queue TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls._clean_queue TO nls_cron;

--
-- Name: TABLE sources; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.sources TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.sources TO nls_cron;

--
-- Name: TABLE stg_notion_pages; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_pages TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_pages TO nls_cron;

--
-- Name: TABLE _creative_pages; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._creative_pages TO nls_app;
GRANT SELECT ON TABLE nls._creative_pages TO nls_cron;

--
-- Name: TABLE _event_deliveries; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._event_deliveries TO nls_app;
GRANT SELECT ON TABLE nls._event_deliveries TO nls_cron;

--
-- Name: TABLE _event_endpoints; Type: ACL; Schema: nls; Owner: -
--

GRANT INSERT,DELETE,UPDATE ON TABLE nls._event_endpoints TO nls_app;
GRANT INSERT,DELETE,UPDATE ON TABLE nls._event_endpoints TO nls_cron;

--
-- Name: COLUMN _event_endpoints.id; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT(id) ON TABLE nls._event_endpoints TO nls_app;
GRANT SELECT(id) ON TABLE nls._event_endpoints TO nls_cron;

--
-- Name: COLUMN _event_endpoints.user_id; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT(user_id) ON TABLE nls._event_endpoints TO nls_app;
GRANT SELECT(user_id) ON TABLE nls._event_endpoints TO nls_cron;

--
-- Name: COLUMN _event_endpoints.url; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT(url) ON TABLE nls._event_endpoints TO nls_app;
GRANT SELECT(url) ON TABLE nls._event_endpoints TO nls_cron;

--
-- Name: COLUMN _event_endpoints.kinds; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT(kinds) ON TABLE nls._event_endpoints TO nls_app;
GRANT SELECT(kinds) ON TABLE nls._event_endpoints TO nls_cron;

--
-- Name: COLUMN _event_endpoints.created_at; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT(created_at) ON TABLE nls._event_endpoints TO nls_app;
GRANT SELECT(created_at) ON TABLE nls._event_endpoints TO nls_cron;

--
-- Name: COLUMN _event_endpoints.updated_at; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT(updated_at) ON TABLE nls._event_endpoints TO nls_app;
GRANT SELECT(updated_at) ON TABLE nls._event_endpoints TO nls_cron;

--
-- Name: SEQUENCE _event_endpoints_id_seq; Type: ACL; Schema: nls; Owner: -
--

GRANT USAGE ON SEQUENCE nls._event_endpoints_id_seq TO nls_app;
GRANT USAGE ON SEQUENCE nls._event_endpoints_id_seq TO nls_cron;

--
-- Name: TABLE _events; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._events TO nls_app;
GRANT SELECT ON TABLE nls._events TO nls_cron;

--
-- Name: SEQUENCE _events_id_seq; Type: ACL; Schema: nls; Owner: -
--

GRANT USAGE ON SEQUENCE nls._events_id_seq TO nls_app;
GRANT USAGE ON SEQUENCE nls._events_id_seq TO nls_cron;

--
-- Name: TABLE _python_module; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._python_module TO nls_app;
GRANT SELECT ON TABLE nls._python_module TO nls_cron;

--
-- Name: TABLE _want_characters; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_characters TO nls_app;
GRANT SELECT ON TABLE nls._want_characters TO nls_cron;

--
-- Name: TABLE _want_chat_sessions; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_chat_sessions TO nls_app;
GRANT SELECT ON TABLE nls._want_chat_sessions TO nls_cron;

--
-- Name: TABLE stg_notion_concept_areas; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_concept_areas TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_concept_areas TO nls_cron;

--
-- Name: TABLE _want_clean_concept_areas; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_clean_concept_areas TO nls_app;
GRANT SELECT ON TABLE nls._want_clean_concept_areas TO nls_cron;

--
-- Name: TABLE clean_concept_areas; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.clean_concept_areas TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.clean_concept_areas TO nls_cron;

--
-- Name: TABLE stg_notion_concept_clusters; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_concept_clusters TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_concept_clusters TO nls_cron;

--
-- Name: TABLE _want_clean_concept_clusters; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_clean_concept_clusters TO nls_app;
GRANT SELECT ON TABLE nls._want_clean_concept_clusters TO nls_cron;

--
-- Name: TABLE stg_notion_programs; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_programs TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_programs TO nls_cron;

--
-- Name: TABLE _want_clean_programs; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_clean_programs TO nls_app;
GRANT SELECT ON TABLE nls._want_clean_programs TO nls_cron;

--
-- Name: TABLE clean_programs; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.clean_programs TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.clean_programs TO nls_cron;

--
-- Name: TABLE stg_notion_tracks; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_tracks TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_tracks TO nls_cron;

--
-- Name: TABLE _want_clean_tracks; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_clean_tracks TO nls_app;
GRANT SELECT ON TABLE nls._want_clean_tracks TO nls_cron;

--
-- Name: TABLE clean_concept_clusters; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.clean_concept_clusters TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.clean_concept_clusters TO nls_cron;

--
-- Name: TABLE stg_notion_concepts; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_concepts TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_concepts TO nls_cron;

--
-- Name: TABLE _want_concepts; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_concepts TO nls_app;
GRANT SELECT ON TABLE nls._want_concepts TO nls_cron;

--
-- Name: TABLE _want_learning_atoms; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_learning_atoms TO nls_app;
GRANT SELECT ON TABLE nls._want_learning_atoms TO nls_cron;

--
-- Name: TABLE clean_tracks; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.clean_tracks TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.clean_tracks TO nls_cron;

--
-- Name: TABLE stg_notion_modules; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_modules TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_modules TO nls_cron;

--
-- Name: TABLE _want_learning_modules; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_learning_modules TO nls_app;
GRANT SELECT ON TABLE nls._want_learning_modules TO nls_cron;

--
-- Name: TABLE _want_stories; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_stories TO nls_app;
GRANT SELECT ON TABLE nls._want_stories TO nls_cron;

--
-- Name: TABLE _want_worlds; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._want_worlds TO nls_app;
GRANT SELECT ON TABLE nls._want_worlds TO nls_cron;

--
-- Name: TABLE _yoyo_migration; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls._yoyo_migration TO nls_app;
GRANT SELECT ON TABLE nls._yoyo_migration TO nls_cron;

--
-- Name: TABLE anki_accounts; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.anki_accounts TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.anki_accounts TO nls_cron;

--
-- Name: SEQUENCE anki_accounts_id_seq; Type: ACL; Schema: nls; Owner: -
--

GRANT USAGE ON SEQUENCE nls.anki_accounts_id_seq TO nls_app;
GRANT USAGE ON SEQUENCE nls.anki_accounts_id_seq TO nls_cron;

--
-- Name: TABLE anki_collections; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.anki_collections TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.anki_collections TO nls_cron;

--
-- Name: TABLE anki_notes; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.anki_notes TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.anki_notes TO nls_cron;

--
-- Name: TABLE sync_log; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.sync_log TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.sync_log TO nls_cron;

--
-- Name: TABLE anki_status; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.anki_status TO nls_app;
GRANT SELECT ON TABLE nls.anki_status TO nls_cron;

--
-- Name: TABLE characters; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.characters TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.characters TO nls_cron;

--
-- Name: TABLE chat_sessions; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.chat_sessions TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.chat_sessions TO nls_cron;

--
-- Name: TABLE cleaning_log; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.cleaning_log TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.cleaning_log TO nls_cron;

--
-- Name: TABLE concepts; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.concepts TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.concepts TO nls_cron;

--
-- Name: TABLE data_source_schemas; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.data_source_schemas TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.data_source_schemas TO nls_cron;

--
-- Name: TABLE event_deliveries; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.event_deliveries TO nls_app;
GRANT SELECT ON TABLE nls.event_deliveries TO nls_cron;

--
-- Name: TABLE event_endpoints; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.event_endpoints TO nls_app;
GRANT SELECT ON TABLE nls.event_endpoints TO nls_cron;

--
-- Name: TABLE events; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.events TO nls_app;
GRANT SELECT ON TABLE nls.events TO nls_cron;

--
-- Name: TABLE integration_notes; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.integration_notes TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.integration_notes TO nls_cron;

--
-- Name: SEQUENCE integration_notes_id_seq; Type: ACL; Schema: nls; Owner: -
--

GRANT USAGE ON SEQUENCE nls.integration_notes_id_seq TO nls_app;
GRANT USAGE ON SEQUENCE nls.integration_notes_id_seq TO nls_cron;

--
-- Name: TABLE integrations; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.integrations TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.integrations TO nls_cron;

--
-- Name: SEQUENCE integrations_id_seq; Type: ACL; Schema: nls; Owner: -
--

GRANT USAGE ON SEQUENCE nls.integrations_id_seq TO nls_app;
GRANT USAGE ON SEQUENCE nls.integrations_id_seq TO nls_cron;

--
-- Name: TABLE learning_atoms; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.learning_atoms TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.learning_atoms TO nls_cron;

--
-- Name: TABLE learning_modules; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.learning_modules TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.learning_modules TO nls_cron;

--
-- Name: TABLE notion_files; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.notion_files TO nls_app;
GRANT SELECT ON TABLE nls.notion_files TO nls_cron;

--
-- Name: TABLE notion_relation_edges; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.notion_relation_edges TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.notion_relation_edges TO nls_cron;

--
-- Name: TABLE notion_sync_state; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.notion_sync_state TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.notion_sync_state TO nls_cron;

--
-- Name: TABLE push_conflicts; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.push_conflicts TO nls_app;
GRANT SELECT ON TABLE nls.push_conflicts TO nls_cron;

--
-- Name: TABLE settings; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.settings TO nls_app;
GRANT SELECT ON TABLE nls.settings TO nls_cron;

--
-- Name: COLUMN settings.value; Type: ACL; Schema: nls; Owner: -
--

GRANT UPDATE(value) ON TABLE nls.settings TO nls_admin;

--
-- Name: SEQUENCE sources_id_seq; Type: ACL; Schema: nls; Owner: -
--

GRANT USAGE ON SEQUENCE nls.sources_id_seq TO nls_app;
GRANT USAGE ON SEQUENCE nls.sources_id_seq TO nls_cron;

--
-- Name: TABLE stg_notion_flashcards; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_flashcards TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stg_notion_flashcards TO nls_cron;

--
-- Name: TABLE stories; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stories TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.stories TO nls_cron;

--
-- Name: TABLE sync_state; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.sync_state TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.sync_state TO nls_cron;

--
-- Name: TABLE sync_status; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.sync_status TO nls_app;
GRANT SELECT ON TABLE nls.sync_status TO nls_cron;

--
-- Name: TABLE typed_views; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,DELETE ON TABLE nls.typed_views TO nls_app;
GRANT SELECT,DELETE ON TABLE nls.typed_views TO nls_cron;

--
-- Name: COLUMN typed_views.user_id; Type: ACL; Schema: nls; Owner: -
--

GRANT INSERT(user_id) ON TABLE nls.typed_views TO nls_app;
GRANT INSERT(user_id) ON TABLE nls.typed_views TO nls_cron;

--
-- Name: COLUMN typed_views.source_id; Type: ACL; Schema: nls; Owner: -
--

GRANT INSERT(source_id) ON TABLE nls.typed_views TO nls_app;
GRANT INSERT(source_id) ON TABLE nls.typed_views TO nls_cron;

--
-- Name: COLUMN typed_views.data_source_id; Type: ACL; Schema: nls; Owner: -
--

GRANT INSERT(data_source_id),UPDATE(data_source_id) ON TABLE nls.typed_views TO nls_app;
GRANT INSERT(data_source_id),UPDATE(data_source_id) ON TABLE nls.typed_views TO nls_cron;

--
-- Name: COLUMN typed_views.schema_name; Type: ACL; Schema: nls; Owner: -
--

GRANT INSERT(schema_name),UPDATE(schema_name) ON TABLE nls.typed_views TO nls_app;
GRANT INSERT(schema_name),UPDATE(schema_name) ON TABLE nls.typed_views TO nls_cron;

--
-- Name: COLUMN typed_views.view_name; Type: ACL; Schema: nls; Owner: -
--

GRANT INSERT(view_name),UPDATE(view_name) ON TABLE nls.typed_views TO nls_app;
GRANT INSERT(view_name),UPDATE(view_name) ON TABLE nls.typed_views TO nls_cron;

--
-- Name: COLUMN typed_views.columns; Type: ACL; Schema: nls; Owner: -
--

GRANT INSERT(columns),UPDATE(columns) ON TABLE nls.typed_views TO nls_app;
GRANT INSERT(columns),UPDATE(columns) ON TABLE nls.typed_views TO nls_cron;

--
-- Name: COLUMN typed_views.build_wanted; Type: ACL; Schema: nls; Owner: -
--

GRANT INSERT(build_wanted),UPDATE(build_wanted) ON TABLE nls.typed_views TO nls_app;
GRANT INSERT(build_wanted),UPDATE(build_wanted) ON TABLE nls.typed_views TO nls_cron;

--
-- Name: COLUMN typed_views.updated_at; Type: ACL; Schema: nls; Owner: -
--

GRANT UPDATE(updated_at) ON TABLE nls.typed_views TO nls_app;
GRANT UPDATE(updated_at) ON TABLE nls.typed_views TO nls_cron;

--
-- Name: TABLE typed_view_columns; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.typed_view_columns TO nls_app;
GRANT SELECT ON TABLE nls.typed_view_columns TO nls_cron;

--
-- Name: TABLE typed_view_history; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.typed_view_history TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.typed_view_history TO nls_cron;

--
-- Name: SEQUENCE typed_view_history_id_seq; Type: ACL; Schema: nls; Owner: -
--

GRANT USAGE ON SEQUENCE nls.typed_view_history_id_seq TO nls_app;
GRANT USAGE ON SEQUENCE nls.typed_view_history_id_seq TO nls_cron;

--
-- Name: TABLE typed_view_schemas; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.typed_view_schemas TO nls_app;
GRANT SELECT ON TABLE nls.typed_view_schemas TO nls_cron;

--
-- Name: SEQUENCE typed_views_id_seq; Type: ACL; Schema: nls; Owner: -
--

GRANT USAGE ON SEQUENCE nls.typed_views_id_seq TO nls_app;
GRANT USAGE ON SEQUENCE nls.typed_views_id_seq TO nls_cron;

--
-- Name: TABLE v_concept_atom_stats; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.v_concept_atom_stats TO nls_app;
GRANT SELECT ON TABLE nls.v_concept_atom_stats TO nls_cron;

--
-- Name: TABLE v_due_atoms; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.v_due_atoms TO nls_app;
GRANT SELECT ON TABLE nls.v_due_atoms TO nls_cron;

--
-- Name: TABLE v_review_queue_summary; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.v_review_queue_summary TO nls_app;
GRANT SELECT ON TABLE nls.v_review_queue_summary TO nls_cron;

--
-- Name: TABLE webhook_events; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.webhook_events TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.webhook_events TO nls_cron;

--
-- Name: TABLE webhook_subscriptions; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.webhook_subscriptions TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.webhook_subscriptions TO nls_cron;

--
-- Name: TABLE webhook_status; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.webhook_status TO nls_app;
GRANT SELECT ON TABLE nls.webhook_status TO nls_cron;

--
-- Name: TABLE workers; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT ON TABLE nls.workers TO nls_app;
GRANT SELECT ON TABLE nls.workers TO nls_cron;

--
-- Name: TABLE worlds; Type: ACL; Schema: nls; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.worlds TO nls_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nls.worlds TO nls_cron;

--
-- PostgreSQL database dump complete
--
