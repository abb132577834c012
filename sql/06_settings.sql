-- The one catalogue of settings: name, type, unit, default, allowed range or values, and meaning. Written on every
-- install (a value already set is kept; a new setting starts at its default; a setting no longer in the catalogue
-- goes). nls.set_setting checks every value against it; the engine reads the settings once per call, typed by it
-- (plpython/nls_engine/settings.py); docs/settings.md's table is made from it (scripts/docs.py, make docs).

CREATE OR REPLACE FUNCTION nls._setting_allowed(p_type text, p_unit text, p_min numeric, p_max numeric,
                                                 p_allowed text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_type
        WHEN 'number' THEN CASE WHEN p_unit = 's' THEN format('a number of seconds from %s to %s', p_min, p_max)
                                ELSE format('a number%s from %s to %s', ' of ' || p_unit, p_min, p_max) END
        WHEN 'integer' THEN format('a whole number%s from %s to %s', ' of ' || p_unit, p_min, p_max)
        WHEN 'choice' THEN 'one of ' || array_to_string(p_allowed, ', ')
        WHEN 'url' THEN 'an http:// or https:// URL'
        WHEN 'path' THEN 'an absolute file path, or '''' for none'
        WHEN 'identifier' THEN 'a schema name of at most 63 bytes (not nls, public, cron, information_schema or '
                               'pg_*), or '''' for none'
        ELSE 'any text' END
$$;
COMMENT ON FUNCTION nls._setting_allowed(text, text, numeric, numeric, text[]) IS
'Internal: what a setting takes, in words, from its catalogue columns (type, unit, min_value, max_value, allowed):
e.g. "a number of seconds from 0.1 to 600". Used in nls.set_setting''s errors and the table of docs/settings.md.';

CREATE OR REPLACE FUNCTION nls._reserved_schema(p_name text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p_name IS NULL OR btrim(p_name) = '' OR octet_length(p_name) > 63 OR p_name ~ '^pg_'
           OR p_name IN ('nls', 'public', 'cron', 'information_schema')
$$;
COMMENT ON FUNCTION nls._reserved_schema(text) IS
'Internal: whether a schema name may not hold typed views (and may not be the typed_views_schema setting): empty,
longer than 63 bytes, pg_*, nls, public, cron or information_schema. Returns boolean.';

CREATE OR REPLACE FUNCTION nls._setting_fits(p_value text, p_type text, p_min numeric, p_max numeric,
                                             p_allowed text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p_value IS NOT NULL AND CASE p_type
        WHEN 'number' THEN p_value ~ '^\s*[+]?([0-9]{1,12}(\.[0-9]{0,12})?|\.[0-9]{1,12})\s*$'
                           AND p_value::numeric BETWEEN p_min AND p_max
        WHEN 'integer' THEN p_value ~ '^\s*[+]?[0-9]{1,9}\s*$' AND p_value::numeric BETWEEN p_min AND p_max
        WHEN 'choice' THEN p_value = ANY (p_allowed)
        WHEN 'url' THEN p_value ~ '^https?://[^\s/?#]+[^\s]*$'
        WHEN 'path' THEN p_value = '' OR p_value ~ '^/'
        WHEN 'identifier' THEN p_value = '' OR NOT nls._reserved_schema(p_value)
        ELSE true END
$$;
COMMENT ON FUNCTION nls._setting_fits(text, text, numeric, numeric, text[]) IS
'Internal: whether a value fits a setting''s catalogue columns (type, min_value, max_value, allowed); false for NULL.';

-- Every write of nls.settings is checked, an UPDATE by hand too (nls_admin may update the value column).
CREATE OR REPLACE FUNCTION nls._check_setting() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT nls._setting_fits(NEW.value, NEW.type, NEW.min_value, NEW.max_value, NEW.allowed) THEN
        RAISE EXCEPTION 'nls: setting % takes %, not %', NEW.name,
                        nls._setting_allowed(NEW.type, NEW.unit, NEW.min_value, NEW.max_value, NEW.allowed),
                        coalesce('"' || NEW.value || '"', 'NULL')
            USING ERRCODE = CASE WHEN NEW.value IS NULL THEN '22004' ELSE '22023' END,
                  HINT = format('SELECT name, value, type, unit, min_value, max_value, allowed, description FROM '
                                'nls.settings WHERE name = %L shows it.', NEW.name);
    END IF;
    NEW.value := btrim(NEW.value);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION nls._check_setting() IS
'Internal: the trigger settings_value_check on nls.settings: refuses a value its catalogue row does not allow (22023;
NULL: 22004), naming the setting and what it takes.';

WITH catalogue (name, type, unit, default_value, min_value, max_value, allowed, description) AS (VALUES
  ('api_base_url', 'url', NULL, 'https://api.notion.com', NULL, NULL, NULL,
   'base URL of the Notion API (the emulator''s in the demo and tests)'),
  ('notion_version', 'choice', NULL, '2026-12-01', NULL, NULL, '{2025-09-03,2026-03-11,2026-12-01}',
   'Notion-Version header sent with every request; an upgrade keeps the version an installation has (from '
   '2026-12-01 on nls asks a query for every property by id)'),
  ('connect_timeout_s', 'number', 's', '5', 0.1, 300, NULL,
   'how long to wait for a TCP/TLS connection to Notion'),
  ('read_timeout_s', 'number', 's', '30', 0.1, 600, NULL,
   'how long to wait for Notion to answer a request'),
  ('run_deadline_s', 'number', 's', '600', 1, 86400, NULL,
   'how long a run may take; past it the run stops cleanly as partial and the next resumes'),
  ('max_attempts', 'integer', NULL, '6', 1, 20, NULL,
   'attempts per request, the first included, for 429/529/5xx, timeouts and resets'),
  ('retry_after_cap_s', 'number', 's', '60', 0, 3600, NULL,
   'longest Retry-After honoured within a run; a longer one ends the run as partial'),
  ('backoff_base_s', 'number', 's', '0.5', 0, 60, NULL,
   'base of the exponential backoff (with jitter) between retries'),
  ('overlap_s', 'number', 's', '120', 60, 86400, NULL,
   'how far before the watermark an incremental read starts (Notion rounds times down to the minute)'),
  ('reconcile_interval_s', 'number', 's', '86400', 0, 31536000, NULL,
   'time between reconciliations of a source: the ids-only read that finds trashed, deleted and unshared pages, '
   'missed edits and changed formulas and rollups (0: every run)'),
  ('content_format', 'choice', NULL, 'markdown', NULL, NULL, '{markdown,blocks,both}',
   'page content of sources with_content: markdown (one request a changed page; blocks only for what Markdown '
   'cannot hold), blocks (the raw block tree in raw_content), or both'),
  ('content_max_depth', 'integer', 'levels', '5', 1, 50, NULL,
   'how deep page content (blocks) is read; deeper blocks are left out and the run is partial'),
  ('rate_limit_per_s', 'number', 'requests/s', '3', 0.01, 100000, NULL,
   'requests a second one Notion token may send (Notion: 3 on average); nls paces itself under it'),
  ('rate_limit_burst', 'number', 'requests', '3', 1, 100000, NULL,
   'requests a token or a workspace may send at once, all backends together (one of them kept back for the '
   'network''s jitter)'),
  ('workspace_rate_limit_per_s', 'number', 'requests/s', '3', 0.01, 100000, NULL,
   'requests a second all the tokens of one Notion workspace may send together'),
  ('rate_limit_model', 'choice', NULL, 'window', NULL, NULL, '{window,rate}',
   'how Notion''s request limits are taken: window (as Notion states them now: a budget of requests per window for '
   'each token and workspace, spent in bursts, learned from the 429s) or rate (the older statement: every request '
   'paced at rate_limit_per_s and workspace_rate_limit_per_s from the first one, never faster)'),
  ('rate_limit_window_s', 'number', 's', '60', 1, 3600, NULL,
   'the window of Notion''s request budgets: a token (and a workspace) may spend rate_limit_per_s '
   '(workspace_rate_limit_per_s) times this in one burst per window until its budget is learned from a 429 '
   '(Retry-After to the window''s end); a limit whose 429s ask for a second or two is paced at those rates'),
  ('push_after_read', 'choice', NULL, 'on', NULL, NULL, '{on,off}',
   'whether the scheduled workers write back to Notion what changed in PostgreSQL (nls.push_notion, by each source''s '
   'push map) after each user''s read and cleaning: on or off; nls.push_notion by hand runs either way'),
  ('typed_views_schema', 'identifier', NULL, '', NULL, NULL, NULL,
   'schema in which nls.add_source registers a typed view of each new source (built after its first sync, then '
   'following its schema); empty: none (create them with nls.create_typed_view)'),
  ('encryption_key_file', 'path', NULL, '', NULL, NULL, NULL,
   'file holding the token key ring ("2:<key>,1:<key>" or one key); when set it wins over NLS_ENCRYPTION_KEY in '
   'the server environment, and is read on each use (rotation needs no restart); empty: none'),
  ('anki_python_path', 'path', NULL, '/usr/local/lib/nls/anki-python', NULL, NULL, NULL,
   'folder holding Anki''s library (anki, AGPL-3.0) and its dependencies for the server''s Python (pip install '
   '--target), added to the end of its module path by the Anki sync; empty: the server''s own module path only'),
  ('anki_timeout_s', 'number', 's', '60', 1, 3600, NULL,
   'how long to wait for a learner''s Anki sync endpoint (AnkiWeb or their own server) to answer'),
  ('webhook_handshake_window_s', 'number', 's', '600', 60, 86400, NULL,
   'how long after nls.webhook_endpoint() its path accepts Notion''s handshake (the verification token); outside '
   'that window nobody can plant a token'),
  ('webhook_max_body_bytes', 'integer', 'bytes', '262144', 1024, 10485759, NULL,
   'largest webhook delivery nls.webhook_receive() takes; a larger one is refused (413) and nothing is stored'),
  ('webhook_batch_size', 'integer', 'events', '1000', 1, 100000, NULL,
   'webhook events nls.apply_webhook_events() applies per user and batch (one sync_log row of type notion_webhook)'),
  ('event_max_attempts', 'integer', 'attempts', '8', 1, 100, NULL,
   'attempts at delivering an event to an endpoint before it is given up (failed in nls.event_deliveries); the next '
   'event to that endpoint waits until then'),
  ('event_retry_s', 'number', 's', '10', 1, 3600, NULL,
   'wait before an event''s delivery is tried again after a failed attempt, doubled after each (at most an hour)'),
  ('event_timeout_s', 'number', 's', '5', 1, 60, NULL,
   'how long a delivery of an event waits for its endpoint to answer'),
  ('event_keep_days', 'integer', 'days', '7', 1, 3650, NULL,
   'days an event is kept once every delivery of it is settled (sent or failed)'),
  ('worker_heartbeat_s', 'number', 's', '5', 1, 60, NULL,
   'worker runtime: seconds between an nls worker''s heartbeats; a call waits for a worker that beat within three, '
   'and a worker silent for three is taken for stopped (its calls fail, another worker takes the round)')
), written AS (
    INSERT INTO nls.settings AS s (name, value, description, type, unit, default_value, min_value, max_value, allowed)
    SELECT c.name, c.default_value, c.description, c.type, c.unit, c.default_value, c.min_value, c.max_value,
           c.allowed::text[]
      FROM catalogue c
    ON CONFLICT (name) DO UPDATE
       -- a new install (the installer says so) starts at the defaults; an upgrade keeps each value, the version
       -- of Notion's API among them, except one the catalogue no longer allows, which goes back to the default
       SET value = CASE WHEN current_setting('nls.new_install', true) = 'on' THEN excluded.value
                        WHEN nls._setting_fits(s.value, excluded.type, excluded.min_value, excluded.max_value,
                                                excluded.allowed) THEN s.value ELSE excluded.value END,
           description = excluded.description, type = excluded.type, unit = excluded.unit,
           default_value = excluded.default_value, min_value = excluded.min_value, max_value = excluded.max_value,
           allowed = excluded.allowed
)
DELETE FROM nls.settings s WHERE s.name NOT IN (SELECT c.name FROM catalogue c);

CREATE OR REPLACE TRIGGER settings_value_check BEFORE INSERT OR UPDATE ON nls.settings
    FOR EACH ROW EXECUTE FUNCTION nls._check_setting();

CREATE OR REPLACE FUNCTION nls.set_setting(name text, value text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_value text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM nls.settings s WHERE s.name = set_setting.name) THEN
        RAISE EXCEPTION 'nls: unknown setting %', coalesce('"' || set_setting.name || '"', 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'One of: ' || (SELECT string_agg(s.name, ', ' ORDER BY s.name) FROM nls.settings s)
                         || '. SELECT name, value, description FROM nls.settings lists them.';
    END IF;
    -- the trigger settings_value_check refuses what the catalogue does not allow
    UPDATE nls.settings s SET value = set_setting.value WHERE s.name = set_setting.name RETURNING s.value INTO v_value;
    RETURN v_value;
END
$$;
COMMENT ON FUNCTION nls.set_setting(text, text) IS
'Change an nls setting: set_setting(name text, value text) returns the value stored (text, trimmed). The value is
checked against the setting''s catalogue row in nls.settings (type, unit, min_value and max_value, or allowed
values). SELECT * FROM nls.settings lists every setting with its type, unit, default, range and meaning. Raises
22023 for a value out of range, of the wrong type or not among the allowed ones (naming the setting and what it
takes) and for an unknown name (listing the settings), 22004 for NULL; nothing changes then.';

COMMENT ON TABLE nls.settings IS
'The settings catalogue: one row per setting with its value and what it may hold. Change a value with
nls.set_setting(name, value) (nls_admin); the trigger settings_value_check refuses what the catalogue does not allow.';
COMMENT ON COLUMN nls.settings.type IS
'number (a decimal), integer, choice (one of allowed), url (http or https), path (absolute, or empty), identifier
(a schema name, or empty), text';
COMMENT ON COLUMN nls.settings.unit IS 'the unit of a number or integer: s (seconds), requests/s, requests, levels, bytes, events';
COMMENT ON COLUMN nls.settings.default_value IS 'the value a new install starts with';
COMMENT ON COLUMN nls.settings.min_value IS 'the smallest value allowed (number, integer), inclusive';
COMMENT ON COLUMN nls.settings.max_value IS 'the largest value allowed (number, integer), inclusive';
COMMENT ON COLUMN nls.settings.allowed IS 'the values a choice may take';
