-- A run's sync_log row tells the truth after a cancel or a kill (issue "A sync a DBA can stop ..."):
-- * each row names the backend that runs it (pid and start time), so that a row whose backend is gone never reads
--   as running (nls.sync_status, nls._close_stale_runs);
-- * a run stopped by a cancel or statement_timeout is 'cancelled' (the scheduled procedure commits that first);
-- * the scheduled rounds record a user whose sources another session was syncing as 'skipped'.
-- The request budget is shared through advisory locks now (nls._sync_share reads pg_locks), so nls.active_syncs
-- goes: a sync by hand counts as much as a scheduled one.
-- depends: 0008.catalogues

ALTER TABLE nls.sync_log ADD COLUMN backend_pid int, ADD COLUMN backend_start timestamptz;
ALTER TABLE nls.sync_log DROP CONSTRAINT IF EXISTS sync_log_status_check;
ALTER TABLE nls.sync_log ADD CONSTRAINT sync_log_status_check
    CHECK (status IN ('running', 'completed', 'partial', 'failed', 'cancelled'));
ALTER TABLE nls.sync_rounds ADD CONSTRAINT sync_rounds_status_check
    CHECK (status IN ('completed', 'partial', 'failed', 'cancelled', 'skipped', 'abandoned'));
DROP TABLE nls.active_syncs;
-- functions of sql/ whose result or purpose changed (re-created by the same install)
DROP FUNCTION IF EXISTS nls._sync_share(text, text);
DROP FUNCTION IF EXISTS nls._workspace_of(text, text);
