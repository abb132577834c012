-- Relations as rows: one per (page, relation property, position), complete past Notion's 25-item cut, so that
-- users join pages to pages in SQL. Written by the sync with each page it stores (sql/10_engine.sql _write_edges).
-- depends: 0002.learning-schema

CREATE TABLE nls.notion_relation_edges (
    source_id      bigint NOT NULL,
    page_id        text NOT NULL,
    property_id    text NOT NULL,
    ordinal        int NOT NULL CHECK (ordinal >= 1),
    target_page_id text NOT NULL,
    user_id        text NOT NULL,
    property_name  text,
    PRIMARY KEY (source_id, page_id, property_id, ordinal),
    FOREIGN KEY (source_id, page_id) REFERENCES nls.stg_notion_pages (source_id, page_id) ON DELETE CASCADE
);
CREATE INDEX idx_notion_relation_edges_target ON nls.notion_relation_edges (user_id, target_page_id);

-- Schema drift: each data source's properties (name -> id, type) as the sync saw them, one row per distinct schema,
-- with when it was first and last seen; and, per learning source, the stable property id behind each mapped field,
-- so that a property renamed in Notion keeps feeding its column.
CREATE TABLE nls.data_source_schemas (
    source_id      bigint NOT NULL REFERENCES nls.sources (id) ON DELETE CASCADE,
    data_source_id text NOT NULL,
    schema_hash    text NOT NULL,
    properties     jsonb NOT NULL,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, data_source_id, schema_hash)
);
ALTER TABLE nls.sources ADD COLUMN property_ids jsonb NOT NULL DEFAULT '{}';
