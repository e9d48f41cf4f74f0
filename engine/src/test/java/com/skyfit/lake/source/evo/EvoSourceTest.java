package com.skyfit.lake.source.evo;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.source.SinglePagePaginator;
import com.skyfit.lake.source.StreamSpec;
import com.skyfit.lake.source.StreamSpec.TimeFormat;
import com.skyfit.lake.source.TakeSkipPaginator;
import com.skyfit.lake.source.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** EVO as data: each endpoint, its largest take, its filter and window, and the time format its filters take. */
class EvoSourceTest {

    @Test
    void everyEndpointWithItsLargestTakeFilterAndWindow() {
        Map<String, String> expected = Map.of(
                "branches", "/api/v1/configuration take=- filter=- window=- rescan=-",
                "members", "/api/v2/members take=50 filter=registerDate window=PT168H rescan=PT168H",
                "member_memberships", "/api/v2/membermembership take=25 filter=registerDate window=PT168H rescan=PT168H",
                "sales", "/api/v2/sales take=100 filter=dateSale window=PT24H rescan=PT720H",
                "receivables", "/api/v1/receivables take=50 filter=updateDate window=PT24H rescan=-",
                "entries", "/api/v1/entries take=1000 filter=registerDate window=PT24H rescan=-",
                "prospects", "/api/v1/prospects take=50 filter=registerDate window=PT168H rescan=PT720H",
                "employees", "/api/v2/employees take=50 filter=- window=- rescan=-");
        assertThat(EvoSource.DEFINITION.entities()).containsExactly("branches", "members", "member_memberships", "sales",
                "receivables", "entries", "prospects", "employees");
        for (StreamSpec s : EvoSource.DEFINITION.streams()) {
            String take = s.paginator() instanceof SinglePagePaginator ? "-" : String.valueOf(s.pageSize());
            String filter = s.incremental() == null ? "-"
                    : s.incremental().sinceParam().replace("Start", "") + (s.incremental().untilParam()
                            .equals(s.incremental().sinceParam().replace("Start", "End")) ? "" : " (no End)");
            assertThat(s.path() + " take=" + take + " filter=" + filter + " window=" + or(s.windows().size())
                    + " rescan=" + or(s.windows().rescanEvery())).as(s.entity()).isEqualTo(expected.get(s.entity()));
            if (s.incremental() != null) {
                assertThat(s.incremental().format()).isEqualTo(TimeFormat.LOCAL_SECONDS_INCLUSIVE);
            }
        }
        assertThat(EvoSource.DEFINITION.stream("branches").paginator().recordsField()).isNull();
        assertThat(EvoSource.DEFINITION.stream("employees").paginator()).isInstanceOf(TakeSkipPaginator.class);
        assertThat(EvoSource.DEFINITION.stream("members").params()).containsEntry("showMemberships", "true");
        assertThat(EvoSource.DEFINITION.stream("sales").params()).containsEntry("showReceivables", "true");
        assertThat(EvoSource.DEFINITION.stream("entries").primaryKey()).isNull();
        assertThat(EvoSource.DEFINITION.stream("receivables").cursorField()).isEqualTo("updateDate");
        assertThat(EvoSource.DEFINITION.stream("sales").cursorField()).isEqualTo("saleDate");
        assertThat(EvoSource.DEFINITION.stream("receivables").windows().lookBack()).isNull();
        assertThat(EvoSource.DEFINITION.stream("entries").windows().lookBack()).isEqualTo(Duration.ofDays(3));
        assertThat(EvoSource.definition(Duration.ofDays(1), 2).streams())
                .filteredOn(s -> s.paginator() instanceof TakeSkipPaginator).hasSize(7).allSatisfy(s -> assertThat(s.pageSize())
                .isLessThanOrEqualTo(2));
    }

    @Test
    void aWindowIsSentAsItsStartAndTheLastSecondBeforeItsEndInLocalTimeWithoutOffset() {
        TimeFormat f = TimeFormat.LOCAL_SECONDS_INCLUSIVE;
        assertThat(f.format(Instant.parse("2024-05-01T00:00:00Z"), false)).isEqualTo("2024-05-01T00:00:00");
        assertThat(f.format(Instant.parse("2024-05-02T00:00:00Z"), true)).isEqualTo("2024-05-01T23:59:59");
        // an end inside a second still covers that second (its records are before the end)
        assertThat(f.format(Instant.parse("2024-05-02T00:00:00.250Z"), true)).isEqualTo("2024-05-02T00:00:00");
        assertThat(f.format(Instant.parse("2024-05-01T10:00:00.750Z"), false)).isEqualTo("2024-05-01T10:00:00");
        // EVO's times are read back as the same wall clock, as if UTC
        assertThat(Timestamps.parse("2024-05-01T23:59:59")).isEqualTo(Instant.parse("2024-05-01T23:59:59Z"));
        assertThat(Timestamps.parse(f.format(Instant.parse("2024-05-01T07:12:05Z"), false)))
                .isEqualTo(Instant.parse("2024-05-01T07:12:05Z"));
    }

    private static String or(Duration d) {
        return d == null ? "-" : d.toString();
    }
}
