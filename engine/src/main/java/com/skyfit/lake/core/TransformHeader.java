package com.skyfit.lake.core;

import java.util.stream.Collectors;

/** The comment at the top of a generated transform: what it reads and writes, how to run it, its parts. */
final class TransformHeader {
    private TransformHeader() {}

    static String of(CoreTable t) {
        String keys = "scope, " + t.key().stream().map(Column::name).collect(Collectors.joining(", "));
        String order = t.versionColumn() == null
                ? "the version read last:\n-- the highest (read_at, run_id, blob_path, line_no)"
                : "the newest version:\n-- the latest " + t.versionColumn() + ", then the highest (read_at, run_id, blob_path, line_no)";
        StringBuilder h = new StringBuilder();
        h.append("-- ").append(t.qualifiedName()).append(" from ").append(t.stagingTable()).append(": one row per (")
                .append(keys).append("), ").append(order).append(".\n");
        for (String line : t.description().lines().toList()) {
            h.append("-- ").append(line).append("\n");
        }
        if (t.deletedColumn() != null) {
            h.append("-- A deleted record keeps its row with ").append(t.deletedColumn()).append(" = true.\n");
        }
        if (t.flagsMissing()) {
            h.append("-- A key a complete read no longer has is flagged too, with deleted_by_run and deleted_at, when its run\n"
                    + "-- completes (MissingRows); a newer version of the record makes it live again and clears both.\n");
        }
        for (ChildTable c : t.children()) {
            h.append("-- ").append(c.qualifiedName()).append(": one row per element of ").append(c.path())
                    .append(", keyed by the parent's key and ")
                    .append(c.key().stream().map(Column::name).collect(Collectors.joining(", "))).append(".\n");
        }
        h.append("""
                --
                -- Generated from the table's declaration (engine/src/main/java/com/skyfit/lake/core/, see CoreTables);
                -- edit that, then `./skyfit sql --write` rewrites this file (a test fails while it is out of date).
                --
                -- Parameters (session settings): skyfit.from_stg_id < stg_id <= skyfit.to_stg_id. To run by hand:
                --   BEGIN;
                --   SET LOCAL work_mem = '1GB';  -- as the runner does: the staging-id lookups below stay hashed
                --   SELECT set_config('skyfit.from_stg_id', '0', true), set_config('skyfit.to_stg_id', '9223372036854775807', true);
                --   \\i %s
                --   COMMIT;
                -- Returns one row per run of the winning staging rows:
                --   run_id, candidates, inserted, updated, unchanged, deleted (rows written as deleted), warned (rows flagged).
                --
                -- fields     every staging row in range once (invalid rows excluded), typed by the safe ops.try_* casts
                --            (a value that does not cast becomes NULL), with, for a row with a problem, its message.
                -- problems   rows with a present value that did not cast; flagged marks them 'warning' in staging with
                --            the field and value in error_message ('invalid' when the key itself is unusable: no core row
                --            can hold it). The core row is still written, with that field NULL.
                -- target     whether the table was empty when the statement began (a first load; a full refresh that
                --            truncates it):
                --            then every winning row is an insert (inserted_first, without the check against stored
                --            keys), and the update and candidate steps are skipped.
                -- stored     the batch's keys the table already holds: one probe of its primary key per row whose key
                --            does not sort after the greatest stored one, so a batch costs the same whatever the
                --            table's size; the update and repointing steps run only when there is one.
                -- superseded for keys that occur more than once in the batch, every version but the newest. Versions are
                --            ordered by lineage, not by load order, so a forced reload never puts an older one on top.
                --            read_at is when the line was read: its bronze part's write time in ops.bronze_files (a part
                --            without one sorts first), so a resumed run's new reads win over a run that started later.
                -- inserted   new keys; updated: stored keys, only when a column changed and the incoming version is not
                --            older than the stored one, so an unchanged row costs no write and a late-arriving old
                --            version never overwrites a newer one.
                -- repointed  core rows whose version came from a reloaded part: their _stg_id follows the new row.
                """.formatted(t.transformResource()));
        if (!t.children().isEmpty()) {
            h.append("-- *_elements each array element, typed; accepted: the parent versions the children follow (stored\n"
                    + "--            notes whether the stored version is newer). A child table empty when the statement\n"
                    + "--            began, or when the batch began (skyfit.empty_at_start) for a parent key not stored,\n"
                    + "--            gets its elements inserted plainly; the others are upserted.\n");
        }
        return h.toString();
    }
}
