package com.skyfit.lake.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    @Test
    void readsTheFormatsSourcesWrite() {
        assertThat(Timestamps.parse("2023-02-22 08:27:53")).isEqualTo(Instant.parse("2023-02-22T08:27:53Z"));
        assertThat(Timestamps.parse("2023-02-22 08:52:06.047")).isEqualTo(Instant.parse("2023-02-22T08:52:06.047Z"));
        assertThat(Timestamps.parse("2023-02-28")).isEqualTo(Instant.parse("2023-02-28T00:00:00Z"));
        assertThat(Timestamps.parse("2021-05-29T10:36:10.182Z")).isEqualTo(Instant.parse("2021-05-29T10:36:10.182Z"));
        assertThat(Timestamps.parse("2024-05-01T10:00:00-03:00")).isEqualTo(Instant.parse("2024-05-01T13:00:00Z"));
        assertThat(Timestamps.parse("2024-05-01T10:00:00")).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(Timestamps.parse("")).isNull();
        assertThat(Timestamps.parse("soon")).isNull();
    }

    @Test
    void windowBoundsNeverLoseTheirEdges() {
        Instant t = Instant.parse("2024-05-01T10:00:00.250Z");
        assertThat(StreamSpec.TimeFormat.RFC3339_SECONDS.format(t, false)).isEqualTo("2024-05-01T10:00:00Z");
        assertThat(StreamSpec.TimeFormat.RFC3339_SECONDS.format(t, true)).isEqualTo("2024-05-01T10:00:01Z");
        assertThat(StreamSpec.TimeFormat.RFC3339_SECONDS.format(Instant.parse("2024-05-01T10:00:00Z"), true))
                .isEqualTo("2024-05-01T10:00:00Z");
        assertThat(StreamSpec.TimeFormat.UNIX_SECONDS.format(t, false)).isEqualTo("1714557600");
        assertThat(StreamSpec.TimeFormat.DATE.format(t, true)).isEqualTo("2024-05-02");
    }
}
