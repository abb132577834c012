-- Undoes 0002: the learning tables go (views and functions over them are dropped with CASCADE and re-created by
-- the next install), sources lose property_map and the target check 0002 added.
DROP TABLE IF EXISTS nls.cleaning_log, nls.review_queue, nls.learning_atoms, nls.learning_modules, nls.clean_tracks,
    nls.clean_programs, nls.concepts, nls.clean_concept_clusters, nls.clean_concept_areas,
    nls.stg_notion_programs, nls.stg_notion_tracks, nls.stg_notion_modules, nls.stg_notion_concept_clusters,
    nls.stg_notion_concept_areas, nls.stg_notion_concepts, nls.stg_notion_flashcards CASCADE;
ALTER TABLE nls.sources DROP CONSTRAINT IF EXISTS sources_target_check;
ALTER TABLE nls.sources DROP COLUMN IF EXISTS property_map;
DROP FUNCTION IF EXISTS nls._session_user();
