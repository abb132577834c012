-- Drops what 0001 created; the schema itself stays (yoyo keeps its own tables in it) and --uninstall drops it.
DROP TABLE IF EXISTS nls._python_module, nls.stg_notion_pages, nls.sync_log, nls.sync_state, nls.sources,
    nls.integrations, nls.settings CASCADE;
