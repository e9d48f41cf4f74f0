package com.skyfit.lake.core;

import static com.skyfit.lake.core.RecordSql.indent;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes a core table's transform from its declaration: one set-based statement over the staging rows in
 * (skyfit.from_stg_id, skyfit.to_stg_id] that casts safely, flags problems on the staging row, keeps the newest
 * version per key, writes only what changed and returns the counts per run. The statement is the same shape for
 * every table; the header of each generated file explains its parts.
 */
public final class TransformSql {
    static final List<String> LINEAGE = List.of("stg_table", "stg_ctid", "stg_id", "scope", "blob_path", "line_no", "run_id",
            "read_at");

    private final CoreTable table;
    private final List<String> keys;

    private TransformSql(CoreTable table) {
        this.table = table;
        this.keys = table.key().stream().map(Column::name).toList();
    }

    public static String of(CoreTable table) {
        return new TransformSql(table).statement();
    }

    private String statement() {
        List<String> ctes = new ArrayList<>();
        ctes.add("fields AS MATERIALIZED (\n" + indent(fieldsSelect()) + "\n)");
        ChildSql children = new ChildSql(table, this);
        ctes.addAll(children.elementCtes());
        ctes.add(problems(children));
        ctes.add(flagged());
        ctes.add("-- In the statement's snapshot, so the rows inserted below do not count.\n"
                + "target AS (SELECT NOT EXISTS (SELECT 1 FROM " + table.qualifiedName() + ") AS empty)");
        ctes.add(stored());
        ctes.add(superseded());
        ctes.add(inserted());
        ctes.add(updated());
        ctes.add(repointed());
        ctes.addAll(children.writeCtes());
        ctes.add(candidates());
        ctes.add(written());
        ctes.add("warned AS (SELECT run_id, count(*) AS n FROM flagged GROUP BY run_id)");
        return TransformHeader.of(table) + "WITH " + String.join(",\n", ctes) + "\n" + result();
    }

    private String fieldsSelect() {
        String staged = "(\n" + indent("-- raw #> '{}' is raw itself, decompressed once: a large raw is stored "
                + "compressed, and each read\n-- below would otherwise decompress it again.\n"
                + "-- read_at: when the line was read, its part's write time (see version order below).\n"
                + "SELECT s.tableoid AS stg_table, s.ctid AS stg_ctid, s.stg_id, s.scope, s.blob_path, s.line_no, s.run_id,\n"
                + "       b.written_at AS read_at, s.raw #> '{}' AS raw\n"
                + "FROM " + table.stagingTable() + " s\n"
                + "LEFT JOIN ops.bronze_files b ON b.blob_path = s.blob_path\n"
                + "WHERE s.stg_id > current_setting('skyfit.from_stg_id')::bigint\n"
                + "  AND s.stg_id <= current_setting('skyfit.to_stg_id')::bigint\n"
                + "  AND s.validation_status <> 'invalid'\n"
                + "OFFSET 0") + "\n) d";
        return new RecordSql(LINEAGE, table.key(), table.columns(), table.arrays(), table.children(), "")
                .select(staged);
    }

    private String problems(ChildSql children) {
        String own = "SELECT f.stg_table, f.stg_ctid, " + keyIsNull("f", " OR ") + " AS unusable, f.problem AS message\n"
                + "FROM fields f\nWHERE f.problem IS NOT NULL";
        if (table.children().isEmpty()) {
            return "problems AS (\n" + indent(own) + "\n)";
        }
        return "problems AS (\n" + indent("SELECT p.stg_table, p.stg_ctid, bool_or(p.unusable) AS unusable,\n"
                + "       string_agg(p.message, '; ' ORDER BY p.rank) AS message\nFROM (\n"
                + indent(own.replace(" AS message\n", " AS message, 0 AS rank\n")) + "\n"
                + children.problemUnion() + ") p\nGROUP BY p.stg_table, p.stg_ctid") + "\n)";
    }

    private String flagged() {
        return """
                flagged AS (
                    -- ctid is the row's address in this statement's snapshot: the ANY(ARRAY(..)) form makes a TID scan
                    -- that fetches just the flagged rows, where a plain join could scan the whole staging table. A
                    -- partitioned staging table repeats addresses across its partitions: tableoid names the partition.
                    UPDATE %s s
                    SET validation_status = CASE WHEN p.unusable THEN 'invalid' ELSE 'warning' END,
                        error_message = p.message
                    FROM problems p
                    WHERE s.ctid = ANY (ARRAY(SELECT stg_ctid FROM problems))
                      AND s.tableoid = p.stg_table AND s.ctid = p.stg_ctid
                    RETURNING s.run_id
                )""".formatted(table.stagingTable());
    }

    /**
     * The batch's keys the table already holds, found by one probe of its primary key per row (a row whose key sorts
     * after the primary key's last entry, read once per statement, cannot be stored and is not probed; that needs the
     * primary key to be (scope, key) in default order, DeclarationsMatchTablesIT checks it): a subquery with a
     * LIMIT is never turned into a join, so the check for new keys costs the same whatever the table's size (a batch,
     * or a slice of a large one: TransformRunner), where an anti-join could hash every stored key. The steps that
     * compare with stored rows run only when there is one; they read the table by its primary key for the keys
     * stored holds (keyProbe) and join it by key (not by a row address taken here: a row another transaction
     * updates meanwhile is re-checked by key and still updated). Nothing when the
     * table was empty. A table with children also notes, per staging row, whether the stored version is newer
     * (accepted, in ChildSql, reads that instead of probing the table a second time).
     */
    private String stored() {
        String k = keys.stream().map(n -> "l." + n).collect(Collectors.joining(", "));
        String probe = "FROM " + table.qualifiedName() + " c WHERE c.scope = l.scope AND " + keyJoin("c", "l");
        String last = "(SELECT c.scope, " + keys.stream().map(n -> "c." + n).collect(Collectors.joining(", "))
                + " FROM " + table.qualifiedName() + " c\n     ORDER BY c.scope DESC, "
                + keys.stream().map(n -> "c." + n + " DESC").collect(Collectors.joining(", ")) + " LIMIT 1)";
        String notPastLast = "  AND (l.scope, " + k + ") <= " + last;
        String pastLast = "-- A key that sorts after the greatest key stored, (scope, key) together (the primary key's last entry,\n"
                + "-- read once per statement), cannot be stored: its probe is skipped. In the last scope of a table keyed\n"
                + "-- by time or by an id the source counts up, new keys are mostly past it; other rows are probed.\n";
        if (table.children().isEmpty()) {
            return "-- The batch's keys the table already holds: at most one probe of the primary key per row, whatever the table's\n"
                    + "-- size (a scalar subquery is never planned as a join that reads every stored key). The steps below that\n"
                    + "-- compare with stored rows run only when there is one. Nothing when the table was empty.\n"
                    + pastLast
                    + "stored AS MATERIALIZED (\n" + indent("SELECT l.stg_id, l.scope, " + k + "\nFROM fields l\nWHERE "
                    + keyNotNull("l.", " AND ") + "\n  AND NOT (SELECT empty FROM target)\n"
                    + notPastLast + "\n"
                    + "  AND (SELECT true " + probe + " LIMIT 1)") + "\n)";
        }
        return "-- The batch's keys the table already holds: at most one probe of the primary key per row, whatever the table's\n"
                + "-- size (a lateral subquery with LIMIT is never planned as a join that reads every stored key), and per\n"
                + "-- staging row whether the stored version is newer (the children follow only a version that is not).\n"
                + "-- The steps below that compare with stored rows run only when there is one. Nothing when the table\n"
                + "-- was empty.\n"
                + pastLast
                + "stored AS MATERIALIZED (\n" + indent("SELECT l.stg_id, l.scope, " + k + ", p.newer\nFROM fields l\n"
                + "CROSS JOIN LATERAL (SELECT (" + storedVersion("c") + "\n"
                + "                            > " + version("l") + ") IS TRUE AS newer\n"
                + "                    " + probe + " LIMIT 1) p\n"
                + "WHERE " + keyNotNull("l.", " AND ") + "\n  AND NOT (SELECT empty FROM target)\n"
                + notPastLast) + "\n)";
    }

    private String superseded() {
        String k = keys.stream().map(n -> "f." + n).collect(Collectors.joining(", "));
        String bare = String.join(", ", keys);
        return "-- Keys that occur more than once in this batch, then the versions of each that are not its newest\n"
                + "-- (superseded): the rows the steps below leave out. Usually none: then the second scan of the batch is\n"
                + "-- skipped, and \"is this row the newest of its key\" below is a probe of an empty hash table by staging id\n"
                + "-- (a staging line's id is its own: the loader assigns it). PostgreSQL never plans NOT IN over a\n"
                + "-- subquery as a join, which could sort the whole batch to merge it; it hashes the subquery while its\n"
                + "-- estimate fits in work_mem (TransformRunner's 1 GB: tens of millions of ids).\n"
                + "repeated_keys AS (\n" + indent("SELECT scope, " + bare + "\nFROM fields\nWHERE "
                + keyNotNull("", " AND ") + "\nGROUP BY scope, " + bare + " HAVING count(*) > 1") + "\n),\n"
                + "superseded AS (\n" + indent("SELECT v.stg_id\nFROM (SELECT f.stg_id, row_number() OVER (PARTITION BY f.scope, "
                + k + "\n" + "                                        ORDER BY " + newestFirst("f") + ") AS version_rank\n"
                + "      FROM fields f\n      WHERE EXISTS (SELECT 1 FROM repeated_keys)\n"
                + "        AND (f.scope, " + k + ") IN (SELECT scope, " + bare + " FROM repeated_keys)) v\n"
                + "WHERE v.version_rank > 1") + "\n)";
    }

    /**
     * Newest version first: update time (absent last), then when it was read (its bronze part's write time; a part
     * the ledger has no time for is older than every part it has one for), then lineage (run, bronze part, line).
     * Read time, not run: a resumed backfill keeps the run id it started with, and its newer reads must win over
     * a run that started later but read earlier.
     */
    private String newestFirst(String a) {
        String lineage = a + ".read_at DESC NULLS LAST, " + a + ".run_id COLLATE \"C\" DESC, " + a
                + ".blob_path COLLATE \"C\" DESC, " + a + ".line_no DESC";
        return table.versionColumn() == null ? lineage
                : a + "." + table.versionColumn() + " DESC NULLS LAST, " + lineage;
    }

    /** A row's version, comparable with {@link #storedVersion}. */
    String version(String a) {
        String lineage = lineage(a + ".read_at", a + ".run_id", a + ".blob_path", a + ".line_no");
        return "(" + (table.versionColumn() == null ? "" : "coalesce(" + a + "." + table.versionColumn()
                + ", '-infinity'), ") + lineage + ")";
    }

    String storedVersion(String c) {
        String lineage = lineage(c + "._read_at", c + "._run_id", c + "._source_blob", c + "._source_line");
        return "(" + (table.versionColumn() == null ? "" : "coalesce(" + c + "." + table.versionColumn()
                + ", '-infinity'), ") + lineage + ")";
    }

    /** A version's lineage, ascending: read time (none: before every other), run, bronze part, line. */
    static String lineage(String readAt, String run, String blob, String line) {
        return "coalesce(" + readAt + ", '-infinity'), " + run + " COLLATE \"C\", " + blob + " COLLATE \"C\", " + line;
    }

    /** The row is its key's newest in this batch (and has a key). */
    String isWinner(String l) {
        return keyNotNull(l + ".", "\n  AND ") + "\n  AND " + l + ".stg_id NOT IN (SELECT stg_id FROM superseded)";
    }

    /**
     * The rows of {@code c} (this table, or a child table whose key begins with this table's) whose key is one of
     * {@code from}'s (a query naming scope and the key columns by {@code alias}): scope and the first key column,
     * each one array of distinct values in order, conditions on the leading columns of the primary key, so the
     * table is read by index probes for just those keys. A superset when the batch has several scopes or the key
     * several columns; the join by key that follows keeps the exact ones. Only the leading key column: an array
     * per column of a three-column key would make the planner cost the primary key as the product of their lengths
     * and choose another index, leaving the arrays as filters searched row by row. A join of the batch with the
     * table could instead be planned as a hash of every stored row, a cost that grows with the table, not the batch.
     * The arrays are formed once per statement (init plans, only when the step runs at all); an empty one reads
     * nothing. The planner takes such an array for about ten values, so the table's side of the join looks small
     * and is hashed (a nested loop that rescans the index would redo the arrays' setup each time; with the batch's
     * row counts known from its literal staging bounds, the planner does not choose it for a large batch).
     */
    String keyProbe(String c, String alias, String from) {
        String first = keys.get(0);
        return "(" + c + ".scope = ANY (ARRAY(SELECT DISTINCT " + alias + ".scope FROM " + from + "))\n"
                + "       AND " + c + "." + first + " = ANY (ARRAY(SELECT DISTINCT " + alias + "." + first + " FROM " + from
                + " ORDER BY 1)))";
    }

    String keyJoin(String a, String b) {
        return keys.stream().map(k -> a + "." + k + " = " + b + "." + k).collect(Collectors.joining(" AND "));
    }

    private String keyNotNull(String prefix, String sep) {
        return keys.stream().map(k -> prefix + k + " IS NOT NULL").collect(Collectors.joining(sep));
    }

    private String keyIsNull(String a, String sep) {
        return keys.stream().map(k -> a + "." + k + " IS NULL").collect(Collectors.joining(sep));
    }

    /** Every column core stores after scope, in table order (lineage excluded). */
    List<String> coreColumns() {
        List<String> out = new ArrayList<>(keys);
        table.storedColumns().forEach(c -> out.add(c.name()));
        for (ArrayField a : table.arrays()) {
            if (a.stored()) {
                out.add(a.name());
            }
            if (a.countAs() != null) {
                out.add(a.countAs());
            }
            a.sums().forEach(s -> out.add(s.name()));
        }
        return out;
    }

    private List<String> valueColumns() {
        return coreColumns().stream().filter(c -> !keys.contains(c)).toList();
    }

    private String deleted(String a) {
        return table.deletedColumn() == null ? "false" : (a.isEmpty() ? "" : a + ".") + table.deletedColumn();
    }

    private String inserted() {
        String cols = "scope, " + String.join(", ", coreColumns()) + ", _stg_id, _source_blob, _source_line, "
                + "_run_id, _read_at, _updated_at";
        String values = Stream.concat(Stream.of("scope"), coreColumns().stream()).map(c -> "l." + c)
                .collect(Collectors.joining(", ")) + ", l.stg_id, l.blob_path, l.line_no, l.run_id, l.read_at, now()";
        String insert = "INSERT INTO " + table.qualifiedName() + " (" + wrap(cols, 14 + table.qualifiedName().length())
                + ")\nSELECT " + wrap(values, 7) + "\nFROM fields l\nWHERE " + isWinner("l") + "\n";
        String returning = "RETURNING _run_id AS run_id, " + deleted("") + " AS deleted";
        return "-- New keys are inserted; stored keys are updated only when a column changed and the incoming version\n"
                + "-- is not older. Two statements instead of INSERT .. ON CONFLICT: speculative insertion costs about\n"
                + "-- 15% more per row than a plain insert, and TransformRunner runs one transform per table at a time\n"
                + "-- (it locks the table's ops.transform_state row), so no key can appear between check and insert.\n"
                + "-- When the table is empty (a first load; a full refresh that truncates it), every winning row is new:\n"
                + "-- the check against stored keys is skipped. Two inserts each gated by target (a one-time filter:\n"
                + "-- the other one never runs), not one with an OR; otherwise new keys are the rows not in stored (by\n"
                + "-- staging id, hashed as above: an anti-join by key could sort the whole batch to merge it).\n"
                + "inserted_first AS (\n" + indent(insert + "  AND (SELECT empty FROM target)\n" + returning) + "\n),\n"
                + "inserted AS (\n" + indent(insert
                + "  AND l.stg_id NOT IN (SELECT stg_id FROM stored)\n"
                + "  AND NOT (SELECT empty FROM target)\n" + returning) + "\n)";
    }

    private String updated() {
        String set = valueColumns().stream().map(c -> c + " = l." + c).collect(Collectors.joining(", "))
                + ", _stg_id = l.stg_id, _source_blob = l.blob_path, _source_line = l.line_no, _run_id = l.run_id, "
                + "_read_at = l.read_at, _updated_at = now()" + (table.flagsMissing() ? ", deleted_by_run = NULL, deleted_at = NULL" : "");
        return "updated AS (\n" + indent("UPDATE " + table.qualifiedName() + " c\nSET " + wrap(set, 4) + "\n"
                + "FROM fields l\nWHERE c.scope = l.scope AND " + keyJoin("c", "l") + "\n  AND " + isWinner("l")
                + "\n  AND " + version("l") + "\n      >= " + storedVersion("c") + "\n"
                + "  AND " + changed("c", "l") + "\n  AND EXISTS (SELECT 1 FROM stored)\n"
                + "  AND " + keyProbe("c", "s", "stored s") + "\n"
                + "RETURNING c._run_id AS run_id, " + deleted("c") + " AS deleted") + "\n)";
    }

    private String changed(String c, String l) {
        List<String> cols = valueColumns();
        return "(" + wrap(cols.stream().map(n -> c + "." + n).collect(Collectors.joining(", ")), 7) + ")\n"
                + "    IS DISTINCT FROM\n    ("
                + wrap(cols.stream().map(n -> l + "." + n).collect(Collectors.joining(", ")), 5) + ")";
    }

    private String repointed() {
        return "-- A forced reload gives a bronze part's lines new staging ids. A core row whose version came from such a\n"
                + "-- line (same part and line: the same data) is pointed at the line's new staging row, unless the\n"
                + "-- update above rewrites it anyway (two writes of one row in one statement are not allowed).\n"
                + "repointed AS (\n" + indent("UPDATE " + table.qualifiedName() + " c\nSET _stg_id = l.stg_id\n"
                + "FROM fields l\nWHERE c.scope = l.scope AND " + keyJoin("c", "l") + "\n"
                + "  AND c._source_blob = l.blob_path AND c._source_line = l.line_no AND c._stg_id <> l.stg_id\n"
                + "  AND NOT EXISTS (SELECT 1 FROM fields w\n"
                + "                  WHERE w.scope = c.scope AND " + keyJoin("w", "c") + "\n"
                + "                    AND " + isWinner("w").replace("\n", "\n" + " ".repeat(18)) + "\n"
                + "                    AND " + version("w") + "\n"
                + "                        >= " + storedVersion("c") + "\n"
                + "                    AND " + changed("c", "w").replace("\n", "\n" + " ".repeat(20)) + ")\n"
                + "  AND EXISTS (SELECT 1 FROM stored)\n"
                + "  AND " + keyProbe("c", "s", "stored s") + "\nRETURNING 1") + "\n)";
    }

    private String candidates() {
        return "candidates AS (\n" + indent("SELECT l.run_id, count(*) AS n\nFROM fields l\nWHERE " + isWinner("l")
                + "\n  AND NOT (SELECT empty FROM target)\nGROUP BY l.run_id") + "\n)";
    }

    /** Rows written per run: each step's rows counted on their own (one aggregate per step, no union per row). */
    private String written() {
        return """
                written AS (
                    SELECT run_id, sum(inserted)::bigint AS inserted, sum(updated)::bigint AS updated,
                           sum(deleted)::bigint AS deleted
                    FROM (SELECT run_id, count(*) AS inserted, 0 AS updated, count(*) FILTER (WHERE deleted) AS deleted
                          FROM (SELECT * FROM inserted_first UNION ALL SELECT * FROM inserted) i GROUP BY run_id
                          UNION ALL
                          SELECT run_id, 0, count(*), count(*) FILTER (WHERE deleted) FROM updated GROUP BY run_id) w
                    GROUP BY run_id
                )""";
    }

    private String result() {
        return """
                SELECT run_id,
                       CASE WHEN (SELECT empty FROM target) THEN coalesce(w.inserted, 0) ELSE coalesce(c.n, 0) END
                           AS candidates,
                       coalesce(w.inserted, 0) AS inserted,
                       coalesce(w.updated, 0) AS updated,
                       CASE WHEN (SELECT empty FROM target) THEN 0
                            ELSE coalesce(c.n, 0) - coalesce(w.inserted, 0) - coalesce(w.updated, 0) END AS unchanged,
                       coalesce(w.deleted, 0) AS deleted,
                       coalesce(x.n, 0) AS warned
                FROM candidates c
                FULL JOIN written w USING (run_id)
                FULL JOIN warned x USING (run_id)
                ORDER BY run_id;
                """;
    }

    /** Breaks a comma-separated list into lines of at most about 100 characters. */
    static String wrap(String items) {
        return wrap(items, 0);
    }

    /** The same, when the first line already holds {@code used} characters. */
    static String wrap(String items, int used) {
        StringBuilder out = new StringBuilder();
        int lineStart = -used;
        for (String item : items.split(", ")) {
            if (out.length() > 0) {
                out.append(",");
                if (out.length() - lineStart + item.length() > 100) {
                    out.append("\n    ");
                    lineStart = out.length() - 4;
                } else {
                    out.append(" ");
                }
            }
            out.append(item);
        }
        return out.toString();
    }
}
