-- Chatwoot conversations, read from a view of the Chatwoot PostgreSQL by a read-only user.
-- Two streams land in staging: the changed conversations (one row per view row, by watermark) and, each
-- run, the complete list of conversation ids the source still holds (how hard deletes are found).
SELECT ops.create_staging_table('stg_chatwoot', e)
FROM unnest(ARRAY['conversations', 'conversation_ids']) AS e;

-- One row per (scope, conversation id). Lineage and deletes as in every core table (see V003): a
-- conversation that disappears from the source keeps its row with is_deleted, deleted_at and the run
-- whose id listing first missed it.
CREATE TABLE core.chatwoot_conversations (
    scope                   text        NOT NULL,
    id                      bigint      NOT NULL,
    account_id              bigint,
    inbox_id                bigint,
    display_id              bigint,
    uuid                    text,
    status                  text,                  -- open | resolved | pending | snoozed
    priority                text,                  -- low | medium | high | urgent (NULL: none set)
    assignee_id             bigint,
    team_id                 bigint,
    contact_id              bigint,
    created_at              timestamptz,
    updated_at              timestamptz,
    last_activity_at        timestamptz,
    waiting_since           timestamptz,
    first_reply_created_at  timestamptz,
    source_changed_at       timestamptz,           -- greatest(updated_at, last_activity_at): the version order
    additional_attributes   jsonb,
    custom_attributes       jsonb,
    labels                  text[]      NOT NULL DEFAULT '{}',
    is_deleted              boolean     NOT NULL DEFAULT false,
    deleted_at              timestamptz,           -- the source time the listing that first missed it speaks for
    deleted_run_id          text,
    _stg_id                 bigint      NOT NULL,
    _source_blob            text        NOT NULL,
    _source_line            integer     NOT NULL,
    _run_id                 text        NOT NULL,
    _updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);
CREATE INDEX chatwoot_conversations_changed_idx ON core.chatwoot_conversations (scope, source_changed_at);

-- One row per complete id listing taken from the source (a run of the conversation_ids stream).
-- Only a listing whose every id reached staging counts; deletes are decided from it and nothing else.
CREATE TABLE core.chatwoot_id_listings (
    scope            text        NOT NULL,
    run_id           text        NOT NULL,
    listed_at        timestamptz NOT NULL,     -- source clock at its snapshot, less the overlap: rows changed later are not judged
    ids              bigint      NOT NULL,
    marked_deleted   bigint      NOT NULL DEFAULT 0,
    restored         bigint      NOT NULL DEFAULT 0,
    _stg_id          bigint      NOT NULL,     -- the listing's trailer row
    _source_blob     text        NOT NULL,
    _source_line     integer     NOT NULL,
    _run_id          text        NOT NULL,
    _updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, run_id)
);

-- A failed window keeps its stack trace (secrets redacted) so the run's ledger row can show it.
ALTER TABLE ops.windows ADD COLUMN IF NOT EXISTS error_detail text;
