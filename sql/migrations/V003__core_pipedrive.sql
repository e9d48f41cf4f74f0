-- Core: typed tables built from staging by the set-based SQL in sql/transforms (one file per table).
-- Every table is keyed by (scope, id): the same id means different records in different accounts.
-- Lineage (invariant 2): _stg_id, _source_blob, _source_line and _run_id name the staging row, bronze part,
-- line and run the current version came from; _updated_at is when core last changed the row.
-- Deletes are facts (invariant 6): a record deleted at the source keeps its row with is_deleted = true.
CREATE SCHEMA IF NOT EXISTS core;

CREATE TABLE core.pd_deals (
    scope               text        NOT NULL,
    id                  bigint      NOT NULL,
    title               text,
    value               numeric,
    currency            text,
    status              text,                  -- open | won | lost | deleted
    stage_id            bigint,
    pipeline_id         bigint,
    owner_id            bigint,                -- v1 user_id, v2 owner_id
    creator_user_id     bigint,
    person_id           bigint,
    org_id              bigint,
    probability         numeric,
    expected_close_date date,
    stage_change_time   timestamptz,
    won_time            timestamptz,
    lost_time           timestamptz,
    close_time          timestamptz,
    lost_reason         text,
    visible_to          text,
    add_time            timestamptz,
    update_time         timestamptz,
    is_deleted          boolean     NOT NULL DEFAULT false,
    custom_fields       jsonb       NOT NULL DEFAULT '{}',   -- the account's own fields, by their 40-hex keys
    _stg_id             bigint      NOT NULL,
    _source_blob        text        NOT NULL,
    _source_line        integer     NOT NULL,
    _run_id             text        NOT NULL,
    _updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);
CREATE INDEX pd_deals_update_time_idx ON core.pd_deals (scope, update_time);

CREATE TABLE core.pd_persons (
    scope               text        NOT NULL,
    id                  bigint      NOT NULL,
    name                text,
    first_name          text,
    last_name           text,
    owner_id            bigint,
    org_id              bigint,
    primary_email       text,
    primary_phone       text,
    emails              jsonb,                 -- every address as sent: [{value, label, primary}]
    phones              jsonb,
    visible_to          text,
    add_time            timestamptz,
    update_time         timestamptz,
    is_deleted          boolean     NOT NULL DEFAULT false,
    custom_fields       jsonb       NOT NULL DEFAULT '{}',
    _stg_id             bigint      NOT NULL,
    _source_blob        text        NOT NULL,
    _source_line        integer     NOT NULL,
    _run_id             text        NOT NULL,
    _updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

CREATE TABLE core.pd_organizations (
    scope               text        NOT NULL,
    id                  bigint      NOT NULL,
    name                text,
    owner_id            bigint,
    address             text,
    address_locality    text,
    address_country     text,
    address_postal_code text,
    visible_to          text,
    add_time            timestamptz,
    update_time         timestamptz,
    is_deleted          boolean     NOT NULL DEFAULT false,
    custom_fields       jsonb       NOT NULL DEFAULT '{}',
    _stg_id             bigint      NOT NULL,
    _source_blob        text        NOT NULL,
    _source_line        integer     NOT NULL,
    _run_id             text        NOT NULL,
    _updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

CREATE TABLE core.pd_activities (
    scope               text        NOT NULL,
    id                  bigint      NOT NULL,
    subject             text,
    type                text,
    done                boolean,
    due_date            date,
    due_time            text,                  -- "HH:MI" in the account's zone, or empty
    duration            text,                  -- "HH:MI", or empty
    owner_id            bigint,                -- v1 user_id, v2 owner_id
    deal_id             bigint,
    person_id           bigint,
    org_id              bigint,
    lead_id             text,                  -- leads have uuid ids
    marked_as_done_time timestamptz,
    busy                boolean,
    add_time            timestamptz,
    update_time         timestamptz,
    is_deleted          boolean     NOT NULL DEFAULT false,
    _stg_id             bigint      NOT NULL,
    _source_blob        text        NOT NULL,
    _source_line        integer     NOT NULL,
    _run_id             text        NOT NULL,
    _updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

CREATE TABLE core.pd_pipelines (
    scope               text        NOT NULL,
    id                  bigint      NOT NULL,
    name                text,
    url_title           text,
    order_nr            integer,
    deal_probability    boolean,
    add_time            timestamptz,
    update_time         timestamptz,
    is_deleted          boolean     NOT NULL DEFAULT false,
    _stg_id             bigint      NOT NULL,
    _source_blob        text        NOT NULL,
    _source_line        integer     NOT NULL,
    _run_id             text        NOT NULL,
    _updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

CREATE TABLE core.pd_stages (
    scope               text        NOT NULL,
    id                  bigint      NOT NULL,
    pipeline_id         bigint,
    name                text,
    order_nr            integer,
    deal_probability    integer,               -- percent
    rotten_flag         boolean,
    rotten_days         integer,
    add_time            timestamptz,
    update_time         timestamptz,
    is_deleted          boolean     NOT NULL DEFAULT false,
    _stg_id             bigint      NOT NULL,
    _source_blob        text        NOT NULL,
    _source_line        integer     NOT NULL,
    _run_id             text        NOT NULL,
    _updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

CREATE TABLE core.pd_users (
    scope               text        NOT NULL,
    id                  bigint      NOT NULL,
    name                text,
    email               text,
    phone               text,
    default_currency    text,
    locale              text,
    timezone_name       text,
    role_id             bigint,
    is_admin            boolean,
    is_active           boolean,               -- users are deactivated, never deleted
    last_login          timestamptz,
    add_time            timestamptz,           -- "created"
    update_time         timestamptz,           -- "modified"
    _stg_id             bigint      NOT NULL,
    _source_blob        text        NOT NULL,
    _source_line        integer     NOT NULL,
    _run_id             text        NOT NULL,
    _updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id)
);

-- EVO sales (the benchmark's table; the EVO source adds its other tables later). A sale has no update
-- time: the version ingested last wins. Values come from the sale's items, which stay as sent in items.
SELECT ops.create_staging_table('stg_evo', 'sales');

CREATE TABLE core.evo_sales (
    scope               text        NOT NULL,
    id_sale             bigint      NOT NULL,
    id_member           bigint,
    id_prospect         bigint,
    id_branch           bigint,
    id_employee_sale    bigint,
    sale_date           timestamp,             -- the gym's local time, as EVO sends it
    removed             boolean     NOT NULL DEFAULT false,
    removal_date        timestamp,
    total_value         numeric,               -- sum of the items' saleValue
    items_count         integer,
    receivables_count   integer,
    receivables_total   numeric,               -- sum of the receivables' ammount (sic)
    items               jsonb,
    _stg_id             bigint      NOT NULL,
    _source_blob        text        NOT NULL,
    _source_line        integer     NOT NULL,
    _run_id             text        NOT NULL,
    _updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id_sale)
);
