package com.skyfit.lake.source;

import com.skyfit.lake.pipeline.SourceConnector;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A source described by its declarative definition and read by the shared {@link Extractor}. */
public final class RestConnector implements SourceConnector {
    /**
     * How long a scope whose credential the server rejected (HTTP 401) fails its windows without sending: the
     * windows of a run fail at once instead of each spending a request (and the key's budget) on the same answer,
     * while a rejection the server did not mean is tried again within minutes.
     */
    static final Duration REJECTION_MEMORY = Duration.ofMinutes(10);

    private final SourceConfig config;
    private final Extractor extractor;
    private final RequestGate gate;
    private final Clock clock;
    private final Map<String, Rejection> rejected = new ConcurrentHashMap<>();

    private record Rejection(SourceException failure, Instant until) {}

    public RestConnector(SourceConfig config, RequestGate gate) {
        this(config, gate, Clock.systemUTC());
    }

    RestConnector(SourceConfig config, RequestGate gate, Clock clock) {
        this.config = config;
        this.gate = gate;
        this.clock = clock;
        this.extractor = new Extractor(config.definition(), new HttpReader(config.http(), gate));
    }

    public SourceConfig config() {
        return config;
    }

    /** Releases the gate's connection (shared by every source; closing twice is harmless). */
    @Override
    public void close() {
        if (gate instanceof PgRequestGate pg) {
            pg.close();
        }
    }

    @Override
    public String name() {
        return config.definition().name();
    }

    @Override
    public List<String> scopes() {
        return config.scopes().stream().map(ScopeConfig::name).toList();
    }

    @Override
    public List<String> entities() {
        return config.definition().entities();
    }

    @Override
    public boolean supportsUpdatedFilter(String entity) {
        return config.definition().stream(entity).isIncremental();
    }

    @Override
    public Duration windowSize(String entity) {
        return config.definition().stream(entity).windows().size();
    }

    @Override
    public Duration rescanEvery(String entity) {
        return config.definition().stream(entity).windows().rescanEvery();
    }

    @Override
    public Duration reconcileEvery(String entity) {
        return config.definition().stream(entity).reconciles() ? config.reconcileEvery() : null;
    }

    @Override
    public Instant startDate() {
        return config.startDate();
    }

    @Override
    public Duration overlap() {
        return config.overlap();
    }

    @Override
    public Duration overlap(String entity) {
        Duration lookBack = config.definition().stream(entity).windows().lookBack();
        return lookBack != null ? lookBack : config.overlap();
    }

    @Override
    public boolean resumesByCursor(String entity) {
        return config.definition().stream(entity).paginator().resumable();
    }

    @Override
    public Extracted extract(String scope, String entity, Instant updatedSince, Instant updatedUntil, RecordSink sink)
            throws IOException {
        return extract(scope, entity, updatedSince, updatedUntil, null, sink);
    }

    @Override
    public Extracted extract(String scope, String entity, Instant updatedSince, Instant updatedUntil,
            String resumeCursor, RecordSink sink) throws IOException {
        StreamSpec stream = config.definition().stream(entity);
        Rejection earlier = rejected.get(scope);
        if (earlier != null && clock.instant().isBefore(earlier.until())) {
            SourceException f = earlier.failure();
            throw new SourceException(f.source(), f.scope(), f.status(), f.action(), f.getMessage()
                    + " (not sent again: the same credential was rejected at " + earlier.until().minus(REJECTION_MEMORY)
                    + ")", null);
        }
        // An update-time window starts an overlap before the watermark it was planned from: what lies before that
        // was read by an earlier run. An event-date window is one slice of a range: every record in it counts.
        Instant settled = updatedSince == null || stream.windows().size() != null ? null
                : updatedSince.plus(overlap(entity));
        try {
            ExtractOutcome o = extractor.read(stream, config.scope(scope), updatedSince, updatedUntil, settled,
                    resumeCursor, sink);
            rejected.remove(scope);
            return new Extracted(o.records(), o.maxCursor(), o.unparsable(), o.cursor());
        } catch (SourceException e) {
            if (e.status() == 401 && e.permanent()) {
                rejected.put(scope, new Rejection(e, clock.instant().plus(REJECTION_MEMORY)));
            }
            throw e;
        }
    }
}
