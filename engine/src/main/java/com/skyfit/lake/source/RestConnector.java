package com.skyfit.lake.source;

import com.skyfit.lake.pipeline.SourceConnector;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A source described by its declarative definition and read by the shared {@link Extractor}. */
public final class RestConnector implements SourceConnector {
    private final SourceConfig config;
    private final Extractor extractor;
    private final RequestGate gate;

    public RestConnector(SourceConfig config, RequestGate gate) {
        this.config = config;
        this.gate = gate;
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
        // An update-time window starts an overlap before the watermark it was planned from: what lies before that
        // was read by an earlier run. An event-date window is one slice of a range: every record in it counts.
        Instant settled = updatedSince == null || stream.windows().size() != null ? null
                : updatedSince.plus(overlap(entity));
        ExtractOutcome o = extractor.read(stream, config.scope(scope), updatedSince, updatedUntil, settled,
                resumeCursor, sink);
        return new Extracted(o.records(), o.maxCursor(), o.unparsable(), o.cursor());
    }
}
