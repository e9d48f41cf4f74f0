-- Views and functions over the control tables; re-applied by Flyway whenever this file changes.

-- One row per source / scope / entity: how its runs are going.
CREATE OR REPLACE VIEW ops.vw_etl_stats AS
SELECT r.source,
       r.scope,
       r.entity,
       count(*)                                                          AS runs_total,
       count(*) FILTER (WHERE r.status = 'success')                      AS runs_success,
       count(*) FILTER (WHERE r.status = 'failed')                       AS runs_failed,
       count(*) FILTER (WHERE r.status = 'running')                      AS runs_running,
       max(r.started_at)                                                 AS last_started_at,
       max(r.completed_at) FILTER (WHERE r.status = 'success')           AS last_success_at,
       (array_agg(r.status ORDER BY r.started_at DESC))[1]               AS last_status,
       (array_agg(r.error_message ORDER BY r.started_at DESC))[1]        AS last_error,
       sum(r.rows_extracted)                                             AS rows_extracted,
       sum(r.rows_inserted)                                              AS rows_inserted,
       sum(r.rows_updated)                                               AS rows_updated,
       sum(r.rows_unchanged)                                             AS rows_unchanged,
       sum(r.rows_deleted)                                               AS rows_deleted,
       round(avg(r.duration_seconds) FILTER (WHERE r.status = 'success'), 3) AS avg_duration_seconds,
       w.watermark                                                       AS current_watermark
FROM ops.runs r
LEFT JOIN ops.watermarks w USING (source, scope, entity)
GROUP BY r.source, r.scope, r.entity, w.watermark;

-- The watermark the last successful run left (NULL when none has succeeded yet).
CREATE OR REPLACE FUNCTION ops.get_last_successful_watermark(p_source text, p_scope text, p_entity text)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT watermark_end
    FROM ops.runs
    WHERE source = p_source AND scope = p_scope AND entity = p_entity
      AND status = 'success' AND watermark_end IS NOT NULL
    ORDER BY completed_at DESC
    LIMIT 1
$$;
