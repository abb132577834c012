-- Two-way sync (docs/two-way.md): the SQL of writing back to Notion what changed in PostgreSQL. The flow is
-- plpython/nls_engine/push/ (nls.push_notion, plpython/functions.sql); the state table and the push_map column are
-- migration 0011; the default push maps are beside the targets (sql/05_targets.sql). Every function runs as its
-- caller, under row-level security.
--
-- How a local change is known: the trigger notion_push_local_change on every canonical table notes, in
-- nls.notion_sync_state, each pushed column a statement changed (base_values: {column: the Notion property value the
-- change was based on}, read from the staged copy of the page the row reflects). The cleaning pipeline's own writes
-- (nls._clean_entity marks them with the transaction-local setting nls.writer = 'clean') and the push's (= 'push')
-- are not local changes. Until it is pushed or resolved, a column's local value wins over Notion's in the wanted rows
-- of the pipeline (nls._two_way_want), so that a cleaning never loses it.

-- ---- which property each pushed column goes to -------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls._push_columns(p_source_id bigint)
RETURNS TABLE (column_name text, keys text[], create_options boolean, ref_table text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._push_columns(bigint) IS
'Internal: _push_columns(source_id) returns the columns the source''s push map sends (column_name), the Notion
property each goes to as candidate keys in order (keys: the property''s stable id learned by the pipeline, then the
names of the source''s property map; or the name or id the push map gives), whether a select option that does not
exist may be created (create_options), and for a column holding another canonical row, that row''s table (ref_table:
sent as a relation to its page). No rows when the push map is disabled ("enabled": false).';

CREATE OR REPLACE FUNCTION nls._push_property(p_properties jsonb, p_keys text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT nls.notion_property(p_properties, k) FROM unnest(p_keys) WITH ORDINALITY AS u(k, o)
     WHERE nls.notion_property(p_properties, k) IS NOT NULL ORDER BY o LIMIT 1
$$;
COMMENT ON FUNCTION nls._push_property(jsonb, text[]) IS
'Internal: _push_property(properties jsonb, keys text[]) returns the value of the first property of a page object''s
properties found by one of the keys (name, else id; nls.notion_property), NULL when none is.';

-- ---- noting local changes ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls._page_copy(p_target text, p_user text, p_page text, OUT source_id bigint,
                                          OUT raw jsonb, OUT staged_at timestamptz)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
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
$$;
COMMENT ON FUNCTION nls._page_copy(text, text, text) IS
'Internal (nls._note_local_change): the copy of a page a canonical row of target p_target reflects: (source_id, raw
properties, when it was staged), from the typed staging table the last cleaning read, else from stg_notion_pages.';

CREATE OR REPLACE FUNCTION nls._note_local_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._note_local_change() IS
'Internal: the trigger notion_push_local_change (AFTER UPDATE of a canonical table, FOR EACH ROW, when nls.writer is
not set): for each column the row''s source pushes (nls._push_columns) that the statement changed, records in
nls.notion_sync_state that it waits to be pushed, with the Notion value it was based on (from the staged copy of the
page the row reflects, or what nls wrote to the column since that copy was staged: agreed_values; a column already
waiting keeps its first base); the object is then pending, whatever it was
(a conflict or a failure is looked at again). A row with no page is left to the push''s creates (a failed create is
tried again). Trigger arguments: the target and the column holding the Notion page id.';

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT x.target, x.canonical_table, x.page_id_column FROM nls.targets() AS x WHERE x.kind <> 'raw' LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER notion_push_local_change AFTER UPDATE ON nls.%I FOR EACH ROW '
                       'WHEN (coalesce(current_setting(''nls.writer'', true), '''') = '''') '
                       'EXECUTE FUNCTION nls._note_local_change(%L, %L)', t.canonical_table, t.target,
                       t.page_id_column);
    END LOOP;
END
$$;

-- ---- the card id of an atom's new page ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls._new_page_cards(p_user text)
RETURNS TABLE (atom_id uuid, user_id text, card_id text, held_by jsonb)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._new_page_cards(text) IS
'Internal: _new_page_cards(user_id) returns, for each atom of the user (NULL: every user the session sees) with no
page, the card id the page nls creates for it carries (card_id: the one a create already sent used, else the atom''s,
else NLS- and the first 12 hex digits of the atom''s id, upper case) and the other atom that holds that card id
already (held_by: {"atom_id", "page_id"}, or NULL). The push creates pages with these card ids; the cleaning gives a
synced page carrying one to its atom.';

-- ---- the cleaning pipeline keeps what waits to be pushed --------------------------------------------------------
CREATE OR REPLACE FUNCTION nls._two_way_want(p_table text, p_key text, p_user text) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
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
$$;
COMMENT ON FUNCTION nls._two_way_want(text, text, text) IS
'Internal (nls._clean_entity, after it computed pg_temp._nls_want): marks the pipeline''s writes as its own
(nls.writer = ''clean'', transaction-local), gives an atom with no page the synced page that carries the card id of
its new page (nls._new_page_cards: also the one derived from its id, which a rolled-back push may have sent), so that
no second atom is made for that page, and keeps in the wanted rows the local value of every column waiting to be
pushed (nls.notion_sync_state.base_values), so that a cleaning never overwrites a local change Notion has not taken
yet. Returns how many wanted values it kept local.';

CREATE OR REPLACE FUNCTION nls._two_way_done() RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT set_config('nls.writer', '', true) $$;
COMMENT ON FUNCTION nls._two_way_done() IS
'Internal: ends what nls._two_way_want began: later writes of the transaction are local changes again.';

-- ---- the push ---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls._push_creates(p_source_id bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._push_creates(bigint) IS
'Internal: whether a push of the source creates pages for atoms with none: the user''s first enabled flashcards source
whose push map creates pages ("create_pages", the default) and is enabled.';

CREATE OR REPLACE FUNCTION nls._push_sources(p_user text, p_retried text[])
RETURNS TABLE (id bigint, user_id text, database_id text, database_name text, target text, with_content boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._push_sources(text, text[]) IS
'Internal: _push_sources(user_id, retried) returns the enabled sources of a user (NULL: every user the session sees)
with an integration and something to push: an object with a local change waiting, a failure whose error code is one
of retried (transient), a conflict whose page was read again since, or (nls._push_creates) an atom with no page (not
one that failed as card_id_taken while another atom still holds that card id). What
nls.push_notion runs over, ordered by user and id; a source with nothing to push costs no run and no sync_log row.';

CREATE OR REPLACE FUNCTION nls._push_plan(p_source_id bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._push_plan(bigint) IS
'Internal: what a push of one source works with: {"table" (canonical table), "key" (its page id column), "columns"
(nls._push_columns), "create" (whether this run creates pages for atoms with none), "data_source_id" (where: the
source''s first data source), "schema" ({property name: {id, type}} as its pages last showed it)}.';

CREATE OR REPLACE FUNCTION nls._push_objects(p_source_id bigint, p_create boolean) RETURNS SETOF jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
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
$$;
COMMENT ON FUNCTION nls._push_objects(bigint, boolean) IS
'Internal: _push_objects(source_id, create) returns one jsonb per object of the source to push: those with a local
change waiting (status pending), a conflict to re-check, or a failure, and with create, the atoms with no page.
Each: {"state_id", "local_table", "local_id", "page_id", "status", "base_values", "conflict", "sync_hash",
"failed_hash", "last_error_code", "local_changed_at", "create_attempted_at", "new_card" (an atom with no page:
{"card_id" its new page carries, "held_by": the other atom holding that card id, or null; nls._new_page_cards}),
"seen_at", "local": {column: value; a relation column as its page id}, "copy": the stored page {"properties",
"data_source_id", "last_edited_time", "in_trash", "gone", "fresh_as_of": the later of when it was stored and the start
of the source''s last complete read} or null}.';

CREATE OR REPLACE FUNCTION nls._push_prune(p_source_id bigint) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
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
$$;
COMMENT ON FUNCTION nls._push_prune(bigint) IS
'Internal: drops the state rows of a source''s objects whose local row is gone (a row deleted locally, or removed by
the cleaning when its page left Notion): nothing of theirs is left to push. Returns how many.';

CREATE OR REPLACE FUNCTION nls._push_agreed(p_values jsonb) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('value', e.value, 'at', clock_timestamp())), '{}')
      FROM jsonb_each(coalesce(p_values, '{}')) AS e WHERE e.value <> 'null'::jsonb
$$;
COMMENT ON FUNCTION nls._push_agreed(jsonb) IS
'Internal: {column: property value} as nls.notion_sync_state.agreed_values holds it: {column: {"value", "at": now
(clock time)}}; columns with no value are left out.';

CREATE OR REPLACE FUNCTION nls._push_outcome(p_state_id uuid, p_outcome jsonb) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._push_outcome(uuid, jsonb) IS
'Internal: records what the push did with one object: _push_outcome(state_id, {"status", "settled": {column: the
property value Notion now holds} (written, or already equal), "conflict"?, "sync_hash"?, "last_edited_time"?,
"data_source_id"?, "error"?, "error_code"?, "failed_hash"?, "seen_at": when the object was read}). Settled columns
stop waiting, and what Notion holds for them becomes agreed_values; a column changed again locally since seen_at
waits on, based on what was written.';

CREATE OR REPLACE FUNCTION nls._push_create_state(p_source_id bigint, p_atom_id uuid, p_card_id text,
                                                  p_data_source_id text, p_attempted boolean) RETURNS uuid
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._push_create_state(bigint, uuid, text, text, boolean) IS
'Internal: the state row of an atom whose page the push creates: _push_create_state(source_id, atom_id, card_id,
data_source_id, attempted) gives the atom the card id the page carries (when it has none and no other atom holds it)
and, with attempted (before POST /v1/pages is sent), records that a create was sent (create_attempted_at), so that a
create whose answer is lost is looked for by its card id rather than sent again. Returns the state row''s id.';

CREATE OR REPLACE FUNCTION nls._push_created(p_state_id uuid, p_page_id text, p_data_source_id text,
                                             p_last_edited_time timestamptz, p_sync_hash text, p_agreed jsonb)
RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._push_created(uuid, text, text, timestamptz, text, jsonb) IS
'Internal: a page was created (or found) for an atom: its learning_atoms.notion_id and its state row (synced, with
the page, the SHA-256 of what was sent, the page''s last_edited_time and its values of the pushed columns). Returns false, changing nothing, when
another atom already stands for that page.';

-- ---- the public interface ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls.set_push_map(user_id text, database_id text, push_map jsonb) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls.set_push_map(text, text, jsonb) IS
'Choose what two-way sync writes back to Notion from a source: set_push_map(user_id, database_id, push_map jsonb)
stores the source''s push map, overlaid on the target''s default (nls.push_map(target)), and returns the map in
effect (jsonb). push_map: {column of the target''s table: true (the property the source''s property map reads it
from), "Notion property name or id", {"property": ..., "create_options": true} (let a select value that does not
exist become a new option), or false (not pushed)}, "create_pages": true | false (flashcards: a page for each atom
with none), "enabled": false (push nothing). NULL goes back to the default. The source''s failed objects are tried
again by the next push. Raises 22004 for a NULL user_id or database_id, 22023 for a malformed database id, a target
with no table or a push map naming no column of it (or a value of another shape), P0002 when the user has no such
source.';

CREATE OR REPLACE FUNCTION nls._push_map_error(p_target text, p_table text, p_map jsonb) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._push_map_error(text, text, jsonb) IS
'Internal: what is wrong with a push map for a target and its table (the first key, and why), or NULL when nothing.';

CREATE OR REPLACE VIEW nls.push_conflicts AS
SELECT s.id, s.user_id, s.local_table, s.local_id, s.notion_page_id, c.key AS column_name,
       c.value ->> 'property' AS property, nls.notion_text(c.value -> 'notion') AS notion_value,
       nls.notion_text(c.value -> 'local') AS local_value, nls.notion_text(c.value -> 'base') AS base_value,
       c.value -> 'notion' AS notion_property, c.value -> 'local' AS local_property, s.updated_at AS detected_at
  FROM nls.notion_sync_state s
 CROSS JOIN LATERAL jsonb_each(coalesce(s.conflict, '{}')) AS c
 WHERE s.status = 'conflict';
COMMENT ON VIEW nls.push_conflicts IS
'One row per property changed both in Notion and locally since the value the local change was based on, which the
push did not write: the state row (id, for nls.resolve_conflict), the local row (local_table, local_id), the page,
the column and its Notion property, Notion''s value now (notion_value, as text; notion_property as Notion gives it),
the value nls would send (local_value, local_property) and the value both started from (base_value); detected_at.';

CREATE OR REPLACE FUNCTION nls.resolve_conflict(id uuid, resolution text, column_name text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls.resolve_conflict(uuid, text, text) IS
'Settle a conflict of nls.push_conflicts: resolve_conflict(id uuid, resolution text, column_name => NULL) with
resolution ''notion'' keeps Notion''s value (the column stops waiting to be pushed and the local row takes Notion''s
value at once: nls.clean(user) runs) or ''local'' writes the local value to Notion with the next push (nls.push_notion
or the schedule; that push reads the page again first, and a Notion edit made since is a new conflict). column_name
settles one column, NULL every column in conflict. Returns jsonb {"id", "resolution", "columns", "status",
"cleaning"?}. Raises 22004 for a NULL id or resolution, 22023 for another resolution or a column not in conflict,
P0002 for an unknown id, 55000 when it is not in conflict.';

-- the comment of nls.notion_sync_state, as this release words it (its migration's is replaced on every install)
COMMENT ON TABLE nls.notion_sync_state IS
'The delta-sync state of two-way sync, one row per local object (local_table, local_id) that two-way sync has touched: the
Notion page it is mirrored to (notion_page_id, in notion_data_source_id of source_id), sync_hash (SHA-256 of the
pushed columns'' values last sent), last_synced_at, and what a two-way sync needs: notion_last_edited_time (the page''s
time after nls''s last write), base_values ({column: the Notion property value an unsent local change of that column
was based on}: its keys are the columns waiting to be pushed), local_changed_at (when the first of them changed),
agreed_values ({column: {"value": the value Notion held for it when a push last wrote it or found it equal, "at":
when}}: what a later local change is based on until a read and a cleaning stage a newer copy of the page),
status (synced, pending, conflict: see conflict and nls.push_conflicts; failed: see last_error), and for a page nls
creates, the card id it writes (create_card_id) and when a create was sent (create_attempted_at: a create whose answer
was lost is looked for by that card id before any other is sent).';
