-- Anki both ways (docs/anki.md): the set-based SQL of the Anki sync (plpython/nls_engine/anki/), the account
-- functions that need no Python, and the status view. add_anki_account and anki_sync are PL/Python
-- (plpython/functions.sql). Every function runs as its caller, under row-level security.

CREATE OR REPLACE FUNCTION nls._anki_lock_key() RETURNS int
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT nls._lock_class('anki') $$;  -- the object is the anki_accounts id
COMMENT ON FUNCTION nls._anki_lock_key() IS
'Internal: the advisory lock class (int) of the Anki sync; the object id is the account id (nls.anki_accounts.id).';

-- The atoms the push writes: every flashcard and cloze atom of the user, with the names its deck and tags come from.
CREATE OR REPLACE FUNCTION nls._anki_atoms(p_user text)
RETURNS TABLE (atom_id uuid, notion_id text, card_id text, atom_type text, front text, back text, program text,
               track text, module text, area text, cluster text, concept text, anki_note_id bigint, anki_deck text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.id, a.notion_id, a.card_id, a.atom_type, a.front, a.back, p.name, t.name, m.name,
           coalesce(ca.name, da.name), cl.name, c.name, a.anki_note_id, a.anki_deck
      FROM nls.learning_atoms a
      LEFT JOIN nls.learning_modules m ON m.id = a.module_id
      LEFT JOIN nls.clean_tracks t ON t.id = m.track_id
      LEFT JOIN nls.clean_programs p ON p.id = t.program_id
      LEFT JOIN nls.concepts c ON c.id = a.concept_id
      LEFT JOIN nls.clean_concept_clusters cl ON cl.id = c.cluster_id
      LEFT JOIN nls.clean_concept_areas ca ON ca.id = cl.concept_area_id
      LEFT JOIN nls.clean_concept_areas da ON da.id = c.concept_area_id
     WHERE a.user_id = p_user AND a.atom_type IN ('flashcard', 'cloze')
     ORDER BY a.card_id, a.id
$$;
COMMENT ON FUNCTION nls._anki_atoms(text) IS
'Internal: _anki_atoms(user_id) returns every flashcard and cloze atom of the user (atom_id, notion_id, card_id,
atom_type, front, back, anki_note_id, anki_deck) with the names of its program, track, module, concept area, cluster
and concept: what the Anki push makes notes of (deck Program::Track::Module, else Area::Cluster; tag concept::<name>).';

-- p_rows: [{guid, atom_key, notetype, note_id, card_id, deck, content_hash, fields_hash, removed}] of the notes the
-- push wrote (or found already written); the atom's learning_atoms row follows (atom_id, stats).
CREATE OR REPLACE FUNCTION nls._anki_pushed(p_user text, p_rows jsonb) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rows int;
BEGIN
    INSERT INTO nls.anki_notes AS n (user_id, guid, atom_key, notetype, note_id, card_id, deck, content_hash,
                                     fields_hash, removed_at, deleted_at, pushed_at)
    SELECT p_user, r.guid, r.atom_key, r.notetype, r.note_id, r.card_id, r.deck, r.content_hash, r.fields_hash,
           CASE WHEN r.removed THEN now() END, NULL, now()
      FROM jsonb_to_recordset(p_rows) AS r(guid text, atom_key text, notetype text, note_id bigint, card_id bigint,
                                           deck text, content_hash text, fields_hash text, removed boolean)
    ON CONFLICT (user_id, guid) DO UPDATE
       SET note_id = excluded.note_id, card_id = excluded.card_id, deck = excluded.deck,
           content_hash = excluded.content_hash, fields_hash = excluded.fields_hash,
           removed_at = CASE WHEN excluded.removed_at IS NULL THEN NULL ELSE coalesce(n.removed_at, now()) END,
           deleted_at = NULL, pushed_at = now();
    -- the atoms: ids, deck and, for notes written now, the card's schedule
    UPDATE nls.learning_atoms a
       SET anki_note_id = r.note_id, anki_card_id = r.card_id, anki_deck = r.deck, anki_synced_at = now(),
           anki_interval = coalesce((r.stats ->> 'anki_interval')::int, a.anki_interval),
           anki_ease_factor = CASE WHEN r.stats IS NULL THEN a.anki_ease_factor
                                   ELSE (r.stats ->> 'anki_ease_factor')::numeric END,
           anki_review_count = coalesce((r.stats ->> 'anki_review_count')::int, a.anki_review_count),
           anki_lapses = coalesce((r.stats ->> 'anki_lapses')::int, a.anki_lapses),
           anki_queue = coalesce((r.stats ->> 'anki_queue')::int, a.anki_queue),
           anki_stability = CASE WHEN r.stats IS NULL THEN a.anki_stability
                                 ELSE (r.stats ->> 'anki_stability')::numeric END,
           anki_difficulty = CASE WHEN r.stats IS NULL THEN a.anki_difficulty
                                  ELSE (r.stats ->> 'anki_difficulty')::numeric END
      FROM jsonb_to_recordset(p_rows) AS r(atom_id uuid, note_id bigint, card_id bigint, deck text, stats jsonb,
                                           removed boolean)
     WHERE a.id = r.atom_id AND a.user_id = p_user AND NOT r.removed
       AND (r.stats IS NOT NULL OR (a.anki_note_id, a.anki_card_id, a.anki_deck)
                                   IS DISTINCT FROM (r.note_id, r.card_id, r.deck));
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;
COMMENT ON FUNCTION nls._anki_pushed(text, jsonb) IS
'Internal: records what the Anki push wrote: _anki_pushed(user_id, rows jsonb [{guid, atom_key, atom_id, notetype,
note_id, card_id, deck, content_hash, fields_hash, removed, stats?}]) upserts nls.anki_notes and sets the atoms''
anki_note_id, anki_card_id, anki_deck, anki_synced_at (and the card''s schedule where stats are given). Returns the
atoms updated.';

-- What the pull reads against: the user's live notes (atom still there, note not deleted in Anki) and their atoms.
CREATE OR REPLACE FUNCTION nls._anki_pull_rows(p_user text)
RETURNS TABLE (guid text, note_id bigint, fields_hash text, edit_hash text, reviews int, atom_id uuid,
               atom_type text, front text, back text, concept_id uuid, module_id uuid, stats jsonb)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT n.guid, n.note_id, n.fields_hash, n.edit_hash, n.reviews, a.id, a.atom_type, a.front, a.back,
           a.concept_id, a.module_id,
           jsonb_build_object('anki_interval', a.anki_interval, 'anki_ease_factor', a.anki_ease_factor,
                              'anki_review_count', a.anki_review_count, 'anki_lapses', a.anki_lapses,
                              'anki_queue', a.anki_queue, 'anki_stability', a.anki_stability,
                              'anki_difficulty', a.anki_difficulty)
      FROM nls.anki_notes n
      JOIN nls.learning_atoms a ON a.user_id = n.user_id AND n.atom_key = coalesce(a.notion_id, 'atom:' || a.id)
     WHERE n.user_id = p_user AND n.removed_at IS NULL AND n.deleted_at IS NULL AND n.note_id IS NOT NULL
     ORDER BY n.guid
$$;
COMMENT ON FUNCTION nls._anki_pull_rows(text) IS
'Internal: the notes the Anki pull reads: every note of the user whose atom is still synced and which the learner
has not deleted, with its atom (id, type, text, concept, module) and the schedule the atom holds now (stats jsonb).';

-- p_rows: [{guid, atom_id, stats?, reviews, last_review_at?, edit?: {front, back, fields_hash}, deleted?}]
CREATE OR REPLACE FUNCTION nls._anki_pulled(p_user text, p_rows jsonb, OUT atoms int, OUT edits int,
                                            OUT deleted int)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE _nls_pull ON COMMIT DROP AS
    SELECT * FROM jsonb_to_recordset(p_rows) AS r(guid text, atom_id uuid, stats jsonb, reviews int,
                                                  last_review_at timestamptz, edit jsonb, deleted boolean);
    UPDATE nls.learning_atoms a
       SET anki_interval = (r.stats ->> 'anki_interval')::int,
           anki_ease_factor = (r.stats ->> 'anki_ease_factor')::numeric,
           anki_review_count = (r.stats ->> 'anki_review_count')::int,
           anki_lapses = (r.stats ->> 'anki_lapses')::int, anki_queue = (r.stats ->> 'anki_queue')::int,
           anki_stability = (r.stats ->> 'anki_stability')::numeric,
           anki_difficulty = (r.stats ->> 'anki_difficulty')::numeric, anki_synced_at = now()
      FROM pg_temp._nls_pull r
     WHERE a.id = r.atom_id AND a.user_id = p_user AND r.stats IS NOT NULL;
    GET DIAGNOSTICS atoms = ROW_COUNT;
    -- a note the learner edited in Anki: offered for review, never written to Notion or the atom by itself
    INSERT INTO nls.review_queue (user_id, atom_type, front, back, concept_id, module_id, original_front,
                                  original_back, original_atom_id, source, batch_id, rewrite_reason)
    SELECT p_user, a.atom_type, coalesce(nullif(r.edit ->> 'front', ''), a.front), r.edit ->> 'back', a.concept_id,
           a.module_id, a.front, a.back, a.id, 'anki_edit', 'anki:' || r.guid,
           'edited in Anki by the learner (note ' || (r.edit ->> 'note_id') || ')'
      FROM pg_temp._nls_pull r JOIN nls.learning_atoms a ON a.id = r.atom_id AND a.user_id = p_user
     WHERE r.edit IS NOT NULL;
    GET DIAGNOSTICS edits = ROW_COUNT;
    UPDATE nls.anki_notes n
       SET reviews = coalesce(r.reviews, n.reviews), last_review_at = coalesce(r.last_review_at, n.last_review_at),
           edit_hash = coalesce(r.edit ->> 'fields_hash', n.edit_hash),
           deleted_at = CASE WHEN r.deleted THEN now() ELSE n.deleted_at END, pulled_at = now()
      FROM pg_temp._nls_pull r
     WHERE n.user_id = p_user AND n.guid = r.guid;
    SELECT count(*) INTO deleted FROM pg_temp._nls_pull r WHERE r.deleted;
    -- a note the learner deleted is no longer in Anki
    UPDATE nls.learning_atoms a SET anki_note_id = NULL, anki_card_id = NULL, anki_synced_at = now()
      FROM pg_temp._nls_pull r WHERE a.id = r.atom_id AND a.user_id = p_user AND r.deleted;
    -- the concepts: the last time one of their cards was answered (nls._want_concepts reads the same)
    UPDATE nls.concepts c SET last_reviewed_at = x.last_review_at, updated_at = now()
      FROM (SELECT a.concept_id, max(r.last_review_at) AS last_review_at
              FROM pg_temp._nls_pull r JOIN nls.learning_atoms a ON a.id = r.atom_id
             WHERE r.last_review_at IS NOT NULL AND a.concept_id IS NOT NULL GROUP BY a.concept_id) x
     WHERE c.id = x.concept_id AND c.user_id = p_user
       AND (c.last_reviewed_at IS NULL OR c.last_reviewed_at < x.last_review_at);
    DROP TABLE pg_temp._nls_pull;
END
$$;
COMMENT ON FUNCTION nls._anki_pulled(text, jsonb) IS
'Internal: records what the Anki pull read: _anki_pulled(user_id, rows jsonb [{guid, atom_id, stats?, reviews,
last_review_at?, edit?: {front, back, fields_hash, note_id}, deleted?}]) sets the atoms'' anki_* schedule (stats),
queues the learner''s edits as review_queue items (source anki_edit, original_atom_id the atom), marks notes the
learner deleted, and moves concepts.last_reviewed_at to the last answer of their cards. Returns (atoms, edits,
deleted).';

CREATE OR REPLACE FUNCTION nls.remove_anki_account(user_id text) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_found boolean;
BEGIN
    DELETE FROM nls.anki_accounts a WHERE a.user_id = remove_anki_account.user_id;
    v_found := FOUND;
    DELETE FROM nls.anki_notes n WHERE n.user_id = remove_anki_account.user_id;
    UPDATE nls.learning_atoms a SET anki_note_id = NULL, anki_card_id = NULL
     WHERE a.user_id = remove_anki_account.user_id AND a.anki_note_id IS NOT NULL;
    RETURN v_found;
END
$$;
COMMENT ON FUNCTION nls.remove_anki_account(text) IS
'Forget a user''s Anki account: remove_anki_account(user_id) deletes the encrypted credential, the collection nls
kept and its note list, and clears the atoms'' anki_note_id and anki_card_id (their last schedule stays). The notes
stay in the learner''s collection on their endpoint. Returns true when there was an account (false for NULL or an
unknown user). Raises nothing.';

CREATE OR REPLACE VIEW nls.anki_status AS
SELECT a.user_id, coalesce(a.endpoint, 'AnkiWeb') AS endpoint, a.status, a.credential_kind,
       c.bytes AS collection_bytes, c.saved_at AS collection_saved_at,
       (SELECT count(*) FROM nls.anki_notes n WHERE n.user_id = a.user_id AND n.removed_at IS NULL
           AND n.deleted_at IS NULL) AS notes,
       (SELECT count(*) FROM nls.anki_notes n WHERE n.user_id = a.user_id AND n.removed_at IS NOT NULL) AS suspended,
       (SELECT count(*) FROM nls.anki_notes n WHERE n.user_id = a.user_id AND n.deleted_at IS NOT NULL)
           AS deleted_in_anki,
       last.sync_type AS last_step, last.status AS last_status, last.started_at AS last_run_at,
       last.error_code AS last_error_code, last.error_message AS last_error,
       (SELECT max(l.completed_at) FROM nls.sync_log l WHERE l.user_id = a.user_id AND l.sync_type = 'anki_push'
           AND l.status = 'completed') AS last_push_at,
       (SELECT max(l.completed_at) FROM nls.sync_log l WHERE l.user_id = a.user_id AND l.sync_type = 'anki_pull'
           AND l.status = 'completed') AS last_pull_at
  FROM nls.anki_accounts a
  LEFT JOIN nls.anki_collections c ON c.user_id = a.user_id
  LEFT JOIN LATERAL (SELECT * FROM nls.sync_log l WHERE l.user_id = a.user_id AND l.source_id IS NULL
                        AND l.sync_type LIKE 'anki%' ORDER BY l.started_at DESC LIMIT 1) last ON true;
COMMENT ON VIEW nls.anki_status IS
'One row per Anki account: endpoint (AnkiWeb when none was given), status (active, needs_reauth), what is held
(password until the first login, then session_key), the size and save time of the collection nls keeps, its notes
(live, suspended because their atom left Notion, deleted by the learner), the last Anki step (anki_sync, anki_pull,
anki_push) with its status and error, and the last completed push and pull.';
