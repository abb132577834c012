-- Undoes 0019.rate-limits: the registers past the first 64 go (what they held is the budgets' passing state: the pacing starts
-- afresh).
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT register, seq FROM nls._budget_registers WHERE register >= 64 LOOP
        DELETE FROM nls._budget_registers WHERE register = r.register;
        EXECUTE format('DROP SEQUENCE IF EXISTS %s', r.seq);
    END LOOP;
END
$$;
COMMENT ON TABLE nls._budget_registers IS
'Internal: the sequences that hold the request budgets every backend shares (nls._take_budget): one budget (a token''s
or a workspace''s) in use per register; a register whose budget is full again is free for another.';
