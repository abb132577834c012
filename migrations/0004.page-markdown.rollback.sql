DELETE FROM nls.settings WHERE name = 'content_format';
ALTER TABLE nls.stg_notion_pages DROP COLUMN IF EXISTS content_markdown CASCADE;
