-- The release a database runs, and the check that its schema is the one the engine was deployed with. nls install
-- writes nls._deployed() (the release and the migrations it was deployed for) before this file, in the same
-- transaction as the migrations.

COMMENT ON FUNCTION nls._deployed() IS
'Internal: what the last nls install deployed: {"release": "0.2.0", "migrations": ["0001.engine-schema", ...]}
(jsonb), the release and the ids of the migrations its engine needs, exactly. Written by nls install on every install;
read by nls.version() and nls._release_problem().';

CREATE OR REPLACE FUNCTION nls._release_problem() RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH d AS (SELECT nls._deployed() AS r),
    wanted AS (SELECT jsonb_array_elements_text(r->'migrations') AS id FROM d),
    applied AS (SELECT migration_id AS id FROM nls._yoyo_migration),
    missing AS (SELECT string_agg(id, ', ' ORDER BY id) AS ids FROM (SELECT id FROM wanted EXCEPT
                                                                     SELECT id FROM applied) m),
    extra AS (SELECT string_agg(id, ', ' ORDER BY id) AS ids FROM (SELECT id FROM applied EXCEPT
                                                                   SELECT id FROM wanted) x)
    SELECT CASE
        WHEN missing.ids IS NOT NULL THEN jsonb_build_object(
            'problem', format('the schema lacks migration(s) %s that the deployed nls %s needs (rolled back by hand)',
                              missing.ids, d.r->>'release'),
            'hint', format('Run nls install of nls %s to apply them again (what the rollback dropped is not '
                           'restored), or restore the backup taken before the upgrade: docs/upgrading.md. SELECT '
                           'nls.version() shows the release and the schema''s last migration.', d.r->>'release'))
        WHEN extra.ids IS NOT NULL THEN jsonb_build_object(
            'problem', format('the schema has migration(s) %s that the deployed nls %s does not know (applied by '
                              'hand)', extra.ids, d.r->>'release'),
            'hint', 'Run nls install of the release that ships them, or restore the backup taken before they were '
                    'applied: docs/upgrading.md. SELECT nls.version() shows the release and the schema''s last '
                    'migration.') END
      FROM d, missing, extra
$$;
COMMENT ON FUNCTION nls._release_problem() IS
'Internal: NULL when the schema''s migrations (nls._yoyo_migration) are exactly the ones the deployed engine was
deployed with (nls._deployed()); else {"problem", "hint"} (jsonb): which migrations are missing (rolled back by hand)
or extra (applied by hand), and how to get back to a consistent state. nls._load_engine() refuses to load the engine
then (55000), so that no sync runs on a schema it does not match.';

CREATE OR REPLACE FUNCTION nls.version() RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object(
               'release', d.r->>'release',
               'migration', (SELECT max(migration_id) FROM nls._yoyo_migration),
               'engine', (SELECT left(encode(sha256(convert_to(string_agg(m.sha256, '' ORDER BY m.name COLLATE "C"),
                                                               'UTF8')), 'hex'), 16)
                            FROM nls._python_module m),
               'schema_matches', p.problem IS NULL)
           || coalesce(p.problem, '{}')
      FROM (SELECT nls._deployed() AS r) d, (SELECT nls._release_problem() AS problem) p
$$;
COMMENT ON FUNCTION nls.version() IS
'The nls this database runs: {"release": "0.2.0", "migration": the last migration applied, "engine": the deployed
engine''s version (16 hex digits, what nls._load_engine() returns), "schema_matches": true} (jsonb). When the
schema''s migrations are not the ones the engine was deployed with (a migration rolled back or applied by hand),
"schema_matches" is false and "problem" and "hint" say what is wrong and what to do; every sync refuses to run then.
Raises nothing.';
