package com.skyfit.lake.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.bronze.BronzeStores;
import com.skyfit.lake.control.Database;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings quoted back in messages and descriptions never show their secret parts. */
class SecretsInMessagesTest {
    private static final String SECRET = "Zx9SuperSecretValue42";

    @Test
    void aSasSignatureInTheBronzeUrlIsMaskedInTheSettingsError() {
        Settings s = Settings.of(Map.of(Settings.BRONZE_URL,
                "https://lake.blob.core.windows.net/bronze?sv=2022-11-02&sp=rw&sig=" + SECRET));
        assertThatThrownBy(() -> BronzeStores.open(s)).isInstanceOf(SettingsException.class)
                .hasMessageContaining(Settings.BRONZE_URL).hasMessageContaining("sig=***")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void aPasswordInTheJdbcUrlIsMaskedInTheDatabaseDescription() {
        try (Database db = Database.external("jdbc:postgresql://localhost:1/lake?user=app&password=" + SECRET, null, null)) {
            assertThat(db.description()).contains("password=***").doesNotContain(SECRET);
        }
        assertThatThrownBy(() -> Database.external("postgres://app:" + SECRET + "@db/lake", null, null))
                .isInstanceOf(SettingsException.class).hasMessageNotContaining(SECRET);
    }

    @Test
    void everySettingsErrorIsRedactedEvenWhenItQuotesTheValue() {
        SettingsException e = new SettingsException("X_URL", "got 'https://h/p?api_token=" + SECRET + "'");
        assertThat(e).hasMessage("Setting X_URL: got 'https://h/p?api_token=***'");
    }
}
