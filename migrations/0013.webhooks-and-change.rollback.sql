-- Undoes 0013: the webhook subscriptions and their events go (Notion keeps delivering to the path until the
-- subscription is removed in the integration's settings: it then gets 404), the cleaning queue goes (the next
-- cleaning grades every card again), and the remembered data sources and trash time with their columns.
DROP VIEW IF EXISTS nls.webhook_status;   -- sql/85_webhooks.sql makes it again with the next install
DROP TRIGGER IF EXISTS sources_clean_whole ON nls.sources;   -- sql/30_learning.sql makes it again
DROP FUNCTION IF EXISTS nls._stage_learning(text, text[]);     -- and the cleaning's functions, as they were
DROP FUNCTION IF EXISTS nls._clean_entity(text, text, text, uuid, text, text[]);
DROP TABLE IF EXISTS nls._clean_queue, nls.webhook_events, nls.webhook_subscriptions;
ALTER TABLE nls.integrations DROP COLUMN IF EXISTS trash_checked_at;
ALTER TABLE nls.sync_state DROP COLUMN IF EXISTS listed;
ALTER TABLE nls.sources DROP COLUMN IF EXISTS data_sources_listed_at;
-- the receiver's role stays (roles are cluster-wide, never dropped) but loses what it was given in nls
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nls_webhook') THEN
        REVOKE ALL ON SCHEMA nls FROM nls_webhook;
    END IF;
END
$$;
