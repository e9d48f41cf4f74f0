-- Staging tables of the EVO gym-management source: one JSONB row per bronze line with its lineage,
-- the same shape as every other staging table (ops.create_staging_table in V002).
SELECT ops.create_staging_table('stg_evo', e)
FROM unnest(ARRAY['sales', 'members', 'entries', 'receivables', 'prospects', 'memberships']) AS e;
