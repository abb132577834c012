ALTER TABLE nls.stg_notion_pages DROP COLUMN IF EXISTS value_marks CASCADE;
UPDATE nls.settings
   SET description = 'a source whose last complete full read (which finds trashed, deleted and unshared '
                     'pages) is older than this many seconds gets a full read on its next run'
 WHERE name = 'reconcile_interval_s';
