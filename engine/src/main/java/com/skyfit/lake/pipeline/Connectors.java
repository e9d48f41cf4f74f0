package com.skyfit.lake.pipeline;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.source.Extractor;
import com.skyfit.lake.source.LocalRequestGate;
import com.skyfit.lake.source.PgRequestGate;
import com.skyfit.lake.source.RequestGate;
import com.skyfit.lake.source.ExtractOutcome;
import com.skyfit.lake.source.RecordSink;
import com.skyfit.lake.source.ScopeConfig;
import com.skyfit.lake.source.SourceConfig;
import com.skyfit.lake.source.Sources;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a {@link SourceConnector} for every source whose required setting is present: {SOURCE}_SCOPES for a
 * REST definition read by the shared extractor, or the setting a source of its own kind names (Chatwoot:
 * CHATWOOT_SOURCE_JDBC_URL), which then builds its own connector.
 */
public final class Connectors {
    private Connectors() {}

    /** The setting whose presence turns a source on, e.g. PIPEDRIVE_SCOPES. */
    public static String scopesSetting(String source) {
        return source.toUpperCase(Locale.ROOT) + "_SCOPES";
    }

    /** The setting whose presence turns a source on, of either kind. */
    public static String onSetting(String source) {
        return Sources.requiredSetting(source);
    }

    /** Sources whose token budgets are kept in this process only: for callers with no database. */
    public static Map<String, SourceConnector> configured(Settings settings) {
        return configured(settings, new LocalRequestGate());
    }

    /** Sources whose token budgets are kept by the gate ({@link PgRequestGate}: shared by every process). */
    public static Map<String, SourceConnector> configured(Settings settings, RequestGate gate) {
        Map<String, SourceConnector> out = new LinkedHashMap<>();
        for (String name : Sources.names()) {
            if (settings.optional(onSetting(name)).isEmpty()) {
                continue;
            }
            var own = Sources.connectorEntry(name);
            if (own.isPresent()) {
                out.put(name, own.get().connector(settings));
            } else {
                Sources.Entry entry = Sources.get(name);
                SourceConfig config = entry.config(settings);
                out.put(name, new Declarative(name, config, entry.extractor(config, gate), gate));
            }
        }
        return out;
    }

    /** A source described by its declarative definition and read by the shared extractor. */
    static final class Declarative implements SourceConnector {
        private final String name;
        private final SourceConfig config;
        private final Extractor extractor;
        private final RequestGate gate;

        Declarative(String name, SourceConfig config, Extractor extractor, RequestGate gate) {
            this.name = name;
            this.config = config;
            this.extractor = extractor;
            this.gate = gate;
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
            return name;
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
        public Duration overlap() {
            return config.overlap();
        }

        @Override
        public Duration reconcileEvery(String entity) {
            return config.definition().stream(entity).reconciles() ? config.reconcileEvery() : null;
        }

        @Override
        public Extracted extract(String scope, String entity, Instant updatedSince, Instant updatedUntil,
                RecordSink sink) throws java.io.IOException {
            ExtractOutcome o = extractor.read(config.definition().stream(entity), config.scope(scope), updatedSince,
                    updatedUntil, sink);
            return new Extracted(o.records(), o.maxCursor(), o.unparsable());
        }
    }
}
