-- Undoes 0011: local changes not yet pushed are forgotten (the local rows keep their values), conflicts too. The
-- triggers that noted local changes go (their function and the views of sql/ that read the state table, dropped
-- with it, are re-created by the next install).
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT tgrelid::regclass AS rel FROM pg_trigger WHERE tgname = 'notion_push_local_change' LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS notion_push_local_change ON %s', t.rel);
    END LOOP;
END
$$;
DROP TABLE IF EXISTS nls.notion_sync_state CASCADE;
ALTER TABLE nls.sources DROP COLUMN IF EXISTS push_map CASCADE;
