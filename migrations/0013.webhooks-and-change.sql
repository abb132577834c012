-- Fresh within a minute, at the request minimum, at a cost proportional to change (issue 16):
-- * the data sources of a source are remembered (sources.data_sources_listed_at, sync_state.listed): an incremental
--   run asks GET /v1/databases/{id} only when they are unknown (first run, reconciliation, a data_source.* event, a
--   query answering 404/400);
-- * the trash seen within one run: integrations.trash_checked_at, where the last look at Notion's trash began;
-- * Notion's webhooks: one subscription per integration (nls.webhook_subscriptions: its unguessable path, the
--   handshake window, the verification token encrypted with the key ring) and the events it delivered
--   (nls.webhook_events, one row per event id);
-- * the cleaning follows the change: nls._clean_queue holds the pages written since the last cleaning.
-- depends: 0012.anki

-- the role of `nls webhooks serve`: it may run nls.webhook_receive() and nothing else (roles are cluster-wide:
-- created when absent, never dropped)
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nls_webhook') THEN
        CREATE ROLE nls_webhook NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
    ELSE
        ALTER ROLE nls_webhook NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;
COMMENT ON ROLE nls_webhook IS 'nls: the webhook receiver (nls webhooks serve): runs nls.webhook_receive() only';

-- a read keeps what it handed on in a temporary table now (sql/10_engine.sql makes the new one)
DROP FUNCTION IF EXISTS nls._unseen_pages(bigint, text, text[]);

ALTER TABLE nls.sources ADD COLUMN data_sources_listed_at timestamptz;
ALTER TABLE nls.sync_state ADD COLUMN listed boolean NOT NULL DEFAULT true;
ALTER TABLE nls.integrations ADD COLUMN trash_checked_at timestamptz;
COMMENT ON COLUMN nls.sources.data_sources_listed_at IS
'When GET /v1/databases/{id} last listed the database''s data sources (they are the sync_state rows marked listed);
NULL: unknown, the next run lists them again (first run, a data_source.* webhook event, a query that answered 404 or
400). An incremental run of a source whose data sources are known makes no GET /v1/databases/{id}.';
COMMENT ON COLUMN nls.sync_state.listed IS
'Whether the database listed this data source the last time its data sources were read; a data source no longer
listed is not queried (its stored pages stay).';
COMMENT ON COLUMN nls.integrations.trash_checked_at IS
'When the last look at the integration''s trash began (POST /v1/search, in_trash): the next one reads the trash back
to that time less overlap_s.';

CREATE TABLE nls.webhook_subscriptions (
    user_id            text PRIMARY KEY REFERENCES nls.integrations (user_id) ON DELETE CASCADE,
    path               text NOT NULL UNIQUE CHECK (path ~ '^[0-9a-f]{64}$'),
    armed_until        timestamptz,
    token_ciphertext   bytea,
    token_nonce        bytea,
    key_version        int,
    subscription_id    text,
    verified_at        timestamptz,
    token_shown_at     timestamptz,
    last_delivery_at   timestamptz,
    refused            bigint NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE nls.webhook_subscriptions IS
'One Notion webhook subscription per integration (nls.webhook_endpoint): the unguessable path the receiver serves
it on, until when it accepts Notion''s handshake (armed_until), the handshake''s verification_token encrypted with the
key ring (AES-256-GCM, the owner and "webhook" bound in), the subscription id Notion''s deliveries carry, and counts.';

CREATE TABLE nls.webhook_events (
    user_id         text NOT NULL,
    event_id        text NOT NULL,
    event_type      text NOT NULL,
    entity_id       text,
    entity_type     text,
    event_time      timestamptz,
    attempt_number  int,
    deliveries      int NOT NULL DEFAULT 1,
    payload         jsonb NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    applied_at      timestamptz,
    outcome         text,
    sync_log_id     uuid,
    PRIMARY KEY (user_id, event_id)
);
CREATE INDEX idx_webhook_events_pending ON nls.webhook_events (user_id, received_at) WHERE applied_at IS NULL;
COMMENT ON TABLE nls.webhook_events IS
'Every verified delivery of a user''s webhook subscription, once per event id (Notion''s retries, by attempt_number,
count in deliveries, not as new rows). nls.apply_webhook_events() applies the pending ones (applied_at NULL) and
says what it did with each (outcome: read, trashed, schema, listed, own_write, not_synced, ignored).';

-- the pages written since the last cleaning of their user (nls.clean reads and empties it)
CREATE TABLE nls._clean_queue (
    user_id   text NOT NULL,
    source_id bigint NOT NULL,
    page_id   text NOT NULL,
    PRIMARY KEY (user_id, source_id, page_id)
);

-- the cleaning's functions take the pages to look at now (sql/30_learning.sql makes the new ones); the pages stored
-- before this migration are queued, so that the first cleaning after it sees them all
DROP FUNCTION IF EXISTS nls._stage_learning(text);
DROP FUNCTION IF EXISTS nls._clean_entity(text, text, text, uuid, text);
INSERT INTO nls._clean_queue (user_id, source_id, page_id)
SELECT p.user_id, p.source_id, p.page_id FROM nls.stg_notion_pages p JOIN nls.sources s ON s.id = p.source_id
 WHERE s.target <> 'pages';

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['webhook_subscriptions', 'webhook_events', '_clean_queue'] LOOP
        EXECUTE format('ALTER TABLE nls.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE nls.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY nls_user_rows ON nls.%I USING (user_id = (SELECT nls._session_user())) '
                       'WITH CHECK (user_id = (SELECT nls._session_user()))', t);
        EXECUTE format('CREATE POLICY nls_admin_reads ON nls.%I FOR SELECT TO nls_admin USING (true)', t);
    END LOOP;
END
$$;
