-- The one list of sync targets. A source's target says what nls.clean() makes of its pages: 'pages' keeps them in
-- nls.stg_notion_pages only; a learning target (docs/learning.md) or a creative one also fills its canonical table.
-- Everything that names a target reads it from here: nls.targets(), nls.property_map(), add_source's check and the
-- trigger on nls.sources, the learning and creative pipelines, nls.discover(), and the emulator's generator (which
-- reads the JSON below from this file: keep it between the $targets$ quotes, valid JSON).
--
-- Each target: kind ('raw', 'learning', 'creative'), canonical_table (in schema nls), page_id_column (the column of
-- canonical_table holding the Notion page id), notion_database_name (the database name nls.discover() recognises),
-- clean_order (parents first), property_map (the default {field: Notion property name, or a list read in order}).

CREATE OR REPLACE FUNCTION nls._target_catalogue() RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $body$ SELECT $targets$
{
  "pages": {"kind": "raw", "canonical_table": "stg_notion_pages", "page_id_column": "page_id",
            "notion_database_name": null, "clean_order": 0, "property_map": {}},
  "concept_areas": {"kind": "learning", "canonical_table": "clean_concept_areas", "page_id_column": "notion_id",
                    "notion_database_name": "Concept Areas", "clean_order": 1,
                    "property_map": {"name": "Name", "description": "Description", "domain": "Domain",
                                     "display_order": "Order"}},
  "concept_clusters": {"kind": "learning", "canonical_table": "clean_concept_clusters", "page_id_column": "notion_id",
                       "notion_database_name": "Concept Clusters", "clean_order": 2,
                       "property_map": {"name": "Name", "description": "Description", "area": "Area",
                                        "exam_weight": "Exam Weight", "display_order": "Order"}},
  "concepts": {"kind": "learning", "canonical_table": "concepts", "page_id_column": "notion_id",
               "notion_database_name": "Concepts", "clean_order": 3,
               "property_map": {"name": "Name", "definition": "Definition", "domain": "Domain", "status": "Status",
                                "cluster": "Cluster", "area": "Area", "dec_score": "DEC Score",
                                "proc_score": "PROC Score", "app_score": "APP Score",
                                "last_reviewed_at": "Last Reviewed"}},
  "programs": {"kind": "learning", "canonical_table": "clean_programs", "page_id_column": "notion_id",
               "notion_database_name": "Programs", "clean_order": 4,
               "property_map": {"name": "Name", "description": "Description", "status": "Status",
                                "start_date": "Start Date", "end_date": "End Date"}},
  "tracks": {"kind": "learning", "canonical_table": "clean_tracks", "page_id_column": "notion_id",
             "notion_database_name": "Tracks", "clean_order": 5,
             "property_map": {"name": "Name", "description": "Description", "program": "Program",
                              "display_order": "Order"}},
  "modules": {"kind": "learning", "canonical_table": "learning_modules", "page_id_column": "notion_id",
              "notion_database_name": "Modules", "clean_order": 6,
              "property_map": {"name": "Name", "description": "Description", "track": "Track", "week_order": "Week",
                               "status": "Status"}},
  "flashcards": {"kind": "learning", "canonical_table": "learning_atoms", "page_id_column": "notion_id",
                 "notion_database_name": "Flashcards", "clean_order": 7,
                 "property_map": {"card_id": "CardID", "front": "Question", "back": "Answer", "concept": "Concept",
                                  "module": "Module", "status": "Status", "atom_type": "Type"}},
  "worlds": {"kind": "creative", "canonical_table": "worlds", "page_id_column": "notion_page_id",
             "notion_database_name": "Worlds", "clean_order": 8,
             "property_map": {"name": "World Name", "description": "Concept/Premise"}},
  "characters": {"kind": "creative", "canonical_table": "characters", "page_id_column": "notion_page_id",
                 "notion_database_name": "Characters", "clean_order": 9,
                 "property_map": {"name": "Name", "description": ["Description", "Bio", "Backstory"]}},
  "stories": {"kind": "creative", "canonical_table": "stories", "page_id_column": "notion_page_id",
              "notion_database_name": "Stories", "clean_order": 10,
              "property_map": {"title": "Story Title", "description": "Premise"}},
  "chat_sessions": {"kind": "creative", "canonical_table": "chat_sessions", "page_id_column": "notion_page_id",
                    "notion_database_name": "Chat Sessions", "clean_order": 11,
                    "property_map": {"title": "Session Title", "transcript": "Raw Transcript",
                                     "message_count": "Message Count"}}
}
$targets$::jsonb $body$;
COMMENT ON FUNCTION nls._target_catalogue() IS
'Internal: the one list of sync targets, {target: {kind, canonical_table, page_id_column, notion_database_name,
clean_order, property_map}} (jsonb). Read it through nls.targets() and nls.property_map().';

CREATE OR REPLACE FUNCTION nls.targets()
RETURNS TABLE (target text, kind text, canonical_table text, page_id_column text, notion_database_name text,
               clean_order int, property_map jsonb)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.key, t.value ->> 'kind', t.value ->> 'canonical_table', t.value ->> 'page_id_column',
           t.value ->> 'notion_database_name', (t.value ->> 'clean_order')::int, t.value -> 'property_map'
      FROM jsonb_each(nls._target_catalogue()) AS t
     ORDER BY (t.value ->> 'clean_order')::int
$$;
COMMENT ON FUNCTION nls.targets() IS
'The sync targets a source can have, the one list every part of nls reads: targets() returns (target, kind,
canonical_table, page_id_column, notion_database_name, clean_order, property_map), ordered by clean_order. kind
''raw'' (pages: nls.stg_notion_pages only), ''learning'' (the learning schema) or ''creative''; canonical_table is
the nls table nls.clean() fills from the target''s pages, in clean_order (parents first), its page_id_column holding
the Notion page id; notion_database_name is the Notion database name nls.discover() recognises; property_map is the
default {field: Notion property name, or a list of names read in order} (see nls.property_map). Raises nothing.';

CREATE OR REPLACE FUNCTION nls._target_kind(p_target text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT nls._target_catalogue() -> p_target ->> 'kind' $$;
COMMENT ON FUNCTION nls._target_kind(text) IS
'Internal: the kind of a target (raw, learning, creative), or NULL for a name that is no target.';

CREATE OR REPLACE FUNCTION nls.property_map(target text, overrides jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(nls._target_catalogue() -> target -> 'property_map', '{}') || coalesce(overrides, '{}') $$;
COMMENT ON FUNCTION nls.property_map(text, jsonb) IS
'Which Notion property feeds which column of a target: property_map(target text, overrides jsonb) returns
{field: property name or id, or a list of them read in order} (jsonb): the target''s default from nls.targets()
(for the learning targets e.g. flashcards: CardID, Question, Answer, Concept, Module, Status, Type; for the
creative ones e.g. characters: Name, Description else Bio else Backstory), overlaid with
a source''s nls.sources.property_map. A name or title field falls back to the page''s title. {} for a name that is
no target. Raises nothing.';

-- nls.sources.target must name a target of the list (the trigger reads it, so that a new target needs no new
-- constraint).
CREATE OR REPLACE FUNCTION nls._check_target() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF nls._target_kind(NEW.target) IS NULL THEN
        RAISE EXCEPTION 'nls: unknown sync target "%" for database %', NEW.target, NEW.database_id
            USING ERRCODE = '23514',
                  HINT = 'Use one of: ' || (SELECT string_agg(t.target, ', ' ORDER BY t.clean_order) FROM nls.targets() AS t)
                         || ' (SELECT * FROM nls.targets() lists them).';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION nls._check_target() IS
'Internal: the trigger sources_target_check on nls.sources: refuses (23514) a target nls.targets() does not list.';
CREATE OR REPLACE TRIGGER sources_target_check BEFORE INSERT OR UPDATE OF target ON nls.sources
    FOR EACH ROW EXECUTE FUNCTION nls._check_target();

-- What two-way sync writes back to Notion (docs/two-way.md), beside the list above: per target, the default push map
-- ({column of canonical_table: true (the property its property_map field reads), "Notion property name or id", or
-- {"property": ..., "create_options": true}; "create_pages": whether rows with no page get one; "enabled"}) and the
-- columns that hold another canonical row (pushed as a relation to that row's page). A source's own push map
-- (nls.set_push_map) overlays the default.
CREATE OR REPLACE FUNCTION nls._push_catalogue() RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $body$ SELECT $push$
{
  "concept_clusters": {"push_map": {},
                       "references": {"concept_area_id": {"field": "area", "table": "clean_concept_areas"}}},
  "concepts": {"push_map": {"status": true, "dec_score": true, "proc_score": true, "app_score": true},
               "references": {"cluster_id": {"field": "cluster", "table": "clean_concept_clusters"},
                              "concept_area_id": {"field": "area", "table": "clean_concept_areas"}}},
  "tracks": {"push_map": {}, "references": {"program_id": {"field": "program", "table": "clean_programs"}}},
  "modules": {"push_map": {}, "references": {"track_id": {"field": "track", "table": "clean_tracks"}}},
  "flashcards": {"push_map": {"front": true, "back": true, "card_id": true, "atom_type": true, "concept_id": true,
                              "module_id": true, "create_pages": true},
                 "references": {"concept_id": {"field": "concept", "table": "concepts"},
                                "module_id": {"field": "module", "table": "learning_modules"}}}
}
$push$::jsonb $body$;
COMMENT ON FUNCTION nls._push_catalogue() IS
'Internal: what two-way sync pushes by default, {target: {push_map, references: {column: {field, table}}}} (jsonb);
targets not listed push nothing by default. Read it through nls.push_map().';

CREATE OR REPLACE FUNCTION nls.push_map(target text, overrides jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(nls._push_catalogue() -> target -> 'push_map', '{}') || coalesce(overrides, '{}') $$;
COMMENT ON FUNCTION nls.push_map(text, jsonb) IS
'Which columns two-way sync writes back to which Notion properties: push_map(target text, overrides jsonb) returns
{column: true | "property name or id" | {"property": true | "name or id", "create_options": boolean} | false,
"create_pages"?: boolean, "enabled"?: boolean} (jsonb): the target''s default (flashcards: front, back, card_id,
atom_type, concept_id, module_id and new pages for atoms with none; concepts: status, dec_score, proc_score,
app_score; others nothing) overlaid with a source''s nls.sources.push_map. true means the property the source''s
property map reads that column from (by its stable id once learned); false leaves a column out. {} for a name that
is no target. Raises nothing.';
