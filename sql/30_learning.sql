-- The learning pipeline (docs/learning.md): Notion property values -> typed staging -> canonical tables.
-- Everything is set-based: one statement per table and step, no row loops. The rules that grade a card
-- (word counts, atomicity, quality) are IMMUTABLE functions, so the pipeline, the review workflow and the tests
-- share one definition.

-- ---- reading Notion property values ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls.notion_property(properties jsonb, key text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(properties -> key,
                    (SELECT v FROM jsonb_each(properties) AS e(k, v) WHERE v ->> 'id' = key LIMIT 1))
$$;
COMMENT ON FUNCTION nls.notion_property(jsonb, text) IS
'One property value of a Notion page object (GET /v1/pages/{id} "properties"): notion_property(properties jsonb,
key text) returns the property''s jsonb, found by property name, else by property id (as Notion gives it, e.g.
''%3CnJT''); NULL when absent. Raises 22023 when properties is not a JSON object and key names none of it.';

CREATE OR REPLACE FUNCTION nls.notion_text(property jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT nullif(CASE property ->> 'type'
        WHEN 'title' THEN (SELECT string_agg(x ->> 'plain_text', '' ORDER BY o)
                             FROM jsonb_array_elements(property -> 'title') WITH ORDINALITY AS t(x, o))
        WHEN 'rich_text' THEN (SELECT string_agg(x ->> 'plain_text', '' ORDER BY o)
                                 FROM jsonb_array_elements(property -> 'rich_text') WITH ORDINALITY AS t(x, o))
        WHEN 'select' THEN property -> 'select' ->> 'name'
        WHEN 'status' THEN property -> 'status' ->> 'name'
        WHEN 'multi_select' THEN (SELECT string_agg(x ->> 'name', ', ' ORDER BY o)
                                    FROM jsonb_array_elements(property -> 'multi_select') WITH ORDINALITY AS t(x, o))
        WHEN 'people' THEN (SELECT string_agg(coalesce(x ->> 'name', x ->> 'id'), ', ' ORDER BY o)
                              FROM jsonb_array_elements(property -> 'people') WITH ORDINALITY AS t(x, o))
        WHEN 'relation' THEN (SELECT string_agg(x ->> 'id', ', ' ORDER BY o)
                                FROM jsonb_array_elements(property -> 'relation') WITH ORDINALITY AS t(x, o))
        WHEN 'files' THEN (SELECT string_agg(x ->> 'name', ', ' ORDER BY o)   -- names: signed urls expire
                             FROM jsonb_array_elements(property -> 'files') WITH ORDINALITY AS t(x, o))
        WHEN 'number' THEN property ->> 'number'
        WHEN 'checkbox' THEN property ->> 'checkbox'
        WHEN 'date' THEN property -> 'date' ->> 'start'
        WHEN 'url' THEN property ->> 'url'
        WHEN 'email' THEN property ->> 'email'
        WHEN 'phone_number' THEN property ->> 'phone_number'
        WHEN 'created_time' THEN property ->> 'created_time'
        WHEN 'last_edited_time' THEN property ->> 'last_edited_time'
        WHEN 'unique_id' THEN concat_ws('-', property -> 'unique_id' ->> 'prefix', property -> 'unique_id' ->> 'number')
        WHEN 'formula' THEN CASE property -> 'formula' ->> 'type'
                                WHEN 'date' THEN property -> 'formula' -> 'date' ->> 'start'
                                WHEN 'string' THEN property -> 'formula' ->> 'string'
                                WHEN 'number' THEN property -> 'formula' ->> 'number'
                                WHEN 'boolean' THEN property -> 'formula' ->> 'boolean'
                                END   -- "unsupported": unknown, not a value (stg_notion_pages.value_marks)
        END, '')
$$;
COMMENT ON FUNCTION nls.notion_text(jsonb) IS
'The text of one Notion property value (any type: title and rich_text joined plain_text, select/status name,
multi_select, people and files names joined by '', '' (never a file''s url: see nls.notion_files), number, checkbox, date start, url, email, unique_id PREFIX-N,
formula result, relation ids); notion_text(property jsonb) returns text, NULL for an empty value. Raises 22023 when a
title, rich_text, multi_select, people, relation or files value is not a JSON array.';

CREATE OR REPLACE FUNCTION nls.notion_relation_ids(property jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(x ->> 'id' ORDER BY o), '{}')
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(property -> 'relation') = 'array'
                                     THEN property -> 'relation' ELSE '[]' END) WITH ORDINALITY AS t(x, o)
$$;
COMMENT ON FUNCTION nls.notion_relation_ids(jsonb) IS
'The page ids a relation property holds, in Notion''s order: notion_relation_ids(property jsonb) returns text[]
(empty when the property is absent or not a relation). A page object holds at most 25 of them (has_more). Raises
nothing.';

CREATE OR REPLACE FUNCTION nls._num(p text, p_min numeric, p_max numeric, p_scale int) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p ~ '^\s*-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\s*$'
                 AND p::numeric BETWEEN p_min AND p_max THEN round(p::numeric, p_scale) END
$$;
COMMENT ON FUNCTION nls._num(text, numeric, numeric, int) IS
'A number read from Notion text, rounded to the column''s scale; NULL when not a number or outside [min, max].';

CREATE OR REPLACE FUNCTION nls._int(p text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT nls._num(p, -2147483648, 2147483647, 0)::int $$;
COMMENT ON FUNCTION nls._int(text) IS 'A whole number read from Notion text (rounded); NULL when not a number or out of int range.';

CREATE OR REPLACE FUNCTION nls._date(p text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p ~ '^\d{4}-\d{2}-\d{2}' AND to_char(to_date(left(p, 10), 'YYYY-MM-DD'), 'YYYY-MM-DD') = left(p, 10)
                THEN to_date(left(p, 10), 'YYYY-MM-DD') END
$$;
COMMENT ON FUNCTION nls._date(text) IS 'The date part of a Notion date (YYYY-MM-DD...); NULL when not a valid date.';

CREATE OR REPLACE FUNCTION nls._status(p text, p_allowed text[], p_default text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN v = ANY (p_allowed) THEN v ELSE p_default END
      FROM (SELECT regexp_replace(lower(btrim(p)), '[\s-]+', '_', 'g') AS v) AS x
$$;
COMMENT ON FUNCTION nls._status(text, text[], text) IS
'A status value in the learning schema''s vocabulary: lower case, spaces and dashes as "_" ("In progress" ->
in_progress); the default when it is not one of the allowed values (the Notion value stays in staging).';

-- ---- property maps (the defaults: nls.property_map(), sql/05_targets.sql) -------------------------------------
-- A map holds {field: property name or id} and, learned by the pipeline, {"#field": the property's stable id}:
-- a property renamed in Notion is still found by its id.
CREATE OR REPLACE FUNCTION nls._mapped_list(p_properties jsonb, p_keys jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(p_keys) = 'array'
                THEN (SELECT nls.notion_property(p_properties, k)
                        FROM jsonb_array_elements_text(p_keys) WITH ORDINALITY AS a(k, o)
                       WHERE nls.notion_text(nls.notion_property(p_properties, k)) IS NOT NULL
                       ORDER BY o LIMIT 1) END
$$;
COMMENT ON FUNCTION nls._mapped_list(jsonb, jsonb) IS
'The first property of a mapped list (["Description", "Bio", ...]) that holds a value; NULL when p_keys is no list.';

CREATE OR REPLACE FUNCTION nls._mapped(p_properties jsonb, p_map jsonb, p_field text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(nls.notion_property(p_properties, p_map ->> p_field),
                    nls._mapped_list(p_properties, p_map -> p_field),
                    nls.notion_property(p_properties, p_map ->> ('#' || p_field)))
$$;

CREATE OR REPLACE FUNCTION nls._source_map(p_target text, p_property_map jsonb, p_property_ids jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT nls.property_map(p_target, p_property_map) || p_property_ids $$;
COMMENT ON FUNCTION nls._source_map(text, jsonb, jsonb) IS
'A source''s whole map: nls.property_map(target, sources.property_map) with the stable ids learned for its fields.';

CREATE OR REPLACE FUNCTION nls._field(p_properties jsonb, p_map jsonb, p_field text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT nls.notion_text(nls._mapped(p_properties, p_map, p_field)) $$;

CREATE OR REPLACE FUNCTION nls._first_related(p_properties jsonb, p_map jsonb, p_field text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (nls.notion_relation_ids(nls._mapped(p_properties, p_map, p_field)))[1] $$;

CREATE OR REPLACE FUNCTION nls._title(p_properties jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT nls.notion_text(v) FROM jsonb_each(p_properties) AS e(k, v) WHERE v ->> 'type' = 'title' LIMIT 1 $$;

CREATE OR REPLACE FUNCTION nls._name(p_properties jsonb, p_map jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(nls._field(p_properties, p_map, 'name'), nls._title(p_properties), 'Untitled') $$;

-- ---- the rules that grade a card (docs/learning.md, "Card rules") ------------------------------------------------
CREATE OR REPLACE FUNCTION nls.word_count(body text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN body IS NULL OR btrim(body) = '' THEN 0
                ELSE array_length(regexp_split_to_array(btrim(body), '\s+'), 1) END
$$;
COMMENT ON FUNCTION nls.word_count(text) IS
'Words in a card side: word_count(body text) returns int, the number of runs of non-space characters (0 for NULL).
Raises nothing.';

CREATE OR REPLACE FUNCTION nls.normalize_card_id(card_id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT nullif(btrim(regexp_replace(regexp_replace(upper(btrim(card_id)), '[\s_.]+', '-', 'g'),
                                       '-{2,}', '-', 'g'), '-'), '')
$$;
COMMENT ON FUNCTION nls.normalize_card_id(text) IS
'A card id in its canonical form: normalize_card_id(card_id text) returns text: upper case, spaces, underscores
and dots turned into one dash, no leading or trailing dash (" net_m1 001-dec " -> "NET-M1-001-DEC"); NULL when
empty. Raises nothing.';

CREATE OR REPLACE FUNCTION nls.atom_type_for(front text, mapped_type text DEFAULT NULL) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN regexp_replace(lower(btrim(mapped_type)), '[\s/-]+', '_', 'g')
             IN ('flashcard', 'cloze', 'mcq', 'true_false', 'matching', 'parsons')
            THEN regexp_replace(lower(btrim(mapped_type)), '[\s/-]+', '_', 'g')
        WHEN front ~ '\{\{c\d+::' THEN 'cloze'
        ELSE 'flashcard' END
$$;
COMMENT ON FUNCTION nls.atom_type_for(text, text) IS
'A card''s atom_type: atom_type_for(front text, mapped_type text) returns the mapped type property''s value when it
names a known type (flashcard, cloze, mcq, true_false, matching, parsons; case and spacing free), else ''cloze''
when the front holds an Anki cloze deletion ({{c1::...}}), else ''flashcard''. Raises nothing.';

CREATE OR REPLACE FUNCTION nls.atomicity_status(front text, back text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN length(front) - length(replace(front, '?', '')) > 1
          OR nls.word_count(back) > 60
          OR (SELECT count(*) FROM regexp_matches(coalesce(back, ''), '(^|\n)\s*([-*•]|\d+[.)])\s', 'g')) >= 3
            THEN 'needs_split'
        WHEN nls.word_count(front) > 25 OR nls.word_count(back) > 25 THEN 'verbose'
        ELSE 'atomic' END
$$;
COMMENT ON FUNCTION nls.atomicity_status(text, text) IS
'The minimum-information check of a card: atomicity_status(front text, back text) returns ''needs_split'' when
the front asks more than one question (two or more "?"), the back runs past 60 words or lists 3 or more items
(lines starting with -, *, • or 1. / 1)); else ''verbose'' when either side runs past 25 words; else ''atomic''.
Raises nothing.';

CREATE OR REPLACE FUNCTION nls.atom_quality_score(front text, back text, atom_type text, atomicity text,
                                                  has_concept boolean, has_module boolean) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT round(greatest(0.0, least(1.0, 1.0
        - CASE WHEN coalesce(btrim(back), '') = '' THEN 0.50 ELSE 0 END
        - CASE WHEN coalesce(btrim(back), '') <> '' AND lower(btrim(back)) = lower(btrim(front)) THEN 0.30 ELSE 0 END
        - CASE atomicity WHEN 'needs_split' THEN 0.25 WHEN 'verbose' THEN 0.15 ELSE 0 END
        - CASE WHEN nls.word_count(front) < 3 THEN 0.10 ELSE 0 END
        - CASE WHEN atom_type = 'flashcard' AND position('?' IN coalesce(front, '')) = 0
                    AND right(btrim(coalesce(front, '')), 1) <> ':' THEN 0.10 ELSE 0 END
        - CASE WHEN has_concept THEN 0 ELSE 0.10 END
        - CASE WHEN has_module THEN 0 ELSE 0.05 END)), 2)
$$;
COMMENT ON FUNCTION nls.atom_quality_score(text, text, text, text, boolean, boolean) IS
'A card''s quality_score in 0.00-1.00: atom_quality_score(front, back, atom_type, atomicity, has_concept,
has_module) returns numeric(3,2) = 1.00 - 0.50 empty back - 0.30 back repeats the front - 0.25 needs_split /
0.15 verbose - 0.10 front under 3 words - 0.10 a flashcard front that is not a question (no "?", no final ":")
- 0.10 no concept - 0.05 no module, clamped to [0, 1]. Raises nothing.';

CREATE OR REPLACE FUNCTION nls.atom_needs_review(back text, atomicity text, quality_score numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(btrim(back), '') = '' OR atomicity <> 'atomic' OR quality_score < 0.75 $$;
COMMENT ON FUNCTION nls.atom_needs_review(text, text, numeric) IS
'Whether a card goes to manual review: atom_needs_review(back, atomicity, quality_score) returns true for an empty
back, a card that is not atomic, or a quality_score under 0.75 (the threshold of the learning schema''s Anki query). A
card whose id another card of the same user already holds is flagged as well (see nls._want_learning_atoms). Raises
nothing.';

-- ---- staging: stg_notion_pages (the engine's ledger) -> the typed staging tables of the learning schema --------
CREATE OR REPLACE FUNCTION nls._learn_property_ids(p_user text, p_pages text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- learn the stable id of each mapped property while it still has its name (newest page of each source)
    UPDATE nls.sources s
       SET property_ids = s.property_ids || learned.ids
      FROM (SELECT p.source_id, jsonb_object_agg('#' || f.key, p.raw_properties -> (f.value #>> '{}') ->> 'id') AS ids
              FROM (SELECT DISTINCT ON (pg.source_id) pg.source_id, pg.raw_properties
                      FROM nls.stg_notion_pages pg JOIN nls.sources ls ON ls.id = pg.source_id AND ls.target <> 'pages'
                     WHERE (p_user IS NULL OR pg.user_id = p_user) AND (p_pages IS NULL OR pg.page_id = ANY (p_pages))
                     ORDER BY pg.source_id, pg.last_edited_time DESC) p
              JOIN nls.sources s2 ON s2.id = p.source_id
             CROSS JOIN LATERAL jsonb_each(nls.property_map(s2.target, s2.property_map)) AS f
             WHERE jsonb_typeof(f.value) = 'string'
               AND jsonb_typeof(p.raw_properties -> (f.value #>> '{}') -> 'id') = 'string'
             GROUP BY p.source_id) learned
     WHERE s.id = learned.source_id AND NOT s.property_ids @> learned.ids;
END
$$;
COMMENT ON FUNCTION nls._learn_property_ids(text, text[]) IS
'Internal (nls._stage_learning): records in nls.sources.property_ids the stable id of each mapped property, read from
the newest page of each source among p_pages (all when NULL), so that a property renamed later still feeds its field.';

CREATE OR REPLACE FUNCTION nls._stage_target(p_target text, p_user text, p_pages text[]) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_target text := p_target;
    v_rows int;
BEGIN
    -- a page whose source went away (remove_source) leaves staging; the canonical step then removes its row
    -- (a source removed or changed queues a whole pass: nls._source_changed)
    IF p_pages IS NULL THEN
        EXECUTE format($q$
            DELETE FROM nls.%1$I st
             WHERE ($1::text IS NULL OR st.user_id = $1)
               AND NOT EXISTS (SELECT 1 FROM nls.stg_notion_pages p JOIN nls.sources s ON s.id = p.source_id
                                WHERE s.target = %2$L AND p.user_id = st.user_id AND p.page_id = st.notion_page_id)
        $q$, 'stg_notion_' || v_target, v_target) USING p_user;
    END IF;
    EXECUTE format($q$
        INSERT INTO nls.%1$I AS st (user_id, notion_page_id, source_id, raw_properties, raw_content,
                                    last_edited_time, in_trash, last_synced_at, sync_hash)
        SELECT DISTINCT ON (p.user_id, p.page_id) p.user_id, p.page_id, p.source_id, p.raw_properties,
               p.raw_content, p.last_edited_time, p.in_trash OR p.deleted_at IS NOT NULL, p.last_synced_at,
               p.sync_hash
          FROM nls.stg_notion_pages p JOIN nls.sources s ON s.id = p.source_id AND s.target = %2$L
         WHERE ($1::text IS NULL OR p.user_id = $1) AND ($2::text[] IS NULL OR p.page_id = ANY ($2))
         ORDER BY p.user_id, p.page_id, p.last_edited_time DESC, p.source_id
        ON CONFLICT (user_id, notion_page_id) DO UPDATE
           SET source_id = excluded.source_id, raw_properties = excluded.raw_properties,
               raw_content = excluded.raw_content, last_edited_time = excluded.last_edited_time,
               in_trash = excluded.in_trash, last_synced_at = excluded.last_synced_at,
               sync_hash = excluded.sync_hash
         WHERE (st.source_id, st.sync_hash, st.in_trash, st.last_synced_at)
               IS DISTINCT FROM (excluded.source_id, excluded.sync_hash, excluded.in_trash, excluded.last_synced_at)
    $q$, 'stg_notion_' || v_target, v_target) USING p_user, p_pages;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;
COMMENT ON FUNCTION nls._stage_target(text, text, text[]) IS
'Internal (nls._stage_learning): copies the pages of one learning target (p_pages, or all with NULL, when staged rows
whose source went away leave too) into its typed staging table stg_notion_<target>, only rows that changed; returns
how many were written.';

CREATE OR REPLACE FUNCTION nls._stage_parents(p_user text, p_pages text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- parents, from the relations the property map names
    UPDATE nls.stg_notion_concepts st
       SET parent_type = x.parent_type, parent_notion_id = x.parent_notion_id
      FROM (SELECT c.user_id, c.notion_page_id,
                   CASE WHEN nls._first_related(c.raw_properties, m.map, 'cluster') IS NOT NULL THEN 'cluster'
                        WHEN nls._first_related(c.raw_properties, m.map, 'area') IS NOT NULL THEN 'area' END
                       AS parent_type,
                   coalesce(nls._first_related(c.raw_properties, m.map, 'cluster'),
                            nls._first_related(c.raw_properties, m.map, 'area')) AS parent_notion_id
              FROM nls.stg_notion_concepts c JOIN nls.sources s ON s.id = c.source_id
             CROSS JOIN LATERAL (SELECT nls._source_map('concepts', s.property_map, s.property_ids) AS map) m
             WHERE (p_user IS NULL OR c.user_id = p_user) AND (p_pages IS NULL OR c.notion_page_id = ANY (p_pages))) x
     WHERE st.user_id = x.user_id AND st.notion_page_id = x.notion_page_id
       AND (st.parent_type, st.parent_notion_id) IS DISTINCT FROM (x.parent_type, x.parent_notion_id);
    UPDATE nls.stg_notion_concept_clusters st
       SET parent_area_notion_id = x.area
      FROM (SELECT c.user_id, c.notion_page_id,
                   nls._first_related(c.raw_properties, nls._source_map('concept_clusters', s.property_map, s.property_ids), 'area')
                       AS area
              FROM nls.stg_notion_concept_clusters c JOIN nls.sources s ON s.id = c.source_id
             WHERE (p_user IS NULL OR c.user_id = p_user) AND (p_pages IS NULL OR c.notion_page_id = ANY (p_pages))) x
     WHERE st.user_id = x.user_id AND st.notion_page_id = x.notion_page_id
       AND st.parent_area_notion_id IS DISTINCT FROM x.area;
END
$$;
COMMENT ON FUNCTION nls._stage_parents(text, text[]) IS
'Internal (nls._stage_learning): fills parent_type / parent_notion_id of staged concepts and parent_area_notion_id of
staged clusters from the relations their property map names.';

CREATE OR REPLACE FUNCTION nls._stage_learning(p_user text, p_pages text[] DEFAULT NULL) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_total int := 0;
    t record;
BEGIN
    PERFORM nls._learn_property_ids(p_user, p_pages);
    FOR t IN SELECT c.target FROM nls.targets() AS c WHERE c.kind = 'learning' ORDER BY c.clean_order LOOP
        v_total := v_total + nls._stage_target(t.target, p_user, p_pages);
    END LOOP;
    PERFORM nls._stage_parents(p_user, p_pages);
    RETURN v_total;
END
$$;
COMMENT ON FUNCTION nls._stage_learning(text, text[]) IS
'Step 1 of nls.clean(): _stage_learning(user_id, pages => NULL) copies the pages of learning sources from
stg_notion_pages into their typed staging table (stg_notion_flashcards, ...), only rows that changed; fills
parent_type / parent_notion_id (concepts) and parent_area_notion_id (clusters); with pages NULL it also drops staged
pages whose source is gone, else it looks at those page ids only (the pages written since the last cleaning).
Returns the rows written (int).';

-- ---- what each canonical table should hold, computed from staging -------------------------------------------
CREATE OR REPLACE VIEW nls._want_clean_concept_areas AS
SELECT st.user_id, st.notion_page_id AS notion_id,
       nls._name(st.raw_properties, m.map) AS name,
       nls._field(st.raw_properties, m.map, 'description') AS description,
       nls._field(st.raw_properties, m.map, 'domain') AS domain,
       coalesce(nls._int(nls._field(st.raw_properties, m.map, 'display_order')), 0) AS display_order
  FROM nls.stg_notion_concept_areas st JOIN nls.sources s ON s.id = st.source_id
 CROSS JOIN LATERAL (SELECT nls._source_map('concept_areas', s.property_map, s.property_ids) AS map) m
 WHERE NOT st.in_trash;

CREATE OR REPLACE VIEW nls._want_clean_concept_clusters AS
SELECT st.user_id, st.notion_page_id AS notion_id, a.id AS concept_area_id,
       nls._name(st.raw_properties, m.map) AS name,
       nls._field(st.raw_properties, m.map, 'description') AS description,
       nls._num(nls._field(st.raw_properties, m.map, 'exam_weight'), 0, 100, 2) AS exam_weight,
       coalesce(nls._int(nls._field(st.raw_properties, m.map, 'display_order')), 0) AS display_order
  FROM nls.stg_notion_concept_clusters st JOIN nls.sources s ON s.id = st.source_id
 CROSS JOIN LATERAL (SELECT nls._source_map('concept_clusters', s.property_map, s.property_ids) AS map) m
  LEFT JOIN nls.clean_concept_areas a ON a.user_id = st.user_id AND a.notion_id = st.parent_area_notion_id
 WHERE NOT st.in_trash;

-- the Anki sync's reviews (nls.anki_notes, migration 0012) count as reviews of the concept
CREATE OR REPLACE FUNCTION nls._anki_last_review(p_user text, p_concept_notion_id text) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT max(n.last_review_at)
      FROM nls.concepts c
      JOIN nls.learning_atoms a ON a.concept_id = c.id
      JOIN nls.anki_notes n ON n.user_id = a.user_id AND n.atom_key = coalesce(a.notion_id, 'atom:' || a.id)
     WHERE c.user_id = p_user AND c.notion_id = p_concept_notion_id
$$;
COMMENT ON FUNCTION nls._anki_last_review(text, text) IS
'Internal: the last time the learner answered a card of the concept (by its Notion page id) in Anki, as the Anki
pull read it (nls.anki_notes.last_review_at); NULL when never. nls._want_concepts keeps the later of it and
Notion''s Last Reviewed.';

CREATE OR REPLACE VIEW nls._want_concepts AS
SELECT st.user_id, st.notion_page_id AS notion_id, cl.id AS cluster_id, a.id AS concept_area_id,
       nls._name(st.raw_properties, m.map) AS name,
       nls._field(st.raw_properties, m.map, 'definition') AS definition,
       nls._field(st.raw_properties, m.map, 'domain') AS domain,
       nls._status(nls._field(st.raw_properties, m.map, 'status'),
                   '{to_learn,active,reviewing,mastered,stale}', 'to_learn') AS status,
       nls._num(nls._field(st.raw_properties, m.map, 'dec_score'), 0, 10, 2) AS dec_score,
       nls._num(nls._field(st.raw_properties, m.map, 'proc_score'), 0, 10, 2) AS proc_score,
       nls._num(nls._field(st.raw_properties, m.map, 'app_score'), 0, 10, 2) AS app_score,
       greatest(nls._date(nls._field(st.raw_properties, m.map, 'last_reviewed_at'))::timestamptz,
                nls._anki_last_review(st.user_id, st.notion_page_id)) AS last_reviewed_at
  FROM nls.stg_notion_concepts st JOIN nls.sources s ON s.id = st.source_id
 CROSS JOIN LATERAL (SELECT nls._source_map('concepts', s.property_map, s.property_ids) AS map) m
  LEFT JOIN nls.clean_concept_clusters cl
         ON st.parent_type = 'cluster' AND cl.user_id = st.user_id AND cl.notion_id = st.parent_notion_id
  LEFT JOIN nls.clean_concept_areas a
         ON a.user_id = st.user_id AND a.notion_id = nls._first_related(st.raw_properties, m.map, 'area')
 WHERE NOT st.in_trash;

CREATE OR REPLACE VIEW nls._want_clean_programs AS
SELECT st.user_id, st.notion_page_id AS notion_id,
       nls._name(st.raw_properties, m.map) AS name,
       nls._field(st.raw_properties, m.map, 'description') AS description,
       nls._status(nls._field(st.raw_properties, m.map, 'status'),
                   '{active,completed,paused,archived}', 'active') AS status,
       nls._date(nls._field(st.raw_properties, m.map, 'start_date')) AS start_date,
       nls._date(nls._field(st.raw_properties, m.map, 'end_date')) AS end_date
  FROM nls.stg_notion_programs st JOIN nls.sources s ON s.id = st.source_id
 CROSS JOIN LATERAL (SELECT nls._source_map('programs', s.property_map, s.property_ids) AS map) m
 WHERE NOT st.in_trash;

CREATE OR REPLACE VIEW nls._want_clean_tracks AS
SELECT st.user_id, st.notion_page_id AS notion_id, p.id AS program_id,
       nls._name(st.raw_properties, m.map) AS name,
       nls._field(st.raw_properties, m.map, 'description') AS description,
       coalesce(nls._int(nls._field(st.raw_properties, m.map, 'display_order')), 0) AS display_order
  FROM nls.stg_notion_tracks st JOIN nls.sources s ON s.id = st.source_id
 CROSS JOIN LATERAL (SELECT nls._source_map('tracks', s.property_map, s.property_ids) AS map) m
  LEFT JOIN nls.clean_programs p
         ON p.user_id = st.user_id AND p.notion_id = nls._first_related(st.raw_properties, m.map, 'program')
 WHERE NOT st.in_trash;

CREATE OR REPLACE VIEW nls._want_learning_modules AS
SELECT st.user_id, st.notion_page_id AS notion_id, t.id AS track_id,
       nls._name(st.raw_properties, m.map) AS name,
       nls._field(st.raw_properties, m.map, 'description') AS description,
       nls._int(nls._field(st.raw_properties, m.map, 'week_order')) AS week_order,
       nls._status(nls._field(st.raw_properties, m.map, 'status'),
                   '{not_started,in_progress,completed,reviewing}', 'not_started') AS status
  FROM nls.stg_notion_modules st JOIN nls.sources s ON s.id = st.source_id
 CROSS JOIN LATERAL (SELECT nls._source_map('modules', s.property_map, s.property_ids) AS map) m
  LEFT JOIN nls.clean_tracks t
         ON t.user_id = st.user_id AND t.notion_id = nls._first_related(st.raw_properties, m.map, 'track')
 WHERE NOT st.in_trash;

-- What learning_atoms should hold, for every card (p_pages NULL) or for some cards of one user (a cleaning that follows
-- the change: the cards written since the last one and those that depend on them, nls.clean).
CREATE OR REPLACE FUNCTION nls._want_atoms(p_user text, p_pages text[])
RETURNS TABLE (user_id text, notion_id text, card_id text, atom_type text, front text, back text, concept_id uuid,
               module_id uuid, quality_score numeric, is_atomic boolean, front_word_count int, back_word_count int,
               atomicity_status text, needs_review boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
WITH cards AS MATERIALIZED (
    SELECT st.user_id, st.notion_page_id AS notion_id,
           nls.normalize_card_id(CASE WHEN ps.base_values ? 'card_id' THEN cur.card_id
                                      ELSE nls._field(st.raw_properties, m.map, 'card_id') END) AS card_id,
           -- a local change waiting to be pushed (nls.notion_sync_state, sql/80_push.sql) wins over Notion's value;
           -- so does an approved rewrite newer than the card's last Notion edit, of an atom two-way sync has not taken
           CASE WHEN ps.base_values ? 'front' OR (cur.last_rewrite_at > st.last_edited_time AND ps.id IS NULL)
                THEN cur.front ELSE coalesce(nls._field(st.raw_properties, m.map, 'front'), '') END AS front,
           CASE WHEN ps.base_values ? 'back' OR (cur.last_rewrite_at > st.last_edited_time AND ps.id IS NULL)
                THEN cur.back ELSE nls._field(st.raw_properties, m.map, 'back') END AS back,
           CASE WHEN ps.base_values ? 'atom_type' THEN cur.atom_type
                ELSE nls._field(st.raw_properties, m.map, 'atom_type') END AS mapped_type,
           CASE WHEN ps.base_values ? 'concept_id' THEN cur.concept_id ELSE c.id END AS concept_id,
           CASE WHEN ps.base_values ? 'module_id' THEN cur.module_id ELSE mo.id END AS module_id,
           cur.card_id AS current_card_id
      FROM nls.stg_notion_flashcards st JOIN nls.sources s ON s.id = st.source_id
     CROSS JOIN LATERAL (SELECT nls._source_map('flashcards', s.property_map, s.property_ids) AS map) m
      LEFT JOIN nls.learning_atoms cur ON cur.user_id = st.user_id AND cur.notion_id = st.notion_page_id
      LEFT JOIN nls.notion_sync_state ps
             ON ps.user_id = cur.user_id AND ps.local_table = 'learning_atoms' AND ps.local_id = cur.id
      LEFT JOIN nls.concepts c
             ON c.user_id = st.user_id AND c.notion_id = nls._first_related(st.raw_properties, m.map, 'concept')
      LEFT JOIN nls.learning_modules mo
             ON mo.user_id = st.user_id AND mo.notion_id = nls._first_related(st.raw_properties, m.map, 'module')
     WHERE NOT st.in_trash AND (p_user IS NULL OR st.user_id = p_user)
       AND (p_pages IS NULL OR st.notion_page_id = ANY (p_pages))
), graded AS MATERIALIZED (
    SELECT cards.*, nls.atom_type_for(front, mapped_type) AS atom_type,
           nls.atomicity_status(front, back) AS atomicity_status,
           -- two cards of one user with one card id: the card that holds it keeps it, the other loses it
           card_id IS NOT NULL AND row_number() OVER (
               PARTITION BY user_id, card_id
               ORDER BY (current_card_id IS NOT DISTINCT FROM card_id) DESC, notion_id) > 1 AS duplicate_card_id
      FROM cards
), scored AS (
    SELECT graded.*, nls.atom_quality_score(front, back, atom_type, atomicity_status, concept_id IS NOT NULL,
                                            module_id IS NOT NULL) AS quality_score
      FROM graded
)
SELECT user_id, notion_id, CASE WHEN duplicate_card_id THEN NULL ELSE card_id END AS card_id, atom_type, front, back,
       concept_id, module_id, quality_score, atomicity_status = 'atomic' AS is_atomic,
       nls.word_count(front) AS front_word_count, nls.word_count(back) AS back_word_count, atomicity_status,
       duplicate_card_id OR nls.atom_needs_review(back, atomicity_status, quality_score) AS needs_review
  FROM scored
$$;
COMMENT ON FUNCTION nls._want_atoms(text, text[]) IS
'Internal: _want_atoms(user_id, pages) is what nls.learning_atoms should hold for the synced flashcards (every user''s
with NULL, every card with pages NULL), graded by the card rules; the view nls._want_learning_atoms reads it whole.
Two cards of one user with one card id: the card that holds it keeps it (so a restricted call must include the cards
that hold or lack a card id the given ones hold or held: nls.clean does).';

CREATE OR REPLACE VIEW nls._want_learning_atoms AS
SELECT * FROM nls._want_atoms(NULL, NULL);

COMMENT ON VIEW nls._want_learning_atoms IS
'What learning_atoms should hold for the synced flashcards (one row per card that is not trashed), computed by the
card rules; nls.clean() writes the difference.';

-- ---- writing the difference ----------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION nls._clean_touched(p_table text, p_target text, p_user text, p_key text, p_pages text[])
RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_any boolean;
BEGIN
    IF p_pages IS NULL THEN
        RETURN true;   -- a whole pass
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM nls.stg_notion_pages p JOIN nls.sources s ON s.id = p.source_id '
                   'AND s.target = $3 WHERE p.user_id = $1 AND p.page_id = ANY ($2)) '
                   'OR EXISTS (SELECT 1 FROM nls.%I WHERE user_id = $1 AND %I = ANY ($2))', p_table, p_key)
        INTO v_any USING p_user, p_pages, p_target;
    RETURN v_any;
END
$$;
COMMENT ON FUNCTION nls._clean_touched(text, text, text, text, text[]) IS
'Internal (nls._clean_entity): whether a canonical table has anything to do in a pass that follows the change: one of
p_pages is a page of the table''s target or a row of the table (true for a whole pass, p_pages NULL).';

CREATE OR REPLACE FUNCTION nls._clean_want(p_table text, p_key text, p_user text, p_pages text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- the wanted rows, computed once (the views grade every card: evaluating them once per step would triple it);
    -- dropped at the end of nls._clean_entity, a failed pass rolls its creation back with everything else.
    -- p_pages: only the rows of those pages (the cleaning following the change); the atoms through _want_atoms,
    -- whose grading a filter on the view would not reach
    IF p_pages IS NOT NULL AND p_table = 'learning_atoms' THEN
        EXECUTE 'CREATE TEMP TABLE _nls_want ON COMMIT DROP AS SELECT * FROM nls._want_atoms($1, $2)'
            USING p_user, p_pages;
    ELSE
        EXECUTE format('CREATE TEMP TABLE _nls_want ON COMMIT DROP AS SELECT * FROM nls.%I WHERE ($1::text IS NULL '
                       'OR user_id = $1) AND ($2::text[] IS NULL OR %I = ANY ($2))', '_want_' || p_table, p_key)
            USING p_user, p_pages;
    END IF;
    EXECUTE format('CREATE UNIQUE INDEX ON pg_temp._nls_want (user_id, %I)', p_key);
    ANALYZE pg_temp._nls_want;
END
$$;
COMMENT ON FUNCTION nls._clean_want(text, text, text, text[]) IS
'Internal (nls._clean_entity): pg_temp._nls_want, the rows a canonical table should hold (nls._want_<table>) for one
user or every user (NULL), restricted to p_pages when not NULL; indexed on (user_id, page id column).';

CREATE OR REPLACE FUNCTION nls._clean_removed(p_table text, p_target text, p_user text, p_log uuid, p_key text,
                                              p_pages text[]) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_removed int;
BEGIN
    -- rows whose page left (trashed, deleted, unshared, source removed): last state into cleaning_log
    EXECUTE format($q$
        WITH gone AS (
            DELETE FROM nls.%1$I t
             WHERE ($1::text IS NULL OR t.user_id = $1) AND t.%2$I IS NOT NULL
               AND ($4::text[] IS NULL OR t.%2$I = ANY ($4))
               AND NOT EXISTS (SELECT 1 FROM pg_temp._nls_want w WHERE w.user_id = t.user_id AND w.%2$I = t.%2$I)
               -- only where Notion is the user's source of truth for this table
               AND EXISTS (SELECT 1 FROM nls.sources s WHERE s.user_id = t.user_id AND s.target = $3)
            RETURNING t.*
        )
        INSERT INTO nls.cleaning_log (operation, old_value, user_id, entity, notion_id, sync_log_id)
        SELECT 'notion_removed', to_jsonb(gone), gone.user_id, %1$L, gone.%2$I, $2 FROM gone
    $q$, p_table, p_key) USING p_user, p_log, p_target, p_pages;
    GET DIAGNOSTICS v_removed = ROW_COUNT;
    RETURN v_removed;
END
$$;
COMMENT ON FUNCTION nls._clean_removed(text, text, text, uuid, text, text[]) IS
'Internal (nls._clean_entity, step 3): deletes the rows of a canonical table whose page left (not in pg_temp._nls_want;
only where the user syncs the table''s target; restricted to p_pages when not NULL), each logged whole in
cleaning_log as notion_removed; returns how many.';

CREATE OR REPLACE FUNCTION nls._clean_entity(p_table text, p_target text, p_user text, p_log uuid, p_key text,
                                             p_pages text[], OUT added int, OUT updated int, OUT removed int)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cols text[];
    v_list text;
    v_t text;
    v_w text;
    v_x text;
    v_set text;
    v_written int;
BEGIN
    added := 0; updated := 0; removed := 0;
    IF NOT nls._clean_touched(p_table, p_target, p_user, p_key, p_pages) THEN
        RETURN;   -- following the change: none of its pages changed, nor depend on a change
    END IF;
    SELECT array_agg(attname::text ORDER BY attnum) INTO v_cols
      FROM pg_attribute
     WHERE attrelid = format('nls.%I', '_want_' || p_table)::regclass AND attnum > 0 AND NOT attisdropped
       AND attname NOT IN ('user_id', p_key);
    SELECT string_agg(format('%I', c), ', '), string_agg(format('t.%I', c), ', '),
           string_agg(format('w.%I', c), ', '), string_agg(format('excluded.%I', c), ', '),
           string_agg(format('%1$I = excluded.%1$I', c), ', ')
      INTO v_list, v_t, v_w, v_x, v_set
      FROM unnest(v_cols) AS c;
    PERFORM nls._clean_want(p_table, p_key, p_user, p_pages);
    -- two-way sync (sql/80_push.sql): what waits to be pushed stays; the writes below are the pipeline's own
    PERFORM nls._two_way_want(p_table, p_key, p_user);
    -- 1. rows that change: their old and new values (changed fields only) into cleaning_log
    EXECUTE format($q$
        INSERT INTO nls.cleaning_log (atom_id, operation, old_value, new_value, user_id, entity, notion_id, sync_log_id)
        SELECT CASE WHEN %1$L = 'learning_atoms' THEN t.id END, 'notion_update',
               (SELECT jsonb_object_agg(k, to_jsonb(t) -> k) FROM unnest($2::text[]) AS k
                 WHERE to_jsonb(t) -> k IS DISTINCT FROM to_jsonb(w) -> k),
               (SELECT jsonb_object_agg(k, to_jsonb(w) -> k) FROM unnest($2::text[]) AS k
                 WHERE to_jsonb(t) -> k IS DISTINCT FROM to_jsonb(w) -> k),
               w.user_id, %1$L, w.%4$I, $1
          FROM pg_temp._nls_want w JOIN nls.%1$I t ON t.user_id = w.user_id AND t.%4$I = w.%4$I
         WHERE (%2$s) IS DISTINCT FROM (%3$s)
    $q$, p_table, v_t, v_w, p_key) USING p_log, v_cols;
    GET DIAGNOSTICS updated = ROW_COUNT;
    -- 2. the upsert: new rows and changed rows; unchanged rows are not written
    EXECUTE format($q$
        INSERT INTO nls.%1$I AS t (user_id, %6$I, %2$s)
        SELECT user_id, %6$I, %2$s FROM pg_temp._nls_want
        ON CONFLICT (user_id, %6$I) DO UPDATE SET %3$s, updated_at = now()
         WHERE (%4$s) IS DISTINCT FROM (%5$s)
    $q$, p_table, v_list, v_set, v_t, v_x, p_key);
    GET DIAGNOSTICS v_written = ROW_COUNT;
    added := v_written - updated;
    removed := nls._clean_removed(p_table, p_target, p_user, p_log, p_key, p_pages);
    PERFORM nls._two_way_done();
    DROP TABLE pg_temp._nls_want;
END
$$;
COMMENT ON FUNCTION nls._clean_entity(text, text, text, uuid, text, text[]) IS
'Step 2 of nls.clean() for one canonical table (p_key: its Notion page id column, notion_id or notion_page_id;
p_pages: only the rows of these pages, or NULL for all): write the difference between nls._want_<table> and the table
(one upsert; unchanged rows untouched), log each change (changed fields, old and new) and each removal (the whole
last row) in cleaning_log. A row leaves only when its user syncs the table''s target and its page is trashed, gone
or no longer synced; rows a user wrote by hand (or whose last source of the target was removed) stay.
Returns (added, updated, removed).';

-- ---- following the change: the pages written since the last cleaning, and what depends on them --------------------
CREATE OR REPLACE FUNCTION nls._take_clean_queue(p_user text) RETURNS text[]
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_pages text[];
    v_whole boolean;
BEGIN
    WITH taken AS (
        DELETE FROM nls._clean_queue q WHERE p_user IS NULL OR q.user_id = p_user RETURNING q.page_id
    )
    SELECT coalesce(array_agg(DISTINCT t.page_id) FILTER (WHERE t.page_id <> '*'), '{}'), bool_or(t.page_id = '*')
      INTO v_pages, v_whole FROM taken t;
    RETURN CASE WHEN p_user IS NULL OR v_whole THEN NULL ELSE v_pages END;
END
$$;
COMMENT ON FUNCTION nls._take_clean_queue(text) IS
'Internal: _take_clean_queue(user_id) empties the user''s part of nls._clean_queue and returns the page ids written
since the last cleaning ({} when none), or NULL when the pass must be whole (every user; a source removed or changed).';

CREATE OR REPLACE FUNCTION nls._clean_affected(p_user text, p_pages text[]) RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_pages IS NULL THEN NULL ELSE ARRAY(
        SELECT unnest(p_pages)
        UNION   -- pages whose relations reach a changed page (a concept gone: its cards lose it)
        SELECT e.page_id FROM nls.notion_relation_edges e WHERE e.user_id = p_user AND e.target_page_id = ANY (p_pages)
        UNION   -- cards that hold a card id a changed card holds, held or now claims, and cards without one
        SELECT a.notion_id FROM nls.learning_atoms a
         WHERE a.user_id = p_user AND a.notion_id IS NOT NULL
           AND (a.card_id IS NULL
                OR a.card_id IN (SELECT c.card_id FROM nls.learning_atoms c
                                  WHERE c.user_id = p_user AND c.notion_id = ANY (p_pages))
                OR a.card_id IN (SELECT nls.normalize_card_id(nls._field(st.raw_properties,
                                         nls._source_map('flashcards', s.property_map, s.property_ids), 'card_id'))
                                   FROM nls.stg_notion_flashcards st JOIN nls.sources s ON s.id = st.source_id
                                  WHERE st.user_id = p_user AND st.notion_page_id = ANY (p_pages)))) END
$$;
COMMENT ON FUNCTION nls._clean_affected(text, text[]) IS
'Internal: _clean_affected(user_id, pages) is the page ids a cleaning that follows the change re-grades: the changed
pages, the pages whose relations reach them, and the cards sharing a card id with them or holding none (who holds a
card id depends on them); NULL for NULL (a whole pass).';

CREATE OR REPLACE FUNCTION nls._source_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO nls._clean_queue (user_id, source_id, page_id) VALUES (OLD.user_id, OLD.id, '*') ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION nls._source_changed() IS
'Internal: the trigger sources_clean_whole: a source removed, or its target, property map or enabled flag changed, makes
the next cleaning of its user a whole pass.';
CREATE OR REPLACE TRIGGER sources_clean_whole AFTER DELETE OR UPDATE OF target, property_map, enabled ON nls.sources
    FOR EACH ROW EXECUTE FUNCTION nls._source_changed();

CREATE OR REPLACE FUNCTION nls._clean_tables(p_user text, p_log uuid, p_pages text[]) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
    v_r record;
    v_out jsonb := '{"added": 0, "updated": 0, "removed": 0, "tables": {}}';
BEGIN
    -- parents before children, so that each step resolves its relations against this pass's rows
    FOR t IN SELECT c.canonical_table, c.target, c.page_id_column FROM nls.targets() AS c
              WHERE c.kind <> 'raw' ORDER BY c.clean_order LOOP
        SELECT * INTO v_r FROM nls._clean_entity(t.canonical_table, t.target, p_user, p_log, t.page_id_column, p_pages);
        v_out := jsonb_build_object(
            'added', (v_out ->> 'added')::int + v_r.added, 'updated', (v_out ->> 'updated')::int + v_r.updated,
            'removed', (v_out ->> 'removed')::int + v_r.removed,
            'tables', (v_out -> 'tables') || jsonb_build_object(t.canonical_table, jsonb_build_object(
                'added', v_r.added, 'updated', v_r.updated, 'removed', v_r.removed)));
    END LOOP;
    RETURN v_out;
END
$$;
COMMENT ON FUNCTION nls._clean_tables(text, uuid, text[]) IS
'Internal (nls.clean, step 2): nls._clean_entity for every canonical table of nls.targets(), parents first; returns
{"added", "updated", "removed", "tables": {table: {"added", "updated", "removed"}}}.';

CREATE OR REPLACE FUNCTION nls._log_card_id_normalisations(p_user text, p_dirty text[], p_log uuid) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$
    -- a card id written differently in Notion than the atom holds it: the normalisation, once per value
    INSERT INTO nls.cleaning_log (atom_id, operation, old_value, new_value, user_id, entity, notion_id, sync_log_id)
    SELECT a.id, 'prefix_normalize', to_jsonb(r.raw), to_jsonb(a.card_id), a.user_id, 'learning_atoms',
           a.notion_id, p_log
      FROM nls.learning_atoms a
      JOIN nls.stg_notion_flashcards st ON st.user_id = a.user_id AND st.notion_page_id = a.notion_id
      JOIN nls.sources s ON s.id = st.source_id
     CROSS JOIN LATERAL (SELECT nls._field(st.raw_properties, nls._source_map('flashcards', s.property_map, s.property_ids),
                                           'card_id') AS raw) r
     WHERE (p_user IS NULL OR a.user_id = p_user) AND a.card_id IS NOT NULL AND r.raw IS DISTINCT FROM a.card_id
       AND (p_dirty IS NULL OR a.notion_id = ANY (p_dirty))
       AND NOT EXISTS (SELECT 1 FROM nls.cleaning_log l
                        WHERE l.atom_id = a.id AND l.operation = 'prefix_normalize'
                          AND l.old_value = to_jsonb(r.raw) AND l.new_value = to_jsonb(a.card_id))
$$;
COMMENT ON FUNCTION nls._log_card_id_normalisations(text, text[], uuid) IS
'Internal (nls.clean, step 3): logs in cleaning_log (prefix_normalize) each card id Notion writes otherwise than the
atom holds it, once per value, for the pages p_dirty (all when NULL).';

CREATE OR REPLACE FUNCTION nls.clean(user_id text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user text := clean.user_id;
    v_log uuid;
    v_sum jsonb;
    v_staged int;
    v_state text;
    v_msg text;
    v_dirty text[];
    v_pages text[];
BEGIN
    INSERT INTO nls.sync_log (sync_type, started_at, status, user_id, details)
    VALUES ('cleaning', clock_timestamp(), 'running', v_user, '{}') RETURNING id INTO v_log;
    BEGIN
        -- one cleaning at a time (a pass reads and writes every learning table of its users)
        PERFORM pg_advisory_xact_lock(nls._lock_key(), 0);
        -- the pages written since the last cleaning (nls._clean_queue); a whole pass for every user, or when a
        -- source was removed or its target or map changed (the queue holds '*')
        v_dirty := nls._take_clean_queue(v_user);
        IF v_dirty IS NOT NULL AND cardinality(v_dirty) = 0 THEN
            UPDATE nls.sync_log SET status = 'completed', completed_at = clock_timestamp(),
                   details = '{"staged_rows_written": 0, "pages_changed": 0}' WHERE id = v_log;
            RETURN jsonb_build_object('success', true, 'sync_log_id', v_log, 'added', 0, 'updated', 0, 'removed', 0,
                                      'staged_rows_written', 0, 'pages_changed', 0, 'tables', '{}'::jsonb);
        END IF;
        v_staged := nls._stage_learning(v_user, v_dirty);
        v_pages := nls._clean_affected(v_user, v_dirty);
        v_sum := nls._clean_tables(v_user, v_log, v_pages);
        PERFORM nls._log_card_id_normalisations(v_user, v_dirty, v_log);
        SET CONSTRAINTS nls.learning_atoms_user_card_id_key IMMEDIATE;
        SET CONSTRAINTS nls.learning_atoms_user_card_id_key DEFERRED;
    EXCEPTION WHEN OTHERS THEN   -- (a cancel is not among OTHERS: it reaches the caller)
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
        UPDATE nls.sync_log SET status = 'failed', completed_at = clock_timestamp(), error_code = v_state,
               error_message = v_msg
         WHERE id = v_log;
        RETURN jsonb_build_object('success', false, 'sync_log_id', v_log, 'error', v_msg, 'sqlstate', v_state);
    END;
    UPDATE nls.sync_log
       SET status = 'completed', completed_at = clock_timestamp(), items_processed = v_staged,
           items_added = (v_sum ->> 'added')::int, items_updated = (v_sum ->> 'updated')::int,
           items_removed = (v_sum ->> 'removed')::int,
           details = (v_sum -> 'tables') || jsonb_build_object('staged_rows_written', v_staged, 'pages_changed',
                                                               cardinality(v_dirty), 'rows_graded', cardinality(v_pages))
     WHERE id = v_log;
    RETURN jsonb_build_object('success', true, 'sync_log_id', v_log, 'staged_rows_written', v_staged,
                              'pages_changed', cardinality(v_dirty)) || (v_sum - 'tables')
           || jsonb_build_object('tables', v_sum -> 'tables');
END
$$;
COMMENT ON FUNCTION nls.clean(text) IS
'The cleaning pipeline: clean(user_id => NULL) turns the synced pages of the learning and creative sources into the
canonical tables (clean_concept_areas, clean_concept_clusters, concepts, clean_programs, clean_tracks,
learning_modules, learning_atoms; characters, worlds, stories, chat_sessions) for one user or, with NULL, every user;
set-based; relations resolved whatever order the sources were synced in; each change and removal kept in cleaning_log.
Runs after every sync of a learning or creative source. It follows the change: for one user it looks only at the pages
written since its last pass (nls._clean_queue) and the rows that depend on them (nls._clean_affected); with nothing
written it returns at once; for every user (NULL), or after a source was removed or its target or map changed, it
grades everything. Logs a sync_log row (sync_type ''cleaning''). Returns jsonb {"success", "sync_log_id", "added",
"updated", "removed", "pages_changed" (NULL for a whole pass), "tables": {...}}; on failure {"success": false,
"error", "sqlstate"}, writing nothing but the failed sync_log row. Raises nothing.';

-- ---- the learning schema's views (v_concept_atom_stats has needs_review_count, which its example query reads) ---
CREATE OR REPLACE VIEW nls.v_due_atoms AS
SELECT a.*, c.name AS concept_name, m.name AS module_name, cl.name AS cluster_name, ca.name AS area_name
  FROM nls.learning_atoms a
  LEFT JOIN nls.concepts c ON a.concept_id = c.id
  LEFT JOIN nls.learning_modules m ON a.module_id = m.id
  LEFT JOIN nls.clean_concept_clusters cl ON c.cluster_id = cl.id
  LEFT JOIN nls.clean_concept_areas ca ON cl.concept_area_id = ca.id
 WHERE a.atom_type IN ('flashcard', 'cloze')
   AND a.anki_note_id IS NOT NULL
   AND a.is_atomic = true;
COMMENT ON VIEW nls.v_due_atoms IS
'Atoms to study (flashcard or cloze, in Anki, atomic): every column of nls.learning_atoms, with the names of the
atom''s concept, module, cluster and area.';

CREATE OR REPLACE VIEW nls.v_concept_atom_stats AS
SELECT c.id AS concept_id, c.name AS concept_name, c.status,
       count(a.id) AS total_atoms,
       count(a.id) FILTER (WHERE a.is_atomic = true) AS atomic_count,
       count(a.id) FILTER (WHERE a.atom_type IN ('flashcard', 'cloze')) AS anki_syncable,
       count(a.id) FILTER (WHERE a.anki_note_id IS NOT NULL) AS in_anki_count,
       avg(a.anki_ease_factor) AS avg_ease,
       avg(a.anki_interval) AS avg_interval,
       count(a.id) FILTER (WHERE a.needs_review) AS needs_review_count,
       c.user_id
  FROM nls.concepts c
  LEFT JOIN nls.learning_atoms a ON a.concept_id = c.id
 GROUP BY c.id, c.name, c.status, c.user_id;
COMMENT ON VIEW nls.v_concept_atom_stats IS
'Atom counts per concept (total, atomic, Anki-syncable, in Anki, average ease and interval), needs_review_count
(the atoms flagged for review: the "concepts needing attention" query reads it) and user_id.';

CREATE OR REPLACE VIEW nls.v_review_queue_summary AS
SELECT source, status, count(*) AS count, min(created_at) AS oldest, max(created_at) AS newest
  FROM nls.review_queue
 GROUP BY source, status
 ORDER BY source, status;
COMMENT ON VIEW nls.v_review_queue_summary IS 'review_queue items counted per source and status, with the oldest
and newest created_at.';

COMMENT ON FUNCTION nls._mapped(jsonb, jsonb, text) IS
'The property value behind a mapped field: by the map''s name or id (a list: the first of its properties that holds a
value), else by the stable id learned for it ("#field").';
COMMENT ON FUNCTION nls._field(jsonb, jsonb, text) IS 'The text of a mapped field''s property value (nls.notion_text).';
COMMENT ON FUNCTION nls._first_related(jsonb, jsonb, text) IS 'The first page id of a mapped relation field, or NULL.';
COMMENT ON FUNCTION nls._title(jsonb) IS 'The text of a page''s title property, whatever its name.';
COMMENT ON FUNCTION nls._name(jsonb, jsonb) IS 'A canonical name: the mapped name field, else the title, else ''Untitled''.';
