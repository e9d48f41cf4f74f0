package com.skyfit.lake.control;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.postgresql.core.Utils;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Read-only views of the control plane for operators: recent runs, the latest run of every entity,
 * bronze parts that failed to load, and how fresh each core table is. The Function App's
 * /api/runs and /api/health and the command line's status read the same answers from here, so
 * error messages are cleaned once, here, of database internals ({@link ErrorText}).
 */
public final class OpsQueries {

    /** One row of ops.runs. Times are instants; completedAt and durationSeconds are null while running. */
    public record RunRow(String runId, String batchId, String source, String scope, String entity, String status,
            String loadType, String triggeredBy, Instant startedAt, Instant completedAt, long rowsExtracted,
            int bronzeFiles, long rowsStaged, long rowsInserted, long rowsUpdated, long rowsUnchanged,
            long rowsDeleted, Double durationSeconds, String errorMessage) {}

    /** A bronze part the loader could not load, with why. */
    public record FailedFile(String blobPath, String source, String scope, String entity, String runId, int attempts,
            String errorMessage) {}

    /** When a core table last changed: from the transform ledger and from the rows themselves. */
    public record Freshness(String coreTable, Instant lastTransformAt, Instant lastRowUpdatedAt, boolean loading) {
        public Freshness(String coreTable, Instant lastTransformAt, Instant lastRowUpdatedAt) {
            this(coreTable, lastTransformAt, lastRowUpdatedAt, false);
        }

        public Instant latest() {
            if (lastTransformAt == null) {
                return lastRowUpdatedAt;
            }
            if (lastRowUpdatedAt == null) {
                return lastTransformAt;
            }
            return lastTransformAt.isAfter(lastRowUpdatedAt) ? lastTransformAt : lastRowUpdatedAt;
        }
    }

    /**
     * The platform at a glance. status is "ok", or "degraded" when an entity's latest run failed, a
     * bronze part failed to load, or a core table is older than the staleness limit.
     */
    public record Health(String status, Instant checkedAt, List<RunRow> latestRuns, long failedFiles,
            List<Freshness> freshness, List<String> problems) {}

    private static final String RUN_COLUMNS = "run_id, batch_id, source, scope, entity, status, load_type, triggered_by,"
            + " started_at, completed_at, rows_extracted, bronze_files, rows_staged, rows_inserted, rows_updated,"
            + " rows_unchanged, rows_deleted, duration_seconds, error_message";

    private final Database db;
    private final FileLedger files;

    public OpsQueries(Database db) {
        this.db = db;
        this.files = new FileLedger(db);
    }

    /** The most recent runs, newest first, of one source or (source null) of all. */
    public List<RunRow> recentRuns(String source, int limit) {
        String sql = "SELECT " + RUN_COLUMNS + " FROM ops.runs WHERE (?::text IS NULL OR source = ?)"
                + " ORDER BY started_at DESC, run_id LIMIT ?";
        return query(sql, ps -> {
            ps.setString(1, source);
            ps.setString(2, source);
            ps.setInt(3, limit);
        }, OpsQueries::run);
    }

    /** The latest run of every source, scope and entity. */
    public List<RunRow> latestRunPerEntity() {
        String sql = "SELECT DISTINCT ON (source, scope, entity) " + RUN_COLUMNS
                + " FROM ops.runs ORDER BY source, scope, entity, started_at DESC, run_id DESC";
        return query(sql, ps -> {}, OpsQueries::run);
    }

    public List<FailedFile> failedFiles(int limit) {
        return files.failed(limit);
    }

    public long failedFileCount() {
        return files.failedCount();
    }

    /** One run of a batch as the command line prints it. */
    public record BatchRow(String scope, String entity, String status, long extracted, long files, long staged,
            long inserted, long updated, long unchanged, long deleted, double seconds, String error) {}

    /** The runs of a batch, by scope and entity, with their counts. */
    public List<BatchRow> batchRows(String batchId) {
        return query("""
                SELECT scope, entity, status, rows_extracted, bronze_files, rows_staged, rows_inserted, rows_updated,
                       rows_unchanged, rows_deleted, coalesce(duration_seconds, 0), error_message
                FROM ops.runs WHERE batch_id = ? ORDER BY scope, entity""", ps -> ps.setString(1, batchId),
                rs -> new BatchRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), rs.getDouble(11),
                        rs.getString(12)));
    }

    /** The batch that started last, if any. */
    public java.util.Optional<String> latestBatchId() {
        return query("SELECT batch_id FROM ops.runs ORDER BY started_at DESC LIMIT 1", ps -> {},
                rs -> rs.getString(1)).stream().findFirst();
    }

    /**
     * Every core table known to the transform ledger or present in schema core, with its last
     * transform and, where the table has an _updated_at column, its newest row.
     */
    public List<Freshness> coreFreshness() {
        Map<String, Instant[]> byTable = new TreeMap<>();
        Set<String> loading = new HashSet<>();
        for (Object[] row : query("SELECT core_table, last_run_at FROM ops.transform_state", ps -> {},
                rs -> new Object[] {rs.getString(1), instant(rs.getTimestamp(2))})) {
            byTable.computeIfAbsent(bare((String) row[0]), k -> new Instant[2])[0] = (Instant) row[1];
        }
        List<String> tables = query("SELECT table_name FROM information_schema.columns WHERE table_schema = 'core'"
                + " AND column_name = '_updated_at' ORDER BY table_name", ps -> {}, rs -> rs.getString(1));
        for (String table : tables) {
            Newest newest = newestRow(table);
            byTable.computeIfAbsent(table, k -> new Instant[2])[1] = newest.at();
            if (newest.loading()) {
                loading.add(table);
            }
        }
        List<Freshness> out = new ArrayList<>();
        byTable.forEach((table, t) -> out.add(new Freshness(table, t[0], t[1], loading.contains(table))));
        return out;
    }

    /** How long status and health wait for a core table a transform holds before reporting it without its rows. */
    static final String LOCK_WAIT = "2s";

    /** A core table's newest _updated_at (null when it has no row), or that a load holds the table. */
    private record Newest(Instant at, boolean loading) {}

    /**
     * The newest _updated_at of a core table; when a transform holds the table's exclusive lock (a full refresh, or
     * a large first load: BulkLoadIndexes) for longer than LOCK_WAIT, the table is reported as being loaded, by its
     * last transform, instead of status and the health endpoint waiting for the load to commit.
     */
    private Newest newestRow(String table) {
        String sql = "SELECT max(_updated_at) FROM core." + quote(table);
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '" + LOCK_WAIT + "'");
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                    return new Newest(instant(rs.getTimestamp(1)), false);
                }
            } catch (SQLException e) {
                if (PgRetry.lockWaitRanOut(e)) {
                    return new Newest(null, true);
                }
                throw e;
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new Database.DatabaseException(sql, e);
        }
    }

    /** Staging rows kept with a problem: per staging table and status, a count and one example message. */
    public record ValidationIssue(String stagingTable, String status, long rows, String example) {}

    public List<ValidationIssue> validationIssues() {
        List<String[]> tables = query("SELECT table_schema, table_name FROM information_schema.tables"
                + " WHERE table_schema LIKE 'stg\\_%' AND table_name LIKE '%\\_raw' ORDER BY 1, 2", ps -> {},
                rs -> new String[] {rs.getString(1), rs.getString(2)});
        List<ValidationIssue> out = new ArrayList<>();
        for (String[] t : tables) {
            String name = t[0] + "." + t[1];
            out.addAll(query("SELECT validation_status, count(*), min(error_message) FROM " + quote(t[0]) + "."
                    + quote(t[1]) + " WHERE validation_status <> 'valid' GROUP BY 1 ORDER BY 1", ps -> {},
                    rs -> new ValidationIssue(name, rs.getString(1), rs.getLong(2), rs.getString(3))));
        }
        return out;
    }

    /**
     * The staging tables of one source (schema stg_{source}): how many, how many month partitions they have, their
     * size on disk with indexes and TOAST, and their rows as PostgreSQL estimates them (pg_class.reltuples, kept by
     * autovacuum and ANALYZE: no count(*) over millions of rows; 0 for a table never analyzed).
     */
    public record StagingSize(String schema, int tables, int partitions, long bytes, long rowsEstimate) {}

    /** A staging table partitioned by ingestion month: its partitions and the months they span. */
    public record PartitionedStaging(String table, int partitions, String oldestMonth, String newestMonth, long bytes,
            long rowsEstimate) {}

    private static final String STAGING_RELATIONS = """
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
            LEFT JOIN pg_class parent ON parent.oid = i.inhparent
            WHERE n.nspname LIKE 'stg\\_%' AND c.relkind IN ('r', 'p')""";

    public List<StagingSize> stagingSizes() {
        return query("""
                SELECT n.nspname,
                       count(*) FILTER (WHERE NOT c.relispartition),
                       count(*) FILTER (WHERE c.relispartition AND c.relname ~ '_raw_p\\d{6}$'),
                       coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relkind = 'r'), 0),
                       coalesce(sum(greatest(c.reltuples, 0)) FILTER (WHERE c.relkind = 'r'), 0)::bigint
                """ + STAGING_RELATIONS + "\nGROUP BY n.nspname ORDER BY n.nspname", ps -> {},
                rs -> new StagingSize(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getLong(4), rs.getLong(5)));
    }

    public List<PartitionedStaging> partitionedStaging() {
        return query("""
                SELECT n.nspname || '.' || parent.relname,
                       count(*) FILTER (WHERE c.relname ~ '_raw_p\\d{6}$'),
                       min(substring(c.relname FROM '_p(\\d{6})$')), max(substring(c.relname FROM '_p(\\d{6})$')),
                       sum(pg_total_relation_size(c.oid)), sum(greatest(c.reltuples, 0))::bigint
                """ + STAGING_RELATIONS + " AND c.relispartition AND parent.relkind = 'p'\n"
                + "GROUP BY 1 ORDER BY 1", ps -> {},
                rs -> new PartitionedStaging(rs.getString(1), rs.getInt(2), month(rs.getString(3)),
                        month(rs.getString(4)), rs.getLong(5), rs.getLong(6)));
    }

    /** Bronze parts whose staging rows retention dropped (load --all-runs brings them back). */
    public long prunedFileCount() {
        return files.prunedCount();
    }

    private static String month(String yyyymm) {
        return yyyymm == null ? null : yyyymm.substring(0, 4) + "-" + yyyymm.substring(4);
    }

    /** The platform at a glance; a core table not updated within {@code staleAfter} counts as a problem. */
    public Health health(Instant now, Duration staleAfter) {
        List<RunRow> latest = latestRunPerEntity();
        long failed = failedFileCount();
        List<Freshness> freshness = coreFreshness();
        List<String> problems = new ArrayList<>();
        for (RunRow r : latest) {
            if ("failed".equals(r.status())) {
                problems.add("latest run of " + r.source() + "/" + r.scope() + "/" + r.entity() + " failed: "
                        + r.errorMessage());
            }
        }
        if (failed > 0) {
            problems.add(failed + " bronze part(s) failed to load");
        }
        for (Freshness f : freshness) {
            Instant latestChange = f.latest();
            // A table no source has filled yet (a source not configured here) is not stale, just unused.
            // a table being loaded right now is not stale, whatever its last transform says
            if (!f.loading() && latestChange != null && latestChange.isBefore(now.minus(staleAfter))) {
                problems.add("core." + f.coreTable() + " not updated since " + latestChange);
            }
        }
        return new Health(problems.isEmpty() ? "ok" : "degraded", now, latest, failed, freshness, problems);
    }

    private static String bare(String table) {
        return table.startsWith("core.") ? table.substring(5) : table;
    }

    private static RunRow run(ResultSet rs) throws SQLException {
        double duration = rs.getDouble(18);
        Double durationSeconds = rs.wasNull() ? null : duration;
        return new RunRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), instant(rs.getTimestamp(9)),
                instant(rs.getTimestamp(10)), rs.getLong(11), rs.getInt(12), rs.getLong(13), rs.getLong(14),
                rs.getLong(15), rs.getLong(16), rs.getLong(17), durationSeconds, ErrorText.forDisplay(rs.getString(19)));
    }

    /** Catalog names are data too: a schema or table named by a setting is quoted before it reaches SQL. */
    static String quote(String identifier) {
        try {
            return Utils.escapeIdentifier(null, identifier).toString();
        } catch (SQLException e) {
            throw new IllegalArgumentException("not a usable SQL identifier: " + identifier, e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private <T> List<T> query(String sql, Database.Binder binder, Database.RowMapper<T> mapper) {
        return db.query(sql, binder, mapper);
    }
}
