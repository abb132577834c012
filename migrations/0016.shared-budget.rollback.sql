-- Undoes 0016: what the notes say is kept in nls.integrations first (nls._fold_integration_notes), then the notes and
-- the budget's registers go (the budget's functions of sql/ are made again by the install of the version rolled back
-- to).
DO $$
BEGIN
    IF to_regprocedure('nls._fold_integration_notes(bigint)') IS NOT NULL THEN
        PERFORM nls._fold_integration_notes(i.id) FROM nls.integrations i;
    END IF;
END
$$;
DROP FUNCTION IF EXISTS nls._notes_committed() CASCADE;   -- the trigger of sql/10_engine.sql goes with it
DROP TABLE IF EXISTS nls.integration_notes;
DO $$
DECLARE
    r record;
BEGIN
    IF to_regclass('nls._budget_registers') IS NOT NULL THEN
        FOR r IN SELECT seq FROM nls._budget_registers LOOP
            EXECUTE format('DROP SEQUENCE IF EXISTS %s', r.seq);
        END LOOP;
    END IF;
END
$$;
DROP TABLE IF EXISTS nls._budget_registers;
