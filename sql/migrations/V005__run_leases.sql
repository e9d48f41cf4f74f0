-- Run ownership: at most one live run per source, scope and entity (invariant 12).
-- The owner refreshes heartbeat_at while it works; a lease not refreshed for SKYFIT_LEASE_TIMEOUT_SECONDS
-- is dead, and the next ordinary run takes it (closing or resuming the dead owner's run).
CREATE TABLE ops.run_leases (
    source          text NOT NULL,
    scope           text NOT NULL,
    entity          text NOT NULL,
    batch_id        text NOT NULL,
    run_id          text,
    owner_id        text NOT NULL,             -- host/pid/start of a CLI process, or 'batch' for a Function App batch
    acquired_at     timestamptz NOT NULL DEFAULT now(),
    heartbeat_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, scope, entity)
);
CREATE INDEX run_leases_batch_idx ON ops.run_leases (batch_id);

-- The range a run must read, so completion can check that its windows cover it without gaps.
ALTER TABLE ops.runs ADD COLUMN range_start timestamptz, ADD COLUMN range_end timestamptz;
UPDATE ops.runs SET
    range_start = CASE WHEN load_type = 'backfill' THEN backfill_from::timestamp AT TIME ZONE 'UTC'
                       ELSE coalesce(watermark_start, '-infinity') END,
    range_end = CASE WHEN load_type = 'backfill' THEN (backfill_to + 1)::timestamp AT TIME ZONE 'UTC'
                     ELSE 'infinity' END;
