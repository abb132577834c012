DELETE FROM nls.sources WHERE target IN ('characters', 'worlds', 'stories', 'chat_sessions');
ALTER TABLE nls.sources DROP CONSTRAINT IF EXISTS sources_target_check;
ALTER TABLE nls.sources ADD CONSTRAINT sources_target_check CHECK (target IN (
    'pages', 'flashcards', 'concepts', 'concept_areas', 'concept_clusters', 'modules', 'tracks', 'programs'));
DROP TABLE IF EXISTS nls.chat_sessions, nls.stories, nls.worlds, nls.characters CASCADE;
