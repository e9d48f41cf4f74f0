package com.skyfit.lake.source;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.pipeline.SourceConnector;
import com.skyfit.lake.source.chatwoot.ChatwootConfig;
import com.skyfit.lake.source.chatwoot.ChatwootConnector;
import com.skyfit.lake.source.chatwoot.ChatwootSource;
import com.skyfit.lake.source.pipedrive.PipedriveConfig;
import com.skyfit.lake.source.pipedrive.PipedriveSource;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Every source the platform knows: its definition and how to read its settings. New sources go here. */
public final class Sources {

    public record Entry(String name, SourceDefinition definition, Function<Settings, ? extends SourceConfig> loader) {
        public SourceConfig config(Settings settings) {
            return loader.apply(settings);
        }

        /** An extractor over the configured streams, with its own HTTP client and this process's token budgets. */
        public Extractor extractor(SourceConfig config) {
            return extractor(config, new LocalRequestGate());
        }

        /** An extractor whose token budgets are kept by the given gate (shared when it is {@link PgRequestGate}). */
        public Extractor extractor(SourceConfig config, RequestGate gate) {
            return new Extractor(config.definition(), new HttpReader(config.http(), gate));
        }
    }

    /**
     * A source of another kind than a REST definition (a database read by watermark): it brings its own
     * connector, and it is on when its one required setting is present.
     */
    public record ConnectorEntry(String name, String requiredSetting, List<String> entities,
            Function<Settings, ? extends SourceConnector> factory) {
        public SourceConnector connector(Settings settings) {
            return factory.apply(settings);
        }
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();
    private static final Map<String, ConnectorEntry> CONNECTOR_ENTRIES = new LinkedHashMap<>();

    static {
        register(new Entry(PipedriveSource.NAME, PipedriveSource.DEFINITION, PipedriveConfig::fromSettings));
        CONNECTOR_ENTRIES.put(ChatwootSource.NAME, new ConnectorEntry(ChatwootSource.NAME, ChatwootConfig.JDBC_URL,
                ChatwootSource.ENTITIES, ChatwootConnector::fromSettings));
    }

    private Sources() {}

    private static void register(Entry e) {
        ENTRIES.put(e.name(), e);
    }

    /** Every known source, of either kind. */
    public static Set<String> names() {
        Set<String> all = new LinkedHashSet<>(ENTRIES.keySet());
        all.addAll(CONNECTOR_ENTRIES.keySet());
        return all;
    }

    /** The REST source of that name (its declarative definition). */
    public static Entry get(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown source '" + name + "'; known sources: " + names()
                    + (CONNECTOR_ENTRIES.containsKey(name) ? " (" + name + " is not a REST source)" : ""));
        }
        return e;
    }

    /** The source of that name when it brings its own connector; empty for REST sources. */
    public static Optional<ConnectorEntry> connectorEntry(String name) {
        return Optional.ofNullable(CONNECTOR_ENTRIES.get(name));
    }

    /** The entities of a known source of either kind. */
    public static List<String> entities(String name) {
        ConnectorEntry own = CONNECTOR_ENTRIES.get(name);
        return own != null ? own.entities() : get(name).definition().entities();
    }

    /** The setting whose presence turns a source on: {SOURCE}_SCOPES for REST sources, or the connector's own. */
    public static String requiredSetting(String name) {
        ConnectorEntry own = CONNECTOR_ENTRIES.get(name);
        return own != null ? own.requiredSetting() : name.toUpperCase(Locale.ROOT) + "_SCOPES";
    }
}
