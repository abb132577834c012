-- The review workflow of the learning schema: items in nls.review_queue (AI rewrites, merges) are approved, rejected
-- or edited. Approving writes the learning atom, graded by the same card rules as the cleaning pipeline
-- (30_learning.sql).

CREATE OR REPLACE FUNCTION nls._review_item(p_id uuid, p_action text) RETURNS nls.review_queue
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v nls.review_queue;
BEGIN
    PERFORM nls._require(p_id, 'review_id', p_action || '_review');
    SELECT * INTO v FROM nls.review_queue WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'nls: review_queue item % does not exist', p_id
            USING ERRCODE = 'P0002', HINT = 'SELECT id, status, front FROM nls.review_queue WHERE status = ''pending''';
    END IF;
    IF v.status NOT IN ('pending', 'edited') THEN
        RAISE EXCEPTION 'nls: cannot % review_queue item %: it is already %', p_action, p_id, v.status
            USING ERRCODE = '55000', HINT = 'Only pending or edited items can be approved, rejected or edited.';
    END IF;
    RETURN v;
END
$$;

CREATE OR REPLACE FUNCTION nls.approve_review(review_id uuid, reviewer_notes text DEFAULT NULL) RETURNS uuid
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v nls.review_queue := nls._review_item(review_id, 'approve');
    v_atom nls.learning_atoms;
    v_status text := nls.atomicity_status(v.front, v.back);
    v_type text := coalesce(v.atom_type, nls.atom_type_for(v.front));
    v_quality numeric;
    v_id uuid;
BEGIN
    IF v.original_atom_id IS NOT NULL THEN
        SELECT * INTO v_atom FROM nls.learning_atoms WHERE id = v.original_atom_id FOR UPDATE;
    END IF;
    v_quality := nls.atom_quality_score(v.front, v.back, v_type, v_status,
                                        coalesce(v.concept_id, v_atom.concept_id) IS NOT NULL,
                                        coalesce(v.module_id, v_atom.module_id) IS NOT NULL);
    IF v_atom.id IS NOT NULL THEN
        UPDATE nls.learning_atoms
           SET front = v.front, back = v.back, atom_type = v_type,
               concept_id = coalesce(v.concept_id, concept_id), module_id = coalesce(v.module_id, module_id),
               front_word_count = nls.word_count(v.front), back_word_count = nls.word_count(v.back),
               atomicity_status = v_status, is_atomic = v_status = 'atomic', quality_score = v_quality,
               needs_review = nls.atom_needs_review(v.back, v_status, v_quality),
               rewrite_count = rewrite_count + 1, last_rewrite_at = now(), batch_id = coalesce(v.batch_id, batch_id),
               updated_at = now()
         WHERE id = v_atom.id;
        v_id := v_atom.id;
        INSERT INTO nls.cleaning_log (atom_id, operation, old_value, new_value, user_id, entity, notion_id)
        VALUES (v_id, 'ai_rewrite', jsonb_build_object('front', v_atom.front, 'back', v_atom.back),
                jsonb_build_object('front', v.front, 'back', v.back, 'review_id', v.id, 'source', v.source),
                v.user_id, 'learning_atoms', v_atom.notion_id);
    ELSE
        INSERT INTO nls.learning_atoms (user_id, atom_type, front, back, concept_id, module_id, quality_score,
                                        is_atomic, front_word_count, back_word_count, atomicity_status,
                                        needs_review, source, batch_id)
        VALUES (v.user_id, v_type, v.front, v.back, v.concept_id, v.module_id, v_quality, v_status = 'atomic',
                nls.word_count(v.front), nls.word_count(v.back), v_status,
                nls.atom_needs_review(v.back, v_status, v_quality), 'ai_batch', v.batch_id)
        RETURNING id INTO v_id;
    END IF;
    UPDATE nls.review_queue
       SET status = 'approved', approved_at = now(), approved_atom_id = v_id,
           reviewer_notes = coalesce(approve_review.reviewer_notes, review_queue.reviewer_notes)
     WHERE id = v.id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION nls.approve_review(uuid, text) IS
'Accept a review_queue item: approve_review(review_id uuid, reviewer_notes => NULL) returns the learning atom''s id
(uuid). An item with original_atom_id rewrites that atom (front, back, type; rewrite_count + 1, last_rewrite_at; the
old text kept in cleaning_log as ''ai_rewrite''; the rewrite goes back to Notion with the next nls.push_notion, and
a Notion edit of the same field before that is a conflict, nls.push_conflicts); an item without creates a new atom
(source ''ai_batch''), which the next push gives a Notion page. Either way the atom is graded by the card rules and
the item becomes ''approved'' with approved_at and approved_atom_id. Raises P0002 for an unknown id, 55000 for an
item that is not pending or edited.';

CREATE OR REPLACE FUNCTION nls.reject_review(review_id uuid, reviewer_notes text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v nls.review_queue := nls._review_item(review_id, 'reject');
BEGIN
    UPDATE nls.review_queue
       SET status = 'rejected', reviewer_notes = coalesce(reject_review.reviewer_notes, review_queue.reviewer_notes)
     WHERE id = v.id;
END
$$;
COMMENT ON FUNCTION nls.reject_review(uuid, text) IS
'Turn down a review_queue item: reject_review(review_id uuid, reviewer_notes => NULL); the original atom stays as it
is. Raises P0002 for an unknown id, 55000 for an item that is not pending or edited.';

CREATE OR REPLACE FUNCTION nls.edit_review(review_id uuid, front text, back text DEFAULT NULL,
                                           reviewer_notes text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v nls.review_queue := nls._review_item(review_id, 'edit');
BEGIN
    IF coalesce(btrim(edit_review.front), '') = '' THEN
        RAISE EXCEPTION 'nls: review_queue item %: the edited front is empty', review_id
            USING ERRCODE = '22023', HINT = 'Give the question or prompt the card should ask.';
    END IF;
    UPDATE nls.review_queue
       SET front = edit_review.front, back = edit_review.back, status = 'edited',
           reviewer_notes = coalesce(edit_review.reviewer_notes, review_queue.reviewer_notes)
     WHERE id = v.id;
    -- the proposal it replaces is kept (original_front / original_back keep the atom's text before the rewrite)
    INSERT INTO nls.cleaning_log (atom_id, operation, old_value, new_value, user_id, entity)
    VALUES (v.original_atom_id, 'review_edit', jsonb_build_object('front', v.front, 'back', v.back, 'review_id', v.id),
            jsonb_build_object('front', edit_review.front, 'back', edit_review.back, 'review_id', v.id),
            v.user_id, 'review_queue');
END
$$;
COMMENT ON FUNCTION nls.edit_review(uuid, text, text, text) IS
'Change a review_queue item by hand before approving it: edit_review(review_id uuid, front text, back => NULL,
reviewer_notes => NULL) sets front and back and the status ''edited'' (the replaced proposal is kept in
cleaning_log as ''review_edit''); approve_review then writes it. Raises P0002 for an unknown id, 55000 for an
item that is not pending or edited, 22023 for an empty front.';

COMMENT ON FUNCTION nls._review_item(uuid, text) IS
'The review_queue item, locked, when it exists and is pending or edited; raises P0002 / 55000 otherwise.';
