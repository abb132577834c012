-- Values that are not what Notion holds are marked, not stored as if they were right (issue "Lose nothing"):
-- a rollup computed over a relation Notion cut at 25 items, and a formula or rollup Notion answered as
-- "unsupported" (unknown, not null).
-- depends: 0006.tenancy

ALTER TABLE nls.stg_notion_pages ADD COLUMN value_marks jsonb NOT NULL DEFAULT '{}';
COMMENT ON COLUMN nls.stg_notion_pages.value_marks IS
'Property values of raw_properties that are not Notion''s true value, by property id: {"<property id>": {"property":
name, "type": rollup|formula|..., "mark": "computed_over_cut_relation" (a rollup Notion computed over the first 25
items of a longer relation; "relation_property_id" and "related" give the relation and its full length) or
"unsupported" (Notion could not compute it: unknown, not null)}}. Empty when every value is whole.';

-- The reconciliation reads ids only now (a full read only where stored pages hold another schema).
UPDATE nls.settings
   SET description = 'seconds between reconciliations of a source: the ids-only read of every data source that finds '
                     'trashed, deleted and unshared pages, missed edits and changed formulas and rollups'
 WHERE name = 'reconcile_interval_s';
