package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.config.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL that persists under SKYFIT_HOME/pg survives a machine crash; throwaway ones may not. */
class EmbeddedDurabilityIT {
    /** Under target/, as every embedded PostgreSQL of the tests (never the shared system temp folder). */
    private final Path home = Path.of("target", "durability", java.util.UUID.randomUUID().toString()).toAbsolutePath();

    private static List<String> durability(Database db) {
        return db.query("SELECT name || '=' || setting FROM pg_settings "
                + "WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name", ps -> {},
                rs -> rs.getString(1));
    }

    @Test
    void thePersistentDatabaseKeepsFsyncOn() {
        try (Database db = Database.open(Settings.of(Map.of(Settings.HOME, home.toString())))) {
            assertThat(durability(db)).containsExactly("fsync=on", "full_page_writes=on", "synchronous_commit=on");
        }
    }

    @Test
    void aThrowawayDatabaseTurnsItOff() {
        try (Database db = Database.open(Settings.of(Map.of(Settings.HOME, home.toString(), "SKYFIT_PG_FSYNC", "false")))) {
            assertThat(durability(db)).containsExactly("fsync=off", "full_page_writes=off", "synchronous_commit=off");
        }
    }
}
