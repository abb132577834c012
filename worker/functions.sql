-- The worker runtime's entry points: the same public functions as plpython/functions.sql, with the same arguments,
-- answers and errors, for a database where PL/Python is not allowed. Each body hands its call to an `nls worker`
-- (nls._call): the request is committed at once through a loopback dblink connection (so that a worker sees it
-- while the caller waits), a worker runs the engine and answers, and the caller's statement returns the answer or
-- raises the worker's error with its SQLSTATE, message, detail and hint. A cancel or statement_timeout acts on the
-- waiting statement as on any other, and the worker stops the run. No object here needs PL/Python.

-- ---- the loopback and the extensions it uses (found where the provider installed them) ---------------------------
CREATE OR REPLACE FUNCTION nls._extension_schema(p_name text) RETURNS name
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = p_name
$$;
COMMENT ON FUNCTION nls._extension_schema(text) IS
'Internal (worker runtime): the schema an extension (dblink, pgcrypto) is installed in, or NULL.';

CREATE OR REPLACE FUNCTION nls._loopback(p_sql text, p_args text[] DEFAULT '{}') RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_conninfo text := (SELECT l.conninfo FROM nls._loopback l);
    v_dblink name := nls._extension_schema('dblink');
BEGIN
    IF v_conninfo IS NULL OR v_dblink IS NULL THEN
        RAISE EXCEPTION 'nls: the worker runtime''s loopback connection is not set up in database %', current_database()
              USING ERRCODE = '55000', HINT = 'Run nls install --dsn ... --runtime worker again.';
    END IF;
    EXECUTE format('SELECT %I.dblink_exec($1, $2)', v_dblink)
      USING v_conninfo || ' dbname=' || quote_literal(current_database()), format(p_sql, VARIADIC p_args);
END
$$;
COMMENT ON FUNCTION nls._loopback(text, text[]) IS
'Internal (worker runtime): runs one statement (format(p_sql, VARIADIC p_args): the arguments quoted with %L) in a
connection of its own as the database''s loopback role (dblink; nls._loopback), so that it commits at once,
whatever the calling transaction does next. Executable by nls''s owner only (the SECURITY DEFINER functions that ask
and cancel calls). Raises 55000 when the loopback is not set up.';

CREATE OR REPLACE FUNCTION nls._require_worker(p_what text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF nls._workers_alive() = 0 THEN
        RAISE EXCEPTION 'nls: no nls worker is running for database %: % needs one', current_database(), p_what
              USING ERRCODE = '55000',
                    HINT = 'Start one beside the server: nls worker --dsn ''dbname=' || current_database()
                           || ' user=nls_worker ...'' (docs/managed.md); SELECT * FROM nls.workers shows them.';
    END IF;
END
$$;
COMMENT ON FUNCTION nls._require_worker(text) IS
'Internal (worker runtime): raises 55000, saying how to start one, when no nls worker beats (p_what: what needs one).';

CREATE OR REPLACE FUNCTION nls._round_left(p_round timestamptz) RETURNS int
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT count(*)::int FROM nls.sync_rounds r WHERE r.round = p_round AND r.finished_at IS NULL
$$;
COMMENT ON FUNCTION nls._round_left(timestamptz) IS
'Internal (worker runtime): how many users of a round are not finished yet.';

CREATE OR REPLACE FUNCTION nls._workers_alive() RETURNS int
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT count(*)::int FROM nls._workers w
     WHERE w.stopping_at IS NULL AND w.last_seen_at > clock_timestamp() - 3 * w.heartbeat_s * interval '1 second'
$$;
COMMENT ON FUNCTION nls._workers_alive() IS
'Internal (worker runtime): how many nls workers have beaten their heartbeat lately (within three beats).';

-- ---- a call: asked, waited for, answered ------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls._enqueue(p_id uuid, p_kind text, p_args jsonb, p_secret jsonb, p_invoker name,
                                        p_started timestamptz, OUT id uuid, OUT key bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_crypto name := nls._extension_schema('pgcrypto');
    v_role name := CASE WHEN pg_has_role(session_user, p_invoker, 'MEMBER') THEN p_invoker ELSE session_user END;
    v_iv bytea;
    v_secret bytea;
BEGIN
    PERFORM nls._require_worker(p_kind);
    id := p_id;
    IF NOT nls._caller_waits(id, pg_backend_pid()) THEN
        RAISE EXCEPTION 'nls: a call is asked for by the backend that holds its lock (nls._call)' USING ERRCODE = '42501';
    END IF;
    EXECUTE format('SELECT %1$I.gen_random_bytes(32), %1$I.gen_random_bytes(16)', v_crypto) INTO key, v_iv;
    IF p_secret IS NOT NULL THEN
        EXECUTE format('SELECT %I.encrypt_iv(convert_to($1, ''UTF8''), $2, $3, ''aes-cbc/pad:pkcs'')', v_crypto)
          INTO v_secret USING p_secret::text, key, v_iv;
    END IF;
    PERFORM nls._loopback(
        'INSERT INTO nls._requests (id, kind, args, secret, secret_iv, acting_user, scope, caller_role, '
        'caller_pid, caller_started) VALUES (%L, %L, %L, %L, %L, nullif(%L, ''''), %L, %L, %L, %L); '
        'NOTIFY nls_requests, %L',
        ARRAY[id::text, p_kind, p_args::text, v_secret::text, v_iv::text,
              coalesce(current_setting('nls.user_id', true), ''), nls._caller_scope(v_role), v_role,
              pg_backend_pid()::text, p_started::text, id::text || ' key ' || encode(key, 'hex')]);
END
$$;
COMMENT ON FUNCTION nls._enqueue(uuid, text, jsonb, jsonb, name, timestamptz) IS
'Internal (worker runtime): asks the nls workers for a call: _enqueue(id, kind, args, secret, invoker, started)
returns (id, key); the calling backend holds the call''s advisory lock (nls._caller_waits), else 42501. The request (nls._requests) commits at once (nls._loopback) with the caller''s role (invoker: the calling
role, when the session''s user may be it), the user it acts for (nls.user_id) and its backend (pid, and started: its
start); secret (a token or password, as jsonb) is encrypted under a one-time key that only
the notification to the listening workers carries, never stored. Raises 55000 when no worker is alive.';

CREATE OR REPLACE FUNCTION nls._caller_scope(p_role name) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r WHERE r.rolname = p_role), false)
                     OR p_role = (SELECT pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE n.nspname = 'nls')
                THEN 'all'
                WHEN pg_has_role(p_role, 'nls_admin', 'MEMBER') THEN 'read'
                ELSE '' END
$$;
COMMENT ON FUNCTION nls._caller_scope(name) IS
'Internal (worker runtime): which users'' rows a role reaches past row-level security in the server runtime, and so
which a worker reaches running its calls (nls.scope): all (a superuser, a BYPASSRLS role, nls''s owner: every row),
read (a member of nls_admin: reads every user''s rows, writes a user''s acting for the user), or '''' (the rows of
the user it acts for).';

CREATE OR REPLACE FUNCTION nls._request_state(p_id uuid, OUT status text, OUT result jsonb, OUT error jsonb,
                                              OUT messages jsonb, OUT worker_alive boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.status, r.result, r.error, r.messages,
           r.claimed_by IS NULL OR EXISTS (SELECT 1 FROM nls._workers w WHERE w.id = r.claimed_by
               AND w.last_seen_at > clock_timestamp() - 3 * w.heartbeat_s * interval '1 second')
      FROM nls._requests r WHERE r.id = p_id
$$;
COMMENT ON FUNCTION nls._request_state(uuid) IS
'Internal (worker runtime): where a call stands (its id, random, is what lets a caller read it): (status queued, running, done, failed or
cancelled; result; error {sqlstate, message, detail, hint}; messages [[level, text]]; worker_alive: whether the
worker that took it still beats).';

CREATE OR REPLACE FUNCTION nls._call(p_kind text, p_args jsonb, p_secret jsonb DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    q record;
    s record;
    v_id uuid;
    v_wait float8 := 0.005;
    v_since timestamptz := clock_timestamp();
BEGIN
    -- while it waits, the caller holds the call's lock: a worker runs a call only for the backend that holds it
    -- (nobody can ask in another backend's name), and stops it when it is gone
    v_id := gen_random_uuid();
    PERFORM pg_advisory_xact_lock_shared(nls._lock_class('call'), hashtext(v_id::text));
    -- a session sees its own backend's start (a SECURITY DEFINER function of a non-superuser may not)
    q := nls._enqueue(v_id, p_kind, p_args, p_secret, current_user,
                      (SELECT a.backend_start FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()));
    BEGIN
        LOOP
            s := nls._state_of(q.id);
            EXIT WHEN s.status IN ('done', 'failed', 'cancelled');
            IF NOT s.worker_alive OR (s.status = 'queued' AND (nls._workers_alive() = 0
                                                             OR clock_timestamp() - v_since > interval '60 seconds')) THEN
                RAISE EXCEPTION 'nls: no nls worker % the call % of database %',
                      CASE WHEN s.status = 'queued' THEN 'took' ELSE 'finished' END, p_kind, current_database()
                      USING ERRCODE = '57P05', HINT = 'SELECT * FROM nls.workers shows which workers beat; start one '
                                                    || 'with nls worker --dsn ... and call again.';
            END IF;
            PERFORM pg_sleep(v_wait);
            v_wait := least(v_wait * 1.5, 0.2);
        END LOOP;
    EXCEPTION WHEN query_canceled THEN
        PERFORM nls._cancel_request(q.id);
        RAISE;
    END;
    RETURN nls._answered(p_kind, s.status, s.result, s.error, s.messages, q.key);
END
$$;
COMMENT ON FUNCTION nls._call(text, jsonb, jsonb) IS
'Internal (worker runtime): one call of an entry point through the workers: _call(kind, args, secret) asks
(nls._enqueue), waits (pg_sleep, 5 ms growing to 0.2 s: a cancel or statement_timeout acts on it as on any
statement, and the worker is told to stop the run), and returns the answer (jsonb) or raises the worker''s error
with its SQLSTATE, message, detail and hint. Raises 57P05 when no worker takes the call (every worker stopped, or
none took it within a minute) or the worker that took it stops beating.';

CREATE OR REPLACE FUNCTION nls._answered(p_kind text, p_status text, p_result jsonb, p_error jsonb,
                                         p_messages jsonb, p_key bytea) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m jsonb;
    v_text text;
BEGIN
    FOR m IN SELECT jsonb_array_elements(coalesce(p_messages, '[]')) LOOP
        IF m ->> 0 = 'warning' THEN RAISE WARNING '%', m ->> 1; ELSE RAISE NOTICE '%', m ->> 1; END IF;
    END LOOP;
    IF p_status = 'failed' OR p_status = 'cancelled' THEN
        PERFORM nls._raise(coalesce(p_error ->> 'sqlstate', 'XX000'),
                           coalesce(p_error ->> 'message', 'nls: the call ' || p_kind || ' failed'),
                           p_error ->> 'detail', p_error ->> 'hint');
    END IF;
    IF jsonb_typeof(p_result) = 'object' AND p_result ? 'ciphertext' AND p_result ? 'iv' THEN
        EXECUTE format('SELECT convert_from(%I.decrypt_iv(decode($1, ''hex''), $2, decode($3, ''hex''), '
                       '''aes-cbc/pad:pkcs''), ''UTF8'')', nls._extension_schema('pgcrypto'))
          INTO v_text USING p_result ->> 'ciphertext', p_key, p_result ->> 'iv';
        RETURN to_jsonb(v_text);
    END IF;
    RETURN p_result;
END
$$;
COMMENT ON FUNCTION nls._answered(text, text, jsonb, jsonb, jsonb, bytea) IS
'Internal (worker runtime): a call''s answer as its caller gets it: the worker''s warnings and notices raised again,
its error raised with its SQLSTATE, message, detail and hint, a secret answer decrypted with the call''s one-time
key; else the result (jsonb).';

CREATE OR REPLACE FUNCTION nls._raise(p_sqlstate text, p_message text, p_detail text, p_hint text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_detail IS NOT NULL AND p_hint IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, DETAIL = p_detail, HINT = p_hint;
    ELSIF p_detail IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, DETAIL = p_detail;
    ELSIF p_hint IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message, HINT = p_hint;
    END IF;
    RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message;
END
$$;
COMMENT ON FUNCTION nls._raise(text, text, text, text) IS
'Internal (worker runtime): raises an error as a worker answered it: SQLSTATE, message, and detail and hint when given.';

CREATE OR REPLACE FUNCTION nls._cancel_request(p_id uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM nls._loopback('UPDATE nls._requests SET cancel_asked_at = clock_timestamp() WHERE id = %L '
                          'AND caller_pid = %L AND finished_at IS NULL; NOTIFY nls_requests, %L',
                          ARRAY[p_id::text, pg_backend_pid()::text, p_id::text || ' cancel']);
END
$$;
COMMENT ON FUNCTION nls._cancel_request(uuid) IS
'Internal (worker runtime): the caller of a call gave up (a cancel or statement_timeout): the worker running it is
told at once (a notification) and stops the run at its next wait, closing its sync_log row as cancelled.';

CREATE OR REPLACE FUNCTION nls._state_of(p_id uuid, OUT status text, OUT result jsonb, OUT error jsonb,
                                        OUT messages jsonb, OUT worker_alive boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_dblink name;
BEGIN
    IF current_setting('transaction_isolation') = 'read committed' THEN
        SELECT * INTO status, result, error, messages, worker_alive FROM nls._request_state(p_id);
        RETURN;
    END IF;
    -- a snapshot taken before the worker answered never sees the answer: read it in a session of its own
    v_dblink := nls._extension_schema('dblink');
    IF NOT coalesce('nls_loopback' = ANY (nls._dblink_names(v_dblink)), false) THEN
        EXECUTE format('SELECT %I.dblink_connect(''nls_loopback'', $1)', v_dblink)
          USING (SELECT l.conninfo FROM nls._loopback l) || ' dbname=' || quote_literal(current_database());
    END IF;
    EXECUTE format('SELECT * FROM %I.dblink(''nls_loopback'', $1) AS t(status text, result jsonb, error jsonb, '
                   'messages jsonb, worker_alive boolean)', v_dblink)
      INTO status, result, error, messages, worker_alive
      USING format('SELECT * FROM nls._request_state(%L)', p_id);
END
$$;
COMMENT ON FUNCTION nls._state_of(uuid) IS
'Internal (worker runtime): nls._request_state as the caller can see it: in its own snapshot under READ COMMITTED,
else (a repeatable read or serializable transaction, whose snapshot predates the answer) through the loopback.';

CREATE OR REPLACE FUNCTION nls._dblink_names(p_schema name) RETURNS text[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text[];
BEGIN
    EXECUTE format('SELECT %I.dblink_get_connections()', p_schema) INTO v;
    RETURN v;
END
$$;
COMMENT ON FUNCTION nls._dblink_names(name) IS
'Internal (worker runtime): the names of this session''s open dblink connections.';

-- ---- the public functions (the same signatures as plpython/functions.sql; their COMMENTs are shared) -------------
CREATE OR REPLACE FUNCTION nls.engine_status() RETURNS jsonb
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT nls._call('engine_status', '{}') $$;

CREATE OR REPLACE FUNCTION nls.add_integration(user_id text, access_token text, workspace_id text DEFAULT NULL,
                                               workspace_name text DEFAULT NULL, workspace_icon text DEFAULT NULL,
                                               bot_id text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (nls._call('add_integration', jsonb_build_object('user_id', user_id, 'workspace_id', workspace_id,
                                                            'workspace_name', workspace_name,
                                                            'workspace_icon', workspace_icon, 'bot_id', bot_id),
                      jsonb_build_object('access_token', access_token)))::bigint
$$;

CREATE OR REPLACE FUNCTION nls.sync_notion(database_id text DEFAULT NULL, database_name text DEFAULT NULL,
                                           user_id text DEFAULT NULL, full_sync boolean DEFAULT false)
RETURNS jsonb
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    SELECT nls._call('sync_notion', jsonb_build_object('database_id', database_id, 'database_name', database_name,
                                                       'user_id', user_id, 'full_sync', full_sync))
$$;

CREATE OR REPLACE FUNCTION nls.push_notion(user_id text DEFAULT NULL, dry_run boolean DEFAULT false)
RETURNS jsonb
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT nls._call('push_notion', jsonb_build_object('user_id', user_id, 'dry_run', dry_run)) $$;

CREATE OR REPLACE PROCEDURE nls.sync_all_users_notion_databases()
LANGUAGE plpgsql
AS $$
DECLARE
    v_round timestamptz;
BEGIN
    -- a procedure that commits carries no SET search_path: every name is qualified
    PERFORM nls._require_worker('the schedule''s round');
    v_round := nls._open_round();
    PERFORM pg_catalog.pg_notify('nls_work', 'round');
    COMMIT;   -- the round is the workers' to run once it is committed
    WHILE nls._round_left(v_round) > 0 LOOP
        PERFORM nls._require_worker('the schedule''s round');
        PERFORM pg_catalog.pg_sleep(0.2);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION nls.rotate_encryption_key() RETURNS jsonb
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT nls._call('rotate_encryption_key', '{}') $$;

CREATE OR REPLACE FUNCTION nls.discover(user_id text, add boolean DEFAULT false)
RETURNS TABLE (database_id text, data_source_id text, name text, target text, source_id bigint, added boolean)
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM jsonb_to_recordset(nls._call('discover', jsonb_build_object('user_id', user_id, 'add', add)))
        AS d(database_id text, data_source_id text, name text, target text, source_id bigint, added boolean)
$$;

CREATE OR REPLACE FUNCTION nls.add_anki_account(user_id text, username text, password text,
                                                endpoint text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (nls._call('add_anki_account', jsonb_build_object('user_id', user_id, 'username', username,
                                                             'endpoint', endpoint),
                      jsonb_build_object('password', password)))::bigint
$$;

CREATE OR REPLACE FUNCTION nls.anki_sync(user_id text)
RETURNS jsonb
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT nls._call('anki_sync', jsonb_build_object('user_id', user_id)) $$;

CREATE OR REPLACE FUNCTION nls.create_typed_view(database_id text DEFAULT NULL, view_name text DEFAULT NULL,
                                                 schema_name text DEFAULT 'notion', user_id text DEFAULT NULL)
RETURNS TABLE (view text, database_id text, data_source_id text, columns int)
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM jsonb_to_recordset(nls._call('create_typed_view', jsonb_build_object(
        'database_id', database_id, 'view_name', view_name, 'schema_name', schema_name, 'user_id', user_id)))
        AS v(view text, database_id text, data_source_id text, columns int)
$$;

CREATE OR REPLACE FUNCTION nls.typed_select(source_id bigint, data_source_id text, OUT columns jsonb, OUT query text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (a ->> 'columns')::jsonb, a ->> 'query'
      FROM nls._call('typed_select', jsonb_build_object('source_id', source_id, 'data_source_id', data_source_id)) a
$$;

CREATE OR REPLACE FUNCTION nls.webhook_receive(path text, body bytea, signature text DEFAULT NULL) RETURNS int
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (nls._call('webhook_receive', jsonb_build_object('path', path, 'body', encode(body, 'base64'),
                                                            'signature', signature)))::int
$$;

-- a worker applies a stored event at once: nls._save_webhook_event's NOTIFY nls_work wakes the workers
CREATE OR REPLACE FUNCTION nls.webhook_apply(path text) RETURNS jsonb
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT jsonb_build_object('success', true, 'results', '[]'::jsonb, 'applied_by', 'worker') $$;

CREATE OR REPLACE FUNCTION nls.webhook_verification_token(user_id text) RETURNS text
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT nls._call('webhook_verification_token', jsonb_build_object('user_id', user_id)) #>> '{}' $$;

CREATE OR REPLACE FUNCTION nls.apply_webhook_events(user_id text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT nls._call('apply_webhook_events', jsonb_build_object('user_id', user_id)) $$;

CREATE OR REPLACE PROCEDURE nls.apply_all_webhook_events()
LANGUAGE plpgsql
AS $$
BEGIN
    -- a worker applies them (and looks for them on its own every second)
    PERFORM nls._call('apply_all_webhook_events', '{}'::jsonb);
END
$$;

-- ---- what the workers use: registering, beating, claiming and answering calls, the rounds ------------------------
CREATE OR REPLACE FUNCTION nls._worker_register(p_host text, p_pid int, p_concurrency int, p_release text,
                                                p_engine text, OUT id uuid, OUT heartbeat_s float8)
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO nls._workers (host, pid, concurrency, release, engine, heartbeat_s)
    VALUES (p_host, p_pid, p_concurrency, p_release, p_engine,
            coalesce((SELECT s.value::float8 FROM nls.settings s WHERE s.name = 'worker_heartbeat_s'), 5))
    RETURNING id, heartbeat_s
$$;
COMMENT ON FUNCTION nls._worker_register(text, int, int, text, text) IS
'Internal (worker runtime): a worker starting: its row of nls._workers (host, pid, slots, release, engine hash);
returns (id, heartbeat_s).';

CREATE OR REPLACE FUNCTION nls._worker_beat(p_worker uuid, p_running jsonb) RETURNS SETOF uuid
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE nls._workers SET last_seen_at = clock_timestamp(), running = p_running WHERE id = p_worker;
    -- calls of workers that stopped beating are answered for them; calls whose caller is gone are to stop
    UPDATE nls._requests r
       SET status = 'failed', finished_at = clock_timestamp(),
           error = jsonb_build_object('sqlstate', '57P05', 'message',
                   'nls: the worker running this call stopped before it finished', 'hint', 'Call again.')
     WHERE r.status = 'running' AND NOT EXISTS (SELECT 1 FROM nls._workers w WHERE w.id = r.claimed_by
               AND w.last_seen_at > clock_timestamp() - 3 * w.heartbeat_s * interval '1 second');
    UPDATE nls._requests r
       SET status = 'failed', finished_at = clock_timestamp(),
           error = jsonb_build_object('sqlstate', '57P01', 'message', 'nls: the backend of the worker running this '
                   'call ended before it finished (terminated, or the server restarted)', 'hint', 'Call again.')
     WHERE r.status = 'running' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.claimed_pid);
    DELETE FROM nls._requests WHERE finished_at < clock_timestamp() - interval '1 day';
    DELETE FROM nls._workers WHERE last_seen_at < clock_timestamp() - interval '1 day';
    RETURN QUERY SELECT r.id FROM nls._requests r
                  WHERE r.claimed_by = p_worker AND r.status = 'running'
                    AND (r.cancel_asked_at IS NOT NULL OR NOT nls._caller_waits(r.id, r.caller_pid));
END
$$;
COMMENT ON FUNCTION nls._worker_beat(uuid, jsonb) IS
'Internal (worker runtime): a worker''s heartbeat (running: what its slots run now). Fails the calls of workers that
stopped beating or whose backend ended, forgets finished calls after a day, and returns the ids of this worker''s calls to stop (their
caller cancelled or is gone).';

CREATE OR REPLACE FUNCTION nls._worker_stopped(p_worker uuid) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE nls._workers SET stopping_at = clock_timestamp(), running = '[]' WHERE id = p_worker
$$;
COMMENT ON FUNCTION nls._worker_stopped(uuid) IS 'Internal (worker runtime): a worker stopped (SIGTERM).';

CREATE OR REPLACE FUNCTION nls._claim_request(p_worker uuid) RETURNS SETOF nls._requests
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE nls._requests r SET status = 'running', claimed_by = p_worker, claimed_pid = pg_backend_pid(),
                               claimed_at = clock_timestamp()
     WHERE r.id = (SELECT q.id FROM nls._requests q WHERE q.status = 'queued' AND q.cancel_asked_at IS NULL
                    ORDER BY q.requested_at FOR UPDATE SKIP LOCKED LIMIT 1)
    RETURNING r.*
$$;
COMMENT ON FUNCTION nls._claim_request(uuid) IS
'Internal (worker runtime): the oldest call nobody runs, now this worker''s (FOR UPDATE SKIP LOCKED: each call is
run once, however many workers look).';

CREATE OR REPLACE FUNCTION nls._finish_request(p_id uuid, p_status text, p_result jsonb, p_error jsonb,
                                               p_messages jsonb) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE nls._requests SET status = p_status, result = p_result, error = p_error, messages = p_messages,
                             finished_at = clock_timestamp(), secret = NULL
     WHERE id = p_id
$$;
COMMENT ON FUNCTION nls._finish_request(uuid, text, jsonb, jsonb, jsonb) IS
'Internal (worker runtime): a call answered (done with its result, or failed or cancelled with its error); its
encrypted secret is dropped.';

CREATE OR REPLACE FUNCTION nls._caller_waits(p_id uuid, p_pid int) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.pid = p_pid AND l.granted AND l.database = (
                          SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                      AND l.classid::int = nls._lock_class('call') AND l.objid::int = hashtext(p_id::text)
                      AND l.objsubid = 2)
$$;
COMMENT ON FUNCTION nls._caller_waits(uuid, int) IS
'Internal (worker runtime): whether the backend p_pid still waits for the call p_id: it holds the call''s advisory
lock (nls._call takes it), which no other backend can hold for it.';

CREATE OR REPLACE FUNCTION nls._act_for_caller(p_id uuid, p_function text, p_every_user boolean) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r nls._requests;
    v_session name;
BEGIN
    SELECT * INTO r FROM nls._requests WHERE id = p_id;
    SELECT a.usename INTO v_session FROM pg_stat_activity a
     WHERE a.pid = r.caller_pid AND nls._caller_waits(p_id, r.caller_pid);
    IF v_session IS NULL OR NOT pg_has_role(v_session, r.caller_role, 'MEMBER')
       OR NOT has_function_privilege(r.caller_role, p_function, 'EXECUTE') THEN
        RAISE EXCEPTION 'nls: the call % is refused: its caller is gone or may not run %', r.kind, p_function
              USING ERRCODE = '42501';
    END IF;
    PERFORM set_config('nls.user_id', coalesce(r.acting_user, ''), false),
            set_config('nls.scope', CASE WHEN p_every_user THEN 'all' ELSE r.scope END, false);
END
$$;
COMMENT ON FUNCTION nls._act_for_caller(uuid, text, boolean) IS
'Internal (worker runtime): before a worker runs a call: checks its caller (the backend still there, its session''s
role a member of the role it called as, which may run p_function), then acts as the caller did: nls.user_id as the
caller had it, and nls.scope as the caller''s role reaches (nls._caller_scope; all when the function runs as nls''s
owner in the server runtime, p_every_user). Raises 42501 otherwise.';
