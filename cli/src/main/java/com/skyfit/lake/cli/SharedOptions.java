package com.skyfit.lake.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** Options several commands share, declared once and mixed in with {@code @Mixin}. */
final class SharedOptions {
    private SharedOptions() {}

    /** How many windows a batch extracts at once. */
    static final class Workers {
        @Option(names = "--workers", defaultValue = "4", description = "Windows extracted at once (default: ${DEFAULT-VALUE}).")
        int workers;
    }

    /** The size and seed of a simulated source. */
    static final class Simulation {
        @Option(names = "--scale", description = "Deals per scope (default: 2000 for demo, 1000 for sandbox).")
        Integer scale;

        @Option(names = "--seed", defaultValue = "42", description = "Data seed (default: ${DEFAULT-VALUE}).")
        long seed;

        int scaleOr(int commandDefault) {
            return scale == null ? commandDefault : scale;
        }
    }

    /** Which runs a batch opens: a source, optionally narrowed to scopes and entities, and who asked. */
    static final class Selection {
        @Option(names = "--source", required = true, description = "Source to run, e.g. pipedrive.")
        String source;

        @Option(names = "--scope", split = ",", description = "Only these scopes (default: all configured).")
        List<String> scopes = List.of();

        @Option(names = "--entity", split = ",", description = "Only these entities (default: all).")
        List<String> entities = List.of();

        @Option(names = "--triggered-by", defaultValue = "manual",
                description = "manual, scheduler or api (default: ${DEFAULT-VALUE}).")
        String triggeredBy;
    }
}
