-- Undoes 0003. The learning views read sources.property_ids: they go with it (CASCADE) and the next install
-- re-creates them from sql/.
DROP TABLE IF EXISTS nls.notion_relation_edges, nls.data_source_schemas;
ALTER TABLE nls.sources DROP COLUMN IF EXISTS property_ids CASCADE;
