DROP TABLE IF EXISTS nls.notion_relation_edges, nls.data_source_schemas;
ALTER TABLE nls.sources DROP COLUMN IF EXISTS property_ids;
