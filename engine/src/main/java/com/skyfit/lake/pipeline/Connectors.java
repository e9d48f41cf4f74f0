package com.skyfit.lake.pipeline;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.source.LocalRequestGate;
import com.skyfit.lake.source.PgRequestGate;
import com.skyfit.lake.source.RequestGate;
import com.skyfit.lake.source.Sources;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds a {@link SourceConnector} for every registered source whose required setting is present. */
public final class Connectors {
    private Connectors() {}

    /** Sources whose token budgets are kept in this process only: for callers with no database. */
    public static Map<String, SourceConnector> configured(Settings settings) {
        return configured(settings, new LocalRequestGate());
    }

    /** Sources whose token budgets are kept by the gate ({@link PgRequestGate}: shared by every process). */
    public static Map<String, SourceConnector> configured(Settings settings, RequestGate gate) {
        Map<String, SourceConnector> out = new LinkedHashMap<>();
        try {
            for (Sources.Entry entry : Sources.all()) {
                if (settings.optional(entry.requiredSetting()).isPresent()) {
                    out.put(entry.name(), entry.connector(settings, gate));
                }
            }
        } catch (RuntimeException e) {
            out.values().forEach(SourceConnector::close);
            throw e;
        }
        return out;
    }
}
