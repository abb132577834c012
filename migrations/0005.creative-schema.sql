-- The creative targets of seed 002: Characters, Worlds, Stories and Chat Sessions, one row per Notion page with
-- the mapped columns, every property as jsonb, the owner, the page id and the content hash. Filled by nls.clean()
-- from the synced pages of sources whose target is one of them (sql/50_creative.sql).
-- depends: 0004.page-markdown

CREATE TABLE nls.characters (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                 text NOT NULL DEFAULT nls._session_user(),
    notion_page_id          text NOT NULL,
    source_id               bigint REFERENCES nls.sources (id) ON DELETE SET NULL,
    name                    text NOT NULL,
    description             text,
    properties              jsonb NOT NULL,
    content_hash            text NOT NULL,
    notion_created_time     timestamptz,
    notion_last_edited_time timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, notion_page_id)
);
CREATE INDEX idx_characters_user ON nls.characters (user_id);
CREATE INDEX idx_characters_notion_page ON nls.characters (notion_page_id);
CREATE INDEX idx_characters_name ON nls.characters (name);

CREATE TABLE nls.worlds (LIKE nls.characters INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE nls.worlds ADD PRIMARY KEY (id), ADD UNIQUE (user_id, notion_page_id),
    ADD FOREIGN KEY (source_id) REFERENCES nls.sources (id) ON DELETE SET NULL;
CREATE INDEX idx_worlds_user ON nls.worlds (user_id);
CREATE INDEX idx_worlds_notion_page ON nls.worlds (notion_page_id);
CREATE INDEX idx_worlds_name ON nls.worlds (name);

CREATE TABLE nls.stories (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                 text NOT NULL DEFAULT nls._session_user(),
    notion_page_id          text NOT NULL,
    source_id               bigint REFERENCES nls.sources (id) ON DELETE SET NULL,
    title                   text NOT NULL,
    description             text,
    properties              jsonb NOT NULL,
    content_hash            text NOT NULL,
    notion_created_time     timestamptz,
    notion_last_edited_time timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, notion_page_id)
);
CREATE INDEX idx_stories_user ON nls.stories (user_id);
CREATE INDEX idx_stories_notion_page ON nls.stories (notion_page_id);
CREATE INDEX idx_stories_title ON nls.stories (title);

CREATE TABLE nls.chat_sessions (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                 text NOT NULL DEFAULT nls._session_user(),
    notion_page_id          text NOT NULL,
    source_id               bigint REFERENCES nls.sources (id) ON DELETE SET NULL,
    title                   text NOT NULL,
    transcript              text,
    message_count           int,
    properties              jsonb NOT NULL,
    content_hash            text NOT NULL,
    notion_created_time     timestamptz,
    notion_last_edited_time timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, notion_page_id)
);
CREATE INDEX idx_chat_sessions_user ON nls.chat_sessions (user_id);
CREATE INDEX idx_chat_sessions_notion_page ON nls.chat_sessions (notion_page_id);
CREATE INDEX idx_chat_sessions_title ON nls.chat_sessions (title);

ALTER TABLE nls.sources DROP CONSTRAINT IF EXISTS sources_target_check;
ALTER TABLE nls.sources ADD CONSTRAINT sources_target_check CHECK (target IN (
    'pages', 'flashcards', 'concepts', 'concept_areas', 'concept_clusters', 'modules', 'tracks', 'programs',
    'characters', 'worlds', 'stories', 'chat_sessions'));
