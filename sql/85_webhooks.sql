-- Notion's webhooks (docs/webhooks.md): the endpoint a DBA gives Notion, the events it stores, and what the scheduled
-- job and the DBA see. The PL/Python entry points (nls.webhook_receive, nls.webhook_verification_token,
-- nls.apply_webhook_events, nls.apply_all_webhook_events) are in plpython/functions.sql; the logic in
-- plpython/nls_engine/webhooks/.

CREATE OR REPLACE FUNCTION nls.webhook_endpoint(user_id text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user text := webhook_endpoint.user_id;
    v_path text;
    v_window float8;
BEGIN
    IF v_user IS NULL THEN
        RAISE EXCEPTION 'nls: webhook_endpoint needs user_id; it was NULL' USING ERRCODE = '22004',
              HINT = 'webhook_endpoint(user_id text): the user whose Notion integration Notion''s webhooks are for.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM nls.integrations i WHERE i.user_id = v_user) THEN
        RAISE EXCEPTION 'nls: user % has no Notion integration this session can see (argument user_id)', v_user
              USING ERRCODE = 'P0002',
                    HINT = 'Store the token with nls.add_integration(user_id, access_token), and act for that user '
                           '(SET nls.user_id) when not an administrator.';
    END IF;
    SELECT s.value::float8 INTO v_window FROM nls.settings s WHERE s.name = 'webhook_handshake_window_s';
    INSERT INTO nls.webhook_subscriptions AS w (user_id, path, armed_until)
    VALUES (v_user, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
            now() + make_interval(secs => v_window))
    ON CONFLICT ON CONSTRAINT webhook_subscriptions_pkey DO UPDATE SET armed_until = excluded.armed_until
    RETURNING w.path INTO v_path;
    RETURN '/notion/' || v_path;
END
$$;
COMMENT ON FUNCTION nls.webhook_endpoint(text) IS
'The webhook endpoint of a user''s Notion integration: webhook_endpoint(user_id) returns its path (text,
''/notion/<64 hex digits>'': unguessable, one per integration, the same on every call), which the DBA appends to the
public URL of `nls webhooks serve` in the integration''s webhook settings in Notion. Each call arms the path for
webhook_handshake_window_s (default 600 s): only then does it take Notion''s handshake, whose verification_token is
stored encrypted with the key ring (a new handshake replaces it) and shown once by nls.webhook_verification_token, to
be pasted back in Notion. Raises 22004 for a NULL user_id, P0002 when the session sees no integration of that user.';

-- a verified event, once per event id (the caller, nls.webhook_receive, runs as its owner)
CREATE OR REPLACE FUNCTION nls._save_webhook_event(p_path text, p_event jsonb) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    WITH sub AS (
        UPDATE nls.webhook_subscriptions w
           SET subscription_id = coalesce(w.subscription_id, p_event ->> 'subscription_id'),
               verified_at = coalesce(w.verified_at, now()), last_delivery_at = now()
         WHERE w.path = p_path
        RETURNING w.user_id
    )
    INSERT INTO nls.webhook_events AS e (user_id, event_id, event_type, entity_id, entity_type, event_time,
                                         attempt_number, payload)
    SELECT sub.user_id, p_event ->> 'id', p_event ->> 'type', p_event -> 'entity' ->> 'id',
           p_event -> 'entity' ->> 'type',
           CASE WHEN p_event ->> 'timestamp' ~ '^\d{4}-\d{2}-\d{2}T' THEN (p_event ->> 'timestamp')::timestamptz END,
           CASE WHEN p_event ->> 'attempt_number' ~ '^\d{1,4}$' THEN (p_event ->> 'attempt_number')::int END,
           p_event - 'attempt_number'
      FROM sub
    ON CONFLICT ON CONSTRAINT webhook_events_pkey DO UPDATE
       SET deliveries = e.deliveries + 1, attempt_number = greatest(e.attempt_number, excluded.attempt_number);
    -- the workers of the worker runtime listen: an event is applied as soon as it is committed
    SELECT pg_catalog.pg_notify('nls_work', 'events');
$$;
COMMENT ON FUNCTION nls._save_webhook_event(text, jsonb) IS
'Internal: _save_webhook_event(path, event) stores a verified delivery of the subscription on path in
nls.webhook_events, once per event id (a retry counts a delivery), notes the subscription id and the time, and
notifies channel nls_work (payload events) as the transaction commits.';

CREATE OR REPLACE FUNCTION nls._webhook_users() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT DISTINCT e.user_id FROM nls.webhook_events e
      JOIN nls.integrations i ON i.user_id = e.user_id AND i.status = 'active'
     WHERE e.applied_at IS NULL ORDER BY 1
$$;
COMMENT ON FUNCTION nls._webhook_users() IS
'Internal (the scheduled job): the users with webhook events waiting to be applied and an active integration. Runs
as its owner: the job must see every user to apply each user''s events acting for that user; it learns user ids and
nothing else.';

CREATE OR REPLACE VIEW nls.webhook_status AS
SELECT w.user_id, '/notion/' || w.path AS path, w.armed_until > now() AS armed, w.armed_until,
       w.token_ciphertext IS NOT NULL AS token_received, w.token_shown_at, w.subscription_id,
       w.verified_at AS first_delivery_at, w.last_delivery_at, w.refused,
       (SELECT count(*) FROM nls.webhook_events e WHERE e.user_id = w.user_id AND e.applied_at IS NULL) AS pending,
       (SELECT count(*) FROM nls.webhook_events e WHERE e.user_id = w.user_id) AS events,
       (SELECT sum(e.deliveries - 1) FROM nls.webhook_events e WHERE e.user_id = w.user_id) AS redeliveries
  FROM nls.webhook_subscriptions w;
COMMENT ON VIEW nls.webhook_status IS
'Per user''s webhook subscription: its path, whether it is armed for a handshake (and until when), whether a token was
received and shown, the subscription id Notion''s deliveries carry, the first and last delivery, deliveries refused
on its path (401: unsigned, wrongly signed, another subscription; 400: signed but no event; nothing of them stored;
a 404 for an unknown path or a 413 for a body too large is counted nowhere), events pending, events stored and
deliveries that were retries of a stored event.';
