-- Events out (docs/events.md): what happened for a user, made by triggers in the transaction that did it (a rolled
-- back run makes none), told on the NOTIFY channel nls_events, and delivered to the user's endpoints as signed
-- webhooks: through pg_net (nls.deliver_events, run by the scheduled job) where it is installed, by the nls workers
-- in the worker runtime (nls._claim_event_deliveries, nls._event_delivered). A sync only inserts rows: no delivery
-- runs inside its statements.

CREATE OR REPLACE FUNCTION nls.event_kinds() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT ARRAY['run.finished', 'conflict.appeared', 'conflict.resolved', 'integration.needs_reauth',
                   'anki.reviews_pulled'] $$;
COMMENT ON FUNCTION nls.event_kinds() IS
'The kinds of event nls makes (text[]): run.finished (a row of nls.sync_log ended: its id, type, status, source and
counts), conflict.appeared and conflict.resolved (a two-way conflict of nls.push_conflicts: the sync state id, the
source, the page and the local row), integration.needs_reauth (Notion refused the token, or Anki the login: the
integration), anki.reviews_pulled (an Anki pull read reviews: the sync_log id and how many notes). Raises nothing.';

-- ---- the signature: HMAC-SHA256 (RFC 2104) on PostgreSQL's own sha256(), no extension needed --------------------
CREATE OR REPLACE FUNCTION nls._hmac_sha256(p_key bytea, p_message bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key bytea := CASE WHEN length(p_key) > 64 THEN sha256(p_key) ELSE p_key END;
    v_inner bytea;
    v_outer bytea;
BEGIN
    v_key := v_key || decode(repeat('00', 64 - length(v_key)), 'hex');
    v_inner := v_key;
    v_outer := v_key;
    FOR i IN 0..63 LOOP
        v_inner := set_byte(v_inner, i, get_byte(v_key, i) # 54);    -- 0x36
        v_outer := set_byte(v_outer, i, get_byte(v_key, i) # 92);    -- 0x5c
    END LOOP;
    RETURN sha256(v_outer || sha256(v_inner || p_message));
END
$$;
COMMENT ON FUNCTION nls._hmac_sha256(bytea, bytea) IS
'Internal: HMAC-SHA256 of p_message under p_key (bytea, 32 bytes), on PostgreSQL''s sha256().';

CREATE OR REPLACE FUNCTION nls._event_signature(p_secret text, p_timestamp bigint, p_body text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'sha256=' || encode(nls._hmac_sha256(convert_to(p_secret, 'UTF8'),
                                                convert_to(p_timestamp::text || '.' || p_body, 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION nls._event_signature(text, bigint, text) IS
'Internal: the X-Nls-Signature header of a delivery: ''sha256='' and the hex HMAC-SHA256, under the endpoint''s
secret, of "<timestamp>.<raw body>" (the timestamp in unix seconds, as X-Nls-Timestamp says).';

CREATE OR REPLACE FUNCTION nls._event_transport() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN to_regprocedure('nls._claim_request(uuid)') IS NOT NULL THEN 'worker'
                WHEN to_regprocedure('net.http_post(text, jsonb, jsonb, jsonb, integer)') IS NOT NULL THEN 'pg_net'
                ELSE 'none' END
$$;
COMMENT ON FUNCTION nls._event_transport() IS
'Internal: who sends the events'' HTTP deliveries in this database: worker (the worker runtime: the nls workers),
pg_net (the extension is installed: nls.deliver_events), none (NOTIFY only: deliveries stay pending).';

-- ---- making an event ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls._emit_event(p_user text, p_kind text, p_data jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
    v_payload jsonb;
BEGIN
    v_id := nextval(pg_get_serial_sequence('nls._events', 'id'));
    v_payload := jsonb_build_object('id', v_id, 'kind', p_kind, 'time', clock_timestamp(), 'user_id', p_user,
                                    'data', coalesce(p_data, '{}'));
    INSERT INTO nls._events (id, user_id, kind, payload) OVERRIDING SYSTEM VALUE
    VALUES (v_id, p_user, p_kind, v_payload);
    INSERT INTO nls._event_deliveries (endpoint_id, event_id, user_id)
    SELECT p.id, v_id, p_user FROM nls._event_endpoints p WHERE p.user_id = p_user AND p_kind = ANY (p.kinds);
    -- every role that may connect may LISTEN (PostgreSQL has no privilege on it): the channel names the event only
    PERFORM pg_notify('nls_events', (v_payload - 'data')::text);
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION nls._emit_event(text, text, jsonb) IS
'Internal (the events'' triggers): makes event p_kind of user p_user with p_data (ids and counts), one delivery per
endpoint of that user taking the kind, and NOTIFY nls_events with the event''s id, kind, time and user (its data is read from nls.events).
Runs as its owner: a trigger may fire in a session acting for nobody (a stale run closed by the schedule).';

CREATE OR REPLACE FUNCTION nls._events_of_run() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_reviewed int := CASE WHEN NEW.details ->> 'reviewed' ~ '^\d{1,9}$' THEN (NEW.details ->> 'reviewed')::int END;
BEGIN
    PERFORM nls._emit_event(NEW.user_id, 'run.finished', jsonb_build_object(
        'sync_log_id', NEW.id, 'sync_type', NEW.sync_type, 'status', NEW.status, 'source_id', NEW.source_id,
        'started_at', NEW.started_at, 'completed_at', NEW.completed_at, 'error_code', NEW.error_code,
        'counts', jsonb_build_object('processed', NEW.items_processed, 'added', NEW.items_added,
                                     'updated', NEW.items_updated, 'removed', NEW.items_removed)));
    IF NEW.sync_type = 'anki_pull' AND v_reviewed > 0 THEN
        PERFORM nls._emit_event(NEW.user_id, 'anki.reviews_pulled',
                                jsonb_build_object('sync_log_id', NEW.id, 'notes_reviewed', v_reviewed));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION nls._events_of_run() IS
'Internal (triggers on nls.sync_log): a run that ends (its status leaves running) makes run.finished, and an Anki pull
that read reviews anki.reviews_pulled.';

CREATE OR REPLACE FUNCTION nls._events_of_conflict() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM nls._emit_event(NEW.user_id,
                            CASE WHEN NEW.status = 'conflict' THEN 'conflict.appeared' ELSE 'conflict.resolved' END,
                            jsonb_build_object('sync_state_id', NEW.id, 'source_id', NEW.source_id,
                                               'notion_page_id', NEW.notion_page_id, 'local_table', NEW.local_table,
                                               'local_id', NEW.local_id, 'status', NEW.status));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION nls._events_of_conflict() IS
'Internal (triggers on nls.notion_sync_state): an object entering two-way conflict makes conflict.appeared, leaving it
conflict.resolved.';

CREATE OR REPLACE FUNCTION nls._events_of_reauth() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM nls._emit_event(NEW.user_id, 'integration.needs_reauth', jsonb_build_object(
        'integration', TG_ARGV[0],
        'integration_id', CASE WHEN TG_ARGV[0] = 'notion' THEN to_jsonb(NEW) -> 'integration_id' END));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION nls._events_of_reauth() IS
'Internal (triggers on nls.integration_notes and nls.anki_accounts): Notion refusing a token, or an Anki account
becoming needs_reauth, makes integration.needs_reauth.';

DROP TRIGGER IF EXISTS events_run_finished ON nls.sync_log;
CREATE TRIGGER events_run_finished AFTER UPDATE OF status ON nls.sync_log FOR EACH ROW
    WHEN (OLD.status = 'running' AND NEW.status IS DISTINCT FROM 'running' AND NEW.user_id IS NOT NULL)
    EXECUTE FUNCTION nls._events_of_run();
DROP TRIGGER IF EXISTS events_run_logged ON nls.sync_log;
CREATE TRIGGER events_run_logged AFTER INSERT ON nls.sync_log FOR EACH ROW
    WHEN (NEW.status IS DISTINCT FROM 'running' AND NEW.user_id IS NOT NULL)
    EXECUTE FUNCTION nls._events_of_run();
DROP TRIGGER IF EXISTS events_conflict ON nls.notion_sync_state;
CREATE TRIGGER events_conflict AFTER UPDATE OF status ON nls.notion_sync_state FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status AND 'conflict' IN (OLD.status, NEW.status))
    EXECUTE FUNCTION nls._events_of_conflict();
DROP TRIGGER IF EXISTS events_conflict_new ON nls.notion_sync_state;
CREATE TRIGGER events_conflict_new AFTER INSERT ON nls.notion_sync_state FOR EACH ROW
    WHEN (NEW.status = 'conflict')
    EXECUTE FUNCTION nls._events_of_conflict();
DROP TRIGGER IF EXISTS events_notion_refused ON nls.integration_notes;
CREATE TRIGGER events_notion_refused AFTER INSERT ON nls.integration_notes FOR EACH ROW
    WHEN (NEW.refused_nonce IS NOT NULL)
    EXECUTE FUNCTION nls._events_of_reauth('notion');
DROP TRIGGER IF EXISTS events_anki_reauth ON nls.anki_accounts;
CREATE TRIGGER events_anki_reauth AFTER UPDATE OF status ON nls.anki_accounts FOR EACH ROW
    WHEN (NEW.status = 'needs_reauth' AND OLD.status IS DISTINCT FROM 'needs_reauth')
    EXECUTE FUNCTION nls._events_of_reauth('anki');

-- ---- endpoints -----------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls.add_event_endpoint(user_id text, url text, secret text, kinds text[] DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user text := nls._require(add_event_endpoint.user_id, 'user_id', 'add_event_endpoint');
    v_url text := btrim(nls._require(add_event_endpoint.url, 'url', 'add_event_endpoint'));
    v_secret text := nls._require(add_event_endpoint.secret, 'secret', 'add_event_endpoint');
    v_kinds text[] := coalesce(add_event_endpoint.kinds, nls.event_kinds());
    v_id bigint;
BEGIN
    IF v_url !~* '^https?://[^/\s?#@]+(/\S*)?$' THEN   -- the URL is not echoed: it may carry a credential
        RAISE EXCEPTION 'nls: add_event_endpoint needs an http:// or https:// URL without user:password@ (argument url)'
              USING ERRCODE = '22023',
                    HINT = 'Give the full URL the deliveries are POSTed to, e.g. https://app.example/nls-events; '
                           'the secret signs each delivery, so the URL needs no credential.';
    END IF;
    IF btrim(v_secret) = '' THEN
        RAISE EXCEPTION 'nls: add_event_endpoint needs a secret (argument secret), not an empty text'
              USING ERRCODE = '22023',
                    HINT = 'Give the secret the receiver checks X-Nls-Signature with (at least 32 random bytes, '
                           'e.g. encode(gen_random_bytes(32), ''hex'')).';
    END IF;
    IF cardinality(v_kinds) = 0
       OR EXISTS (SELECT 1 FROM unnest(v_kinds) k WHERE k IS NULL OR k <> ALL (nls.event_kinds())) THEN
        RAISE EXCEPTION 'nls: add_event_endpoint got unknown or no kinds (argument kinds): %', v_kinds
              USING ERRCODE = '22023',
                    HINT = 'Use NULL for every kind, or some of: ' || array_to_string(nls.event_kinds(), ', ') || '.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM nls.integrations i WHERE i.user_id = v_user)
       AND NOT EXISTS (SELECT 1 FROM nls.anki_accounts a WHERE a.user_id = v_user) THEN
        RAISE EXCEPTION 'nls: user % has no integration this session can see (argument user_id)',
              quote_literal(v_user)
              USING ERRCODE = 'P0002',
                    HINT = 'Store the user''s token first (nls.add_integration), and act for that user '
                           '(SET nls.user_id) when not an administrator.';
    END IF;
    v_kinds := ARRAY(SELECT DISTINCT k FROM unnest(v_kinds) k ORDER BY 1);
    -- (no ON CONFLICT: it would read the secret column, which the application may write but not read)
    UPDATE nls._event_endpoints e SET secret = v_secret, kinds = v_kinds, updated_at = now()
     WHERE e.user_id = v_user AND e.url = v_url
    RETURNING e.id INTO v_id;
    IF v_id IS NULL THEN
        INSERT INTO nls._event_endpoints AS e (user_id, url, secret, kinds) VALUES (v_user, v_url, v_secret, v_kinds)
        RETURNING e.id INTO v_id;
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION nls.add_event_endpoint(text, text, text, text[]) IS
'Registers where a user''s events go: add_event_endpoint(user_id, url, secret, kinds => NULL) returns the endpoint''s
id (bigint). Every event of the user whose kind is in kinds (NULL: every kind of nls.event_kinds()) made from then on
is POSTed to url as JSON, signed with secret (headers X-Nls-Timestamp, X-Nls-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<raw body>">), in order, retried with backoff (docs/events.md). The same user and url again replace the
secret and the kinds and keep the id. Row-level security applies: a session acting for a user registers for that
user only. Raises 22004 for a NULL user_id, url or secret, 22023 for a url that is not http(s), an empty secret or
an unknown kind, P0002 when the session sees no integration of that user.';

CREATE OR REPLACE FUNCTION nls.remove_event_endpoint(endpoint_id bigint) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint := nls._require(remove_event_endpoint.endpoint_id, 'endpoint_id', 'remove_event_endpoint');
BEGIN
    DELETE FROM nls._event_endpoints e WHERE e.id = v_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'nls: no event endpoint % this session can see (argument endpoint_id)', v_id
              USING ERRCODE = 'P0002', HINT = 'SELECT id, user_id, url FROM nls.event_endpoints';
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION nls.remove_event_endpoint(bigint) IS
'Removes an event endpoint and its deliveries (sent or not); returns true. A delivery pg_net already has in hand may
still arrive. Row-level security applies. Raises 22004 for a NULL endpoint_id, P0002 when the session sees no such
endpoint.';

CREATE OR REPLACE VIEW nls.event_endpoints AS
SELECT e.id, e.user_id, e.url, e.kinds, e.created_at, e.updated_at,
       count(d.*) FILTER (WHERE d.status IN ('pending', 'sending')) AS pending,
       count(d.*) FILTER (WHERE d.status = 'sent') AS sent,
       count(d.*) FILTER (WHERE d.status = 'failed') AS failed,
       max(d.settled_at) FILTER (WHERE d.status = 'sent') AS last_sent_at
  FROM nls._event_endpoints e LEFT JOIN nls._event_deliveries d ON d.endpoint_id = e.id
 GROUP BY e.id;
COMMENT ON VIEW nls.event_endpoints IS
'One row per event endpoint: its id, user, url, the kinds it takes, when it was registered and changed, and its
deliveries pending, sent and failed, with the last one sent (the secret is never shown). Row-level security applies.';

CREATE OR REPLACE VIEW nls.events AS
SELECT v.id, v.user_id, v.kind, v.created_at, v.payload FROM nls._events v;
COMMENT ON VIEW nls.events IS
'One row per event kept (event_keep_days): its id, user, kind, when it was made, and the document its deliveries
send (payload: id, kind, time, user_id and data, the ids to look up). NOTIFY nls_events names an event by its id,
kind, time and user; its data is read here. Row-level security applies: a session acting for a user sees that
user''s events only.';

CREATE OR REPLACE VIEW nls.event_deliveries AS
SELECT d.endpoint_id, e.url, d.event_id, v.kind, d.user_id, v.created_at AS event_time, d.status, d.attempts,
       d.last_status, d.last_error, d.last_attempt_at,
       CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at, d.settled_at, d.request_id,
       CASE WHEN d.status <> 'pending' THEN NULL
            WHEN nls._event_transport() = 'none'
                THEN 'pg_net is not installed: the event went out on NOTIFY nls_events only (docs/events.md)'
            WHEN EXISTS (SELECT 1 FROM nls._event_deliveries b WHERE b.endpoint_id = d.endpoint_id
                            AND b.event_id < d.event_id AND b.status IN ('pending', 'sending'))
                THEN 'waits for an earlier event to this endpoint'
            WHEN d.next_attempt_at > now() THEN 'retried at next_attempt_at'
            ELSE 'due: the next delivery step sends it' END AS waiting_reason,
       v.payload
  FROM nls._event_deliveries d
  JOIN nls._event_endpoints e ON e.id = d.endpoint_id
  JOIN nls._events v ON v.id = d.event_id;
COMMENT ON VIEW nls.event_deliveries IS
'One row per event and endpoint: status (pending, sending, sent, failed), attempts, the last HTTP status and error,
when it was last tried, when it is tried next (pending), when it settled, pg_net''s request id, why a pending one
waits (waiting_reason: pg_net missing, an earlier event first, a retry later, due) and the body sent (payload).
Row-level security applies.';

-- ---- delivering ----------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls._event_setting(p_name text) RETURNS float8
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT s.value::float8 FROM nls.settings s WHERE s.name = p_name $$;
COMMENT ON FUNCTION nls._event_setting(text) IS 'Internal: a numeric setting of the events (nls.settings).';

CREATE OR REPLACE FUNCTION nls._event_delivered(p_endpoint bigint, p_event bigint, p_status int, p_error text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_max int := coalesce(nls._event_setting('event_max_attempts'), 8);
    v_base float8 := nls._event_setting('event_retry_s');
    v_out text;
BEGIN
    UPDATE nls._event_deliveries d
       SET status = CASE WHEN p_status BETWEEN 200 AND 299 THEN 'sent'
                         WHEN d.attempts >= v_max THEN 'failed' ELSE 'pending' END,
           last_status = p_status,
           last_error = CASE WHEN p_status BETWEEN 200 AND 299 THEN NULL
                             ELSE coalesce(nullif(left(p_error, 500), ''), 'HTTP ' || p_status, 'no answer') END,
           next_attempt_at = clock_timestamp()
                             + make_interval(secs => least(v_base * 2 ^ greatest(d.attempts - 1, 0), 3600)),
           settled_at = CASE WHEN p_status BETWEEN 200 AND 299 OR d.attempts >= v_max THEN clock_timestamp() END,
           request_id = NULL
     WHERE d.endpoint_id = p_endpoint AND d.event_id = p_event AND d.status = 'sending'
    RETURNING d.status INTO v_out;
    RETURN v_out;
END
$$;
COMMENT ON FUNCTION nls._event_delivered(bigint, bigint, int, text) IS
'Internal (the delivery step, the nls workers): the answer to an attempt of a delivery: p_status (the HTTP status;
NULL when none came) and p_error. A 2xx settles it sent; otherwise it is tried again after event_retry_s doubled per
attempt (at most an hour), or settled failed after event_max_attempts. Returns the delivery''s new status.';

CREATE OR REPLACE FUNCTION nls._event_heads(p_limit int) RETURNS TABLE (endpoint_id bigint, event_id bigint,
    url text, secret text, body text, kind text)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    WITH heads AS (
        SELECT DISTINCT ON (d.endpoint_id) d.endpoint_id, d.event_id, d.status, d.next_attempt_at
          FROM nls._event_deliveries d WHERE d.status IN ('pending', 'sending')
         ORDER BY d.endpoint_id, d.event_id
    ), due AS (
        SELECT h.endpoint_id, h.event_id FROM heads h
         WHERE h.status = 'pending' AND h.next_attempt_at <= clock_timestamp()
         ORDER BY h.next_attempt_at LIMIT p_limit
    ), claimed AS (
        UPDATE nls._event_deliveries d
           SET status = 'sending', attempts = d.attempts + 1, last_attempt_at = clock_timestamp()
          FROM due WHERE d.endpoint_id = due.endpoint_id AND d.event_id = due.event_id AND d.status = 'pending'
        RETURNING d.endpoint_id, d.event_id
    )
    SELECT c.endpoint_id, c.event_id, e.url, e.secret, v.payload::text, v.kind
      FROM claimed c JOIN nls._event_endpoints e ON e.id = c.endpoint_id JOIN nls._events v ON v.id = c.event_id
$$;
COMMENT ON FUNCTION nls._event_heads(int) IS
'Internal: claims (status sending, one attempt more) the first unsettled delivery of each endpoint when it is pending
and due, at most p_limit, and returns them with the endpoint''s url and secret and the body to send. Runs as its
owner (every user''s deliveries, the secrets); the caller holds the delivery lock.';

CREATE OR REPLACE FUNCTION nls._event_headers(p_secret text, p_body text, p_kind text, p_event bigint) RETURNS jsonb
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('Content-Type', 'application/json', 'User-Agent', 'nls-events',
                              'X-Nls-Event', p_kind, 'X-Nls-Event-Id', p_event::text,
                              'X-Nls-Timestamp', t::text, 'X-Nls-Signature', nls._event_signature(p_secret, t, p_body))
      FROM (SELECT extract(epoch FROM clock_timestamp())::bigint AS t) now_
$$;
COMMENT ON FUNCTION nls._event_headers(text, text, text, bigint) IS
'Internal: the headers of a delivery (JSON object): Content-Type, User-Agent, X-Nls-Event (the kind), X-Nls-Event-Id,
X-Nls-Timestamp (unix seconds, now) and X-Nls-Signature over the timestamp and p_body.';

CREATE OR REPLACE FUNCTION nls._collect_pg_net() RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d record;
    v_done int := 0;
    v_wait float8 := nls._event_setting('event_timeout_s') + 60;
BEGIN
    FOR d IN SELECT x.endpoint_id, x.event_id, x.request_id, x.last_attempt_at, r.status_code, r.error_msg, r.timed_out,
                    r.id IS NOT NULL AS answered
               FROM nls._event_deliveries x LEFT JOIN net._http_response r ON r.id = x.request_id
              WHERE x.status = 'sending' LOOP
        CONTINUE WHEN NOT d.answered AND d.request_id IS NOT NULL
                      AND (d.last_attempt_at > clock_timestamp() - make_interval(secs => v_wait)
                           OR EXISTS (SELECT 1 FROM net.http_request_queue q WHERE q.id = d.request_id));
        PERFORM nls._event_delivered(d.endpoint_id, d.event_id, d.status_code,
                    CASE WHEN NOT d.answered THEN 'no answer recorded by pg_net'
                         WHEN d.timed_out THEN 'timed out: ' || coalesce(d.error_msg, '')
                         ELSE d.error_msg END);
        v_done := v_done + 1;
    END LOOP;
    RETURN v_done;
END
$$;
COMMENT ON FUNCTION nls._collect_pg_net() IS
'Internal (nls.deliver_events): reads pg_net''s answers (net._http_response) to the deliveries out and settles or
retries each; one with no answer event_timeout_s + 60 s after it left counts as a failed attempt. Returns how many.';

CREATE OR REPLACE FUNCTION nls.deliver_events() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_transport text := nls._event_transport();
    v_collected int := 0;
    v_sent int := 0;
    h record;
    v_request bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('nls.deliver_events')) THEN
        RETURN jsonb_build_object('transport', v_transport, 'busy', true);
    END IF;
    DELETE FROM nls._events v
     WHERE v.created_at < now() - make_interval(days => nls._event_setting('event_keep_days')::int)
       AND NOT EXISTS (SELECT 1 FROM nls._event_deliveries d
                        WHERE d.event_id = v.id AND d.status IN ('pending', 'sending'));
    IF v_transport <> 'pg_net' THEN
        RETURN jsonb_build_object('transport', v_transport, 'sent', 0, 'collected', 0);
    END IF;
    v_collected := nls._collect_pg_net();
    FOR h IN SELECT * FROM nls._event_heads(1000) LOOP
        BEGIN
            EXECUTE 'SELECT net.http_post(url => $1, body => $2::jsonb, headers => $3, timeout_milliseconds => $4)'
               INTO v_request
              USING h.url, h.body, nls._event_headers(h.secret, h.body, h.kind, h.event_id),
                    (nls._event_setting('event_timeout_s') * 1000)::int;
            UPDATE nls._event_deliveries d SET request_id = v_request
             WHERE d.endpoint_id = h.endpoint_id AND d.event_id = h.event_id;
            v_sent := v_sent + 1;
        EXCEPTION WHEN OTHERS THEN   -- pg_net refused it: a failed attempt, the other endpoints go on
            PERFORM nls._event_delivered(h.endpoint_id, h.event_id, NULL, 'pg_net refused the request: ' || SQLERRM);
        END;
    END LOOP;
    RETURN jsonb_build_object('transport', v_transport, 'sent', v_sent, 'collected', v_collected,
                              'out', (SELECT count(*) FROM nls._event_deliveries d WHERE d.status = 'sending'));
END
$$;
COMMENT ON FUNCTION nls.deliver_events() IS
'The delivery step of the events with pg_net (the scheduled webhook job runs it every minute; run it by hand at
will): reads pg_net''s answers to the deliveries out (settling each sent, retried or failed), then hands pg_net the
next due delivery of each endpoint (net.http_post, signed), which pg_net sends once this transaction commits, and
drops settled events older than event_keep_days (in every runtime). Returns {"transport", "sent" (handed to pg_net now), "collected"
(answers read), "out" (deliveries pg_net has in hand)} ("busy": another session is delivering; transport worker or
none: nothing to do here). An endpoint gets one event per step and answer: the scheduled job runs steps for up to 45 s
while deliveries are out. Raises nothing of its own.';

-- ---- the worker runtime: the nls workers send the HTTP themselves ---------------------------------------------------
CREATE OR REPLACE FUNCTION nls._claim_event_deliveries(p_limit int) RETURNS TABLE (endpoint_id bigint,
    event_id bigint, url text, headers jsonb, body text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d record;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('nls.deliver_events')) THEN
        RETURN;
    END IF;
    FOR d IN SELECT x.endpoint_id, x.event_id FROM nls._event_deliveries x
              WHERE x.status = 'sending' AND x.last_attempt_at
                    < clock_timestamp() - make_interval(secs => nls._event_setting('event_timeout_s') + 60) LOOP
        PERFORM nls._event_delivered(d.endpoint_id, d.event_id, NULL, 'no answer recorded by the worker');
    END LOOP;
    RETURN QUERY SELECT h.endpoint_id, h.event_id, h.url, nls._event_headers(h.secret, h.body, h.kind, h.event_id),
                        h.body
                   FROM nls._event_heads(p_limit) h;
END
$$;
COMMENT ON FUNCTION nls._claim_event_deliveries(int) IS
'Internal (worker runtime: the nls workers): claims at most p_limit due deliveries (one per endpoint, in order) and
returns each with its url, its signed headers and its body; the worker POSTs it and reports with
nls._event_delivered. An attempt with no report event_timeout_s + 60 s later counts as failed. The secret stays in
the server: only the signature leaves it.';
