-- Page content as Markdown (GET /v1/pages/{id}/markdown: one request per changed page), beside or instead of the
-- raw blocks; which one the sync reads is the content_format setting.
-- depends: 0003.edges-and-schemas

ALTER TABLE nls.stg_notion_pages ADD COLUMN content_markdown text;
INSERT INTO nls.settings (name, value, description) VALUES
  ('content_format', 'markdown', 'page content of sources with_content: markdown (one request a changed page; blocks '
   'only for what Markdown cannot hold), blocks (the raw block tree in raw_content), or both')
ON CONFLICT (name) DO NOTHING;
