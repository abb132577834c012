-- The creative targets (Characters, Worlds, Stories, Chat Sessions): each synced page that is not trashed
-- or gone becomes one row of its table, with the mapped columns (nls.property_map), every property as jsonb and the
-- page's content hash. nls.clean() writes the difference (nls._clean_entity), as for the learning tables.

CREATE OR REPLACE VIEW nls._creative_pages AS
SELECT DISTINCT ON (p.user_id, p.page_id)
       p.user_id, p.page_id AS notion_page_id, p.source_id, s.target,
       nls._source_map(s.target, s.property_map, s.property_ids) AS map,
       p.raw_properties AS properties, p.sync_hash AS content_hash,
       p.created_time AS notion_created_time, p.last_edited_time AS notion_last_edited_time
  FROM nls.stg_notion_pages p
  JOIN nls.sources s ON s.id = p.source_id
 WHERE nls._target_kind(s.target) = 'creative'
   AND NOT p.in_trash AND p.deleted_at IS NULL
 ORDER BY p.user_id, p.page_id, p.last_edited_time DESC, p.source_id;
COMMENT ON VIEW nls._creative_pages IS
'Internal: the live pages (not trashed, not gone) of every creative source with the source''s property map; one row
per user and page (the newest, should two sources hold it).';

CREATE OR REPLACE VIEW nls._want_characters AS
SELECT user_id, notion_page_id, source_id, nls._name(properties, map) AS name,
       nls._field(properties, map, 'description') AS description, properties, content_hash,
       notion_created_time, notion_last_edited_time
  FROM nls._creative_pages WHERE target = 'characters';
COMMENT ON VIEW nls._want_characters IS
'What nls.characters should hold: name (Name, else the title), description (Description, else Bio, else Backstory).';

CREATE OR REPLACE VIEW nls._want_worlds AS
SELECT user_id, notion_page_id, source_id, nls._name(properties, map) AS name,
       nls._field(properties, map, 'description') AS description, properties, content_hash,
       notion_created_time, notion_last_edited_time
  FROM nls._creative_pages WHERE target = 'worlds';
COMMENT ON VIEW nls._want_worlds IS
'What nls.worlds should hold: name (World Name, else the title), description (Concept/Premise).';

CREATE OR REPLACE VIEW nls._want_stories AS
SELECT user_id, notion_page_id, source_id,
       coalesce(nls._field(properties, map, 'title'), nls._title(properties), 'Untitled') AS title,
       nls._field(properties, map, 'description') AS description, properties, content_hash,
       notion_created_time, notion_last_edited_time
  FROM nls._creative_pages WHERE target = 'stories';
COMMENT ON VIEW nls._want_stories IS
'What nls.stories should hold: title (Story Title, else the title), description (Premise).';

CREATE OR REPLACE VIEW nls._want_chat_sessions AS
SELECT user_id, notion_page_id, source_id,
       coalesce(nls._field(properties, map, 'title'), nls._title(properties), 'Untitled') AS title,
       nls._field(properties, map, 'transcript') AS transcript,
       nls._int(nls._field(properties, map, 'message_count')) AS message_count, properties, content_hash,
       notion_created_time, notion_last_edited_time
  FROM nls._creative_pages WHERE target = 'chat_sessions';
COMMENT ON VIEW nls._want_chat_sessions IS
'What nls.chat_sessions should hold: title (Session Title, else the title), transcript (Raw Transcript),
message_count (Message Count, a whole number).';

COMMENT ON TABLE nls.characters IS
'Characters (a source of target characters), one row per synced page: name, description, every property (properties),
owner, Notion page id, content hash (the page''s sync hash). Written by nls.clean(); a trashed or gone page''s row
leaves (its last state in cleaning_log).';
COMMENT ON TABLE nls.worlds IS 'Worlds (a source of target worlds), one row per synced page (see nls.characters).';
COMMENT ON TABLE nls.stories IS 'Stories (a source of target stories), one row per synced page: title, description (see
nls.characters).';
COMMENT ON TABLE nls.chat_sessions IS
'Chat Sessions (a source of target chat_sessions), one row per synced page: title, transcript, message_count (see
nls.characters).';
