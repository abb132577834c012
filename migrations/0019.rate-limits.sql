-- Notion's request limits as stated now: a budget of requests per window for each token and each workspace, kept
-- beside the pacing in the registers every backend shares (nls._take_window, nls._learn_window in sql/10_engine.sql).
-- A token and its workspace now take up to six registers while in use (the pacing, the window, what was learned, for
-- each), so the pool grows from 64 registers to 256.
-- depends: 0018.events

DO $$
BEGIN
    FOR i IN 64..255 LOOP
        EXECUTE format('CREATE SEQUENCE nls.%I MINVALUE 0 START 0', '_budget_' || lpad(i::text, 3, '0'));
        EXECUTE format('GRANT SELECT, UPDATE ON SEQUENCE nls.%I TO nls_app, nls_cron',
                       '_budget_' || lpad(i::text, 3, '0'));
        INSERT INTO nls._budget_registers VALUES (i, format('nls.%I', '_budget_' || lpad(i::text, 3, '0'))::regclass);
    END LOOP;
END
$$;
COMMENT ON TABLE nls._budget_registers IS
'Internal: the sequences that hold the request budgets every backend shares (nls._take_budget, nls._take_window): one
budget (a token''s or a workspace''s pacing, window, or what was learned of its limit) in use per register; a register
whose budget is full again (or whose window ended) is free for another.';
