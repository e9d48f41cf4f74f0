package com.skyfit.lake.source;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The settings of one source, validated at start-up: its scopes, request behaviour and overlap. */
public interface SourceConfig {
    /** The source's streams as configured (page sizes applied). */
    SourceDefinition definition();

    List<ScopeConfig> scopes();

    HttpSettings http();

    /** How far before the last watermark an incremental read starts, so late writes are not missed. */
    Duration overlap();

    /**
     * How often a stream that {@link StreamSpec#reconciles()} is read whole instead of from its watermark, so
     * the keys the source no longer has are found; zero: every run.
     */
    default Duration reconcileEvery() {
        return Duration.ofDays(7);
    }

    /** Where full reads and re-scans of windowed streams start ({SOURCE}_START_DATE); null when not set. */
    default Instant startDate() {
        return null;
    }

    default ScopeConfig scope(String name) {
        return scopes().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("source " + definition().name() + " has no scope '"
                        + name + "'; configured: " + scopes().stream().map(ScopeConfig::name).toList()));
    }
}
