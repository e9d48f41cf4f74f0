package com.skyfit.lake.source;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SourceKeys;
import com.skyfit.lake.pipeline.SourceConnector;
import com.skyfit.lake.source.chatwoot.ChatwootConfig;
import com.skyfit.lake.source.chatwoot.ChatwootConnector;
import com.skyfit.lake.source.chatwoot.ChatwootSource;
import com.skyfit.lake.source.evo.EvoConfig;
import com.skyfit.lake.source.evo.EvoSource;
import com.skyfit.lake.source.pipedrive.PipedriveConfig;
import com.skyfit.lake.source.pipedrive.PipedriveSource;
import com.skyfit.lake.source.zendesk.ZendeskConfig;
import com.skyfit.lake.source.zendesk.ZendeskSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Every source the platform knows, one registration line each. A source is either a declarative REST definition
 * read by the shared extractor ({@link #rest}), or a connector of another kind, such as a database read by
 * watermark ({@link #connector}). A source is on when its required setting is present; every command, the
 * Function App and the backfill validator learn the sources, their entities and settings from here alone.
 */
public final class Sources {

    /**
     * A registered source: its name, the setting that turns it on, its entities, and how its connector is built.
     * A REST source also has its definition and its settings reader ({@link #definition()} is null otherwise).
     */
    public record Entry(String name, String requiredSetting, List<String> entities, SourceDefinition definition,
            Function<Settings, ? extends SourceConfig> loader, ConnectorFactory factory) {

        /** The setting whose presence turns this source on, when it is not {SOURCE}_SCOPES. */
        public Entry turnedOnBy(String setting) {
            return new Entry(name, setting, entities, definition, loader, factory);
        }

        public boolean isRest() {
            return definition != null;
        }

        /** The prefix of every setting of the source (PIPEDRIVE_). */
        public String settingPrefix() {
            return SourceKeys.of(name).prefix();
        }

        /** The source's connector from the settings; request budgets kept by the gate (REST sources). */
        public SourceConnector connector(Settings settings, RequestGate gate) {
            return factory.build(settings, gate);
        }

        /**
         * Every key the source reads from these settings (its required setting, and what its config asks for with
         * these scopes): what the documented-settings tests check, so no source's key is listed by hand.
         */
        public java.util.Set<String> settingsRead(Settings settings) {
            java.util.Set<String> keys = new java.util.TreeSet<>();
            keys.add(requiredSetting);
            Settings recording = settings.recordingReads(keys::add);
            if (isRest()) {
                loader.apply(recording);
            } else {
                factory.build(recording, new LocalRequestGate()).close();
            }
            return keys;
        }

        /** The settings of a REST source. */
        public SourceConfig config(Settings settings) {
            requireRest();
            return loader.apply(settings);
        }

        /** An extractor over a REST source's configured streams, with this process's token budgets. */
        public Extractor extractor(SourceConfig config) {
            return extractor(config, new LocalRequestGate());
        }

        /** An extractor whose token budgets are kept by the given gate (shared when it is {@link PgRequestGate}). */
        public Extractor extractor(SourceConfig config, RequestGate gate) {
            requireRest();
            return new Extractor(config.definition(), new HttpReader(config.http(), gate));
        }

        private void requireRest() {
            if (!isRest()) {
                throw new IllegalStateException("source " + name + " is not a REST source");
            }
        }
    }

    @FunctionalInterface
    public interface ConnectorFactory {
        SourceConnector build(Settings settings, RequestGate gate);
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        register(rest(PipedriveSource.NAME, PipedriveSource.DEFINITION, PipedriveConfig::fromSettings));
        register(connector(ChatwootSource.NAME, ChatwootConfig.JDBC_URL, ChatwootSource.ENTITIES,
                ChatwootConnector::fromSettings));
        register(rest(ZendeskSource.NAME, ZendeskSource.DEFINITION, ZendeskConfig::fromSettings)
                .turnedOnBy(ZendeskConfig.BASE_URL));
        register(rest(EvoSource.NAME, EvoSource.DEFINITION, EvoConfig::fromSettings));
    }

    private Sources() {}

    /** A REST source, on when {SOURCE}_SCOPES is set (see {@link Entry#turnedOnBy} for another setting). */
    public static Entry rest(String name, SourceDefinition definition, Function<Settings, ? extends SourceConfig> loader) {
        return new Entry(name, SourceKeys.of(name).scopes(), definition.entities(), definition, loader,
                (settings, gate) -> new RestConnector(loader.apply(settings), gate));
    }

    /** A source that brings its own connector (no request gate: it reads no rate-limited API), on by its setting. */
    public static Entry connector(String name, String requiredSetting, List<String> entities,
            Function<Settings, ? extends SourceConnector> factory) {
        return new Entry(name, requiredSetting, List.copyOf(entities), null, null,
                (settings, gate) -> factory.apply(settings));
    }

    private static void register(Entry e) {
        if (ENTRIES.putIfAbsent(e.name(), e) != null) {
            throw new IllegalStateException("source " + e.name() + " is registered twice");
        }
    }

    public static Set<String> names() {
        return ENTRIES.keySet();
    }

    public static List<Entry> all() {
        return List.copyOf(ENTRIES.values());
    }

    public static Entry get(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown source '" + name + "'; known sources: " + ENTRIES.keySet());
        }
        return e;
    }

    /** The entities of a known source, of either kind. */
    public static List<String> entities(String name) {
        return get(name).entities();
    }

    /** The setting whose presence turns a source on: {SOURCE}_SCOPES for REST sources unless they name another. */
    public static String requiredSetting(String name) {
        return get(name).requiredSetting();
    }
}
