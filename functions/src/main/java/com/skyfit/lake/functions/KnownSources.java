package com.skyfit.lake.functions;

import com.skyfit.lake.source.Sources;
import java.util.List;
import java.util.Optional;

/** The sources and entities a request may name: the engine's source registry. */
public final class KnownSources {
    private KnownSources() {}

    /** The entities of a source, or empty when the source is unknown. */
    public static Optional<List<String>> entities(String source) {
        if (source == null || !Sources.names().contains(source)) {
            return Optional.empty();
        }
        return Optional.of(Sources.entities(source));
    }

    public static List<String> sources() {
        return Sources.names().stream().sorted().toList();
    }
}
