package com.skyfit.lake.source.chatwoot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.pipeline.Connectors;
import com.skyfit.lake.source.Sources;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ChatwootConfigTest {
    private static final String PASSWORD = "s3cr3t-Pa55";

    private static Map<String, String> valid() {
        Map<String, String> s = new HashMap<>();
        s.put(ChatwootConfig.JDBC_URL, "jdbc:postgresql://chatwoot.internal:5432/chatwoot");
        s.put(ChatwootConfig.USER, "lake_reader");
        s.put(ChatwootConfig.PASSWORD, PASSWORD);
        return s;
    }

    private static ChatwootConfig config(Map<String, String> s) {
        return ChatwootConfig.fromSettings(Settings.of(s));
    }

    @Test
    void defaultsMatchTheAnalyticsView() {
        ChatwootConfig c = config(valid());
        assertThat(c.view()).containsExactly("vw_conversations_analytics_final");
        assertThat(c.quotedView()).isEqualTo("\"vw_conversations_analytics_final\"");
        assertThat(c.idColumn()).isEqualTo("conversation_id");
        assertThat(c.watermarkColumns()).containsExactly("conversation_updated_at", "last_activity_at");
        assertThat(c.scope()).isEqualTo("default");
        assertThat(c.sslMode()).as("the URL's own sslmode applies").isNull();
        assertThat(c.overlap()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.fetchSize()).isEqualTo(1000);
    }

    @Test
    void aSchemaQualifiedViewIsQuotedPartByPart() {
        Map<String, String> s = valid();
        s.put(ChatwootConfig.VIEW, "analytics.vw_conv");
        s.put(ChatwootConfig.WATERMARK_COLUMNS, "updated_at , last_activity_at");
        ChatwootConfig c = config(s);
        assertThat(c.quotedView()).isEqualTo("\"analytics\".\"vw_conv\"");
        assertThat(c.watermarkColumns()).containsExactly("updated_at", "last_activity_at");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            CHATWOOT_SOURCE_VIEW              | vw; DROP TABLE conversations
            CHATWOOT_SOURCE_VIEW              | a.b.c
            CHATWOOT_SOURCE_VIEW              | "vw"
            CHATWOOT_SOURCE_ID_COLUMN         | id) OR (1=1
            CHATWOOT_SOURCE_WATERMARK_COLUMNS | updated_at, now()
            CHATWOOT_SOURCE_SSL_MODE          | sometimes
            CHATWOOT_SCOPE                    | Two Words
            CHATWOOT_SOURCE_FETCH_SIZE        | 0
            """)
    void aBadSettingStopsStartUpNamingIt(String key, String value) {
        Map<String, String> s = valid();
        s.put(key, value);
        assertThatThrownBy(() -> config(s)).isInstanceOf(SettingsException.class).hasMessageContaining(key);
    }

    @Test
    void missingLoginSettingsAreNamed() {
        for (String key : List.of(ChatwootConfig.USER, ChatwootConfig.PASSWORD)) {
            Map<String, String> s = valid();
            s.remove(key);
            assertThatThrownBy(() -> config(s)).isInstanceOf(SettingsException.class).hasMessageContaining(key);
        }
    }

    @Test
    void aJdbcUrlIsNeverEchoedAndPasswordsAreRedacted() {
        Map<String, String> s = valid();
        s.put(ChatwootConfig.JDBC_URL, "postgresql://u:" + PASSWORD + "@host/db");
        assertThatThrownBy(() -> config(s)).hasMessageContaining(ChatwootConfig.JDBC_URL).hasMessageNotContaining(PASSWORD);

        s.put(ChatwootConfig.JDBC_URL, "jdbc:postgresql://host/db?user=u&password=other-secret&ssl=true");
        ChatwootConfig c = config(s);
        assertThat(c.describe()).isEqualTo("jdbc:postgresql://host/db?user=u&password=***&ssl=true");
        assertThat(c.redact("FATAL: bad login " + PASSWORD)).isEqualTo("FATAL: bad login ***");
        assertThat(new ChatwootConnector(c).toString()).doesNotContain("other-secret", PASSWORD);
    }

    @Test
    void errorsSayWhichSettingToCheckAndWhetherToRetry() {
        ChatwootConfig c = config(valid());
        var auth = ReadErrors.of(c, "connection", new SQLException("password authentication failed " + PASSWORD, "28P01"));
        assertThat(auth.status()).isEqualTo(401);
        assertThat(auth.getMessage()).contains(ChatwootConfig.USER, ChatwootConfig.PASSWORD).doesNotContain(PASSWORD);
        assertThat(auth.getCause().getMessage()).doesNotContain(PASSWORD);
        assertThat(ReadErrors.of(c, "read", new SQLException("no view", "42P01")).getMessage()).contains(ChatwootConfig.VIEW);
        assertThat(ReadErrors.of(c, "read", new SQLException("no column", "42703")).getMessage())
                .contains(ChatwootConfig.ID_COLUMN, ChatwootConfig.WATERMARK_COLUMNS);
        assertThat(ReadErrors.of(c, "read", new SQLException("denied", "42501")).status()).isEqualTo(403);
        assertThat(ReadErrors.of(c, "connection", new SQLException("refused", "08001")).status()).isZero();
        assertThat(ReadErrors.of(c, "read", new SQLException("odd", (String) null)).status()).isZero();
    }

    @Test
    void theRegistryTurnsChatwootOnByItsJdbcUrl() {
        assertThat(Sources.names()).contains("pipedrive", "chatwoot");
        assertThat(Sources.entities("chatwoot")).containsExactly("conversations", "conversation_ids");
        assertThat(Sources.requiredSetting("chatwoot")).isEqualTo("CHATWOOT_SOURCE_JDBC_URL");
        assertThat(Sources.requiredSetting("pipedrive")).isEqualTo("PIPEDRIVE_SCOPES");
        assertThat(Connectors.configured(Settings.of(Map.of()))).isEmpty();
        var on = Connectors.configured(Settings.of(valid()));
        assertThat(on).containsOnlyKeys("chatwoot");
        assertThat(on.get("chatwoot").scopes()).containsExactly("default");
        assertThat(on.get("chatwoot").supportsUpdatedFilter("conversations")).isTrue();
        assertThat(on.get("chatwoot").supportsUpdatedFilter("conversation_ids")).isFalse();
    }
}
