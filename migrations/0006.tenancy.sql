-- Many users in one database (issue 5): the three nls roles, row-level security forced on every table that holds a
-- user's rows, the round queue the scheduled workers share, the table of running syncs every backend reads to split
-- a token's or a workspace's request budget, and the rate settings.
-- Roles are cluster-wide: created when absent, never dropped (other databases of the cluster may use them).
-- depends: 0005.creative-schema

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['nls_admin', 'nls_app', 'nls_cron'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I %s NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION', r,
                           CASE r WHEN 'nls_cron' THEN 'LOGIN' ELSE 'NOLOGIN' END);
        ELSE  -- an existing role of that name gets no power over other users' rows
            EXECUTE format('ALTER ROLE %I NOSUPERUSER NOBYPASSRLS', r);
        END IF;
    END LOOP;
END
$$;
COMMENT ON ROLE nls_admin IS 'nls: configures nls (settings, key rotation) and reads every user''s rows; not BYPASSRLS';
COMMENT ON ROLE nls_app IS 'nls: the application: stores integrations and sources and reads its users'' rows, acting for one user at a time (SET nls.user_id)';
COMMENT ON ROLE nls_cron IS 'nls: the role pg_cron runs the scheduled sync as; neither superuser nor BYPASSRLS';
GRANT nls_app TO nls_admin;

-- A round of the schedule: every pg_cron worker job that fires in the same minute shares one queue of users.
CREATE TABLE nls.sync_rounds (
    round       timestamptz NOT NULL,
    user_id     text NOT NULL,
    claimed_by  int,
    claimed_at  timestamptz,
    finished_at timestamptz,
    status      text,
    PRIMARY KEY (round, user_id)
);

-- The syncs running now, one row per backend: each backend paces its requests to its share of its token's and
-- its workspace's budget (rate_limit_per_s / workspace_rate_limit_per_s divided among the rows that share them).
CREATE TABLE nls.active_syncs (
    pid          int PRIMARY KEY,
    user_id      text NOT NULL,
    workspace_id text,
    started_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);

INSERT INTO nls.settings (name, value, description) VALUES
  ('rate_limit_per_s', '3', 'requests a second one Notion token may send (Notion: 3 on average); nls paces itself under it'),
  ('workspace_rate_limit_per_s', '3', 'requests a second all the tokens of one Notion workspace may send together'),
  ('rate_limit_burst', '3', 'requests a backend may send at once before pacing starts'),
  ('reconcile_interval_s', '86400', 'a source whose last complete full read (which finds trashed, deleted and unshared '
   'pages) is older than this many seconds gets a full read on its next run')
ON CONFLICT (name) DO NOTHING;

UPDATE nls.settings SET description = 'file holding the token key ring ("2:<key>,1:<key>" or one key); when set it '
    'wins over NLS_ENCRYPTION_KEY in the server environment, and is read on each use (rotation needs no restart)'
 WHERE name = 'encryption_key_file';

-- Row-level security: a session sees and writes only the rows of the user it acts for (nls._session_user(): the
-- nls.user_id setting, else the role name). Superusers bypass it (PostgreSQL's rule); nls_admin also reads all.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.relname,
                    EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'user_id'
                                                          AND NOT a.attisdropped) AS by_user
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'nls' AND c.relkind = 'r'
                AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'user_id')
                     OR c.relname IN ('sync_state', 'data_source_schemas'))
                AND c.relname NOT IN ('sync_rounds', 'active_syncs') LOOP
        EXECUTE format('ALTER TABLE nls.%I ENABLE ROW LEVEL SECURITY', t.relname);
        EXECUTE format('ALTER TABLE nls.%I FORCE ROW LEVEL SECURITY', t.relname);
        IF t.by_user THEN
            EXECUTE format('CREATE POLICY nls_user_rows ON nls.%I USING (user_id = (SELECT nls._session_user())) '
                           'WITH CHECK (user_id = (SELECT nls._session_user()))', t.relname);
        ELSE  -- rows of a source: visible and writable with their source (itself under row-level security)
            EXECUTE format('CREATE POLICY nls_user_rows ON nls.%I USING (EXISTS (SELECT 1 FROM nls.sources s '
                           'WHERE s.id = source_id)) WITH CHECK (EXISTS (SELECT 1 FROM nls.sources s '
                           'WHERE s.id = source_id))', t.relname);
        END IF;
        EXECUTE format('CREATE POLICY nls_admin_reads ON nls.%I FOR SELECT TO nls_admin USING (true)', t.relname);
    END LOOP;
END
$$;
