package com.skyfit.lake.source;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one stream of one scope into a sink, page by page, as its {@link StreamSpec} describes.
 * Stateless apart from the shared {@link HttpReader}: one instance serves every scope in parallel.
 */
public final class Extractor {
    private static final Logger log = LoggerFactory.getLogger(Extractor.class);
    /** Damaged pages in a row that offset paging steps over before the window fails. */
    private static final int MAX_BLIND_PAGES = 3;

    private final SourceDefinition definition;
    private final HttpReader http;
    private final Clock clock;

    public Extractor(SourceDefinition definition, HttpReader http) {
        this(definition, http, Clock.systemUTC());
    }

    public Extractor(SourceDefinition definition, HttpReader http, Clock clock) {
        this.definition = definition;
        this.http = http;
        this.clock = clock;
    }

    public SourceDefinition definition() {
        return definition;
    }

    /**
     * Reads the records updated in [updatedSince, updatedUntil) for incremental streams (either bound
     * may be null: open), or every record for snapshot streams (the bounds are then ignored).
     *
     * @throws BudgetExhaustedException when the scope's daily budget runs out (watermark must stay)
     * @throws SourceException when the source fails for good, or a page is too damaged to find the next one
     */
    public ExtractOutcome read(StreamSpec stream, ScopeConfig scope, Instant updatedSince, Instant updatedUntil,
                               RecordSink sink) throws IOException {
        return read(stream, scope, updatedSince, updatedUntil, updatedSince, null, sink);
    }

    /**
     * As above, where {@code settled} is the watermark the window was planned from (its start plus the overlap):
     * records at or before it were read by an earlier run, and only re-read because of the overlap; and with a
     * {@code resumeCursor} (one an earlier read's outcome returned, stored after its data reached core) a stream
     * whose paging can resume starts from that cursor instead of from {@code updatedSince}.
     */
    public ExtractOutcome read(StreamSpec stream, ScopeConfig scope, Instant updatedSince, Instant updatedUntil,
                               Instant settled, String resumeCursor, RecordSink target) throws IOException {
        RecordSink sink = stream.dedupe() ? new DedupingSink(stream.primaryKey(), stream.cursorField(), target) : target;
        String checkpoint = null;
        PageParser parser = new PageParser(stream.paginator().recordsField(), stream.cursorField());
        long records = 0;
        long unparsable = 0;
        int requests = 0;
        int blind = 0;
        boolean shortPage = false;
        boolean warnedShort = false;
        Watermark watermark = new Watermark(updatedUntil, stream.isIncremental() ? settled : null);
        for (StreamSpec.Pass pass : stream.passes()) {
            watermark.passStarted(clock.instant());
            shortPage = false;
            String path = pass.pathOr(stream.path());
            Map<String, String> query = new LinkedHashMap<>(stream.params());
            query.putAll(pass.params());
            StreamSpec.Incremental inc = pass.windowFilter() != null ? pass.windowFilter() : stream.incremental();
            if (inc != null) {
                if (updatedSince != null) {
                    query.put(inc.sinceParam(), inc.format().format(updatedSince, false));
                }
                if (updatedUntil != null && inc.untilParam() != null) {
                    query.put(inc.untilParam(), inc.format().format(updatedUntil, true));
                }
            }
            // Records the inclusive end brings along belong to the next window; a pass filtered by another date than
            // the cursor cannot tell them (it reads them twice, and they collapse on their key downstream).
            Instant before = inc != null && pass.windowFilter() == null && inc.format().untilInclusive()
                    ? updatedUntil : null;
            // What every page of the pass asks besides time and paging (an include=, a filter): a cursor call
            // built by the paginator alone would drop it.
            Map<String, String> carried = new LinkedHashMap<>(query);
            if (inc != null) {
                carried.remove(inc.sinceParam());
                if (inc.untilParam() != null) {
                    carried.remove(inc.untilParam());
                }
            }
            query.putAll(stream.paginator().first(stream.pageSize()));
            Map<String, String> resumed = resumeCursor == null ? null
                    : stream.paginator().resume(resumeCursor, stream.pageSize());
            Map<String, String> fresh = query;
            if (resumed != null) {
                query = resumed = withCarried(carried, resumed);
            }
            while (query != null) {
                byte[] body;
                try {
                    body = http.get(scope, definition.errors(), path, query);
                } catch (SourceException e) {
                    if (query != resumed || (e.status() != 400 && e.status() != 422)) {
                        throw e;
                    }
                    // A stored cursor the server refuses (expired, or of another account) would fail every run until a
                    // full load: once, start from the window's start time instead (the watermark less the overlap).
                    log.warn("{} scope '{}' {}: the stored cursor was refused (HTTP {}); reading from {} instead",
                            scope.source(), scope.name(), stream.entity(), e.status(), updatedSince);
                    requests++;
                    resumeCursor = null;
                    resumed = null;
                    query = fresh;
                    continue;
                }
                requests++;
                if (body == null) {
                    break; // the error table's IGNORE: the API says "nothing here" with a status
                }
                PageParser.Result page = parser.parse(body, sink, before);
                records += page.records();
                unparsable += page.unparsable();
                if (pass.windowFilter() == null) {
                    // another date's pass (removed sales by removal date) reads old records: their cursor says
                    // nothing of how far the window is read, which its own start bounds (see Watermark)
                    watermark.seen(page.maxCursor());
                }
                if (page.damage() != null) {
                    log.warn("{} scope '{}' {} GET {}: {} ({} record(s) kept as raw lines for staging to flag)",
                            scope.source(), scope.name(), stream.entity(), path, page.damage(),
                            page.unparsable());
                }
                if (shortPage && page.served() > 0 && !warnedShort) {
                    warnedShort = true;
                    log.warn("{} scope '{}' {} GET {}: a page shorter than the {} asked for was followed by more "
                            + "records: the server caps its page size lower than declared", scope.source(), scope.name(),
                            stream.entity(), path, stream.pageSize());
                }
                // only offset paging ends on a short page; a damaged page kept whole says nothing of its length
                shortPage = stream.paginator() instanceof TakeSkipPaginator && page.split()
                        && page.served() < stream.pageSize();
                Paginator.Page read = new Paginator.Page(page.served(), page.envelope());
                Map<String, String> next = page.split() ? stream.paginator().next(query, read, stream.pageSize()) : null;
                String pageCheckpoint = page.split() ? stream.paginator().checkpoint(read) : null;
                checkpoint = pageCheckpoint != null ? pageCheckpoint : checkpoint;
                if (!page.split() || (next == null && page.envelopeDamaged())) {
                    // Ending here would look like the last page and move the watermark past pages never read.
                    next = stream.paginator().nextWithoutBody(query, stream.pageSize());
                    if (next == null || ++blind > MAX_BLIND_PAGES) {
                        throw new SourceException(scope.source(), scope.name(), 200, ErrorTable.Action.RETRY,
                                scope.source() + " scope '" + scope.name() + "' " + stream.entity() + ": a page of "
                                        + path + " could not be read (" + page.damage() + "), so the next "
                                        + "page is unknown. The page is kept in bronze as one invalid line; this window "
                                        + "fails and keeps its watermark.", null);
                    }
                    log.warn("{} scope '{}' {}: the paging of a damaged page was not readable; going on by offset "
                            + "with the page after it", scope.source(), scope.name(), stream.entity());
                } else {
                    blind = 0;
                }
                if (next != null && next.equals(query)) {
                    throw new SourceException(scope.source(), scope.name(), 200, ErrorTable.Action.FAIL,
                            scope.source() + " scope '" + scope.name() + "' " + stream.entity()
                                    + ": the next page repeats the last one", null);
                }
                if (next != null && pastUntil(stream, page.maxCursor(), updatedUntil)) {
                    next = null; // an export has no upper bound: it stops once its records pass the window's end
                }
                query = next == null ? null : withCarried(carried, next);
            }
            watermark.passEnded();
        }
        Instant max = watermark.candidate(clock.instant().plus(http.settings().clockSkew()));
        if (unparsable > 0) {
            log.warn("{} scope '{}' {}: {} records in {} requests, {} of them unparsable (kept as invalid lines)",
                    scope.source(), scope.name(), stream.entity(), records, requests, unparsable);
        } else {
            log.info("{} scope '{}' {}: {} records in {} requests", scope.source(), scope.name(), stream.entity(),
                    records, requests);
        }
        if (sink instanceof DedupingSink d && d.dropped() > 0) {
            records -= d.dropped();
            log.info("{} scope '{}' {}: {} records sent again at a page boundary were dropped", scope.source(),
                    scope.name(), stream.entity(), d.dropped());
        }
        // A resumed read that found nothing new still covers everything up to the cursor it started from.
        String cursor = checkpoint != null ? checkpoint : resumeCursor;
        return new ExtractOutcome(records, requests, max, unparsable, cursor);
    }

    /** The paginator's query plus every carried parameter it does not set itself. */
    private static Map<String, String> withCarried(Map<String, String> carried, Map<String, String> paging) {
        Map<String, String> q = new LinkedHashMap<>(carried);
        q.putAll(paging);
        return q;
    }

    /**
     * True when a stream that cannot send an upper bound (an export ordered by its cursor) has read past the
     * window's end: every later page holds only later records, which the next window or run reads.
     */
    private static boolean pastUntil(StreamSpec stream, Instant pageMax, Instant until) {
        return until != null && pageMax != null && stream.isIncremental() && stream.incremental().untilParam() == null
                && !pageMax.isBefore(until);
    }

    /**
     * The watermark candidate of a read: the lowest of its passes' highest update times, so a record
     * changed between two passes (after the first read its range, before the second) is read again
     * next time. A pass that saw no cursor, or none later than the watermark the window was planned from
     * (what it saw lies in the overlap, read before), is complete up to when it started (or the window's end):
     * otherwise a pass that keeps re-reading its last change in the overlap would hold the watermark there for
     * good. No candidate at all when no pass saw anything new. Never later than now plus the allowed clock skew.
     */
    static final class Watermark {
        private final Instant until;
        private final Instant settled;
        private Instant passStart;
        private Instant passMax;
        private Instant lowest;
        private boolean anySeen;

        Watermark(Instant until, Instant settled) {
            this.until = until;
            this.settled = settled;
        }

        void passStarted(Instant now) {
            passStart = now;
            passMax = null;
        }

        void seen(Instant t) {
            if (t != null && (passMax == null || t.isAfter(passMax))) {
                passMax = t;
            }
        }

        void passEnded() {
            Instant bound = passMax;
            if (bound == null || (settled != null && !bound.isAfter(settled))) {
                bound = until != null && until.isBefore(passStart) ? until : passStart;
            } else {
                anySeen = true;
            }
            lowest = lowest == null || bound.isBefore(lowest) ? bound : lowest;
        }

        Instant candidate(Instant latestAllowed) {
            if (!anySeen) {
                return null;
            }
            return lowest.isAfter(latestAllowed) ? latestAllowed : lowest;
        }
    }
}
