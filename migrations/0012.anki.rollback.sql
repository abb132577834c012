-- Undoes 0012: the Anki tables go (the notes stay in the learners' collections on their endpoints), and
-- review_queue's source check is the one 0002 made; items offered from Anki edits ('anki_edit') go with it.
DROP VIEW IF EXISTS nls.anki_status;   -- sql/60_anki.sql makes it again with the next install
DROP TABLE IF EXISTS nls.anki_notes, nls.anki_collections, nls.anki_accounts;
DELETE FROM nls.review_queue WHERE source = 'anki_edit';
ALTER TABLE nls.review_queue DROP CONSTRAINT IF EXISTS review_queue_source_check;
ALTER TABLE nls.review_queue ADD CONSTRAINT review_queue_source_check
    CHECK (source IN ('gemini', 'vertex', 'notion_ai', 'duplicate_merge'));
