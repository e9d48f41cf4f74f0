-- The EVO (W12) core model: every entity the source reads, typed, keyed by scope and the source's id, with the
-- lineage every core row has. Declared in engine/src/main/java/com/skyfit/lake/core/EvoTables.java (`./skyfit sql
-- <table> --ddl` prints each CREATE TABLE). Foreign keys are plain indexed columns, never constraints: bulk
-- loads stay fast and records may arrive in any order. Times are the gym's local time without offset (timestamp).

-- Staging for the entities V004 did not create; memberships_raw was never read (contracts arrive in members and
-- member_memberships).
SELECT ops.create_staging_table('stg_evo', e)
FROM unnest(ARRAY['branches', 'member_memberships', 'employees']) AS e;
DROP TABLE stg_evo.memberships_raw;

CREATE TABLE core.evo_branches (
    scope text NOT NULL,
    id_branch bigint NOT NULL,
    name text,
    internal_name text,
    cnpj text,
    city text,
    state text,
    address text,
    phone text,
    email text,
    time_zone text,
    active boolean,
    is_deleted boolean NOT NULL DEFAULT false,
    deleted_by_run text,
    deleted_at timestamptz,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id_branch)
);

CREATE TABLE core.evo_members (
    scope text NOT NULL,
    id_member bigint NOT NULL,
    first_name text,
    last_name text,
    document text,
    email text,
    gender text,
    birth_date date,
    register_date timestamp,
    conversion_date timestamp,
    id_branch bigint,
    branch_name text,
    access_blocked boolean,
    blocked_reason text,
    membership_status text,                 -- the member's status: Active, Inactive, Suspended, Canceled
    gympass_id text,
    code_totalpass text,
    last_access_date timestamp,
    id_employee_consultant bigint,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id_member)
);
CREATE INDEX evo_members_branch_idx ON core.evo_members (id_branch);

CREATE TABLE core.evo_member_contacts (
    scope text NOT NULL,
    id_member bigint NOT NULL,
    id_phone bigint NOT NULL,
    id_contact_type integer,
    contact_type text,
    description text,
    ddi text,
    is_deleted boolean NOT NULL DEFAULT false,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id_member, id_phone)
);

-- Written by two transforms: evo_members (each member's memberships[], every contract in its current state,
-- refreshed by the full re-scan) and evo_member_memberships (/api/v2/membermembership, canceled contracts with
-- cancel_reason). A row keeps the newest observation of either, by lineage (run, part, line).
CREATE TABLE core.evo_member_memberships (
    scope text NOT NULL,
    id_member bigint NOT NULL,
    id_member_membership bigint NOT NULL,
    id_membership bigint,
    id_sale bigint,
    plan_name text,
    id_branch bigint,
    register_date timestamp,
    start_date timestamp,
    end_date timestamp,
    cancel_date timestamp,
    membership_status text,                 -- the contract's status: active, canceled, expired, suspended
    value_next_month numeric,
    cancel_reason text,                     -- sent only by /api/v2/membermembership
    is_deleted boolean NOT NULL DEFAULT false,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id_member, id_member_membership)
);
COMMENT ON TABLE core.evo_member_memberships IS
    'One row per contract. Written by the evo_members transform (memberships[] of each member, refreshed by the '
    'full re-scan) and by evo_member_memberships (canceled contracts with cancel_reason); the newest observation '
    'of either wins by lineage (run, part, line).';
CREATE INDEX evo_member_memberships_contract_idx ON core.evo_member_memberships (scope, id_member_membership);
CREATE INDEX evo_member_memberships_sale_idx ON core.evo_member_memberships (id_sale);
CREATE INDEX evo_member_memberships_branch_idx ON core.evo_member_memberships (id_branch, start_date);

-- Sales (V003) gain their items as rows.
CREATE INDEX evo_sales_member_idx ON core.evo_sales (id_member);
CREATE INDEX evo_sales_branch_date_idx ON core.evo_sales (id_branch, sale_date);

CREATE TABLE core.evo_sale_items (
    scope text NOT NULL,
    id_sale bigint NOT NULL,
    id_sale_item bigint NOT NULL,
    description text,
    quantity numeric,
    item_value numeric,
    sale_value numeric,
    discount numeric,
    id_membership bigint,
    id_product bigint,
    id_service bigint,
    is_deleted boolean NOT NULL DEFAULT false,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id_sale, id_sale_item)
);

CREATE TABLE core.evo_receivables (
    scope text NOT NULL,
    id_receivable bigint NOT NULL,
    id_sale bigint,
    id_member_payer bigint,
    id_branch bigint,
    description text,
    registration_date timestamp,
    due_date timestamp,
    receiving_date timestamp,
    competence_date timestamp,
    cancellation_date timestamp,
    update_date timestamp,
    amount numeric,                         -- "ammount" (sic) in the API
    amount_paid numeric,
    status_id integer,                      -- 1 Open, 2 Received, 3 Canceled, 4 Overdue
    status_name text,
    payment_type text,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id_receivable)
);
CREATE INDEX evo_receivables_sale_idx ON core.evo_receivables (id_sale);
CREATE INDEX evo_receivables_payer_idx ON core.evo_receivables (id_member_payer);
CREATE INDEX evo_receivables_due_idx ON core.evo_receivables (id_branch, due_date);

-- About 110 M rows: no JSON copy, two indexes besides the key. entry_key = md5 of the identifying fields.
CREATE TABLE core.evo_entries (
    scope text NOT NULL,
    entry_key uuid NOT NULL,
    entry_date timestamp,
    id_member bigint,
    id_prospect bigint,
    id_branch bigint,
    entry_type text,
    device text,
    block_reason text,
    released_by text,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, entry_key)
);
CREATE INDEX evo_entries_member_idx ON core.evo_entries (id_member);
CREATE INDEX evo_entries_branch_date_idx ON core.evo_entries (id_branch, entry_date);

CREATE TABLE core.evo_prospects (
    scope text NOT NULL,
    id_prospect bigint NOT NULL,
    first_name text,
    last_name text,
    email text,
    phone text,
    register_date timestamp,
    conversion_date timestamp,
    id_member bigint,
    id_branch bigint,
    id_employee bigint,
    origin text,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id_prospect)
);
CREATE INDEX evo_prospects_member_idx ON core.evo_prospects (id_member);
CREATE INDEX evo_prospects_branch_idx ON core.evo_prospects (id_branch, register_date);

CREATE TABLE core.evo_employees (
    scope text NOT NULL,
    id_employee bigint NOT NULL,
    name text,
    email text,
    id_branch bigint,
    job_position text,
    active boolean,
    register_date timestamp,
    is_deleted boolean NOT NULL DEFAULT false,
    deleted_by_run text,
    deleted_at timestamptz,
    _stg_id bigint NOT NULL,
    _source_blob text NOT NULL,
    _source_line integer NOT NULL,
    _run_id text NOT NULL,
    _updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, id_employee)
);
