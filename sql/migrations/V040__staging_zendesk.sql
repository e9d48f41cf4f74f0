-- Zendesk Support: staging tables (one JSONB row per bronze line with its lineage, ops.create_staging_table in V002),
-- and the export cursor candidate of each window: tickets and users are read by an opaque cursor that continues
-- exactly where the last read stopped. A window keeps the cursor it ended at; the run's success copies it to
-- ops.watermarks.cursor_value in the same transaction, so the stored cursor never covers data not in core.
SELECT ops.create_staging_table('stg_zendesk', e)
FROM unnest(ARRAY['tickets', 'users', 'organizations', 'groups', 'ticket_fields', 'ticket_forms']) AS e;

ALTER TABLE ops.windows ADD COLUMN IF NOT EXISTS cursor_value text;
