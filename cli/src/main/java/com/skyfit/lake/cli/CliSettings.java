package com.skyfit.lake.cli;

import com.skyfit.lake.config.Settings;
import java.util.function.Supplier;

/** Where commands read their settings: the environment, or what a test hands in. */
final class CliSettings {
    private static volatile Supplier<Settings> source = Settings::fromEnvironment;

    private CliSettings() {}

    static Settings load() {
        return source.get();
    }

    /** For tests: run commands over these settings instead of the environment. */
    static void use(Settings settings) {
        source = settings == null ? Settings::fromEnvironment : () -> settings;
    }
}
