-- Hand-written: not generated from a declaration.
-- A set difference against the whole core table, gated on a listing being complete in staging: no
-- per-record declaration expresses it. Registered in engine/src/main/java/com/skyfit/lake/core/ChatwootTables;
-- `./skyfit sql --write` leaves this file as it is.
--
-- core.chatwoot_id_listings from stg_chatwoot.conversation_ids_raw, and the hard deletes it proves in
-- core.chatwoot_conversations. Chatwoot deletes conversations outright, so only the list of ids the source
-- still holds tells a deletion. Each run lists every id in one snapshot of the source, as lines
--   {"listing": "<token>", "ids": [12, 15, ...]}                       (chunks of up to a few thousand ids)
--   {"listing": "<token>", "complete": true, "id_count": N, "chunk_count": K, "listed_at": "<source clock>"}
-- where the trailer is written only after the whole list was read.
--
-- A listing is used only when it is complete in staging: its trailer is there and so are exactly its K
-- chunks holding N ids (bronze parts load independently, and a failed read writes no trailer). So a failed
-- or partial read never marks anything deleted. Only the newest complete listing per scope is applied, and
-- never one older than a listing already applied.
--
-- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
--   BEGIN;
--   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
--   \i sql/transforms/chatwoot/chatwoot_id_listings.sql
--   COMMIT;
-- Returns one row per listing applied:
--   run_id, candidates (ids listed), inserted, updated, unchanged (0), deleted (conversations marked), warned (0).
--
-- trailers   the trailers of complete listings that arrived in range.
-- newest     the newest of them per scope, unless core already applied a later one.
-- listed     its ids; chunks are found through the run's bronze parts (ops.bronze_files, then the BRIN index over blob_path).
-- marked     core rows absent from the list become deleted, unless they changed after the listing was taken
--            (a conversation created after the snapshot is not in it, and is not deleted).
-- restored   core rows marked deleted that the list holds again lose the mark.
WITH trailers AS MATERIALIZED (
    SELECT s.stg_id, s.scope, s.run_id, s.blob_path, s.line_no,
           s.raw ->> 'listing' AS token,
           ops.try_bigint(s.raw ->> 'id_count') AS id_count,
           ops.try_bigint(s.raw ->> 'chunk_count') AS chunk_count,
           ops.try_timestamptz(s.raw ->> 'listed_at') AS listed_at
    FROM stg_chatwoot.conversation_ids_raw s
    WHERE s.stg_id > current_setting('skyfit.from_stg_id')::bigint
      AND s.stg_id <= current_setting('skyfit.to_stg_id')::bigint
      AND s.validation_status <> 'invalid'
      AND s.raw ? 'complete'
),
chunks AS MATERIALIZED (
    SELECT t.stg_id AS trailer_stg_id, x.raw -> 'ids' AS ids
    FROM trailers t
    JOIN ops.bronze_files f ON f.run_id = t.run_id
    JOIN stg_chatwoot.conversation_ids_raw x ON x.blob_path = f.blob_path
    WHERE x.raw ->> 'listing' = t.token AND NOT x.raw ? 'complete'
),
complete AS (
    SELECT t.*
    FROM trailers t
    WHERE t.listed_at IS NOT NULL
      AND (t.chunk_count, t.id_count) = (SELECT count(*), coalesce(sum(jsonb_array_length(c.ids)), 0)
                                         FROM chunks c WHERE c.trailer_stg_id = t.stg_id)
),
newest AS MATERIALIZED (
    SELECT DISTINCT ON (t.scope) t.*
    FROM complete t
    WHERE NOT EXISTS (SELECT 1 FROM core.chatwoot_id_listings p WHERE p.scope = t.scope AND p.listed_at > t.listed_at)
    ORDER BY t.scope, t.listed_at DESC, t.stg_id DESC
),
listed AS MATERIALIZED (
    SELECT n.scope, e.id::bigint AS id
    FROM newest n
    JOIN chunks c ON c.trailer_stg_id = n.stg_id
    CROSS JOIN LATERAL jsonb_array_elements_text(c.ids) AS e(id)
),
marked AS (
    UPDATE core.chatwoot_conversations c
    SET is_deleted = true, deleted_at = n.listed_at, deleted_run_id = n.run_id, _updated_at = now()
    FROM newest n
    WHERE c.scope = n.scope
      AND NOT c.is_deleted
      AND coalesce(c.source_changed_at, '-infinity') <= n.listed_at
      AND NOT EXISTS (SELECT 1 FROM listed l WHERE l.scope = c.scope AND l.id = c.id)
    RETURNING n.run_id
),
restored AS (
    UPDATE core.chatwoot_conversations c
    SET is_deleted = false, deleted_at = NULL, deleted_run_id = NULL, _updated_at = now()
    FROM newest n
    WHERE c.scope = n.scope
      AND c.is_deleted
      AND EXISTS (SELECT 1 FROM listed l WHERE l.scope = c.scope AND l.id = c.id)
    RETURNING n.run_id
),
counts AS (
    SELECT n.run_id, n.scope, n.id_count,
           (SELECT count(*) FROM marked m WHERE m.run_id = n.run_id) AS marked,
           (SELECT count(*) FROM restored r WHERE r.run_id = n.run_id) AS restored
    FROM newest n
),
recorded AS (
    INSERT INTO core.chatwoot_id_listings AS c (scope, run_id, listed_at, ids, marked_deleted, restored,
                                                _stg_id, _source_blob, _source_line, _run_id, _updated_at)
    SELECT n.scope, n.run_id, n.listed_at, n.id_count, k.marked, k.restored,
           n.stg_id, n.blob_path, n.line_no, n.run_id, now()
    FROM newest n JOIN counts k USING (run_id)
    ON CONFLICT (scope, run_id) DO UPDATE
    SET marked_deleted = c.marked_deleted + excluded.marked_deleted, restored = c.restored + excluded.restored,
        _updated_at = excluded._updated_at
    RETURNING c.run_id
)
SELECT k.run_id,
       k.id_count AS candidates,
       0::bigint AS inserted,
       0::bigint AS updated,
       0::bigint AS unchanged,
       k.marked AS deleted,
       0::bigint AS warned
FROM counts k
WHERE k.run_id IN (SELECT run_id FROM recorded)
ORDER BY k.run_id;
