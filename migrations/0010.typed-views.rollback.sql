-- Undoes 0010: the typed views nls built go with their registry (their schemas stay, emptied: they may hold
-- anything a user added), nls.sources loses the key (id, user_id) they referred to, and settings of type identifier
-- leave the catalogue (sql/ writes them again on install).
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT c.oid::regclass AS view FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind = 'v' AND n.nspname IN (SELECT s.schema_name FROM nls.typed_view_schemas s)
                AND obj_description(c.oid, 'pg_class') LIKE 'nls typed view%' LOOP
        EXECUTE format('DROP VIEW IF EXISTS %s', v.view);
    END LOOP;
END
$$;
DROP TABLE IF EXISTS nls.typed_view_history, nls.typed_views, nls.typed_view_schemas;
ALTER TABLE nls.sources DROP CONSTRAINT IF EXISTS sources_id_user_key;
DELETE FROM nls.settings WHERE type = 'identifier';
ALTER TABLE nls.settings DROP CONSTRAINT IF EXISTS settings_type_check;
ALTER TABLE nls.settings ADD CONSTRAINT settings_type_check
    CHECK (type IN ('text', 'number', 'integer', 'choice', 'url', 'path'));
