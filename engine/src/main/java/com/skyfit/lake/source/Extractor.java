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
        PageParser parser = new PageParser(stream.paginator().recordsField(), stream.cursorField());
        long records = 0;
        long unparsable = 0;
        int requests = 0;
        int blind = 0;
        Watermark watermark = new Watermark(updatedUntil);
        for (StreamSpec.Pass pass : stream.passes()) {
            watermark.passStarted(clock.instant());
            String path = pass.pathOr(stream.path());
            Map<String, String> query = new LinkedHashMap<>(stream.params());
            query.putAll(pass.params());
            if (stream.isIncremental()) {
                StreamSpec.Incremental inc = stream.incremental();
                if (updatedSince != null) {
                    query.put(inc.sinceParam(), inc.format().format(updatedSince, false));
                }
                if (updatedUntil != null) {
                    query.put(inc.untilParam(), inc.format().format(updatedUntil, true));
                }
            }
            query.putAll(stream.paginator().first(stream.pageSize()));
            while (query != null) {
                byte[] body = http.get(scope, definition.errors(), path, query);
                requests++;
                if (body == null) {
                    break; // the error table's IGNORE: the API says "nothing here" with a status
                }
                PageParser.Result page = parser.parse(body, sink);
                records += page.records();
                unparsable += page.unparsable();
                watermark.seen(page.maxCursor());
                if (page.damage() != null) {
                    log.warn("{} scope '{}' {} GET {}: {} ({} record(s) kept as raw lines for staging to flag)",
                            scope.source(), scope.name(), stream.entity(), path, page.damage(),
                            page.unparsable());
                }
                Map<String, String> next = page.split()
                        ? stream.paginator().next(query, new Paginator.Page(page.records(), page.envelope()),
                                stream.pageSize())
                        : null;
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
                query = next;
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
        return new ExtractOutcome(records, requests, max, unparsable);
    }

    /**
     * The watermark candidate of a read: the lowest of its passes' highest update times, so a record
     * changed between two passes (after the first read its range, before the second) is read again
     * next time. A pass that saw no cursor is complete up to when it started (or the window's end);
     * no candidate at all when no pass saw one. Never later than now plus the allowed clock skew.
     */
    static final class Watermark {
        private final Instant until;
        private Instant passStart;
        private Instant passMax;
        private Instant lowest;
        private boolean anySeen;

        Watermark(Instant until) {
            this.until = until;
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
            if (bound == null) {
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
