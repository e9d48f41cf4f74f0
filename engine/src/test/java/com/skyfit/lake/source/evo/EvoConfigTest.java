package com.skyfit.lake.source.evo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.source.Credential;
import com.skyfit.lake.source.RestConfig;
import com.skyfit.lake.source.RestConnector;
import com.skyfit.lake.source.LocalRequestGate;
import com.skyfit.lake.source.Sources;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** EVO's settings: one Basic key per scope, the shared base URL, its sliding-minute budget, start date, look-back. */
class EvoConfigTest {

    private static Map<String, String> evo() {
        Map<String, String> m = new HashMap<>();
        m.put("EVO_SCOPES", "north, South");
        m.put("EVO_NORTH_DNS", "skyfitnorth");
        m.put("EVO_NORTH_SECRET_KEY", "north-Secret-1");
        m.put("EVO_SOUTH_DNS", "skyfitsouth");
        m.put("EVO_SOUTH_SECRET_KEY", "south-Secret-2");
        m.put("EVO_START_DATE", "2023-01-01");
        return m;
    }

    private static RestConfig read(Map<String, String> m) {
        return EvoConfig.fromSettings(Settings.of(m));
    }

    @Test
    void eachScopeIsAKeyWithItsDnsAsTheBasicUserOnTheSharedPublicUrl() {
        RestConfig c = read(evo());

        assertThat(c.scopes()).extracting(s -> s.name()).containsExactly("north", "south");
        assertThat(c.scopes()).allSatisfy(s -> assertThat(s.baseUrl()).isEqualTo(URI.create(EvoSource.DEFAULT_BASE_URL)));
        Credential south = c.scope("south").credential();
        assertThat(south.header()).isEqualTo("Authorization");
        assertThat(south.value().reveal()).isEqualTo("Basic " + Base64.getEncoder()
                .encodeToString("skyfitsouth:south-Secret-2".getBytes(StandardCharsets.UTF_8)));
        assertThat(south.setting()).isEqualTo("EVO_SOUTH_DNS / EVO_SOUTH_SECRET_KEY");
        assertThat(c.toString()).doesNotContain("south-Secret-2").doesNotContain("north-Secret-1");
        assertThat(c.scope("north").tokenKey()).isNotEqualTo(c.scope("south").tokenKey()).startsWith("evo:");
        assertThat(c.startDate()).isEqualTo(Instant.parse("2023-01-01T00:00:00Z"));
    }

    @Test
    void fortyRequestsASlidingMinutePerKeyAreSpacedSoNoMinuteEverHoldsAFortyFirst() {
        RestConfig c = read(evo());

        assertThat(c.http().requestsPerWindow()).isEqualTo(40);
        assertThat(c.http().window()).isEqualTo(Duration.ofMinutes(1));
        // 40 requests span 39 intervals = one minute; the 41st comes a whole interval after the minute of the first
        assertThat(c.http().requestInterval()).isEqualTo(Duration.ofSeconds(60).dividedBy(39));
        assertThat(c.http().requestInterval().multipliedBy(40)).isGreaterThan(Duration.ofSeconds(60));
        assertThat(60.0 / c.http().requestInterval().toNanos() * 1e9 / 40).isGreaterThanOrEqualTo(0.9);

        Map<String, String> m = evo();
        m.put("EVO_REQUESTS_PER_MINUTE", "1");
        assertThat(read(m).http().requestInterval()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void theLookBackIsEveryEventDatedStreamsOverlapWhileReceivablesKeepTheSourcesOverlap() {
        Map<String, String> m = evo();
        m.put("EVO_LOOKBACK_DAYS", "5");
        m.put("EVO_OVERLAP_MINUTES", "30");
        try (RestConnector c = new RestConnector(read(m), new LocalRequestGate())) {
            for (String e : new String[] {"members", "member_memberships", "sales", "entries", "prospects"}) {
                assertThat(c.overlap(e)).as(e).isEqualTo(Duration.ofDays(5));
            }
            assertThat(c.overlap("receivables")).isEqualTo(Duration.ofMinutes(30));
            assertThat(c.rescanEvery("members")).isEqualTo(Duration.ofDays(7));
            assertThat(c.rescanEvery("entries")).isNull();
            assertThat(c.windowSize("entries")).isEqualTo(Duration.ofDays(1));
        }
        try (RestConnector c = new RestConnector(read(evo()), new LocalRequestGate())) {
            assertThat(c.overlap("entries")).isEqualTo(Duration.ofDays(3));
            assertThat(c.overlap("receivables")).isEqualTo(Duration.ofMinutes(10));
        }
    }

    @Test
    void everyWrongValueStopsStartUpNamingItsSetting() {
        assertRefused(without("EVO_SOUTH_DNS"), "Setting EVO_SOUTH_DNS: is required");
        assertRefused(without("EVO_NORTH_SECRET_KEY"), "Setting EVO_NORTH_SECRET_KEY: is required");
        assertRefused(without("EVO_START_DATE"), "Setting EVO_START_DATE: is required");
        assertRefused(with("EVO_START_DATE", "01/01/2023"), "Setting EVO_START_DATE: must be a date YYYY-MM-DD");
        assertRefused(with("EVO_REQUESTS_PER_MINUTE", "0"), "Setting EVO_REQUESTS_PER_MINUTE: must be between 1");
        assertRefused(with("EVO_REQUESTS_PER_MINUTE", "forty"), "Setting EVO_REQUESTS_PER_MINUTE: must be a whole number");
        assertRefused(with("EVO_LOOKBACK_DAYS", "-1"), "Setting EVO_LOOKBACK_DAYS: must be between 0");
        assertRefused(with("EVO_LOOKBACK_DAYS", "3d"), "Setting EVO_LOOKBACK_DAYS: must be a whole number");
        assertRefused(with("EVO_BASE_URL", "ftp://evo.example"), "Setting EVO_BASE_URL: must be an https URL");
        assertRefused(with("EVO_BASE_URL", "http://evo.example"), "Setting EVO_BASE_URL: must use https");
        assertRefused(with("EVO_SCOPES", "north,north"), "Setting EVO_SCOPES: scope 'north' is listed twice");
        assertRefused(with("EVO_SCOPES", "1st"), "Setting EVO_SCOPES: scope '1st' must be letters");
        assertRefused(with("EVO_HTTP_RETRIES", "many"), "Setting EVO_HTTP_RETRIES: must be a whole number");
        assertRefused(with("EVO_OVERLAP_MINUTES", "-5"), "Setting EVO_OVERLAP_MINUTES: must be between 0");
        assertThat(read(with("EVO_BASE_URL", "https://evo.example/")).scope("north").baseUrl())
                .isEqualTo(URI.create("https://evo.example"));
    }

    @Test
    void theRegisteredSourceReadsExactlyTheseKeys() {
        TreeSet<String> keys = new TreeSet<>(Sources.get("evo").settingsRead(Settings.of(evo())));

        assertThat(keys).filteredOn(k -> k.startsWith("EVO_")).containsExactly("EVO_BASE_URL", "EVO_HTTP_RETRIES", "EVO_LOOKBACK_DAYS",
                "EVO_MAX_RETRY_WAIT_SECONDS", "EVO_NORTH_DNS", "EVO_NORTH_SECRET_KEY", "EVO_OVERLAP_MINUTES",
                "EVO_REQUESTS_PER_MINUTE", "EVO_SCOPES", "EVO_SOUTH_DNS", "EVO_SOUTH_SECRET_KEY", "EVO_START_DATE");
    }

    private static void assertRefused(Map<String, String> m, String message) {
        assertThatThrownBy(() -> read(m)).isInstanceOf(SettingsException.class).hasMessageStartingWith(message)
                .hasMessageNotContaining("Secret-");
    }

    private static Map<String, String> without(String key) {
        Map<String, String> m = evo();
        m.remove(key);
        return m;
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> m = evo();
        m.put(key, value);
        return m;
    }
}
