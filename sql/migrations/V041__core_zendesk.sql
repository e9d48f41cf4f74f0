-- Zendesk Support core tables, generated from their declarations (engine core/ZendeskTables; ./skyfit sql <table> --ddl).
-- Keyed by (scope, id); zd_ticket_custom_fields by (scope, ticket id, field id): one row per custom field value.
-- Deletes are facts: a deleted ticket (status deleted), user (inactive), organization (deleted_at) or group keeps its row.

CREATE TABLE core.zd_tickets (
    scope text NOT NULL,
    id bigint NOT NULL,
    subject text,
    status text,
    priority text,
    type text,
    channel text,
    requester_id bigint,
    submitter_id bigint,
    assignee_id bigint,
    group_id bigint,
    organization_id bigint,
    brand_id bigint,
    ticket_form_id bigint,
    problem_id bigint,
    external_id text,
    tags jsonb,
    satisfaction_score text,
    created_at timestamptz,
    updated_at timestamptz,
    due_at timestamptz,
    solved_at timestamptz,
    first_reply_minutes integer,
    full_resolution_minutes integer,
    generated_timestamp bigint,
    is_deleted boolean NOT NULL DEFAULT false,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);
CREATE TABLE core.zd_ticket_custom_fields (
    scope text NOT NULL,
    id bigint NOT NULL,
    field_id bigint NOT NULL,
    value text,
    value_json jsonb,
    is_deleted boolean NOT NULL DEFAULT false,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id, field_id)
);

CREATE TABLE core.zd_users (
    scope text NOT NULL,
    id bigint NOT NULL,
    name text,
    email text,
    role text,
    organization_id bigint,
    default_group_id bigint,
    custom_role_id bigint,
    time_zone text,
    locale text,
    external_id text,
    tags jsonb,
    active boolean,
    suspended boolean,
    verified boolean,
    last_login_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz,
    is_deleted boolean,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

CREATE TABLE core.zd_organizations (
    scope text NOT NULL,
    id bigint NOT NULL,
    name text,
    group_id bigint,
    external_id text,
    domain_names jsonb,
    tags jsonb,
    details text,
    notes text,
    shared_tickets boolean,
    shared_comments boolean,
    created_at timestamptz,
    updated_at timestamptz,
    deleted_at timestamptz,
    is_deleted boolean,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

CREATE TABLE core.zd_groups (
    scope text NOT NULL,
    id bigint NOT NULL,
    name text,
    description text,
    is_public boolean,
    is_default boolean,
    created_at timestamptz,
    updated_at timestamptz,
    is_deleted boolean,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

CREATE TABLE core.zd_ticket_fields (
    scope text NOT NULL,
    id bigint NOT NULL,
    type text,
    title text,
    raw_title text,
    description text,
    position integer,
    active boolean,
    required boolean,
    removable boolean,
    tag text,
    field_key text,
    custom_field_options jsonb,
    created_at timestamptz,
    updated_at timestamptz,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

CREATE TABLE core.zd_ticket_forms (
    scope text NOT NULL,
    id bigint NOT NULL,
    name text,
    display_name text,
    position integer,
    active boolean,
    is_default boolean,
    end_user_visible boolean,
    ticket_field_ids jsonb,
    created_at timestamptz,
    updated_at timestamptz,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

CREATE INDEX zd_tickets_updated_at_idx ON core.zd_tickets (scope, updated_at);
CREATE INDEX zd_ticket_custom_fields_field_idx ON core.zd_ticket_custom_fields (scope, field_id);
COMMENT ON COLUMN core.zd_ticket_custom_fields.id IS 'the ticket''s id';
