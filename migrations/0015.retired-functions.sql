-- Function shapes that earlier deploys of sql/ created otherwise (other arguments, other result columns) are dropped
-- here, once, instead of by sql/ on every install: a retired signature is dropped only by a migration. The deploy
-- of sql/ that follows in the same transaction creates the current ones.
-- depends: 0014.export-and-typed-views

-- retired signatures
DROP FUNCTION IF EXISTS nls.add_source(text, text, text, text, boolean);    -- before property_map
DROP FUNCTION IF EXISTS nls._clean_entity(text, text, uuid);
DROP FUNCTION IF EXISTS nls._clean_entity(text, text, text, uuid);
-- signatures kept whose result columns changed: made again by the deploy
DROP FUNCTION IF EXISTS nls._stored_hashes(bigint, text[]);
DROP FUNCTION IF EXISTS nls._claim_sync_user(timestamptz);
DROP FUNCTION IF EXISTS nls._build_typed_views();
