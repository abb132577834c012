-- The worker runtime: the engine in `nls worker` processes beside the server, for databases where PL/Python is not
-- allowed. Calls made in SQL wait in nls._requests for a worker; workers keep their heartbeat in nls._workers; the
-- loopback connection that commits a call at once is nls._loopback. Read by no role but nls's owner and the
-- workers (granted by the worker runtime's privileges); empty in the server runtime.
-- depends: 0016.shared-budget

CREATE TABLE nls._workers (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    host         text NOT NULL,
    pid          int NOT NULL,
    concurrency  int NOT NULL,
    release      text,
    engine       text,
    heartbeat_s  float8 NOT NULL DEFAULT 5,
    started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    stopping_at  timestamptz,
    running      jsonb NOT NULL DEFAULT '[]'
);

CREATE TABLE nls._requests (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL,
    args            jsonb NOT NULL DEFAULT '{}',
    secret          bytea,
    secret_iv       bytea,
    acting_user     text,
    scope           text NOT NULL DEFAULT '' CHECK (scope IN ('', 'read', 'all')),
    caller_role     name NOT NULL,
    caller_pid      int NOT NULL,
    caller_started  timestamptz NOT NULL,
    requested_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    claimed_by      uuid,
    claimed_pid     int,
    claimed_at      timestamptz,
    cancel_asked_at timestamptz,
    finished_at     timestamptz,
    result          jsonb,
    error           jsonb,
    messages        jsonb
);
CREATE INDEX _requests_queued ON nls._requests (requested_at) WHERE status = 'queued';

CREATE TABLE nls._loopback (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    conninfo text NOT NULL,
    role     name NOT NULL
);
