-- The learning schema of seed 001 (docs/learning.md): 7 staging tables, knowledge, curriculum, learning atoms,
-- review queue and cleaning log; sync_log is the engine's (0001). Differences from the seed, on purpose:
--   * every synced row carries its owner's user_id; notion_id / notion_page_id / card_id are unique per user
--     (staging keys are (user_id, notion_page_id));
--   * staging rows also keep source_id, last_edited_time and in_trash (a trashed page stays in staging, marked);
--   * concepts.concept_area_id holds the area of a concept filed directly under an area (parent_type 'area');
--   * cleaning_log also names the user, the entity (table) and the Notion page, so it can hold the last state of
--     any canonical row that left, not only atoms; its atom_id is kept (SET NULL) when the atom goes.
-- depends: 0001.engine-schema

ALTER TABLE nls.sources DROP CONSTRAINT IF EXISTS sources_target_check;
ALTER TABLE nls.sources ADD CONSTRAINT sources_target_check CHECK (target IN (
    'pages', 'flashcards', 'concepts', 'concept_areas', 'concept_clusters', 'modules', 'tracks', 'programs'));
ALTER TABLE nls.sources ADD COLUMN property_map jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(property_map) = 'object');

-- The user a session acts for: SET nls.user_id = '...' (issue 5 builds row-level security on it), else the role.
-- Lets the seed's own INSERT examples, which name no user, run unchanged.
CREATE FUNCTION nls._session_user() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce(nullif(current_setting('nls.user_id', true), ''), current_user::text) $$;

-- ---- staging: the Notion pages of learning sources, as synced ------------------------------------------------
CREATE TABLE nls.stg_notion_flashcards (
    user_id          text NOT NULL,
    notion_page_id   text NOT NULL,
    source_id        bigint,
    raw_properties   jsonb NOT NULL,
    raw_content      jsonb,
    last_edited_time timestamptz,
    in_trash         boolean NOT NULL DEFAULT false,
    last_synced_at   timestamptz DEFAULT now(),
    sync_hash        text,
    PRIMARY KEY (user_id, notion_page_id)
);
CREATE TABLE nls.stg_notion_concepts (
    user_id          text NOT NULL,
    notion_page_id   text NOT NULL,
    source_id        bigint,
    raw_properties   jsonb NOT NULL,
    raw_content      jsonb,
    parent_type      text CHECK (parent_type IN ('area', 'cluster')),
    parent_notion_id text,
    last_edited_time timestamptz,
    in_trash         boolean NOT NULL DEFAULT false,
    last_synced_at   timestamptz DEFAULT now(),
    sync_hash        text,
    PRIMARY KEY (user_id, notion_page_id)
);
CREATE TABLE nls.stg_notion_concept_areas (LIKE nls.stg_notion_flashcards INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE nls.stg_notion_concept_areas ADD PRIMARY KEY (user_id, notion_page_id);
CREATE TABLE nls.stg_notion_concept_clusters (LIKE nls.stg_notion_flashcards INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE nls.stg_notion_concept_clusters ADD COLUMN parent_area_notion_id text,
    ADD PRIMARY KEY (user_id, notion_page_id);
CREATE TABLE nls.stg_notion_modules (LIKE nls.stg_notion_flashcards INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE nls.stg_notion_modules ADD PRIMARY KEY (user_id, notion_page_id);
CREATE TABLE nls.stg_notion_tracks (LIKE nls.stg_notion_flashcards INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE nls.stg_notion_tracks ADD PRIMARY KEY (user_id, notion_page_id);
CREATE TABLE nls.stg_notion_programs (LIKE nls.stg_notion_flashcards INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE nls.stg_notion_programs ADD PRIMARY KEY (user_id, notion_page_id);

-- ---- knowledge hierarchy ---------------------------------------------------------------------------------------
CREATE TABLE nls.clean_concept_areas (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       text NOT NULL DEFAULT nls._session_user(),
    notion_id     text,
    name          text NOT NULL,
    description   text,
    domain        text,
    display_order int DEFAULT 0,
    created_at    timestamptz DEFAULT now(),
    updated_at    timestamptz DEFAULT now(),
    UNIQUE (user_id, notion_id)
);
CREATE INDEX idx_clean_concept_areas_name ON nls.clean_concept_areas (name);

CREATE TABLE nls.clean_concept_clusters (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         text NOT NULL DEFAULT nls._session_user(),
    notion_id       text,
    concept_area_id uuid REFERENCES nls.clean_concept_areas (id) ON DELETE SET NULL,
    name            text NOT NULL,
    description     text,
    exam_weight     decimal(5,2) CHECK (exam_weight BETWEEN 0 AND 100),
    display_order   int DEFAULT 0,
    created_at      timestamptz DEFAULT now(),
    updated_at      timestamptz DEFAULT now(),
    UNIQUE (user_id, notion_id)
);
CREATE INDEX idx_clean_concept_clusters_area ON nls.clean_concept_clusters (concept_area_id);

CREATE TABLE nls.concepts (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          text NOT NULL DEFAULT nls._session_user(),
    notion_id        text,
    cluster_id       uuid REFERENCES nls.clean_concept_clusters (id) ON DELETE SET NULL,
    concept_area_id  uuid REFERENCES nls.clean_concept_areas (id) ON DELETE SET NULL,
    name             text NOT NULL,
    definition       text,
    domain           text,
    status           text DEFAULT 'to_learn'
                     CHECK (status IN ('to_learn', 'active', 'reviewing', 'mastered', 'stale')),
    dec_score        decimal(4,2) CHECK (dec_score BETWEEN 0 AND 10),
    proc_score       decimal(4,2) CHECK (proc_score BETWEEN 0 AND 10),
    app_score        decimal(4,2) CHECK (app_score BETWEEN 0 AND 10),
    last_reviewed_at timestamptz,
    created_at       timestamptz DEFAULT now(),
    updated_at       timestamptz DEFAULT now(),
    UNIQUE (user_id, notion_id)
);
CREATE INDEX idx_concepts_cluster ON nls.concepts (cluster_id);
CREATE INDEX idx_concepts_status ON nls.concepts (status);
CREATE INDEX idx_concepts_area ON nls.concepts (concept_area_id);

-- ---- curriculum ------------------------------------------------------------------------------------------------
CREATE TABLE nls.clean_programs (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     text NOT NULL DEFAULT nls._session_user(),
    notion_id   text,
    name        text NOT NULL,
    description text,
    status      text DEFAULT 'active' CHECK (status IN ('active', 'completed', 'paused', 'archived')),
    start_date  date,
    end_date    date,
    created_at  timestamptz DEFAULT now(),
    updated_at  timestamptz DEFAULT now(),
    UNIQUE (user_id, notion_id)
);

CREATE TABLE nls.clean_tracks (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       text NOT NULL DEFAULT nls._session_user(),
    notion_id     text,
    program_id    uuid REFERENCES nls.clean_programs (id) ON DELETE SET NULL,
    name          text NOT NULL,
    description   text,
    display_order int DEFAULT 0,
    created_at    timestamptz DEFAULT now(),
    updated_at    timestamptz DEFAULT now(),
    UNIQUE (user_id, notion_id)
);
CREATE INDEX idx_clean_tracks_program ON nls.clean_tracks (program_id);

CREATE TABLE nls.learning_modules (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     text NOT NULL DEFAULT nls._session_user(),
    notion_id   text,
    track_id    uuid REFERENCES nls.clean_tracks (id) ON DELETE SET NULL,
    name        text NOT NULL,
    description text,
    week_order  int,
    status      text DEFAULT 'not_started' CHECK (status IN ('not_started', 'in_progress', 'completed', 'reviewing')),
    created_at  timestamptz DEFAULT now(),
    updated_at  timestamptz DEFAULT now(),
    UNIQUE (user_id, notion_id)
);
CREATE INDEX idx_learning_modules_track ON nls.learning_modules (track_id);
CREATE INDEX idx_learning_modules_week ON nls.learning_modules (week_order);

-- ---- learning content ------------------------------------------------------------------------------------------
CREATE TABLE nls.learning_atoms (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           text NOT NULL DEFAULT nls._session_user(),
    notion_id         text,
    card_id           text,
    atom_type         text NOT NULL DEFAULT 'flashcard'
                      CHECK (atom_type IN ('flashcard', 'cloze', 'mcq', 'true_false', 'matching', 'parsons')),
    front             text NOT NULL,
    back              text,
    concept_id        uuid REFERENCES nls.concepts (id) ON DELETE SET NULL,
    module_id         uuid REFERENCES nls.learning_modules (id) ON DELETE SET NULL,
    quality_score     decimal(3,2) CHECK (quality_score BETWEEN 0 AND 1),
    is_atomic         boolean DEFAULT true,
    front_word_count  int,
    back_word_count   int,
    atomicity_status  text CHECK (atomicity_status IN ('atomic', 'verbose', 'needs_split')),
    needs_review      boolean DEFAULT false,
    rewrite_count     int DEFAULT 0,
    last_rewrite_at   timestamptz,
    anki_note_id      bigint,
    anki_card_id      bigint,
    anki_deck         text,
    anki_synced_at    timestamptz,
    anki_ease_factor  decimal(4,3),
    anki_interval     int,
    anki_review_count int DEFAULT 0,
    anki_lapses       int DEFAULT 0,
    anki_stability    decimal(8,2),
    anki_difficulty   decimal(3,2),
    anki_queue        int,
    source            text DEFAULT 'notion' CHECK (source IN ('notion', 'ai_batch', 'manual', 'module')),
    batch_id          text,
    created_at        timestamptz DEFAULT now(),
    updated_at        timestamptz DEFAULT now(),
    UNIQUE (user_id, notion_id),
    -- deferred: one cleaning pass may move a card id from one card to another
    CONSTRAINT learning_atoms_user_card_id_key UNIQUE (user_id, card_id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX idx_learning_atoms_notion ON nls.learning_atoms (notion_id);
CREATE INDEX idx_learning_atoms_concept ON nls.learning_atoms (concept_id);
CREATE INDEX idx_learning_atoms_module ON nls.learning_atoms (module_id);
CREATE INDEX idx_learning_atoms_type ON nls.learning_atoms (atom_type);
CREATE INDEX idx_learning_atoms_anki ON nls.learning_atoms (anki_note_id) WHERE anki_note_id IS NOT NULL;
CREATE INDEX idx_learning_atoms_source ON nls.learning_atoms (source);

-- ---- workflow and audit ----------------------------------------------------------------------------------------
CREATE TABLE nls.review_queue (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          text NOT NULL DEFAULT nls._session_user(),
    atom_type        text NOT NULL DEFAULT 'flashcard'
                     CHECK (atom_type IN ('flashcard', 'cloze', 'mcq', 'true_false', 'matching', 'parsons')),
    front            text NOT NULL,
    back             text,
    concept_id       uuid REFERENCES nls.concepts (id) ON DELETE SET NULL,
    module_id        uuid REFERENCES nls.learning_modules (id) ON DELETE SET NULL,
    original_front   text,
    original_back    text,
    original_atom_id uuid REFERENCES nls.learning_atoms (id) ON DELETE SET NULL,
    status           text DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'edited')),
    source           text NOT NULL CHECK (source IN ('gemini', 'vertex', 'notion_ai', 'duplicate_merge')),
    batch_id         text,
    quality_score    decimal(3,2) CHECK (quality_score BETWEEN 0 AND 1),
    ai_confidence    decimal(3,2) CHECK (ai_confidence BETWEEN 0 AND 1),
    rewrite_reason   text,
    approved_at      timestamptz,
    approved_atom_id uuid REFERENCES nls.learning_atoms (id) ON DELETE SET NULL,
    reviewer_notes   text,
    created_at       timestamptz DEFAULT now()
);
CREATE INDEX idx_review_queue_status ON nls.review_queue (status);
CREATE INDEX idx_review_queue_batch ON nls.review_queue (batch_id);
CREATE INDEX idx_review_queue_pending ON nls.review_queue (created_at) WHERE status = 'pending';
CREATE INDEX idx_review_queue_user ON nls.review_queue (user_id);

CREATE TABLE nls.cleaning_log (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    atom_id      uuid REFERENCES nls.learning_atoms (id) ON DELETE SET NULL,
    operation    text NOT NULL,
    old_value    jsonb,
    new_value    jsonb,
    performed_at timestamptz DEFAULT now(),
    user_id      text DEFAULT nls._session_user(),
    entity       text,
    notion_id    text,
    sync_log_id  uuid REFERENCES nls.sync_log (id) ON DELETE SET NULL
);
CREATE INDEX idx_cleaning_log_atom ON nls.cleaning_log (atom_id);
CREATE INDEX idx_cleaning_log_operation ON nls.cleaning_log (operation);
CREATE INDEX idx_cleaning_log_entity ON nls.cleaning_log (user_id, entity, notion_id);
