package com.skyfit.lake.source.pipedrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.source.RestConfig;
import com.skyfit.lake.source.ScopeConfig;
import com.skyfit.lake.source.Sources;
import com.skyfit.lake.source.StreamSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipedriveConfigTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef01234567";

    private static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("PIPEDRIVE_SCOPES", "commercial, Expansion");
        m.put("PIPEDRIVE_COMMERCIAL_BASE_URL", "https://skyfit.pipedrive.com/");
        m.put("PIPEDRIVE_COMMERCIAL_API_TOKEN", TOKEN);
        m.put("PIPEDRIVE_EXPANSION_BASE_URL", "https://skyfit-expansion.pipedrive.com");
        m.put("PIPEDRIVE_EXPANSION_API_TOKEN", "other-token");
        return m;
    }

    private static SettingsException failure(Map<String, String> m) {
        return (SettingsException) org.assertj.core.api.Assertions.catchThrowable(
                () -> PipedriveConfig.fromSettings(Settings.of(m)));
    }

    @Test
    void readsScopesAndDefaults() {
        RestConfig c = PipedriveConfig.fromSettings(Settings.of(valid()));
        assertThat(c.scopes()).extracting(s -> s.name()).containsExactly("commercial", "expansion");
        assertThat(c.scope("commercial").baseUrl()).hasToString("https://skyfit.pipedrive.com");
        assertThat(c.scope("expansion").credential().setting()).isEqualTo("PIPEDRIVE_EXPANSION_API_TOKEN");
        assertThat(c.scope("commercial").credential().value().reveal()).isEqualTo(TOKEN);
        assertThat(c.toString()).doesNotContain(TOKEN);
        assertThat(c.overlap()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.pageSize()).isEqualTo(500);
        assertThat(c.http().requestsPerWindow()).isEqualTo(20);
        assertThat(c.http().window()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.http().maxRetryWait()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.http().retries()).isEqualTo(5);
        assertThat(c.definition().entities())
                .containsExactly("deals", "persons", "organizations", "activities", "pipelines", "stages", "users");
        assertThat(c.definition().stream("deals").pageSize()).isEqualTo(500);
    }

    @Test
    void overridesAreApplied() {
        Map<String, String> m = valid();
        m.put("PIPEDRIVE_OVERLAP_MINUTES", "30");
        m.put("PIPEDRIVE_PAGE_SIZE", "200");
        m.put("PIPEDRIVE_REQUESTS_PER_2S", "80");
        m.put("PIPEDRIVE_MAX_RETRY_WAIT_SECONDS", "10");
        m.put("PIPEDRIVE_HTTP_RETRIES", "2");
        RestConfig c = PipedriveConfig.fromSettings(Settings.of(m));
        assertThat(c.overlap()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.definition().stream("users").pageSize()).isEqualTo(200);
        assertThat(c.http().requestsPerWindow()).isEqualTo(80);
        assertThat(c.http().maxRetryWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.http().retries()).isEqualTo(2);
    }

    @Test
    void anOverlapShorterThanTheClockSkewIsRefusedNamingBothSettings() {
        Map<String, String> m = valid();
        m.put("PIPEDRIVE_OVERLAP_MINUTES", "0");
        assertThat(failure(m).setting()).isEqualTo("PIPEDRIVE_OVERLAP_MINUTES");
        assertThat(failure(m)).hasMessageContaining("SKYFIT_SOURCE_CLOCK_SKEW_MINUTES");
        m.put("SKYFIT_SOURCE_CLOCK_SKEW_MINUTES", "0");
        assertThat(PipedriveConfig.fromSettings(Settings.of(m)).overlap()).isZero();
    }

    @Test
    void missingScopesNamesTheSetting() {
        Map<String, String> m = valid();
        m.remove("PIPEDRIVE_SCOPES");
        assertThat(failure(m).setting()).isEqualTo("PIPEDRIVE_SCOPES");
        assertThat(failure(m)).hasMessageContaining("commercial,expansion");
    }

    @Test
    void missingBaseUrlOrTokenNamesTheUpperCasedSetting() {
        Map<String, String> m = valid();
        m.remove("PIPEDRIVE_EXPANSION_API_TOKEN");
        assertThat(failure(m)).hasMessageStartingWith("Setting PIPEDRIVE_EXPANSION_API_TOKEN: is required");
        m = valid();
        m.remove("PIPEDRIVE_COMMERCIAL_BASE_URL");
        assertThat(failure(m).setting()).isEqualTo("PIPEDRIVE_COMMERCIAL_BASE_URL");
    }

    @Test
    void plainHttpIsRefusedExceptForLoopbackAndNamedHosts() {
        Map<String, String> m = valid();
        m.put("PIPEDRIVE_COMMERCIAL_BASE_URL", "http://skyfit.pipedrive.com");
        assertThat(failure(m)).hasMessageContaining("PIPEDRIVE_COMMERCIAL_BASE_URL").hasMessageContaining("must use https")
                .hasMessageContaining("SKYFIT_ALLOW_HTTP_HOSTS");
        m.put("SKYFIT_ALLOW_HTTP_HOSTS", "proxy.internal, skyfit.pipedrive.com");
        assertThat(PipedriveConfig.fromSettings(Settings.of(m)).scope("commercial").baseUrl().toString())
                .isEqualTo("http://skyfit.pipedrive.com");
        m = valid();
        m.put("PIPEDRIVE_COMMERCIAL_BASE_URL", "http://127.0.0.1:8080/commercial");
        assertThat(PipedriveConfig.fromSettings(Settings.of(m)).scope("commercial").baseUrl().getHost()).isEqualTo("127.0.0.1");
        m.put("PIPEDRIVE_COMMERCIAL_BASE_URL", "https://user:" + TOKEN + "@skyfit.pipedrive.com");
        assertThat(failure(m)).hasMessageContaining("user info").hasMessageNotContaining(TOKEN);
    }

    @Test
    void scopeNamesAreNormalizedSoMixedCaseFindsTheSameSettings() {
        Map<String, String> m = valid();
        m.put("PIPEDRIVE_SCOPES", " Commercial ,EXPANSION");
        RestConfig c = PipedriveConfig.fromSettings(Settings.of(m));
        assertThat(c.scopes()).extracting(ScopeConfig::name).containsExactly("commercial", "expansion");
        assertThat(com.skyfit.lake.config.SourceSettings.normalizeScopes(java.util.List.of("Commercial")))
                .containsExactly("commercial");
    }

    @Test
    void badValuesNameTheSettingAndWhatItExpects() {
        Map<String, String> m = valid();
        m.put("PIPEDRIVE_COMMERCIAL_BASE_URL", "skyfit.pipedrive.com");
        assertThat(failure(m)).hasMessageContaining("PIPEDRIVE_COMMERCIAL_BASE_URL").hasMessageContaining("https URL");
        m = valid();
        m.put("PIPEDRIVE_COMMERCIAL_BASE_URL", "https://skyfit.pipedrive.com?api_token=" + TOKEN);
        assertThat(failure(m)).hasMessageContaining("must not carry a query").hasMessageNotContaining(TOKEN);
        m = valid();
        m.put("PIPEDRIVE_PAGE_SIZE", "501");
        assertThat(failure(m)).hasMessage("Setting PIPEDRIVE_PAGE_SIZE: must be between 1 and 500, got 501");
        m = valid();
        m.put("PIPEDRIVE_REQUESTS_PER_2S", "many");
        assertThat(failure(m).setting()).isEqualTo("PIPEDRIVE_REQUESTS_PER_2S");
        m = valid();
        m.put("PIPEDRIVE_SCOPES", "commercial,commercial");
        assertThat(failure(m)).hasMessageContaining("listed twice");
        m = valid();
        m.put("PIPEDRIVE_SCOPES", "comm-ercial");
        assertThat(failure(m).setting()).isEqualTo("PIPEDRIVE_SCOPES");
    }

    @Test
    void reconcilePeriodIsDaysFromZeroAndAWrongValueNamesItsSetting() {
        Map<String, String> m = valid();
        m.put(PipedriveConfig.KEYS.reconcileDays(), "0");
        assertThat(PipedriveConfig.fromSettings(Settings.of(m)).reconcileEvery()).isZero();
        m.put(PipedriveConfig.KEYS.reconcileDays(), "-1");
        assertThat(failure(m).setting()).isEqualTo(PipedriveConfig.KEYS.reconcileDays());
        m.put(PipedriveConfig.KEYS.reconcileDays(), "weekly");
        assertThat(failure(m).setting()).isEqualTo(PipedriveConfig.KEYS.reconcileDays());
    }

    @Test
    void registryKnowsPipedriveAndNamesTheKnownSources() {
        assertThat(Sources.names()).contains("pipedrive");
        assertThat(Sources.get("pipedrive").definition().stream("deals").passes())
                .extracting(p -> p.pathOr("/api/v2/deals") + p.params())
                .containsExactly("/api/v2/deals{}", "/api/v2/deals{status=deleted}", "/api/v2/deals/archived{}");
        assertThat(Sources.get("pipedrive").config(Settings.of(valid())).scopes()).hasSize(2);
        // Lists that never show a deleted record are reconciled; whole lists find deletes on every read.
        assertThat(Sources.get("pipedrive").definition().streams().stream().filter(StreamSpec::reconciles)
                .map(StreamSpec::entity)).containsExactly("deals", "persons", "organizations", "activities");
        assertThat(Sources.get("pipedrive").config(Settings.of(valid())).reconcileEvery()).hasDays(7);
        assertThatThrownBy(() -> Sources.get("salesforce")).hasMessageContaining("known sources: [pipedrive");
    }
}
