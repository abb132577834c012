DROP TABLE IF EXISTS nls.notion_relation_edges;
