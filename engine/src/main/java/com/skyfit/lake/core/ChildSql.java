package com.skyfit.lake.core;

import static com.skyfit.lake.core.RecordSql.indent;
import static com.skyfit.lake.core.TransformSql.wrap;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The parts of a transform that write a table's child tables: each array element of every staging row, typed
 * (problems go to the parent's staging row); then, for the parent versions that win (newest of the batch and
 * not older than core's), the elements upserted when changed and the ones that version no longer has flagged
 * deleted.
 */
final class ChildSql {
    private final CoreTable table;
    private final TransformSql parent;
    private final List<String> parentKeys;

    ChildSql(CoreTable table, TransformSql parent) {
        this.table = table;
        this.parent = parent;
        this.parentKeys = table.key().stream().map(Column::name).toList();
    }

    List<String> elementCtes() {
        List<String> out = new ArrayList<>();
        for (ChildTable c : table.children()) {
            List<String> pass = new ArrayList<>(List.of("stg_table", "stg_ctid", "stg_id", "scope"));
            pass.addAll(parentKeys);
            pass.addAll(List.of("blob_path", "line_no", "run_id", "read_at", "element_position"));
            String array = "f." + RecordSql.arrayColumn(c, table.arrays());
            String from = "fields f\nCROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(" + array
                    + ") WHEN 'array' THEN " + array + " END)\n"
                    + "    WITH ORDINALITY AS el(raw, element_position)\n"
                    + "WHERE " + parentKeys.stream().map(k -> "f." + k + " IS NOT NULL").collect(Collectors.joining(" AND "));
            String select = new RecordSql(pass, c.key(), c.columns(), List.of(), List.of(), c.path() + "[].")
                    .select(from);
            out.add(c.name() + "_elements AS MATERIALIZED (\n" + indent(select) + "\n)");
        }
        return out;
    }

    /** UNION ALL branches adding the elements' problems to the parent's, ranked after them. */
    String problemUnion() {
        StringBuilder out = new StringBuilder();
        int rank = 1;
        for (ChildTable c : table.children()) {
            out.append("    UNION ALL\n    SELECT x.stg_table, x.stg_ctid, false, x.problem, ").append(rank++)
                    .append(" FROM ").append(c.name()).append("_elements x WHERE x.problem IS NOT NULL\n");
        }
        return out.toString();
    }

    List<String> writeCtes() {
        if (table.children().isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        String keys = parentKeys.stream().map(k -> "l." + k).collect(Collectors.joining(", "));
        String listed = table.children().stream().map(c -> "jsonb_typeof(l." + RecordSql.arrayColumn(c, table.arrays())
                + ") = 'array' AS " + c.name() + "_listed").collect(Collectors.joining(", "));
        out.add("-- The parent versions children follow: newest of the batch, and not older than core's (stored noted\n"
                + "-- which stored versions are newer, in the probe it makes anyway); key_stored: core holds the key;\n"
                + "-- _listed: the version carries the child array (a record without it, or with null, says nothing of\n"
                + "-- its children). Both looked up in stored by staging id, hashed (a join could sort the batch).\n"
                + "accepted AS (\n" + indent("SELECT l.stg_id, l.scope, " + keys + ", l.run_id, l.blob_path, l.line_no, l.read_at,\n"
                + "       l.stg_id IN (SELECT stg_id FROM stored) AS key_stored, " + listed + "\n"
                + "FROM fields l\nWHERE " + parent.isWinner("l") + "\n"
                + "  AND l.stg_id NOT IN (SELECT stg_id FROM stored WHERE newer)") + "\n)");
        for (ChildTable c : table.children()) {
            boolean firstLoadPath = !sharedWithAnotherStep(c);
            if (firstLoadPath) {
                out.add("-- In the statement's snapshot: whether " + c.qualifiedName() + " was empty when the statement began;\n"
                        + "-- empty_at_start: it was when the batch began (TransformRunner sets skyfit.empty_at_start before\n"
                        + "-- its first slice; unset, as when run by hand: not).\n"
                        + c.name() + "_target AS (\n" + indent("SELECT NOT EXISTS (SELECT 1 FROM " + c.qualifiedName()
                        + ") AS empty,\n       coalesce('" + c.qualifiedName() + "' = ANY (string_to_array(current_setting("
                        + "'skyfit.empty_at_start', true), ',')), false)\n           AS empty_at_start") + "\n)");
                out.add(firstInsert(c));
            }
            out.add(upsert(c, firstLoadPath));
            out.add(removed(c, firstLoadPath));
        }
        return out;
    }

    /** Runs only when the child table was empty at the statement's start; the upsert and removed steps then skip. */
    private String skippedWhenEmpty(ChildTable c, boolean firstLoadPath, String prefix) {
        return firstLoadPath ? "\n" + prefix + "NOT (SELECT empty FROM " + c.name() + "_target)" : "";
    }

    /**
     * Elements that are new for certain, inserted plainly, with no conflict check (speculative insertion): the child
     * table was empty when the statement began (a first load), or it was when the batch began and the parent key is
     * not stored (a later slice of a first load: the table holds only the earlier slices' rows, each written with
     * its parent, so a parent key core does not hold has none). The upsert takes the rest. Whether the table was
     * empty when the batch began is the runner's check (skyfit.empty_at_start), not an assumption about rows other
     * writers might leave. accepted holds one version per parent key, so only a key repeated inside one array can
     * repeat: it keeps its last element, as the upsert does. (A hash aggregate finding such keys instead of the sort
     * spilled to disk and cost as much.)
     */
    private String firstInsert(ChildTable c) {
        List<String> childKeys = names(c.key());
        List<String> cols = new ArrayList<>(List.of("scope"));
        cols.addAll(parentKeys);
        cols.addAll(childKeys);
        cols.addAll(names(c.columns()));
        String ck = childKeys.stream().map(n -> "x." + n).collect(Collectors.joining(", "));
        String select = cols.stream().map(n -> "x." + n).collect(Collectors.joining(", "))
                + ", false, x.stg_id, x.blob_path, x.line_no, x.run_id, x.read_at, now()";
        String t = c.name() + "_target";
        return "-- Elements that are new for certain: the child table was empty when the statement began, or when the\n"
                + "-- batch began and the parent key is not stored (the earlier slices wrote each child row with its\n"
                + "-- parent). Inserted plainly (no conflict check); the upsert takes the rest.\n"
                + c.name() + "_inserted AS (\n" + indent("INSERT INTO " + c.qualifiedName() + " ("
                + wrap(String.join(", ", cols) + ", is_deleted, _stg_id, _source_blob, _source_line, _run_id, _read_at, "
                        + "_updated_at", 14 + c.qualifiedName().length()) + ")\n"
                + "SELECT DISTINCT ON (x.stg_id, " + ck + ") " + wrap(select, 32 + ck.length()) + "\n"
                + "FROM " + c.name() + "_elements x\n"
                + "WHERE (SELECT empty OR empty_at_start FROM " + t + ")\n"
                + "  AND x.stg_id IN (SELECT a.stg_id FROM accepted a\n"
                + "                   WHERE " + plainly(t) + ")\n"
                + "  AND " + childKeys.stream().map(n -> "x." + n + " IS NOT NULL").collect(Collectors.joining(" AND "))
                + "\nORDER BY x.stg_id, " + ck + ", x.element_position DESC\n"
                + "RETURNING 1") + "\n)";
    }

    /** Whether an accepted version's elements are inserted plainly (see firstInsert); the upsert takes the others. */
    private static String plainly(String target) {
        return "(SELECT empty FROM " + target + ") OR ((SELECT empty_at_start FROM " + target + ") AND NOT a.key_stored)";
    }

    /**
     * With a parent ordered by lineage alone, the version a child row names is never newer than an accepted one,
     * so this guard changes nothing for a child table only its parent writes; it keeps the newest observation
     * when another table's transform writes the same rows (its rows carry their own lineage).
     */
    private String notOlder(String readAt, String run, String blob, String line, String prefix) {
        if (table.versionColumn() != null) {
            return "";
        }
        return "\n" + prefix + "(" + TransformSql.lineage(readAt, run, blob, line) + ")\n"
                + " ".repeat(prefix.length()) + "    >= (" + TransformSql.lineage("c._read_at", "c._run_id",
                "c._source_blob", "c._source_line") + ")";
    }

    private static List<String> names(List<Column> cols) {
        return cols.stream().filter(Column::stored).map(Column::name).toList();
    }

    private String upsert(ChildTable c, boolean firstLoadPath) {
        List<String> childKeys = names(c.key());
        List<String> values = new ArrayList<>(names(c.columns()));
        values.add("is_deleted");
        List<String> conflict = new ArrayList<>(List.of("scope"));
        conflict.addAll(parentKeys);
        conflict.addAll(childKeys);
        List<String> all = new ArrayList<>(conflict);
        all.addAll(values);
        String select = conflict.stream().map(n -> "x." + n).collect(Collectors.joining(", ")) + ", "
                + names(c.columns()).stream().map(n -> "x." + n + ", ").collect(Collectors.joining())
                + "false, x.stg_id, x.blob_path, x.line_no, x.run_id, x.read_at, now()";
        String ck = childKeys.stream().map(n -> "x." + n).collect(Collectors.joining(", "));
        String set = values.stream().map(n -> n + " = excluded." + n).collect(Collectors.joining(", "))
                + ", _stg_id = excluded._stg_id, _source_blob = excluded._source_blob, "
                + "_source_line = excluded._source_line, _run_id = excluded._run_id, _read_at = excluded._read_at, "
                + "_updated_at = excluded._updated_at";
        return "-- A repeated element key keeps its last element. A child row names the parent version that last\n"
                + "-- confirmed it: it is rewritten when it changed or that version is another (or a reloaded) row.\n"
                + c.name() + "_upserted AS (\n" + indent("INSERT INTO " + c.qualifiedName() + " AS c ("
                + wrap(String.join(", ", all) + ", _stg_id, _source_blob, _source_line, _run_id, _read_at, _updated_at",
                        19 + c.qualifiedName().length()) + ")\n"
                + "SELECT DISTINCT ON (x.stg_id, " + ck + ") " + wrap(select, 32 + ck.length()) + "\n"
                + "FROM " + c.name() + "_elements x\n"
                + (firstLoadPath
                        ? "WHERE NOT (SELECT empty FROM " + c.name() + "_target)\n"
                                + "  AND x.stg_id IN (SELECT a.stg_id FROM accepted a\n"
                                + "                   WHERE NOT (" + plainly(c.name() + "_target") + "))\n  AND "
                        : "WHERE x.stg_id IN (SELECT stg_id FROM accepted) AND ")
                + childKeys.stream().map(n -> "x." + n + " IS NOT NULL").collect(Collectors.joining(" AND ")) + "\n"
                + "ORDER BY x.stg_id, " + ck + ", x.element_position DESC\n"
                + "ON CONFLICT (" + String.join(", ", conflict) + ") DO UPDATE\n"
                + "SET " + wrap(set) + "\n"
                + "WHERE " + rewrite(values) + "\n"
                + "RETURNING 1") + "\n)";
    }

    /** When a stored child row is rewritten: it changed or another version confirms it, and that one is not older. */
    private String rewrite(List<String> values) {
        String changed = "(" + wrap(values.stream().map(n -> "c." + n).collect(Collectors.joining(", "))) + ")\n"
                + "      IS DISTINCT FROM (" + wrap(values.stream().map(n -> "excluded." + n)
                .collect(Collectors.joining(", "))) + ")\n"
                + "   OR (c._stg_id, c._source_blob, c._source_line, c._run_id)\n"
                + "      IS DISTINCT FROM (excluded._stg_id, excluded._source_blob, excluded._source_line, excluded._run_id)";
        String guard = notOlder("excluded._read_at", "excluded._run_id", "excluded._source_blob",
                "excluded._source_line", "  AND ");
        return guard.isEmpty() ? changed : "(" + changed.replace("\n", "\n ") + ")" + guard;
    }

    /**
     * Elements the winning version no longer has, when it carries the array at all. In a table another step also
     * writes (a member's contracts and the canceled-contracts endpoint), only rows whose current version this step
     * wrote: the other input may list contracts this one never shows (canceled ones), and flagging those would
     * make them flip between deleted and not with every read of either input.
     */
    private String removed(ChildTable c, boolean firstLoadPath) {
        List<String> childKeys = names(c.key());
        // the row's version came from this step's staging table: its part is one of this entity's (the file
        // ledger has every loaded part; staging itself is indexed by part for the loader, not for a probe per row)
        String own = sharedWithAnotherStep(c) ? "\n  AND EXISTS (SELECT 1 FROM ops.bronze_files f WHERE f.blob_path = "
                + "c._source_blob AND f.source = '" + table.source() + "' AND f.entity = '" + table.entity() + "')" : "";
        return "-- Elements the winning version no longer has: deletes are facts, the row stays flagged and names\n"
                + "-- that version." + (own.isEmpty() ? "" : " Only rows this step wrote (another step writes the table).")
                + (firstLoadPath ? "\n-- When the table was empty as the batch began, only a stored parent key has rows in it: with none,\n"
                        + "-- this step does not run." : "") + "\n"
                + c.name() + "_removed AS (\n" + indent("UPDATE " + c.qualifiedName() + " c\n"
                + "SET is_deleted = true, _stg_id = a.stg_id, _source_blob = a.blob_path, _source_line = a.line_no,\n"
                + "    _run_id = a.run_id, _read_at = a.read_at, _updated_at = now()\n"
                + "FROM accepted a\n"
                + "WHERE c.scope = a.scope AND " + parent.keyJoin("c", "a") + " AND a." + c.name() + "_listed\n"
                + "  AND (NOT c.is_deleted\n"
                + "       OR (c._stg_id, c._source_blob, c._source_line, c._run_id)\n"
                + "          IS DISTINCT FROM (a.stg_id, a.blob_path, a.line_no, a.run_id))"
                + notOlder("a.read_at", "a.run_id", "a.blob_path", "a.line_no", "  AND ") + "\n"
                + "  AND NOT EXISTS (SELECT 1 FROM " + c.name() + "_elements x WHERE x.stg_id = a.stg_id AND "
                + childKeys.stream().map(n -> "x." + n + " = c." + n).collect(Collectors.joining(" AND ")) + ")"
                + own + skippedWhenEmpty(c, firstLoadPath, "  AND ")
                + "\n  AND " + parent.keyProbe("c", "k", "accepted k WHERE k." + c.name() + "_listed"
                        + (firstLoadPath ? " AND (k.key_stored OR NOT (SELECT empty_at_start FROM " + c.name() + "_target))" : ""))
                + (firstLoadPath ? "\n  AND (NOT (SELECT empty_at_start FROM " + c.name() + "_target) OR EXISTS (SELECT 1 FROM stored))"
                        : "") + "\n"
                + "RETURNING 1") + "\n)";
    }

    private boolean sharedWithAnotherStep(ChildTable c) {
        return CoreTables.all().stream().anyMatch(t -> !t.qualifiedName().equals(table.qualifiedName())
                && t.writtenTables().contains(c.qualifiedName()));
    }
}
