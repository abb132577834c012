-- The worker runtime's privileges, applied after sql/90_privileges.sql. Two roles of its own (created by nls install
-- --runtime worker, LOGIN, neither superuser nor BYPASSRLS):
--   nls_worker   the workers (nls worker): the grants of nls_cron, the calls and the workers' rows; running a call it
--                reaches the rows its caller reaches in the server runtime (nls.scope: a member of nls_admin reads
--                every user's rows, nls's owner and superusers reach them all), else a user's rows acting for that
--                user (row-level security), as the scheduled role does;
--   nls_loopback_<database>  the loopback connection that commits a call at once: it inserts calls and marks them
--                cancelled; its password (random, new with every install) is kept in nls._loopback.
-- nls's owner is no superuser where the worker runtime is used, and row-level security is forced on nls's tables:
-- the owner's SECURITY DEFINER functions (the round, the stale runs, the typed views' builder, ...) read and write
-- every user's rows through a policy of the owner's own.

GRANT nls_cron TO nls_worker;
GRANT USAGE ON SCHEMA nls TO nls_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON nls._workers TO nls_worker;
GRANT SELECT, UPDATE, DELETE ON nls._requests TO nls_worker;
-- what the server runtime's SECURITY DEFINER entry points do as nls's owner, a worker does running their calls
GRANT EXECUTE ON FUNCTION nls._save_webhook_event(text, jsonb) TO nls_worker;
-- the events' deliveries: a worker claims them signed and reports their answers (the secrets stay in the server)
GRANT EXECUTE ON FUNCTION nls._claim_event_deliveries(int), nls._event_delivered(bigint, bigint, int, text),
    nls._event_setting(text) TO nls_worker;

REVOKE EXECUTE ON FUNCTION nls._loopback(text, text[]) FROM nls_app, nls_cron;
REVOKE EXECUTE ON FUNCTION nls._worker_register(text, int, int, text, text), nls._worker_beat(uuid, jsonb),
    nls._worker_stopped(uuid), nls._claim_request(uuid), nls._finish_request(uuid, text, jsonb, jsonb, jsonb),
    nls._act_for_caller(uuid, text, boolean), nls._caller_waits(uuid, int), nls._round_waiting() FROM nls_app, nls_cron;
GRANT EXECUTE ON FUNCTION nls._worker_register(text, int, int, text, text), nls._worker_beat(uuid, jsonb),
    nls._worker_stopped(uuid), nls._claim_request(uuid), nls._finish_request(uuid, text, jsonb, jsonb, jsonb),
    nls._act_for_caller(uuid, text, boolean), nls._caller_waits(uuid, int), nls._round_waiting() TO nls_worker;
-- a call by the webhook receiver goes through the workers too
GRANT EXECUTE ON FUNCTION nls._call(text, jsonb, jsonb), nls._enqueue(uuid, text, jsonb, jsonb, name, timestamptz),
    nls._state_of(uuid), nls._request_state(uuid), nls._answered(text, text, jsonb, jsonb, jsonb, bytea),
    nls._cancel_request(uuid), nls._raise(text, text, text, text), nls._require_worker(text), nls._caller_waits(uuid, int), nls._workers_alive(), nls._caller_scope(name), nls._extension_schema(text),
    nls._dblink_names(name), nls._lock_class(text) TO nls_webhook;
DO $$
DECLARE
    v_role name := (SELECT l.role FROM nls._loopback l);
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA nls TO %I', v_role);
    EXECUTE format('GRANT INSERT ON nls._requests TO %I', v_role);
    EXECUTE format('GRANT SELECT (id, caller_pid, finished_at), UPDATE (cancel_asked_at) ON nls._requests TO %I', v_role);
    EXECUTE format('GRANT EXECUTE ON FUNCTION nls._request_state(uuid) TO %I', v_role);
END
$$;

DO $$
DECLARE
    t record;
    v_owner name := current_user;
    v_super boolean := (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'nls' AND c.relkind = 'r' AND c.relrowsecurity LOOP
        EXECUTE format('DROP POLICY IF EXISTS nls_worker_reads ON nls.%I', t.relname);
        EXECUTE format('CREATE POLICY nls_worker_reads ON nls.%I FOR SELECT TO nls_worker '
                       'USING (current_setting(''nls.scope'', true) IN (''read'', ''all''))', t.relname);
        EXECUTE format('DROP POLICY IF EXISTS nls_worker_rows ON nls.%I', t.relname);
        EXECUTE format('CREATE POLICY nls_worker_rows ON nls.%I TO nls_worker '
                       'USING (current_setting(''nls.scope'', true) = ''all'') '
                       'WITH CHECK (current_setting(''nls.scope'', true) = ''all'')', t.relname);
        EXECUTE format('DROP POLICY IF EXISTS nls_owner_rows ON nls.%I', t.relname);
        IF NOT v_super THEN
            EXECUTE format('CREATE POLICY nls_owner_rows ON nls.%I TO %I USING (true) WITH CHECK (true)', t.relname,
                           v_owner);
        END IF;
    END LOOP;
END
$$;
