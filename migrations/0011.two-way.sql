-- Two-way sync (issue 13): what changed in PostgreSQL goes back to Notion, field by field, without ever overwriting an
-- edit made in Notion. Seed 000's state table (one row per local object mirrored to a Notion page: the page, the
-- SHA-256 of the content last sent, when), with what a two-way sync needs besides: the page's last_edited_time, the
-- Notion value each unsent local change was based on, a status and the last error; and each source's push map
-- (which columns go to which Notion properties; the defaults are in sql/05_targets.sql). The functions, the trigger
-- that notes local changes, the views and the flow are repeatable (sql/80_push.sql, plpython/nls_engine/push.py).
-- depends: 0010.typed-views

ALTER TABLE nls.sources ADD COLUMN push_map jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(push_map) = 'object');

CREATE TABLE nls.notion_sync_state (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                 text NOT NULL,
    source_id               bigint REFERENCES nls.sources (id) ON DELETE CASCADE,
    local_table             text NOT NULL,
    local_id                uuid NOT NULL,
    notion_page_id          text,
    notion_data_source_id   text,
    sync_hash               text,
    last_synced_at          timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    notion_last_edited_time timestamptz,
    base_values             jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(base_values) = 'object'),
    local_changed_at        timestamptz,
    agreed_values           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(agreed_values) = 'object'),
    status                  text NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('synced', 'pending', 'conflict', 'failed')),
    conflict                jsonb,
    last_error              text,
    last_error_code         text,
    failed_hash             text,
    create_card_id          text,
    create_attempted_at     timestamptz,
    CONSTRAINT notion_sync_state_object_key UNIQUE (user_id, local_table, local_id)
);
CREATE INDEX idx_notion_sync_state_source ON nls.notion_sync_state (source_id, status);
CREATE INDEX idx_notion_sync_state_page ON nls.notion_sync_state (user_id, notion_page_id);
COMMENT ON TABLE nls.notion_sync_state IS
'Seed 000''s delta-sync state, one row per local object (local_table, local_id) that two-way sync has touched: the
Notion page it is mirrored to (notion_page_id, in notion_data_source_id of source_id), sync_hash (SHA-256 of the
pushed columns'' values last sent), last_synced_at, and what a two-way sync needs: notion_last_edited_time (the page''s
time after nls''s last write), base_values ({column: the Notion property value an unsent local change of that column
was based on}: its keys are the columns waiting to be pushed), local_changed_at (when the first of them changed),
agreed_values ({column: {"value": the value Notion held for it when a push last wrote it or found it equal, "at":
when}}: what a later local change is based on until a read and a cleaning stage a newer copy of the page),
status (synced, pending, conflict: see conflict and nls.push_conflicts; failed: see last_error), and for a page nls
creates, the card id it writes (create_card_id) and when a create was sent (create_attempted_at: a create whose answer
was lost is looked for by that card id before any other is sent).';
COMMENT ON COLUMN nls.notion_sync_state.conflict IS
'When status is conflict: {column: {"property", "property_id", "base", "notion", "local"}}, the property changed both
in Notion and locally since base: Notion''s value now and the value nls would send (property values as Notion''s
API gives them). nls.resolve_conflict(id, ''notion'' | ''local'') settles it.';

-- the pattern of 0006.tenancy: a session sees and writes only its user's rows; nls_admin reads every row
ALTER TABLE nls.notion_sync_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE nls.notion_sync_state FORCE ROW LEVEL SECURITY;
CREATE POLICY nls_user_rows ON nls.notion_sync_state USING (user_id = (SELECT nls._session_user()))
    WITH CHECK (user_id = (SELECT nls._session_user()));
CREATE POLICY nls_admin_reads ON nls.notion_sync_state FOR SELECT TO nls_admin USING (true);
