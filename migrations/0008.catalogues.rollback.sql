-- Undoes 0008: the triggers that checked settings and targets against their catalogues go (sql/ re-creates them
-- with the next install), the settings lose their catalogue columns, and sources.target is checked by a list again
-- (as 0005 left it).
DROP TRIGGER IF EXISTS settings_value_check ON nls.settings;
DROP TRIGGER IF EXISTS sources_target_check ON nls.sources;
ALTER TABLE nls.settings DROP COLUMN IF EXISTS type, DROP COLUMN IF EXISTS unit,
    DROP COLUMN IF EXISTS default_value, DROP COLUMN IF EXISTS min_value, DROP COLUMN IF EXISTS max_value,
    DROP COLUMN IF EXISTS allowed;
ALTER TABLE nls.sources ADD CONSTRAINT sources_target_check CHECK (target IN (
    'pages', 'flashcards', 'concepts', 'concept_areas', 'concept_clusters', 'modules', 'tracks', 'programs',
    'characters', 'worlds', 'stories', 'chat_sessions'));
