-- Versions without an update time are ordered by when they were read, not by when their run started.
--
-- Until now the newest observation of a record was the highest (run_id, part, line). Run ids start with the run's
-- start time, and a resumed backfill keeps its run id: its parts, read after a run that started later, lost to
-- that run's older read (a sale read removed:false by the later-started run, then removed:true by the resumed
-- one, stayed removed = false). The order is now (read time, run_id, part, line), the read time being when the
-- part was written, as the writer records it in ops.bronze_files.written_at: the same for every replay of the
-- part, so a full refresh gives the same core. A part the ledger has no write time for (loaded from a folder the
-- writer never recorded) sorts before every part that has one, and among its kind by the old order.
--
-- Every core row keeps its version's read time in _read_at, to compare a newer staging row against. Rows written
-- before this migration get theirs from the ledger here.
DO $do$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT r.relname AS table_name FROM pg_class r
             JOIN pg_namespace n ON n.oid = r.relnamespace
             JOIN pg_attribute a ON a.attrelid = r.oid AND a.attname = '_run_id' AND NOT a.attisdropped
             WHERE n.nspname = 'core' AND r.relkind IN ('r', 'p')
             ORDER BY r.relname
    LOOP
        EXECUTE format('ALTER TABLE core.%I ADD COLUMN _read_at timestamptz', t.table_name);
        EXECUTE format('UPDATE core.%I c SET _read_at = f.written_at FROM ops.bronze_files f '
                       'WHERE f.blob_path = c._source_blob AND f.written_at IS NOT NULL', t.table_name);
        EXECUTE format('COMMENT ON COLUMN core.%I._read_at IS %L', t.table_name,
                       'When the version was read: its bronze part''s write time (ops.bronze_files.written_at); '
                       'versions are ordered by it before run, part and line');
    END LOOP;
END
$do$;

COMMENT ON TABLE core.evo_member_memberships IS
    'One row per contract. Written by the evo_members transform (memberships[] of each member, refreshed by the '
    'full re-scan) and by evo_member_memberships (canceled contracts with cancel_reason); the newest observation '
    'of either wins by read time, then lineage (run, part, line). A member read flags deleted only the contracts '
    'it wrote itself and no longer lists.';
