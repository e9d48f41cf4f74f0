package com.skyfit.lake.functions;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sources and entities a request may name. Until the engine exposes its source registry this is
 * a plain table here; {@link #entities} is the one method to repoint at the registry.
 */
public final class KnownSources {
    private static final Map<String, List<String>> ENTITIES = Map.of(
            "pipedrive", List.of("deals", "persons", "organizations", "activities", "pipelines", "stages", "users"));

    private KnownSources() {}

    /** The entities of a source, or empty when the source is unknown. */
    public static Optional<List<String>> entities(String source) {
        return Optional.ofNullable(ENTITIES.get(source));
    }

    public static List<String> sources() {
        return ENTITIES.keySet().stream().sorted().toList();
    }
}
