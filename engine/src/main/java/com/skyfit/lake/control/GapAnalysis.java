package com.skyfit.lake.control;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Gap analysis from the window and file ledgers: for each scope, entity and day of a range, whether a window
 * read it (extracted), read only part of it (partly read), is reading it (running), tried and failed (with the
 * reason, cleaned by {@link ErrorText}), or never read it (missing: never planned, or planned only by runs that
 * stopped before reading it), with the records of the day's window and of its bronze parts.
 *
 * <p>A day is a calendar day of the window dates as stored: for a source whose filters take wall-clock times (EVO:
 * the gym's local time, stored as if it were UTC) that is the gym's local day. A window covers at most
 * [start, least(end, its read start - the read lag)): what was read before a record could exist is not covered, so
 * a day window read at 09:00 of that day is partly read, not extracted. The lag ({@value #READ_LAG_MINUTES}) covers
 * how far the source's clock may run behind UTC plus the clock skew. A window with an open end (an incremental read
 * "until now") covers the same way. A day counts as extracted when extracted windows together cover it whole and
 * none of their bronze parts failed to load (such a window's data never reached staging, so the day is failed with
 * the part's reason). Record counts are those of the day's latest extracted bounded window lying within the day (a
 * day window); wider windows have no per-day count.
 */
public final class GapAnalysis {
    /** How far before its read start a window counts as read, in minutes. */
    public static final String READ_LAG_MINUTES = "SKYFIT_GAPS_READ_LAG_MINUTES";
    /**
     * EVO gyms keep Brazil's wall clock, up to 5 hours behind UTC, plus the default clock skew and margin: a day
     * read within 6 hours after its midnight (UTC) may still have been running in the gym.
     */
    public static final Duration DEFAULT_READ_LAG = Duration.ofHours(6);

    private final Database db;
    private final Duration readLag;

    public GapAnalysis(Database db) {
        this(db, DEFAULT_READ_LAG);
    }

    public GapAnalysis(Database db, Duration readLag) {
        this.db = db;
        this.readLag = readLag;
    }

    /** The read lag of {@value #READ_LAG_MINUTES} (0 to 1440 minutes), {@link #DEFAULT_READ_LAG} when unset. */
    public static Duration readLag(com.skyfit.lake.config.Settings settings) {
        return Duration.ofMinutes(settings.integer(READ_LAG_MINUTES, (int) DEFAULT_READ_LAG.toMinutes(), 0, 24 * 60));
    }

    /**
     * What the ledgers say of one day of one scope and entity; partlyRead: an extracted window of the day was read
     * before the day had ended (or began after its start), and together they do not cover it.
     */
    public record DayRow(String scope, String entity, LocalDate day, boolean covered, boolean running,
            boolean attempted, int reads, int plannedUnread, String error, Long records, Long bronzeRecords,
            boolean partlyRead) {

        public DayRow(String scope, String entity, LocalDate day, boolean covered, boolean running, boolean attempted,
                int reads, int plannedUnread, String error, Long records, Long bronzeRecords) {
            this(scope, entity, day, covered, running, attempted, reads, plannedUnread, error, records, bronzeRecords,
                    false);
        }
    }

    /*
     * Each window is spread over the days it overlaps (most windows are one day), so days and windows meet by an
     * equality join on (scope, entity, day) rather than by comparing every window with every day of the range.
     */
    private static final String DAYS = """
            WITH p AS (SELECT ?::text AS source, ?::text[] AS scopes, ?::text[] AS entities,
                              ?::timestamptz AS lo, ?::timestamptz AS hi, ?::date AS first_day, ?::date AS last_day,
                              ?::interval AS lag),
            n AS (
              SELECT r.scope, r.entity, r.status AS run_status, w.status, w.records, w.run_id, w.window_start,
                     w.window_end, w.error_message,
                     isfinite(w.window_start) AND isfinite(w.window_end) AS bounded,
                     coalesce(w.completed_at, w.started_at, r.started_at) AS at,
                     coalesce(w.started_at, r.started_at) - p.lag AS read_upto,
                     tstzrange(w.window_start, CASE WHEN isfinite(w.window_end) THEN w.window_end
                         ELSE date_trunc('day', coalesce(w.started_at, r.started_at), 'UTC') + interval '1 day' END)
                         AS nominal
              FROM p JOIN ops.runs r ON r.source = p.source AND r.scope = ANY (p.scopes) AND r.entity = ANY (p.entities)
              JOIN ops.windows w USING (run_id)
              WHERE w.window_end > p.lo AND w.window_start < p.hi
            ),
            w AS (
              -- nominal: the days a window is about; span: what it can have read, cut at its read start less the lag
              SELECT w.scope, w.entity, w.run_status, w.status, w.records, w.bounded, w.at, w.nominal,
                     CASE WHEN w.read_upto IS NULL OR w.read_upto >= upper(w.nominal) THEN w.nominal
                          WHEN w.read_upto <= lower(w.nominal) THEN 'empty'::tstzrange
                          ELSE tstzrange(lower(w.nominal), w.read_upto) END AS span,
                     CASE WHEN w.status = 'failed' THEN w.error_message
                          WHEN f.part_error IS NOT NULL THEN 'a bronze part failed to load: ' || f.part_error END AS error,
                     coalesce(f.part_failed, false) AS part_failed, f.part_records
              FROM n w
              LEFT JOIN LATERAL (
                SELECT sum(f.records) AS part_records, bool_or(f.status = 'failed') AS part_failed,
                       (array_agg(coalesce(f.error_message, 'no reason recorded') ORDER BY f.written_at DESC)
                            FILTER (WHERE f.status = 'failed'))[1] AS part_error
                FROM ops.bronze_files f WHERE f.run_id = w.run_id AND """ + WindowLedger.SAME_WINDOW + """
              ) f ON true
            ), wd AS (
              SELECT w.*, g.d::date AS day
              FROM w, p, generate_series(date_trunc('day', greatest(lower(w.nominal), p.lo) AT TIME ZONE 'UTC'),
                                         (least(upper(w.nominal), p.hi) AT TIME ZONE 'UTC') - interval '1 microsecond',
                                         interval '1 day') g(d)
              WHERE upper(w.nominal) > p.lo
            ), days AS (
              SELECT d::date AS day, tstzrange(d AT TIME ZONE 'UTC', (d + interval '1 day') AT TIME ZONE 'UTC') AS span
              FROM p, generate_series(p.first_day, p.last_day, interval '1 day') d
            ), keys AS (
              SELECT s AS scope, e AS entity FROM p, unnest(p.scopes) s, unnest(p.entities) e
            )
            SELECT k.scope, k.entity, d.day,
                   coalesce(d.span <@ range_agg(w.span) FILTER (WHERE w.status = 'extracted' AND NOT w.part_failed),
                            false) AS covered,
                   coalesce(bool_or(w.status IN ('pending', 'running') AND w.run_status = 'running'), false) AS running,
                   count(w.status) FILTER (WHERE w.status IN ('extracted', 'failed')) AS reads,
                   count(w.status) FILTER (WHERE w.status IN ('pending', 'running') AND w.run_status <> 'running')
                       AS planned_unread,
                   (array_agg(w.error ORDER BY w.at DESC) FILTER (WHERE w.error IS NOT NULL))[1] AS error,
                   (array_agg(w.records ORDER BY w.at DESC)
                        FILTER (WHERE w.status = 'extracted' AND w.bounded AND w.nominal <@ d.span))[1] AS records,
                   (array_agg(w.part_records ORDER BY w.at DESC)
                        FILTER (WHERE w.status = 'extracted' AND w.bounded AND w.nominal <@ d.span))[1] AS bronze,
                   coalesce(bool_or(w.status = 'extracted' AND NOT w.part_failed), false) AS partly
            FROM keys k CROSS JOIN days d
            LEFT JOIN wd w ON w.scope = k.scope AND w.entity = k.entity AND w.day = d.day
            GROUP BY k.scope, k.entity, d.day, d.span
            ORDER BY k.scope, k.entity, d.day""";

    /** One row per scope, entity and day of [from, to] (inclusive days of the window dates as stored). */
    public List<DayRow> days(String source, List<String> scopes, List<String> entities, LocalDate from, LocalDate to) {
        return db.inTransaction(c -> {
            Array scopeArray = c.createArrayOf("text", scopes.toArray());
            Array entityArray = c.createArrayOf("text", entities.toArray());
            try (var ps = c.prepareStatement(DAYS)) {
                ps.setString(1, source);
                ps.setArray(2, scopeArray);
                ps.setArray(3, entityArray);
                ps.setObject(4, from.atStartOfDay().atOffset(ZoneOffset.UTC));
                ps.setObject(5, to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
                ps.setObject(6, from);
                ps.setObject(7, to);
                ps.setObject(8, new org.postgresql.util.PGInterval(0, 0, 0, 0, 0, readLag.toSeconds()));
                try (var rs = ps.executeQuery()) {
                    List<DayRow> out = new java.util.ArrayList<>();
                    while (rs.next()) {
                        long records = rs.getLong(9);
                        Long r = rs.wasNull() ? null : records;
                        long bronze = rs.getLong(10);
                        Long b = rs.wasNull() ? null : bronze;
                        out.add(new DayRow(rs.getString(1), rs.getString(2), rs.getObject(3, LocalDate.class),
                                rs.getBoolean(4), rs.getBoolean(5), rs.getInt(6) > 0, rs.getInt(6), rs.getInt(7),
                                ErrorText.forDisplay(rs.getString(8)), r, b, !rs.getBoolean(4) && rs.getBoolean(11)));
                    }
                    return out;
                }
            }
        });
    }

    /**
     * The days of [from, to] with their status, totals and the backfills that read the days not extracted;
     * {@code configuredScopes} are the scopes a backfill without --scope reads (empty when unknown: every command
     * then names its scopes).
     */
    public GapReport report(String source, List<String> scopes, List<String> entities, LocalDate from, LocalDate to,
            List<String> configuredScopes) {
        return GapReport.of(source, from, to, configuredScopes, days(source, scopes, entities, from, to));
    }

    /** The scopes the ledger has runs of for this source, in order. */
    public List<String> scopesOnRecord(String source) {
        return db.query("SELECT DISTINCT scope FROM ops.runs WHERE source = ? ORDER BY scope",
                ps -> ps.setString(1, source), rs -> rs.getString(1));
    }

    /** The first UTC day a bounded window of these entities starts on, if any. */
    public Optional<LocalDate> firstWindowDay(String source, List<String> entities) {
        return db.inTransaction(c -> firstDay(c, source, entities));
    }

    private static Optional<LocalDate> firstDay(Connection c, String source, List<String> entities) throws SQLException {
        try (var ps = c.prepareStatement("""
                SELECT (min(w.window_start) AT TIME ZONE 'UTC')::date FROM ops.windows w JOIN ops.runs r USING (run_id)
                WHERE r.source = ? AND r.entity = ANY (?) AND isfinite(w.window_start)""")) {
            ps.setString(1, source);
            ps.setArray(2, c.createArrayOf("text", entities.toArray()));
            try (var rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getObject(1, LocalDate.class)) : Optional.empty();
            }
        }
    }
}
