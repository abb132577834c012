ALTER TABLE nls.stg_notion_pages DROP COLUMN IF EXISTS value_marks CASCADE;
