-- Undoes 0009 (a cancelled run reads as failed again; nls.sync_status, which reads the backend columns, goes with
-- them: the views and functions of sql/ are re-created by the next install).
UPDATE nls.sync_log SET status = 'failed' WHERE status = 'cancelled';
ALTER TABLE nls.sync_log DROP CONSTRAINT IF EXISTS sync_log_status_check;
ALTER TABLE nls.sync_log ADD CONSTRAINT sync_log_status_check
    CHECK (status IN ('running', 'completed', 'partial', 'failed'));
ALTER TABLE nls.sync_log DROP COLUMN IF EXISTS backend_pid CASCADE, DROP COLUMN IF EXISTS backend_start CASCADE;
ALTER TABLE nls.sync_rounds DROP CONSTRAINT IF EXISTS sync_rounds_status_check;
UPDATE nls.sync_rounds SET status = 'failed' WHERE status IN ('cancelled', 'skipped');
CREATE TABLE nls.active_syncs (
    pid          int PRIMARY KEY,
    user_id      text NOT NULL,
    workspace_id text,
    started_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
