-- Typed views: any synced data source as a view with one typed column per property (docs/typed-views.md).
-- The registry is nls.typed_views (migration 0010): which view, in which schema, with which columns (property id,
-- Notion type, kind). The engine (plpython/nls_engine/typed_views/) decides the columns, from the stored pages, when a
-- view is created (nls.create_typed_view) and after every sync of its source; the statements here type a value,
-- write a view's query from its columns, and build the views.

-- ---- typing one property value (any type; a formula or rollup by its result) ---------------------------------
-- Each returns NULL for a value it cannot type (absent, another type, malformed): never an error, so that
-- SELECT * over a typed view always runs.
CREATE OR REPLACE FUNCTION nls._notion_result(property jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(property -> 'formula', property -> 'rollup', property) $$;
COMMENT ON FUNCTION nls._notion_result(jsonb) IS
'Internal: a formula''s or rollup''s result object ({"type": "number", "number": 3}, ...), else the value itself.';

CREATE OR REPLACE FUNCTION nls._iso_day_ok(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(p ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])'
                    AND left(p, 4) <> '0000'
                    AND substr(p, 9, 2)::int <= extract(day from make_date(left(p, 4)::int, substr(p, 6, 2)::int, 1)
                                                                  + interval '1 month' - interval '1 day'), false)
$$;
COMMENT ON FUNCTION nls._iso_day_ok(text) IS
'Internal: whether text starts with a valid calendar date YYYY-MM-DD (so that casting it cannot fail).';

CREATE OR REPLACE FUNCTION nls._notion_time(p text, time_zone text DEFAULT NULL) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
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
$$;
COMMENT ON FUNCTION nls._notion_time(text, text) IS
'Internal: a Notion date or date-time string as timestamptz (a date alone: midnight UTC; a time without an offset:
in time_zone, else UTC); NULL when malformed.';

CREATE OR REPLACE FUNCTION nls.notion_number(property jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(nls._notion_result(property) -> 'number') = 'number'
                THEN (nls._notion_result(property) -> 'number')::numeric END
$$;
COMMENT ON FUNCTION nls.notion_number(jsonb) IS
'The number of a Notion property value: notion_number(property jsonb) returns numeric for a number property, a
formula or a rollup whose result is a number; NULL otherwise (empty, another type). Raises nothing.';

CREATE OR REPLACE FUNCTION nls.notion_boolean(property jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(coalesce(property -> 'checkbox', property -> 'formula' -> 'boolean')) = 'boolean'
                THEN coalesce(property -> 'checkbox', property -> 'formula' -> 'boolean')::boolean END
$$;
COMMENT ON FUNCTION nls.notion_boolean(jsonb) IS
'A checkbox, or a formula whose result is a boolean: notion_boolean(property jsonb) returns boolean; NULL otherwise.
Raises nothing.';

CREATE OR REPLACE FUNCTION nls.notion_names(property jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN property ->> 'type' IN ('multi_select', 'files', 'people')
                 AND jsonb_typeof(property -> (property ->> 'type')) = 'array'
                THEN ARRAY(SELECT e ->> 'name' FROM jsonb_array_elements(property -> (property ->> 'type'))
                                                    WITH ORDINALITY AS a(e, o) ORDER BY o) END
$$;
COMMENT ON FUNCTION nls.notion_names(jsonb) IS
'The names a multi_select, files or people value holds, in Notion''s order: notion_names(property jsonb) returns
text[] (a file''s name, never its url; a person''s name, NULL where Notion does not give it); NULL for another type.
Raises nothing.';

CREATE OR REPLACE FUNCTION nls.notion_ids(property jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN property ->> 'type' IN ('relation', 'people')
                 AND jsonb_typeof(property -> (property ->> 'type')) = 'array'
                THEN ARRAY(SELECT e ->> 'id' FROM jsonb_array_elements(property -> (property ->> 'type'))
                                                  WITH ORDINALITY AS a(e, o) ORDER BY o) END
$$;
COMMENT ON FUNCTION nls.notion_ids(jsonb) IS
'The ids a relation (page ids) or people (user ids) value holds, in Notion''s order: notion_ids(property jsonb)
returns text[]; NULL for another type. Relations are whole past Notion''s 25-item cut (the sync completes them);
nls.notion_relation_edges holds them as rows, for joins. Raises nothing.';

CREATE OR REPLACE FUNCTION nls.notion_texts(property jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(nls._notion_result(property) -> 'array') = 'array'
                THEN ARRAY(SELECT nls.notion_text(e) FROM jsonb_array_elements(nls._notion_result(property) -> 'array')
                                                           WITH ORDINALITY AS a(e, o) ORDER BY o) END
$$;
COMMENT ON FUNCTION nls.notion_texts(jsonb) IS
'The items of a rollup whose result is an array, each as nls.notion_text gives it: notion_texts(property jsonb)
returns text[]; NULL for another result. Raises nothing.';

CREATE OR REPLACE FUNCTION nls.notion_user(property jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(property -> 'created_by', property -> 'last_edited_by') ->> 'id' $$;
COMMENT ON FUNCTION nls.notion_user(jsonb) IS
'The user id of a created_by or last_edited_by value: notion_user(property jsonb) returns text; NULL otherwise.
Raises nothing.';

CREATE OR REPLACE FUNCTION nls.notion_unique_number(property jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(property -> 'unique_id' -> 'number') = 'number'
                 AND abs((property -> 'unique_id' -> 'number')::numeric) < 9e18
                THEN round((property -> 'unique_id' -> 'number')::numeric)::bigint END
$$;
COMMENT ON FUNCTION nls.notion_unique_number(jsonb) IS
'The number of a unique_id value (ST-4 -> 4): notion_unique_number(property jsonb) returns bigint; NULL otherwise.
Raises nothing.';

CREATE OR REPLACE FUNCTION nls.notion_date(property jsonb, part text DEFAULT 'start') RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN nls._iso_day_ok(nls._notion_result(property) -> 'date' ->> part)
                THEN left(nls._notion_result(property) -> 'date' ->> part, 10)::date END
$$;
COMMENT ON FUNCTION nls.notion_date(jsonb, text) IS
'The day of a date value (or a formula or rollup whose result is a date): notion_date(property jsonb, part =>
''start'' | ''end'') returns date, as written in Notion (no time zone conversion); NULL when empty or malformed
(or for another part). Raises nothing.';

CREATE OR REPLACE FUNCTION nls.notion_timestamptz(property jsonb, part text DEFAULT 'start') RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT nls._notion_time(coalesce(nls._notion_result(property) -> 'date' ->> part,
                                     CASE WHEN part = 'start' THEN coalesce(property ->> 'created_time',
                                                                            property ->> 'last_edited_time') END),
                            nls._notion_result(property) -> 'date' ->> 'time_zone')
$$;
COMMENT ON FUNCTION nls.notion_timestamptz(jsonb, text) IS
'The time of a date value (or a formula or rollup whose result is a date, or a created_time / last_edited_time):
notion_timestamptz(property jsonb, part => ''start'' | ''end'') returns timestamptz; a date without a time is
midnight UTC, a time without an offset is in the value''s time_zone; NULL when empty or malformed (or for another
part). Raises nothing.';

CREATE OR REPLACE FUNCTION nls.notion_range(property jsonb) RETURNS tstzrange
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN nls.notion_timestamptz(property) IS NOT NULL
                 AND coalesce(nls.notion_timestamptz(property, 'end'), nls.notion_timestamptz(property))
                     >= nls.notion_timestamptz(property)
                THEN tstzrange(nls.notion_timestamptz(property),
                               coalesce(nls.notion_timestamptz(property, 'end'), nls.notion_timestamptz(property)),
                               '[]') END
$$;
COMMENT ON FUNCTION nls.notion_range(jsonb) IS
'A date value as a range: notion_range(property jsonb) returns tstzrange [start, end], both bounds included as in
Notion (a value without an end is the one instant [start, start]); NULL when empty, malformed or ending before
it starts. Raises nothing.';

-- ---- a typed view's query, from its columns ----------------------------------------------------------------------
-- kind -> (SQL type, expression over a property value). The one list: nothing else goes into a view's text.
CREATE OR REPLACE FUNCTION nls._typed_kinds() RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._typed_kinds() IS
'Internal: the kinds a typed view''s column can be, {kind: [SQL type, expression over the property value]}: the
only expressions nls._typed_view_select writes into a view.';

CREATE OR REPLACE FUNCTION nls._typed_fixed_columns() RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT '[["page_id", "text", "p.page_id", "the Notion page id"],
             ["url", "text", "p.raw_page ->> ''url''", "the page''s URL in Notion"],
             ["in_trash", "boolean", "p.in_trash", "the page is in Notion''s trash"],
             ["is_archived", "boolean", "coalesce(CASE WHEN jsonb_typeof(p.raw_page -> ''is_archived'') = ''boolean'' THEN (p.raw_page -> ''is_archived'')::boolean END, false)", "the page is archived (a state apart from trash, Notion-Version 2026-03-11)"],
             ["deleted_at", "timestamp with time zone", "p.deleted_at", "when Notion answered 404 for the page (deleted or no longer shared); NULL while it exists"],
             ["value_marks", "jsonb", "p.value_marks", "values that are not Notion''s true value, by property id (nls.stg_notion_pages.value_marks): their columns are NULL"]]'::jsonb
$$;
COMMENT ON FUNCTION nls._typed_fixed_columns() IS
'Internal: the columns every typed view has before its property columns: [name, SQL type, expression, meaning].';

CREATE OR REPLACE FUNCTION nls._typed_view_select(p_columns jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._typed_view_select(jsonb) IS
'Internal: a typed view''s SELECT and FROM, without its WHERE: _typed_view_select(columns jsonb [{column,
property_id, type, kind, removed?}]) returns text: the fixed columns (nls._typed_fixed_columns), then each property
read by its id (a rename does not move it), typed by its kind (nls._typed_kinds); a removed property''s column is
NULL, a marked formula or rollup value NULL. Raises 22023 for a column of no known kind.';

CREATE OR REPLACE FUNCTION nls._typed_view_query(p_source_id bigint, p_data_source_id text, p_columns jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT nls._typed_view_select(p_columns)
           || format(' WHERE p.source_id = %s AND p.data_source_id = %L', p_source_id, p_data_source_id)
$$;
COMMENT ON FUNCTION nls._typed_view_query(bigint, text, jsonb) IS
'Internal: the query of the typed rows of one data source of a source, for the session that asked
(nls.typed_select): _typed_view_query(source_id, data_source_id, columns jsonb) returns its SELECT text
(nls._typed_view_select), the source and data source written in. Raises 22023 for a column of no known kind.';

CREATE OR REPLACE FUNCTION nls._typed_view_definition(p_typed_view_id bigint, p_columns jsonb) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT nls._typed_view_select(p_columns)
           || format(' WHERE p.source_id = (SELECT t.source_id FROM nls.typed_views t WHERE t.id = %s)'
                     ' AND p.data_source_id = (SELECT t.data_source_id FROM nls.typed_views t WHERE t.id = %s)',
                     p_typed_view_id, p_typed_view_id)
$$;
COMMENT ON FUNCTION nls._typed_view_definition(bigint, jsonb) IS
'Internal: the text of a built typed view (nls._build_typed_view): _typed_view_definition(typed_view_id,
columns jsonb) returns nls._typed_view_select''s SELECT over the data source its nls.typed_views row names, read
through that row (under row-level security) when the view is queried: the view''s definition, which every role can
read in the catalogue, holds no source or data source id. Raises 22023 for a column of no known kind.';

CREATE OR REPLACE FUNCTION nls._typed_view_comment() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'nls typed view: one row per page of a synced Notion data source, one column per property, read by '
           'property id (nls.typed_view_columns says which, to the view''s own user only). Follows the data '
           'source''s schema after each sync; nls.create_typed_view re-creates it, nls.drop_typed_view drops it; its '
           'changes are in nls.typed_view_history.'
$$;
COMMENT ON FUNCTION nls._typed_view_comment() IS
'Internal: the COMMENT of every typed view, the same for every user''s (the catalogue is readable by every role).';

-- ---- what the stored pages say about a data source's properties ------------------------------------------------
CREATE OR REPLACE FUNCTION nls._typed_observed(p_source_id bigint, p_data_source_id text)
RETURNS TABLE (property_id text, name text, type text, result_types jsonb, has_time boolean, has_end boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._typed_observed(bigint, text) IS
'Internal: what the live stored pages of a data source show of each property, for its typed view:
(property_id, name and type as the page read last shows them, result_types {formula or rollup result type: pages},
has_time: some date value holds a time, has_end: some date value is a range).';

CREATE OR REPLACE FUNCTION nls._sql_keywords() RETURNS SETOF text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T') $$;
COMMENT ON FUNCTION nls._sql_keywords() IS
'Internal: the SQL key words a column name cannot be unquoted (reserved, or reserved but for functions and types).';

-- ---- building the views (SECURITY DEFINER: the views and their schemas belong to nls's owner, so that any
-- ---- session that may write a source's registry row, the scheduled sync included, can have its view rebuilt) ----
CREATE OR REPLACE FUNCTION nls._typed_view_columns(p_columns jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY(SELECT f ->> 0 || ' ' || (f ->> 1) FROM jsonb_array_elements(nls._typed_fixed_columns())
                                                          WITH ORDINALITY AS a(f, o) ORDER BY o)
        || ARRAY(SELECT (c ->> 'column') || ' ' || (nls._typed_kinds() -> (c ->> 'kind') ->> 0)
                   FROM jsonb_array_elements(p_columns) WITH ORDINALITY AS a(c, o) ORDER BY o)
$$;
COMMENT ON FUNCTION nls._typed_view_columns(jsonb) IS
'Internal: a typed view''s columns as "name type" (format_type''s spelling), fixed columns first.';

CREATE OR REPLACE FUNCTION nls._typed_view_schema_ok(p_schema text) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._typed_view_schema_ok(text) IS
'Internal: whether a schema may hold typed views, creating nothing (nls.create_typed_view asks it): true when nls
created it, false when it does not exist yet (the builder creates it with the first view there); raises 22023 for a
reserved name, 42P06 for a schema nls did not create.';

-- not SECURITY DEFINER and not executable by nls_app or nls_cron: only the builder (which runs as nls's owner) creates
-- a schema, and only to put a view a session asked for in it
CREATE OR REPLACE FUNCTION nls._typed_view_schema(p_schema text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._typed_view_schema(text) IS
'Internal (nls._build_typed_view only): makes sure a schema may hold typed views: creates it (owned by nls''s owner,
usable by nls_app and nls_cron) unless nls already did; raises 22023 for a reserved name, 42P06 for a schema nls did
not create (nls._typed_view_schema_ok).';

CREATE OR REPLACE FUNCTION nls._build_typed_view(p_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._build_typed_view(bigint) IS
'Internal: (re)builds the view of one typed_views row from its columns: CREATE OR REPLACE when only columns were
added, else drop and create; security_invoker, over the data source its row names (nls._typed_view_definition),
commented (view and every column, the same text for every user: nls._typed_view_comment, nls.typed_view_columns
has the properties), SELECT for nls_app and nls_cron.
Returns the view''s qualified name. Raises 42P07 when the name is another relation''s, 42501 when the row''s source
is not its user''s.';

CREATE OR REPLACE FUNCTION nls._build_typed_views()
RETURNS TABLE (typed_view_id bigint, built_as text, error text, error_code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls._build_typed_views() IS
'Internal: builds every typed view whose registry row asks for it (build_wanted, set by a session under row-level
security), recording a failure in the row (build_error) and in nls.typed_view_history instead of raising, then drops
the views nls built whose row is gone, and the schemas nls created that no row names and nothing else is in.
Returns (typed_view_id, built_as, error, error_code: the SQLSTATE) per row it tried.';

CREATE OR REPLACE FUNCTION nls.drop_typed_view(view regclass) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION nls.drop_typed_view(regclass) IS
'Drop a typed view and forget it (the sync stops following its data source): drop_typed_view(view regclass)
returns true when the view is gone, false when it is no typed view this session''s user has (nothing changes), or
when a view of your own still reads it (it is then forgotten but left in place, and reads no rows: its registry row,
through which it finds its data source, is gone). Raises nothing itself: a name that is no relation fails its cast
to regclass (42P01) before the call.';

COMMENT ON TABLE nls.typed_views IS
'Typed views, one per synced data source a user asked for (nls.create_typed_view, or the typed_views_schema setting
on add_source): where it lives (schema_name, view_name), its columns [{column, property_id, property, type,
result_type?, kind, removed?}] in order, whether it waits to be (re)built, what was built (built_as, built_at,
build_error). A row whose data_source_id is NULL waits for its source''s first sync.';
COMMENT ON TABLE nls.typed_view_history IS
'Every change of a typed view, one row each: created, recreated, column_added, column_retyped, property_renamed
(the column keeps its name), property_removed (the column stays, NULL), property_restored, column_renamed and
column_dropped (when re-created), build_failed, dropped; with the property id and name, the column, the old and new
type, and a detail.';
COMMENT ON TABLE nls.typed_view_schemas IS 'The schemas nls created to hold typed views; no other schema holds them.';

-- ---- what each column of a typed view reads: to the view's own user only ----------------------------------------
-- (the catalogue, which every role reads, says of a typed view only its name, its columns and their types)
CREATE OR REPLACE VIEW nls.typed_view_columns WITH (security_invoker = true) AS
SELECT t.id AS typed_view_id, t.user_id, t.built_as AS view, t.source_id, t.data_source_id,
       jsonb_array_length(nls._typed_fixed_columns()) + c.o::int AS position,
       c.e ->> 'column' AS column_name, c.e ->> 'property' AS property_name, c.e ->> 'property_id' AS property_id,
       c.e ->> 'type' AS property_type, c.e ->> 'result_type' AS result_type, c.e ->> 'kind' AS kind,
       nls._typed_kinds() -> (c.e ->> 'kind') ->> 0 AS sql_type,
       coalesce((c.e ->> 'removed')::boolean, false) AS removed
  FROM nls.typed_views t
 CROSS JOIN LATERAL jsonb_array_elements(t.columns) WITH ORDINALITY AS c(e, o);
COMMENT ON VIEW nls.typed_view_columns IS
'The property columns of the typed views this session''s user has (row-level security of nls.typed_views), one row
each: typed_view_id, user_id, view (qualified, NULL until built), source_id, data_source_id, position (the column''s
number in the view, after the fixed columns), column_name, property_name (as Notion names it now), property_id,
property_type (Notion''s), result_type (a formula''s or rollup''s), kind and sql_type (what the column holds), removed
(the property left the data source: the column is NULL until the view is made again).';

-- views that wait to be built are built at install: after an upgrade, every view, so that each has this builder's
-- definition and comments
SELECT count(*) AS typed_views_built FROM nls._build_typed_views();
