-- Anki both ways (issue 14): a user's Anki account (credential or session key encrypted with the token key ring),
-- the user's own Anki collection (the SQLite file Anki's library works on, kept as bytea so that backups hold it
-- and row-level security covers it), one row per note nls put into it, and review_queue items from notes the
-- learner edited in Anki (source 'anki_edit').
-- depends: 0011.two-way

CREATE TABLE nls.anki_accounts (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id               text NOT NULL UNIQUE,
    endpoint              text,
    credential_kind       text NOT NULL CHECK (credential_kind IN ('password', 'session_key')),
    credential_ciphertext bytea NOT NULL,
    credential_nonce      bytea NOT NULL,
    key_version           int NOT NULL DEFAULT 1,
    status                text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth', 'disabled')),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE nls.anki_accounts IS
'A user''s Anki account (nls.add_anki_account): the sync endpoint (NULL: AnkiWeb) and, encrypted with the key ring
(AES-256-GCM, the owner and "anki" bound in), the credential: the username and password until the first login, then
the username and the session key (hkey) Anki''s login returned; the password is then dropped. status needs_reauth:
the endpoint refused the login or the session key; nls.add_anki_account again sets it active.';

CREATE TABLE nls.anki_collections (
    user_id    text PRIMARY KEY REFERENCES nls.anki_accounts (user_id) ON DELETE CASCADE,
    collection bytea NOT NULL,
    bytes      int NOT NULL,
    saved_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE nls.anki_collections ALTER COLUMN collection SET STORAGE EXTERNAL;  -- SQLite pages compress poorly
COMMENT ON TABLE nls.anki_collections IS
'The Anki collection nls keeps for a user (one SQLite file, as Anki''s library writes it), saved after every exchange
with the endpoint that succeeded: it always holds what the endpoint holds, never a change the endpoint has not taken.';

CREATE TABLE nls.anki_notes (
    user_id       text NOT NULL,
    guid          text NOT NULL,
    atom_key      text NOT NULL,
    notetype      text NOT NULL,
    note_id       bigint,
    card_id       bigint,
    deck          text,
    content_hash  text NOT NULL,
    fields_hash   text NOT NULL,
    edit_hash     text,
    removed_at    timestamptz,
    deleted_at    timestamptz,
    reviews       int NOT NULL DEFAULT 0,
    last_review_at timestamptz,
    pushed_at     timestamptz NOT NULL DEFAULT now(),
    pulled_at     timestamptz,
    PRIMARY KEY (user_id, guid)
);
CREATE INDEX idx_anki_notes_atom ON nls.anki_notes (user_id, atom_key);
COMMENT ON TABLE nls.anki_notes IS
'One row per note nls put into a user''s Anki collection: its guid (derived from the atom: the Notion page id, or the
atom id), the note and first card ids, the deck, the SHA-256 of what nls last wrote (content_hash: fields, deck, tags;
fields_hash: the fields alone, to tell a learner''s edit), the last learner edit already offered for review
(edit_hash), when its atom left Notion (removed_at: the cards are suspended and tagged, never deleted), when the
learner deleted it in Anki (deleted_at), and the review count and last review time read back.';

ALTER TABLE nls.review_queue DROP CONSTRAINT IF EXISTS review_queue_source_check;
ALTER TABLE nls.review_queue ADD CONSTRAINT review_queue_source_check
    CHECK (source IN ('gemini', 'vertex', 'notion_ai', 'duplicate_merge', 'anki_edit'));

-- the pattern of 0006.tenancy: a session sees and writes only its user's rows; nls_admin reads every row
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['anki_accounts', 'anki_collections', 'anki_notes'] LOOP
        EXECUTE format('ALTER TABLE nls.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE nls.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY nls_user_rows ON nls.%I USING (user_id = (SELECT nls._session_user())) '
                       'WITH CHECK (user_id = (SELECT nls._session_user()))', t);
        EXECUTE format('CREATE POLICY nls_admin_reads ON nls.%I FOR SELECT TO nls_admin USING (true)', t);
    END LOOP;
END
$$;
