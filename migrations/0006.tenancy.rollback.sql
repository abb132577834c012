DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT DISTINCT tablename FROM pg_policies WHERE schemaname = 'nls'
                AND policyname IN ('nls_user_rows', 'nls_admin_reads') LOOP
        EXECUTE format('DROP POLICY IF EXISTS nls_user_rows ON nls.%I', t.tablename);
        EXECUTE format('DROP POLICY IF EXISTS nls_admin_reads ON nls.%I', t.tablename);
        EXECUTE format('ALTER TABLE nls.%I NO FORCE ROW LEVEL SECURITY', t.tablename);
        EXECUTE format('ALTER TABLE nls.%I DISABLE ROW LEVEL SECURITY', t.tablename);
    END LOOP;
END
$$;
UPDATE nls.settings SET description = 'file holding the token encryption key, when NLS_ENCRYPTION_KEY is not in the server environment'
 WHERE name = 'encryption_key_file';
DELETE FROM nls.settings WHERE name IN ('rate_limit_per_s', 'workspace_rate_limit_per_s', 'rate_limit_burst', 'reconcile_interval_s');
DROP TABLE IF EXISTS nls.active_syncs, nls.sync_rounds;
-- the roles stay (cluster-wide; other databases may use them); what they were granted here goes with the objects
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['nls_admin', 'nls_app', 'nls_cron'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA nls FROM %I', r);
            EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA nls FROM %I', r);
            EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA nls FROM %I', r);
            EXECUTE format('REVOKE ALL ON SCHEMA nls FROM %I', r);
        END IF;
    END LOOP;
END
$$;
