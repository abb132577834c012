-- A sync shares what it must with other sessions without waiting on them or holding them up:
-- * the request budget of a token and of a workspace is one state every backend reads and writes at once: a pool
--   of registers, each a sequence (sequences are not transactional: a value set inside a sync that runs in its
--   caller's transaction is seen by every backend at once, and stays if that transaction rolls back), read and
--   written under an advisory lock that lasts one statement (nls._take_budget, nls._hold_budget in sql/10_engine.sql);
-- * what a run learns about its integration (the workspace and bot user GET /v1/users/me names, when the trash was
--   last looked at, that Notion refused the token) is noted in nls.integration_notes, a row of its own that locks
--   nothing another session needs; the notes are folded into nls.integrations as the run's transaction commits.
-- The budget's old functions (shares counted from advisory locks each sync held) go.
-- depends: 0015.retired-functions

CREATE TABLE nls.integration_notes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    integration_id   bigint NOT NULL,
    user_id          text NOT NULL,
    noted_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    workspace_id     text,
    workspace_name   text,
    bot_id           text,
    trash_checked_at timestamptz,
    refused_nonce    bytea
);
CREATE INDEX integration_notes_integration ON nls.integration_notes (integration_id);
COMMENT ON TABLE nls.integration_notes IS
'What a run learned about its integration and has not yet folded into nls.integrations: the workspace (workspace_id,
workspace_name) and bot user (bot_id) GET /v1/users/me named, when a look at the trash began (trash_checked_at), or
that Notion refused the token (refused_nonce: the token_nonce of the token refused). A run inserts a note (which
locks no row another session needs; integration_id has no foreign key, whose check would lock the integration''s
row) and the note is folded into nls.integrations and deleted as the run''s transaction commits
(nls._fold_integration_notes); until then nls._integration() reads the integration with its notes.';

ALTER TABLE nls.integration_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE nls.integration_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY nls_user_rows ON nls.integration_notes USING (user_id = (SELECT nls._session_user()))
    WITH CHECK (user_id = (SELECT nls._session_user()));
CREATE POLICY nls_admin_reads ON nls.integration_notes FOR SELECT TO nls_admin USING (true);

-- The request budget's registers: 64 sequences; a register's value is a tag (19 bits: token or workspace, and a
-- hash of its id) and the budget's theoretical arrival time (44 bits: tenths of a millisecond since 2025-01-01 UTC).
CREATE TABLE nls._budget_registers (
    register int PRIMARY KEY,
    seq      regclass NOT NULL UNIQUE
);
COMMENT ON TABLE nls._budget_registers IS
'Internal: the sequences that hold the request budgets every backend shares (nls._take_budget): one budget (a token''s
or a workspace''s) in use per register; a register whose budget is full again is free for another.';
DO $$
BEGIN
    FOR i IN 0..63 LOOP
        EXECUTE format('CREATE SEQUENCE nls.%I MINVALUE 0 START 0', '_budget_' || lpad(i::text, 2, '0'));
        EXECUTE format('GRANT SELECT, UPDATE ON SEQUENCE nls.%I TO nls_app, nls_cron',
                       '_budget_' || lpad(i::text, 2, '0'));
        INSERT INTO nls._budget_registers VALUES (i, format('nls.%I', '_budget_' || lpad(i::text, 2, '0'))::regclass);
    END LOOP;
END
$$;
GRANT SELECT ON nls._budget_registers TO nls_app, nls_cron;

-- functions of sql/ that go (the budget was counted from advisory locks; sql/10_engine.sql makes the new ones)
DROP FUNCTION IF EXISTS nls._sync_share(text, text);
DROP FUNCTION IF EXISTS nls._budget_member(text, text, boolean);
DROP FUNCTION IF EXISTS nls._hold_budget(text, text);
DROP FUNCTION IF EXISTS nls._release_budget(text, text);
DROP FUNCTION IF EXISTS nls._budget_lock(text, text);
