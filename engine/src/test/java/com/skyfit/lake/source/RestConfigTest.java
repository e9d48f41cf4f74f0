package com.skyfit.lake.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.source.StreamSpec.TimeFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The shared settings reader of REST sources: scopes, base URLs, the three kinds of credential, limits, start date. */
class RestConfigTest {
    private static final SourceDefinition WINDOWED = new SourceDefinition("gym", List.of(
            StreamSpec.builder("entries", "/entries").paginator(Paginator.takeSkip()).cursorField("date")
                    .incremental("from", "to", TimeFormat.DATE).windows(Duration.ofDays(1)).build()),
            ErrorTable.builder().standardRows().build());
    private static final SourceDefinition WHOLE = new SourceDefinition("desk", List.of(
            StreamSpec.builder("users", "/users").paginator(Paginator.takeSkip()).build()),
            ErrorTable.builder().standardRows().build());

    private static Map<String, String> gym() {
        Map<String, String> m = new HashMap<>();
        m.put("GYM_SCOPES", "north,South");
        m.put("GYM_NORTH_BASE_URL", "https://north.gym.example/");
        m.put("GYM_NORTH_USER", "lake");
        m.put("GYM_NORTH_PASSWORD", "pw-north");
        m.put("GYM_SOUTH_BASE_URL", "https://south.gym.example");
        m.put("GYM_SOUTH_USER", "lake");
        m.put("GYM_SOUTH_PASSWORD", "pw-south");
        m.put("GYM_START_DATE", "2024-01-15");
        return m;
    }

    private static RestConfig gym(Map<String, String> m) {
        return RestConfig.read(Settings.of(m), "gym").scopes("the gyms", "https://api.gym.example", RestConfig.Auth.basic())
                .maxPageSize(50).rate(40, 60).overlapMinutes(0).build(size -> WINDOWED);
    }

    @Test
    void basicCredentialsPerScopeWithTheSourcesDefaultsAndStartDate() {
        RestConfig c = gym(gym());

        assertThat(c.scopes()).extracting(ScopeConfig::name).containsExactly("north", "south");
        Credential north = c.scope("north").credential();
        assertThat(north.header()).isEqualTo("Authorization");
        assertThat(north.value().reveal()).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("lake:pw-north".getBytes(StandardCharsets.UTF_8)));
        assertThat(north.setting()).isEqualTo("GYM_NORTH_PASSWORD");
        assertThat(c.toString()).doesNotContain("pw-north");
        assertThat(c.pageSize()).isEqualTo(50);
        assertThat(c.http().requestsPerWindow()).isEqualTo(40);
        assertThat(c.http().window()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.overlap()).isZero();
        assertThat(c.startDate()).isEqualTo(Instant.parse("2024-01-15T00:00:00Z"));
    }

    @Test
    void eachWrongOrMissingSettingNamesItsKey() {
        Map<String, String> m = gym();
        m.remove("GYM_SOUTH_USER");
        assertThatThrownBy(() -> gym(m)).isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("Setting GYM_SOUTH_USER: is required");
        Map<String, String> date = gym();
        date.put("GYM_START_DATE", "15/01/2024");
        assertThatThrownBy(() -> gym(date)).hasMessage("Setting GYM_START_DATE: must be a date YYYY-MM-DD, got '15/01/2024'");
        Map<String, String> noStart = gym();
        noStart.remove("GYM_START_DATE");
        assertThatThrownBy(() -> gym(noStart)).hasMessageStartingWith("Setting GYM_START_DATE: is required");
        Map<String, String> rate = gym();
        rate.put("GYM_REQUESTS_PER_MINUTE", "0");
        assertThatThrownBy(() -> gym(rate)).hasMessageStartingWith("Setting GYM_REQUESTS_PER_MINUTE: must be between 1");
        Map<String, String> none = gym();
        none.remove("GYM_SCOPES");
        assertThatThrownBy(() -> gym(none)).hasMessage("Setting GYM_SCOPES: is required (the gyms)");
    }

    @Test
    void oneAccountWithABearerTokenReadsUnscopedKeysAndNoStartDateWithoutWindows() {
        Map<String, String> m = Map.of("DESK_BASE_URL", "https://skyfit.desk.example", "DESK_API_TOKEN", "t0k",
                "DESK_START_DATE", "not read: no windowed stream");
        TreeSet<String> read = new TreeSet<>();
        RestConfig c = RestConfig.read(Settings.of(m).recordingReads(read::add), "desk")
                .singleAccount("https://company.desk.example", RestConfig.Auth.bearer()).build(size -> WHOLE);

        assertThat(c.scopes()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("default");
            assertThat(s.credential().value().reveal()).isEqualTo("Bearer t0k");
            assertThat(s.credential().setting()).isEqualTo("DESK_API_TOKEN");
        });
        assertThat(c.startDate()).isNull();
        assertThat(read).contains("DESK_BASE_URL", "DESK_API_TOKEN", "DESK_PAGE_SIZE", "DESK_REQUESTS_PER_2S")
                .doesNotContain("DESK_START_DATE", "DESK_SCOPES");
    }

    @Test
    void aHeaderTokenTravelsAsItIs() {
        Credential c = RestConfig.Auth.headerToken("x-api-token").read(
                Settings.of(Map.of("PIPEDRIVE_COMMERCIAL_API_TOKEN", "abc")),
                com.skyfit.lake.config.SourceKeys.of("pipedrive"), "commercial");
        assertThat(c.header()).isEqualTo("x-api-token");
        assertThat(c.value().reveal()).isEqualTo("abc");
        assertThat(c.setting()).isEqualTo("PIPEDRIVE_COMMERCIAL_API_TOKEN");
    }

    @Test
    void windowsNeedATimeFilterAndGiveTheStreamItsKind() {
        assertThat(WINDOWED.stream("entries").kind()).isEqualTo(StreamSpec.Kind.EVENT_WINDOWS);
        assertThat(WHOLE.stream("users").kind()).isEqualTo(StreamSpec.Kind.WHOLE_LIST);
        assertThat(com.skyfit.lake.source.pipedrive.PipedriveSource.DEFINITION.stream("deals").kind())
                .isEqualTo(StreamSpec.Kind.UPDATED_SINCE);
        assertThatThrownBy(() -> StreamSpec.builder("x", "/x").paginator(Paginator.takeSkip())
                .windows(Duration.ofDays(1)).build()).hasMessageContaining("no time filter");
    }
}
