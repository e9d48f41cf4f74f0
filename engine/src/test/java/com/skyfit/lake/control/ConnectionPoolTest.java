package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.zaxxer.hikari.HikariConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionPoolTest {
    private static final String URL = "jdbc:postgresql://db.example.org:5432/skyfit";

    private static HikariConfig config(String... keyValues) {
        Map<String, String> s = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            s.put(keyValues[i], keyValues[i + 1]);
        }
        return ConnectionPool.config(Settings.of(s), URL);
    }

    @Test
    void aSmallPoolByDefaultAndItsSizeIsASetting() {
        assertThat(config("SKYFIT_PG_USER", "app", "SKYFIT_PG_PASSWORD", "pw").getMaximumPoolSize())
                .isEqualTo(ConnectionPool.DEFAULT_POOL_SIZE).isLessThanOrEqualTo(5);
        assertThat(config("SKYFIT_PG_POOL_SIZE", "3").getMaximumPoolSize()).isEqualTo(3);
        assertThatThrownBy(() -> config("SKYFIT_PG_POOL_SIZE", "2")).isInstanceOf(SettingsException.class)
                .hasMessageContaining("SKYFIT_PG_POOL_SIZE");
        assertThat(config().getMinimumIdle()).as("an idle worker keeps no connection").isZero();
        assertThatThrownBy(() -> config("SKYFIT_PG_POOL_SIZE", "0")).isInstanceOf(SettingsException.class)
                .hasMessageContaining("SKYFIT_PG_POOL_SIZE");
    }

    @Test
    void passwordIsTheDefaultSignIn() {
        HikariConfig c = config("SKYFIT_PG_USER", "app", "SKYFIT_PG_PASSWORD", "s3cret");
        assertThat(c.getUsername()).isEqualTo("app");
        assertThat(c.getPassword()).isEqualTo("s3cret");
        assertThat(c.getDataSourceProperties()).doesNotContainKey("authenticationPluginClassName");
    }

    @Test
    void entraSignsInWithTheManagedIdentityThroughThePlugin() throws Exception {
        HikariConfig c = config("SKYFIT_PG_AUTH", "entra", "SKYFIT_PG_USER", "skyfit-func");
        assertThat(c.getDataSourceProperties()).containsEntry("authenticationPluginClassName", ConnectionPool.ENTRA_PLUGIN)
                .containsEntry("sslmode", "require");
        assertThat(c.getPassword()).isNull();
        // the plugin ships with the engine, so the Function App and the CLI can both use it
        assertThat(org.postgresql.plugin.AuthenticationPlugin.class)
                .as("pgjdbc can load the plugin it is told to use").isAssignableFrom(Class.forName(ConnectionPool.ENTRA_PLUGIN));
    }

    @Test
    void aWrongAuthSettingStopsNamingIt() {
        assertThatThrownBy(() -> config("SKYFIT_PG_AUTH", "kerberos")).isInstanceOf(SettingsException.class)
                .hasMessageContaining("SKYFIT_PG_AUTH").hasMessageContaining("entra");
        assertThatThrownBy(() -> config("SKYFIT_PG_AUTH", "entra", "SKYFIT_PG_USER", "u", "SKYFIT_PG_PASSWORD", "pw"))
                .isInstanceOf(SettingsException.class).hasMessageContaining("SKYFIT_PG_PASSWORD")
                .hasMessageNotContaining("pw ");
        assertThatThrownBy(() -> config("SKYFIT_PG_AUTH", "entra")).isInstanceOf(SettingsException.class)
                .hasMessageContaining("SKYFIT_PG_USER");
        assertThatThrownBy(() -> ConnectionPool.config(Settings.of(Map.of()), "postgres://x/y"))
                .isInstanceOf(SettingsException.class).hasMessageContaining("SKYFIT_PG_URL");
    }
}
