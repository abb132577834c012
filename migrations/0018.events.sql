-- Events out: what happened for a user (a run finished, a two-way conflict appeared or was resolved, an integration
-- needs re-authorisation, Anki reviews were pulled), made by triggers in the transaction that did it, told on the
-- NOTIFY channel nls_events and delivered as signed webhooks to the endpoints the user registered
-- (nls.add_event_endpoint): through pg_net where it is installed, by the nls workers in the worker runtime. The
-- functions, triggers and views are repeatable (sql/87_events.sql).
-- depends: 0017.worker-runtime

CREATE TABLE nls._event_endpoints (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text NOT NULL,
    url        text NOT NULL CHECK (url ~* '^https?://[^/\s?#]+'),
    secret     text NOT NULL CHECK (secret <> ''),
    kinds      text[] NOT NULL CHECK (cardinality(kinds) > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_endpoints_user_url_key UNIQUE (user_id, url)
);
COMMENT ON TABLE nls._event_endpoints IS
'Where a user''s events go: one row per (user_id, url), the kinds of event it takes and the secret each delivery is
signed with (HMAC-SHA256). The secret is read by nls''s owner only (the delivery signs inside the server); the
application reads the other columns through nls.event_endpoints.';

CREATE TABLE nls._events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text NOT NULL,
    kind       text NOT NULL,
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX idx_events_created ON nls._events (created_at);
COMMENT ON TABLE nls._events IS
'Every event made, with the JSON document its deliveries carry as their body ({"id", "kind", "time", "user_id",
"data": ids and counts to look up}; never a token or page content). Kept event_keep_days once every delivery of it
is settled.';

CREATE TABLE nls._event_deliveries (
    endpoint_id     bigint NOT NULL REFERENCES nls._event_endpoints (id) ON DELETE CASCADE,
    event_id        bigint NOT NULL REFERENCES nls._events (id) ON DELETE CASCADE,
    user_id         text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_attempt_at timestamptz,
    request_id      bigint,
    last_status     int,
    last_error      text,
    settled_at      timestamptz,
    PRIMARY KEY (endpoint_id, event_id)
);
CREATE INDEX idx_event_deliveries_open ON nls._event_deliveries (endpoint_id, event_id)
    WHERE status IN ('pending', 'sending');
COMMENT ON TABLE nls._event_deliveries IS
'One row per event and endpoint that takes its kind: pending (waiting for its turn or its next attempt), sending (an
attempt is out: request_id is pg_net''s), sent (a 2xx answer), failed (given up after event_max_attempts); attempts,
the last HTTP status and error. An endpoint gets its events in order: the next one only once the one before is
settled (sent or failed).';

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['_event_endpoints', '_events', '_event_deliveries'] LOOP
        EXECUTE format('ALTER TABLE nls.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE nls.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY nls_user_rows ON nls.%I USING (user_id = (SELECT nls._session_user())) '
                       'WITH CHECK (user_id = (SELECT nls._session_user()))', t);
        EXECUTE format('CREATE POLICY nls_admin_reads ON nls.%I FOR SELECT TO nls_admin USING (true)', t);
    END LOOP;
END
$$;
