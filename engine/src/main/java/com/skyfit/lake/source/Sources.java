package com.skyfit.lake.source;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.source.pipedrive.PipedriveConfig;
import com.skyfit.lake.source.pipedrive.PipedriveSource;
import com.skyfit.lake.source.zendesk.ZendeskConfig;
import com.skyfit.lake.source.zendesk.ZendeskSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Every source the platform knows: its definition and how to read its settings. New sources go here. */
public final class Sources {

    /**
     * A REST source: its definition, how to read its settings, and the setting whose presence turns it on
     * ({SOURCE}_SCOPES for sources with several accounts).
     */
    public record Entry(String name, SourceDefinition definition, Function<Settings, ? extends SourceConfig> loader,
            String requiredSetting) {
        public Entry(String name, SourceDefinition definition, Function<Settings, ? extends SourceConfig> loader) {
            this(name, definition, loader, name.toUpperCase(java.util.Locale.ROOT) + "_SCOPES");
        }

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

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        register(new Entry(PipedriveSource.NAME, PipedriveSource.DEFINITION, PipedriveConfig::fromSettings));
        register(new Entry(ZendeskSource.NAME, ZendeskSource.DEFINITION, ZendeskConfig::fromSettings,
                ZendeskConfig.BASE_URL));
    }

    private Sources() {}

    private static void register(Entry e) {
        ENTRIES.put(e.name(), e);
    }

    public static Set<String> names() {
        return ENTRIES.keySet();
    }

    public static Entry get(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown source '" + name + "'; known sources: " + ENTRIES.keySet());
        }
        return e;
    }

    /** The setting whose presence turns a source on. */
    public static String requiredSetting(String name) {
        return get(name).requiredSetting();
    }
}
