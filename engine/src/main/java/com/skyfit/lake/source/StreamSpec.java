package com.skyfit.lake.source;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stream of a source, as data: where it is, how it pages, what identifies a record, which field
 * is the cursor, and whether the API can filter by update time (incremental) or the stream is read
 * whole every run (snapshot). Each pass is one more request sequence with extra parameters, or at another path,
 * into the same sink (Pipedrive reads deleted deals with status=deleted and archived deals at
 * /api/v2/deals/archived beside the normal list). A stream whose API lists no deleted records
 * {@link #reconciles()}: an unfiltered read of it now and then is the complete listing that finds them.
 */
public record StreamSpec(
        String entity,
        String path,
        Paginator paginator,
        int pageSize,
        String primaryKey,
        String cursorField,
        Incremental incremental,
        Map<String, String> params,
        List<Pass> passes,
        Windows windows,
        boolean dedupe,
        boolean reconciles) {

    /** One request sequence of a read: its path (null: the stream's) and the parameters it adds. */
    public record Pass(String path, Map<String, String> params) {
        public Pass {
            params = Map.copyOf(params);
        }

        public String pathOr(String streamPath) {
            return path == null ? streamPath : path;
        }
    }

    /**
     * How the planner cuts the stream's ranges: windows of {@code size} (null: one window per run, from the
     * watermark less the overlap to now), and, for records that change without a new date, a read of the whole
     * range from the source's start date every {@code rescanEvery} (null: never). {@code lookBack} replaces the
     * source's overlap for this stream (null: the source's): how far before its watermark an incremental run starts,
     * for event-dated records that reach the source days late.
     */
    public record Windows(Duration size, Duration rescanEvery, Duration lookBack) {
        public static final Windows NONE = new Windows(null, null, null);

        public Windows(Duration size, Duration rescanEvery) {
            this(size, rescanEvery, null);
        }
    }

    /** The kinds of stream, as the planner sees them. */
    public enum Kind {
        /** Read whole every run (a handful of rows, or no filter to read by). */
        WHOLE_LIST,
        /** Filtered by update time from the watermark less the overlap (Pipedrive). */
        UPDATED_SINCE,
        /** Filtered by an event date, in windows of a declared size, with an optional periodic re-scan (EVO). */
        EVENT_WINDOWS
    }

    /** How the time window is sent: parameter names (the until one may be null) and the time format the API expects. */
    public record Incremental(String sinceParam, String untilParam, TimeFormat format) {}

    public enum TimeFormat {
        /** 2024-05-01T10:00:00Z, whole seconds. */
        RFC3339_SECONDS,
        /** Seconds since 1970. */
        UNIX_SECONDS,
        /** 2024-05-01 (UTC date). */
        DATE,
        /**
         * 2024-05-01T23:59:59: a wall-clock time without offset (the instant's UTC fields), for an API that reads
         * both bounds as inclusive: a window [a, b) is sent as a to b less one second (EVO).
         */
        LOCAL_SECONDS_INCLUSIVE;

        private static final DateTimeFormatter LOCAL_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
                .withZone(ZoneOffset.UTC);

        /**
         * Lower bounds round down and upper bounds up, so a window never loses its edges; an inclusive upper bound
         * is the last whole second before the exclusive one.
         */
        public String format(Instant t, boolean upperBound) {
            Instant unit = switch (this) {
                case DATE -> t.truncatedTo(ChronoUnit.DAYS);
                default -> t.truncatedTo(ChronoUnit.SECONDS);
            };
            if (upperBound && unit.isBefore(t)) {
                unit = unit.plus(1, this == DATE ? ChronoUnit.DAYS : ChronoUnit.SECONDS);
            }
            return switch (this) {
                case RFC3339_SECONDS -> unit.toString();
                case UNIX_SECONDS -> String.valueOf(unit.getEpochSecond());
                case DATE -> unit.toString().substring(0, 10);
                case LOCAL_SECONDS_INCLUSIVE -> LOCAL_SECONDS.format(upperBound ? unit.minusSeconds(1) : unit);
            };
        }
    }

    public StreamSpec {
        params = Map.copyOf(params);
        passes = passes.isEmpty() ? List.of(new Pass(null, Map.of())) : List.copyOf(passes);
        windows = windows == null ? Windows.NONE : windows;
        if (windows.size() != null && incremental == null) {
            throw new IllegalArgumentException("stream " + entity + " declares windows but no time filter to read them by");
        }
        if (reconciles && windows.size() != null) {
            throw new IllegalArgumentException("stream " + entity + " reconciles by a whole read, which windows would cut");
        }
    }

    public Kind kind() {
        return incremental == null ? Kind.WHOLE_LIST : windows.size() == null ? Kind.UPDATED_SINCE : Kind.EVENT_WINDOWS;
    }

    public boolean isIncremental() {
        return incremental != null;
    }

    public StreamSpec withPageSize(int size) {
        return new StreamSpec(entity, path, paginator, size, primaryKey, cursorField, incremental, params, passes,
                windows, dedupe, reconciles);
    }

    public static Builder builder(String entity, String path) {
        return new Builder(entity, path);
    }

    public static final class Builder {
        private final String entity;
        private final String path;
        private Paginator paginator;
        private int pageSize = 100;
        private String primaryKey = "id";
        private String cursorField;
        private Incremental incremental;
        private final Map<String, String> params = new LinkedHashMap<>();
        private final List<Pass> passes = new ArrayList<>();
        private Windows windows = Windows.NONE;
        private boolean dedupe;
        private boolean reconciles;

        private Builder(String entity, String path) {
            this.entity = entity;
            this.path = path;
        }

        public Builder paginator(Paginator p) {
            this.paginator = p;
            return this;
        }

        public Builder pageSize(int n) {
            this.pageSize = n;
            return this;
        }

        public Builder primaryKey(String field) {
            this.primaryKey = field;
            return this;
        }

        public Builder cursorField(String field) {
            this.cursorField = field;
            return this;
        }

        public Builder incremental(String sinceParam, String untilParam, TimeFormat format) {
            this.incremental = new Incremental(sinceParam, untilParam, format);
            return this;
        }

        public Builder param(String name, String value) {
            params.put(name, value);
            return this;
        }

        public Builder pass(Map<String, String> extra) {
            passes.add(new Pass(null, extra));
            return this;
        }

        /** A pass at another path of the same API (same paging, cursor and filters). */
        public Builder passAt(String otherPath, Map<String, String> extra) {
            passes.add(new Pass(otherPath, extra));
            return this;
        }

        /**
         * The API lists no deleted records of this stream, so deletes are found by reading it whole, unfiltered,
         * now and then (the source's reconcile setting) and flagging the keys that read no longer has.
         */
        public Builder reconciles() {
            this.reconciles = true;
            return this;
        }

        /**
         * Drops a record already handed on in this read with the same primary key and cursor value: an export
         * that starts each page at the last page's end time ({@code >=}) sends the records of that second again.
         */
        public Builder dedupe() {
            this.dedupe = true;
            return this;
        }

        /** Windows of this size: each one Durable activity and one line of gap analysis (e.g. one day). */
        public Builder windows(Duration size) {
            this.windows = new Windows(size, windows.rescanEvery(), windows.lookBack());
            return this;
        }

        /** Reads the whole range from the source's start date again this often (records that change undated). */
        public Builder rescanEvery(Duration every) {
            this.windows = new Windows(windows.size(), every, windows.lookBack());
            return this;
        }

        /** An incremental run starts this long before the stream's watermark instead of the source's overlap. */
        public Builder lookBack(Duration back) {
            this.windows = new Windows(windows.size(), windows.rescanEvery(), back);
            return this;
        }

        public StreamSpec build() {
            if (paginator == null) {
                throw new IllegalStateException("stream " + entity + " needs a paginator");
            }
            return new StreamSpec(entity, path, paginator, pageSize, primaryKey, cursorField, incremental, params, passes,
                    windows, dedupe, reconciles);
        }
    }
}
