-- Gap analysis: one line per bounded window ever planned (a day of a windowed stream, a backfill window): whether a
-- successful run extracted it (covered: its data is in core and the watermark moved past it), whether any attempt
-- extracted it, when it was last covered, and the last error. A line with covered = false is a gap: the next run that
-- plans that window (incremental, full, re-scan or backfill) fills it.
CREATE OR REPLACE VIEW ops.vw_window_coverage AS
SELECT r.source, r.scope, r.entity, w.window_start, w.window_end,
       bool_or(w.status = 'extracted' AND r.status = 'success') AS covered,
       bool_or(w.status = 'extracted') AS extracted,
       max(r.completed_at) FILTER (WHERE w.status = 'extracted' AND r.status = 'success') AS last_covered_at,
       count(*) AS attempts,
       (array_agg(w.error_message ORDER BY w.completed_at DESC NULLS LAST)
            FILTER (WHERE w.error_message IS NOT NULL))[1] AS last_error
FROM ops.windows w
JOIN ops.runs r USING (run_id)
WHERE isfinite(w.window_start) AND isfinite(w.window_end)
GROUP BY r.source, r.scope, r.entity, w.window_start, w.window_end;
