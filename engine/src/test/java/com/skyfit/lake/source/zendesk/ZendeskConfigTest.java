package com.skyfit.lake.source.zendesk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.source.ScopeConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZendeskConfigTest {
    private static Settings settings(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("ZENDESK_BASE_URL", "https://skyfit.zendesk.com");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return Settings.of(m);
    }

    @Test
    void anApiTokenIsSentAsBasicEmailSlashTokenAndNamesBothSettings() {
        ZendeskConfig c = ZendeskConfig.fromSettings(settings("ZENDESK_EMAIL", "ana@skyfit.example",
                "ZENDESK_API_TOKEN", "t0k3n"));
        ScopeConfig account = c.scopes().get(0);
        assertThat(account.name()).isEqualTo("support");
        assertThat(account.credential().header()).isEqualTo("Authorization");
        assertThat(account.credential().value().reveal()).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("ana@skyfit.example/token:t0k3n".getBytes(StandardCharsets.UTF_8)));
        assertThat(account.credential().setting()).isEqualTo("ZENDESK_EMAIL / ZENDESK_API_TOKEN");
        assertThat(account.credential().value().toString()).doesNotContain("t0k3n");
    }

    @Test
    void anOauthTokenIsSentAsBearerAndWinsOverAnApiToken() {
        ZendeskConfig c = ZendeskConfig.fromSettings(settings("ZENDESK_OAUTH_TOKEN", "oa", "ZENDESK_EMAIL", "x@y",
                "ZENDESK_API_TOKEN", "t", "ZENDESK_SCOPE", " Helpdesk "));
        assertThat(c.scopes().get(0).credential().value().reveal()).isEqualTo("Bearer oa");
        assertThat(c.scopes().get(0).credential().setting()).isEqualTo("ZENDESK_OAUTH_TOKEN");
        assertThat(c.scopes().get(0).name()).isEqualTo("helpdesk");
    }

    @Test
    void theExportLimitIsTenAMinuteUnlessSetAndTheExportStartsAtTheBeginning() {
        ZendeskConfig c = ZendeskConfig.fromSettings(settings("ZENDESK_OAUTH_TOKEN", "oa"));
        assertThat(c.http().requestInterval()).isEqualTo(Duration.ofSeconds(6));
        assertThat(c.definition().stream("tickets").params()).containsEntry("start_time", "0");
        ZendeskConfig set = ZendeskConfig.fromSettings(settings("ZENDESK_OAUTH_TOKEN", "oa",
                "ZENDESK_EXPORT_REQUESTS_PER_MINUTE", "30", "ZENDESK_START_DATE", "2024-02-01"));
        assertThat(set.http().requestInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(set.definition().stream("organizations").params()).containsEntry("start_time", "1706745600");
    }

    @Test
    void aMissingOrWrongSettingNamesItself() {
        assertThatThrownBy(() -> ZendeskConfig.fromSettings(settings()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("ZENDESK_OAUTH_TOKEN")
                .hasMessageContaining("ZENDESK_API_TOKEN");
        assertThatThrownBy(() -> ZendeskConfig.fromSettings(settings("ZENDESK_API_TOKEN", "t")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("ZENDESK_EMAIL");
        assertThatThrownBy(() -> ZendeskConfig.fromSettings(settings("ZENDESK_EMAIL", "a@b")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("ZENDESK_API_TOKEN");
        assertThatThrownBy(() -> ZendeskConfig.fromSettings(settings("ZENDESK_OAUTH_TOKEN", "oa",
                "ZENDESK_START_DATE", "01/02/2024"))).hasMessageContaining("ZENDESK_START_DATE");
        assertThatThrownBy(() -> ZendeskConfig.fromSettings(settings("ZENDESK_OAUTH_TOKEN", "oa",
                "ZENDESK_BASE_URL", "http://skyfit.zendesk.com"))).hasMessageContaining("ZENDESK_BASE_URL")
                .hasMessageContaining("https");
        assertThatThrownBy(() -> ZendeskConfig.fromSettings(settings("ZENDESK_OAUTH_TOKEN", "oa",
                "ZENDESK_EXPORT_REQUESTS_PER_MINUTE", "0"))).hasMessageContaining("ZENDESK_EXPORT_REQUESTS_PER_MINUTE");
    }
}
