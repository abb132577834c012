-- Typed views (issue "Any Notion database as typed SQL"): the registry of the views nls keeps over
-- nls.stg_notion_pages, one per data source, with the column of each property (name, Notion type, SQL type); the
-- history of every change a view went through; and the schemas nls created to hold them. The views themselves, the
-- functions that build them and the helpers that type a property value are repeatable (sql/70_typed_views.sql).
-- depends: 0009.runs-tell-the-truth

-- a typed view is over a source of its own user's: the key below (source_id, user_id) needs this one to refer to
ALTER TABLE nls.sources ADD CONSTRAINT sources_id_user_key UNIQUE (id, user_id);

CREATE TABLE nls.typed_views (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id        text NOT NULL,
    source_id      bigint NOT NULL,
    data_source_id text,
    schema_name    text NOT NULL CHECK (schema_name <> '' AND octet_length(schema_name) <= 63),
    view_name      text CHECK (view_name <> '' AND octet_length(view_name) <= 63),
    columns        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(columns) = 'array'),
    build_wanted   boolean NOT NULL DEFAULT true,
    built_as       text,
    built_at       timestamptz,
    build_error    text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- row-level security checks user_id only: this key keeps a user from naming (and so blocking) another's source
    CONSTRAINT typed_views_source_user_fkey FOREIGN KEY (source_id, user_id)
        REFERENCES nls.sources (id, user_id) ON DELETE CASCADE,
    CONSTRAINT typed_views_data_source_key UNIQUE NULLS NOT DISTINCT (source_id, data_source_id),
    CONSTRAINT typed_views_name_key UNIQUE (schema_name, view_name),
    CHECK (data_source_id IS NULL OR view_name IS NOT NULL)
);
CREATE INDEX idx_typed_views_user ON nls.typed_views (user_id);

CREATE TABLE nls.typed_view_history (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id        text NOT NULL,
    typed_view_id  bigint REFERENCES nls.typed_views (id) ON DELETE SET NULL,
    view           text,
    data_source_id text,
    changed_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    change         text NOT NULL CHECK (change IN ('created', 'recreated', 'column_added', 'column_retyped',
                                                   'property_renamed', 'property_removed', 'property_restored',
                                                   'column_renamed', 'column_dropped', 'build_failed', 'dropped')),
    property_id    text,
    property_name  text,
    column_name    text,
    old_type       text,
    new_type       text,
    detail         text
);
CREATE INDEX idx_typed_view_history_view ON nls.typed_view_history (typed_view_id, changed_at);
CREATE INDEX idx_typed_view_history_user ON nls.typed_view_history (user_id);

-- Schemas nls created for typed views: only these (and new ones) may hold them, so that building a view never
-- replaces anything else.
CREATE TABLE nls.typed_view_schemas (
    schema_name text PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Row-level security as for every table holding a user's rows (0006.tenancy).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['typed_views', 'typed_view_history'] LOOP
        EXECUTE format('ALTER TABLE nls.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE nls.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY nls_user_rows ON nls.%I USING (user_id = (SELECT nls._session_user())) '
                       'WITH CHECK (user_id = (SELECT nls._session_user()))', t);
        EXECUTE format('CREATE POLICY nls_admin_reads ON nls.%I FOR SELECT TO nls_admin USING (true)', t);
    END LOOP;
END
$$;

-- A setting may now name a schema (typed_views_schema): the catalogue's types gain 'identifier'.
ALTER TABLE nls.settings DROP CONSTRAINT IF EXISTS settings_type_check;
ALTER TABLE nls.settings ADD CONSTRAINT settings_type_check
    CHECK (type IN ('text', 'number', 'integer', 'choice', 'url', 'path', 'identifier'));
