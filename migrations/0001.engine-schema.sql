-- The nls engine schema: settings, integrations (encrypted tokens), sources, sync state, sync_log,
-- the raw page store, and the table the PL/Python modules are deployed into.
-- depends:

CREATE SCHEMA IF NOT EXISTS nls;

CREATE TABLE nls.settings (
    name        text PRIMARY KEY,
    value       text NOT NULL,
    description text NOT NULL
);

INSERT INTO nls.settings (name, value, description) VALUES
  ('api_base_url', 'https://api.notion.com', 'Base URL of the Notion API (the emulator''s in the demo and tests)'),
  ('notion_version', '2025-09-03', 'Notion-Version header sent with every request: 2025-09-03 or 2026-03-11'),
  ('connect_timeout_s', '5', 'seconds to wait for a TCP/TLS connection to Notion'),
  ('read_timeout_s', '30', 'seconds to wait for Notion to answer a request'),
  ('run_deadline_s', '600', 'seconds a run may take; past it the run stops cleanly as partial and the next resumes'),
  ('max_attempts', '6', 'attempts per request, the first included, for 429/529/5xx/timeouts/resets'),
  ('retry_after_cap_s', '60', 'longest Retry-After honoured within a run; a longer one ends the run as partial'),
  ('backoff_base_s', '0.5', 'base of the exponential backoff (with jitter) between retries, in seconds'),
  ('overlap_s', '120', 'an incremental read starts this many seconds before the watermark (Notion rounds times down to the minute)'),
  ('content_max_depth', '5', 'how deep page content (blocks) is read; deeper blocks are left out and the run is partial'),
  ('encryption_key_file', '', 'file holding the token encryption key, when NLS_ENCRYPTION_KEY is not in the server environment');

CREATE TABLE nls.integrations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          text NOT NULL UNIQUE,
    token_ciphertext bytea NOT NULL,
    token_nonce      bytea NOT NULL,
    key_version      int NOT NULL DEFAULT 1,
    workspace_id     text,
    workspace_name   text,
    workspace_icon   text,
    bot_id           text,
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth', 'disabled')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE nls.sources (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       text NOT NULL REFERENCES nls.integrations (user_id) ON DELETE CASCADE,
    database_id   text NOT NULL CHECK (database_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
    database_name text,
    target        text NOT NULL DEFAULT 'pages',
    with_content  boolean NOT NULL DEFAULT false,
    enabled       boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, database_id)
);

CREATE TABLE nls.sync_state (
    source_id         bigint NOT NULL REFERENCES nls.sources (id) ON DELETE CASCADE,
    data_source_id    text NOT NULL,
    data_source_name  text,
    watermark         timestamptz,
    last_full_sync_at timestamptz,
    last_run_at       timestamptz,
    schema_hash       text,
    PRIMARY KEY (source_id, data_source_id)
);

CREATE TABLE nls.sync_log (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sync_type       text NOT NULL,
    started_at      timestamptz DEFAULT now(),
    completed_at    timestamptz,
    status          text DEFAULT 'running' CHECK (status IN ('running', 'completed', 'partial', 'failed')),
    items_processed int DEFAULT 0,
    items_added     int DEFAULT 0,
    items_updated   int DEFAULT 0,
    items_removed   int DEFAULT 0,
    error_message   text,
    details         jsonb,
    user_id         text,
    source_id       bigint REFERENCES nls.sources (id) ON DELETE SET NULL,
    notion_version  text,
    requests_made   int NOT NULL DEFAULT 0,
    retries         int NOT NULL DEFAULT 0,
    error_code      text
);
CREATE INDEX idx_sync_log_type ON nls.sync_log (sync_type);
CREATE INDEX idx_sync_log_status ON nls.sync_log (status);
CREATE INDEX idx_sync_log_started ON nls.sync_log (started_at DESC);
CREATE INDEX idx_sync_log_source ON nls.sync_log (source_id, started_at DESC);

CREATE TABLE nls.stg_notion_pages (
    source_id        bigint NOT NULL REFERENCES nls.sources (id) ON DELETE CASCADE,
    page_id          text NOT NULL,
    user_id          text NOT NULL,
    data_source_id   text NOT NULL,
    raw_properties   jsonb NOT NULL,
    raw_page         jsonb NOT NULL,
    raw_content      jsonb,
    created_time     timestamptz NOT NULL,
    last_edited_time timestamptz NOT NULL,
    in_trash         boolean NOT NULL DEFAULT false,
    deleted_at       timestamptz,
    last_synced_at   timestamptz NOT NULL DEFAULT now(),
    sync_hash        text NOT NULL,
    PRIMARY KEY (source_id, page_id)
);
CREATE INDEX idx_stg_notion_pages_user ON nls.stg_notion_pages (user_id);
CREATE INDEX idx_stg_notion_pages_edited ON nls.stg_notion_pages (source_id, data_source_id, last_edited_time);

CREATE TABLE nls._python_module (
    name        text PRIMARY KEY,
    source      text NOT NULL,
    sha256      text NOT NULL,
    deployed_at timestamptz NOT NULL DEFAULT now()
);
