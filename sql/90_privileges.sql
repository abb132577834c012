-- Applied last, on every install: nothing in nls is usable by PUBLIC. The installing role (a superuser: plpython3u
-- is untrusted) owns everything; grant USAGE on the schema and EXECUTE on the functions a role needs explicitly.
REVOKE ALL ON SCHEMA nls FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA nls FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA nls FROM PUBLIC;
REVOKE EXECUTE ON ALL PROCEDURES IN SCHEMA nls FROM PUBLIC;
