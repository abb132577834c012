-- The PL/Python entry points. Each body is glue: it loads the nls_engine modules (deployed by `nls install` into
-- nls._python_module, never onto the server's file system) and hands plpy and GD to them.

CREATE OR REPLACE FUNCTION nls._load_engine() RETURNS text
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
import hashlib, importlib.abc, importlib.util, json, sys
problem = plpy.execute("SELECT nls._release_problem() AS p")[0]["p"]
if problem is not None:
    problem = json.loads(problem)
    plpy.error("nls: " + problem["problem"], hint=problem["hint"], sqlstate="55000")
rows = plpy.execute('SELECT name, source, sha256 FROM nls._python_module ORDER BY name COLLATE "C"')
version = hashlib.sha256("".join(r["sha256"] for r in rows).encode()).hexdigest()[:16]
if GD.get("nls_engine_version") == version:
    return version
if not len(rows):
    plpy.error("nls: the engine's Python modules are not deployed", hint="Run nls install --dsn ... again.",
               sqlstate="55000")
sources = {r["name"]: r["source"] for r in rows}
packages = {name.rpartition(".")[0] for name in sources if "." in name}   # a name other names extend

class NlsEngineFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    nls = True
    def find_spec(self, fullname, path, target=None):
        if fullname in sources:
            return importlib.util.spec_from_loader(fullname, self, is_package=fullname in packages)
        return None
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        name = module.__name__
        file = name.replace(".", "/") + ("/__init__.py" if name in packages else ".py")
        exec(compile(sources[name], "<nls>/" + file, "exec"), module.__dict__)

for name in [m for m in sys.modules if m == "nls_engine" or m.startswith("nls_engine.")]:
    del sys.modules[name]
sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "nls", False)]
sys.meta_path.insert(0, NlsEngineFinder())
for key in [k for k in GD if isinstance(k, tuple) and k and k[0] == "nls_plan"]:
    del GD[key]
GD["nls_engine_version"] = version
return version
$$;
COMMENT ON FUNCTION nls._load_engine() IS
'Internal: loads the deployed nls_engine Python modules (nls._python_module) into this backend, once per deployed
version. Returns that version (16 hex digits, as nls.version() shows it). Raises 55000 when the schema''s migrations
are not the ones the engine was deployed with (nls._release_problem(): a migration rolled back or applied by hand),
and when nothing is deployed (run nls install).';

CREATE OR REPLACE FUNCTION nls.engine_status() RETURNS jsonb
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.engine_status(plpy, GD)
$$;

CREATE OR REPLACE FUNCTION nls.add_integration(user_id text, access_token text, workspace_id text DEFAULT NULL,
                                               workspace_name text DEFAULT NULL, workspace_icon text DEFAULT NULL,
                                               bot_id text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.add_integration(plpy, GD, user_id, access_token, workspace_id, workspace_name, workspace_icon, bot_id)
$$;

CREATE OR REPLACE FUNCTION nls.sync_notion(database_id text DEFAULT NULL, database_name text DEFAULT NULL,
                                           user_id text DEFAULT NULL, full_sync boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.sync_notion(plpy, GD, database_id, database_name, user_id, full_sync)
$$;

CREATE OR REPLACE FUNCTION nls.push_notion(user_id text DEFAULT NULL, dry_run boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.push_notion(plpy, GD, user_id, dry_run)
$$;

CREATE OR REPLACE PROCEDURE nls.sync_all_users_notion_databases()
LANGUAGE plpython3u
AS $$
# A procedure that commits cannot carry SET search_path: it sets its own for its run and puts the caller's back, so
# that nothing planted in public or pg_temp is found before pg_catalog.
before = plpy.execute("SELECT pg_catalog.current_setting('search_path') AS p")[0]["p"]
plpy.execute("SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false)")
try:
    plpy.execute("SELECT nls._load_engine()")
    from nls_engine import entry
    entry.sync_all(plpy, GD)
finally:
    plpy.execute(plpy.prepare("SELECT pg_catalog.set_config('search_path', $1, false)", ["text"]), [before])
$$;

CREATE OR REPLACE FUNCTION nls.rotate_encryption_key() RETURNS jsonb
LANGUAGE plpython3u SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.rotate_encryption_key(plpy, GD)
$$;

CREATE OR REPLACE FUNCTION nls.discover(user_id text, add boolean DEFAULT false)
RETURNS TABLE (database_id text, data_source_id text, name text, target text, source_id bigint, added boolean)
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.discover(plpy, GD, user_id, add)
$$;

CREATE OR REPLACE FUNCTION nls.add_anki_account(user_id text, username text, password text,
                                                endpoint text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.add_anki_account(plpy, GD, user_id, username, password, endpoint)
$$;

CREATE OR REPLACE FUNCTION nls.anki_sync(user_id text)
RETURNS jsonb
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.anki_sync(plpy, GD, user_id)
$$;

CREATE OR REPLACE FUNCTION nls.create_typed_view(database_id text DEFAULT NULL, view_name text DEFAULT NULL,
                                                 schema_name text DEFAULT 'notion', user_id text DEFAULT NULL)
RETURNS TABLE (view text, database_id text, data_source_id text, columns int)
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.create_typed_view(plpy, GD, database_id, view_name, schema_name, user_id)
$$;

CREATE OR REPLACE FUNCTION nls.typed_select(source_id bigint, data_source_id text, OUT columns jsonb, OUT query text)
LANGUAGE plpython3u STABLE SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.typed_select(plpy, GD, source_id, data_source_id)
$$;

-- ---- Notion's webhooks (sql/85_webhooks.sql, plpython/nls_engine/webhooks/) ---------------------------------------
CREATE OR REPLACE FUNCTION nls.webhook_receive(path text, body bytea, signature text DEFAULT NULL) RETURNS int
LANGUAGE plpython3u SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.webhook_receive(plpy, GD, path, body, signature)
$$;

CREATE OR REPLACE FUNCTION nls.webhook_apply(path text) RETURNS jsonb
LANGUAGE plpython3u SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.webhook_apply(plpy, GD, path)
$$;

CREATE OR REPLACE FUNCTION nls.webhook_verification_token(user_id text) RETURNS text
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.webhook_verification_token(plpy, GD, user_id)
$$;

CREATE OR REPLACE FUNCTION nls.apply_webhook_events(user_id text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpython3u SET search_path = pg_catalog, pg_temp
AS $$
plpy.execute("SELECT nls._load_engine()")
from nls_engine import entry
return entry.apply_webhook_events(plpy, GD, user_id)
$$;

CREATE OR REPLACE PROCEDURE nls.apply_all_webhook_events()
LANGUAGE plpython3u
AS $$
# as nls.sync_all_users_notion_databases: a procedure that commits sets its own search_path and puts the caller's back
before = plpy.execute("SELECT pg_catalog.current_setting('search_path') AS p")[0]["p"]
plpy.execute("SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false)")
try:
    plpy.execute("SELECT nls._load_engine()")
    from nls_engine import entry
    entry.apply_all_webhook_events(plpy, GD)
finally:
    plpy.execute(plpy.prepare("SELECT pg_catalog.set_config('search_path', $1, false)", ["text"]), [before])
$$;
