DROP VIEW IF EXISTS nls.event_deliveries;
DROP VIEW IF EXISTS nls.events;
DROP VIEW IF EXISTS nls.event_endpoints;
DROP TRIGGER IF EXISTS events_run_finished ON nls.sync_log;
DROP TRIGGER IF EXISTS events_run_logged ON nls.sync_log;
DROP TRIGGER IF EXISTS events_conflict ON nls.notion_sync_state;
DROP TRIGGER IF EXISTS events_conflict_new ON nls.notion_sync_state;
DROP TRIGGER IF EXISTS events_notion_refused ON nls.integration_notes;
DROP TRIGGER IF EXISTS events_anki_reauth ON nls.anki_accounts;
-- sql/87_events.sql's functions, which name these tables
DROP FUNCTION IF EXISTS nls.add_event_endpoint(text, text, text, text[]), nls.remove_event_endpoint(bigint),
    nls.deliver_events(), nls._claim_event_deliveries(int), nls._collect_pg_net(), nls._event_heads(int),
    nls._event_delivered(bigint, bigint, int, text), nls._emit_event(text, text, jsonb), nls._events_of_run(),
    nls._events_of_conflict(), nls._events_of_reauth();
DROP TABLE nls._event_deliveries;
DROP TABLE nls._events;
DROP TABLE nls._event_endpoints;
