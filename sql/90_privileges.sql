-- Applied last, on every install. The installing role (a superuser: plpython3u is untrusted) owns everything; nothing
-- in nls is usable by PUBLIC; the three nls roles (migration 0006.tenancy) get what their work needs:
--   nls_app   the application: the public functions and the user tables, under forced row-level security;
--   nls_cron  the scheduled sync (pg_cron runs as it): the same, plus the worker procedure and its round queue;
--   nls_admin configuration (set_setting), key rotation, reading every user's rows; also a member of nls_app;
--   nls_webhook the webhook receiver (nls webhooks serve): nls.webhook_receive(), nls.webhook_apply() and nothing else.
-- The only SECURITY DEFINER functions are the ones that must see every user or a secret only the server reads; each
-- sets its search_path and none is executable by PUBLIC:
--   nls._claim_sync_user, nls._finish_sync_user,   the round queue holds every user with an active integration
--   nls._open_round, nls._round_waiting
--   nls._close_stale_runs                          closes the runs of dead backends, whoever's they were
--   nls._backend_alive                             only nls's owner sees when other roles' backends started
--   nls._build_typed_views, nls._build_typed_view  typed views and their schemas are nls's owner's: they build
--                                                  every user's waiting rows, drop the views whose row is gone
--   nls.rotate_encryption_key                      re-encrypts every user's token
--   nls._webhook_users                             the users with webhook events waiting
--   nls.webhook_receive                            verifies a delivery with the decrypted token of its user
--   nls._emit_event, nls._events_of_run,           the events' triggers make an event and its deliveries for the
--   nls._events_of_conflict, nls._events_of_reauth row's user, whoever the session acts for
--   nls.deliver_events, nls._event_heads,          the delivery step signs every user's deliveries with their
--   nls._collect_pg_net, nls._event_delivered,     endpoints' secrets, which only nls's owner reads
--   nls._claim_event_deliveries
--   nls.webhook_apply                              applies the stored events of the user a delivery came for
REVOKE ALL ON SCHEMA nls FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA nls FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA nls FROM PUBLIC;
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA nls FROM PUBLIC;

GRANT USAGE ON SCHEMA nls TO nls_admin, nls_app, nls_cron;

DO $$
DECLARE
    t record;
BEGIN
    -- views read the tables as the one who queries them, so that row-level security applies through them
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'nls' AND c.relkind = 'v' LOOP
        EXECUTE format('ALTER VIEW nls.%I SET (security_invoker = true)', t.relname);
        EXECUTE format('GRANT SELECT ON nls.%I TO nls_app, nls_cron', t.relname);
    END LOOP;
    -- every table holding users' rows (row-level security forced on each: 0006.tenancy)
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'nls' AND c.relkind = 'r' AND c.relrowsecurity AND c.relforcerowsecurity LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON nls.%I TO nls_app, nls_cron', t.relname);
    END LOOP;
    -- a database-wide default: bound parameters (a token passed to add_integration) never reach the server log
    -- (a role that may not set it, as on managed services, leaves it to the DBA: nls install --check says so)
    IF has_parameter_privilege('log_parameter_max_length', 'SET') THEN
        EXECUTE format('ALTER DATABASE %I SET log_parameter_max_length = 0', current_database());
        EXECUTE format('ALTER DATABASE %I SET log_parameter_max_length_on_error = 0', current_database());
    END IF;
END
$$;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA nls TO nls_app, nls_cron;
GRANT SELECT ON nls.settings, nls._python_module TO nls_app, nls_cron;
-- the engine checks on every call that the schema's migrations are the ones it was deployed with (nls.version())
GRANT SELECT ON nls._yoyo_migration TO nls_app, nls_cron;
GRANT UPDATE (value) ON nls.settings TO nls_admin;

GRANT EXECUTE ON ALL ROUTINES IN SCHEMA nls TO nls_app, nls_cron;
-- administration only
REVOKE EXECUTE ON FUNCTION nls.set_setting(text, text), nls.rotate_encryption_key() FROM nls_app, nls_cron;
GRANT EXECUTE ON FUNCTION nls.set_setting(text, text), nls.rotate_encryption_key() TO nls_admin;
-- the scheduled workers only (and the administrator, who may run a round by hand)
REVOKE EXECUTE ON PROCEDURE nls.sync_all_users_notion_databases() FROM nls_app;
REVOKE EXECUTE ON FUNCTION nls._claim_sync_user(timestamptz), nls._finish_sync_user(timestamptz, text, text),
    nls._close_stale_runs(), nls._open_round(), nls._round_waiting() FROM nls_app;
GRANT EXECUTE ON PROCEDURE nls.sync_all_users_notion_databases() TO nls_admin;
GRANT EXECUTE ON FUNCTION nls._claim_sync_user(timestamptz), nls._finish_sync_user(timestamptz, text, text),
    nls._close_stale_runs(), nls._open_round(), nls._round_waiting() TO nls_admin;
-- typed views: a session writes what it asks for under row-level security; only nls._build_typed_views (SECURITY
-- DEFINER) records what was built, and only it builds
REVOKE INSERT, UPDATE ON nls.typed_views FROM nls_app, nls_cron;
GRANT INSERT (user_id, source_id, data_source_id, schema_name, view_name, columns, build_wanted),
      UPDATE (data_source_id, schema_name, view_name, columns, build_wanted, updated_at)
   ON nls.typed_views TO nls_app, nls_cron;
GRANT SELECT ON nls.typed_view_schemas TO nls_app, nls_cron;
-- and only the builder creates a schema for them (create_typed_view checks the name: nls._typed_view_schema_ok)
REVOKE EXECUTE ON FUNCTION nls._build_typed_view(bigint), nls._typed_view_schema(text) FROM nls_app, nls_cron;
-- webhooks: the receiver runs nls.webhook_receive() and nls.webhook_apply() only (SECURITY DEFINER: the verification
-- token is decrypted inside the server); the scheduled job's user list and procedure are the workers' (and the
-- administrator's)
GRANT USAGE ON SCHEMA nls TO nls_webhook;
REVOKE EXECUTE ON FUNCTION nls.webhook_receive(text, bytea, text), nls.webhook_apply(text) FROM nls_app, nls_cron;
GRANT EXECUTE ON FUNCTION nls.webhook_receive(text, bytea, text), nls.webhook_apply(text) TO nls_webhook, nls_admin;
REVOKE EXECUTE ON PROCEDURE nls.apply_all_webhook_events() FROM nls_app;
REVOKE EXECUTE ON FUNCTION nls._save_webhook_event(text, jsonb) FROM nls_app, nls_cron;   -- webhook_receive's only
REVOKE EXECUTE ON FUNCTION nls._webhook_users() FROM nls_app;
GRANT EXECUTE ON PROCEDURE nls.apply_all_webhook_events() TO nls_admin;
GRANT EXECUTE ON FUNCTION nls._webhook_users() TO nls_admin;
-- events: the endpoints' secrets are read by nls's owner only (the delivery step signs inside the server); events
-- and deliveries are made and settled by the SECURITY DEFINER functions only (a session cannot forge one)
REVOKE SELECT ON nls._event_endpoints FROM nls_app, nls_cron;
GRANT SELECT (id, user_id, url, kinds, created_at, updated_at) ON nls._event_endpoints TO nls_app, nls_cron;
REVOKE INSERT, UPDATE, DELETE ON nls._events, nls._event_deliveries FROM nls_app, nls_cron;
REVOKE EXECUTE ON FUNCTION nls._emit_event(text, text, jsonb), nls._events_of_run(), nls._events_of_conflict(),
    nls._events_of_reauth(), nls._event_delivered(bigint, bigint, int, text), nls._event_heads(int),
    nls._collect_pg_net(), nls._claim_event_deliveries(int), nls.deliver_events() FROM nls_app, nls_cron;
GRANT EXECUTE ON FUNCTION nls.deliver_events() TO nls_cron, nls_admin;
