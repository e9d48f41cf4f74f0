package com.skyfit.lake.source;

import java.io.IOException;
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

    private final SourceDefinition definition;
    private final HttpReader http;

    public Extractor(SourceDefinition definition, HttpReader http) {
        this.definition = definition;
        this.http = http;
    }

    public SourceDefinition definition() {
        return definition;
    }

    /**
     * Reads the records updated in [updatedSince, updatedUntil) for incremental streams (either bound
     * may be null: open), or every record for snapshot streams (the bounds are then ignored).
     *
     * @throws BudgetExhaustedException when the scope's daily budget runs out (watermark must stay)
     * @throws SourceException when the source fails for good
     */
    public ExtractOutcome read(StreamSpec stream, ScopeConfig scope, Instant updatedSince, Instant updatedUntil,
                               RecordSink sink) throws IOException {
        PageParser parser = new PageParser(stream.paginator().recordsField(), stream.cursorField());
        long records = 0;
        int requests = 0;
        Instant max = null;
        for (Map<String, String> pass : stream.passes()) {
            Map<String, String> query = new LinkedHashMap<>(stream.params());
            query.putAll(pass);
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
                byte[] body = http.get(scope, definition.errors(), stream.path(), query);
                requests++;
                PageParser.Result page = parser.parse(body, sink);
                records += page.records();
                if (page.maxCursor() != null && (max == null || page.maxCursor().isAfter(max))) {
                    max = page.maxCursor();
                }
                Map<String, String> next = stream.paginator().next(query,
                        new Paginator.Page(page.records(), page.envelope()), stream.pageSize());
                if (next != null && next.equals(query)) {
                    throw new SourceException(scope.source(), scope.name(), 200, scope.source() + " scope '"
                            + scope.name() + "' " + stream.entity() + ": the next page repeats the last one", null);
                }
                query = next;
            }
        }
        log.info("{} scope '{}' {}: {} records in {} requests", scope.source(), scope.name(), stream.entity(),
                records, requests);
        return new ExtractOutcome(records, requests, max);
    }
}
