package com.skyfit.lake.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The paging of exports and cursor lists, one page at a time. */
class ExportPaginatorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Paginator.Page page(int records, String envelope) throws Exception {
        return new Paginator.Page(records, JSON.readTree(envelope));
    }

    @Test
    void theCursorExportSendsOnlyTheCursorAfterTheFirstPageAndStopsAtTheEndOfTheStream() throws Exception {
        Paginator p = Paginator.exportCursor("tickets");
        Map<String, String> first = Map.of("start_time", "0", "per_page", "1000");
        assertThat(p.next(first, page(1000, "{\"after_cursor\":\"abc\",\"end_of_stream\":false}"), 1000))
                .containsExactly(Map.entry("cursor", "abc"), Map.entry("per_page", "1000"));
        Paginator.Page last = page(3, "{\"after_cursor\":\"xyz\",\"end_of_stream\":true}");
        assertThat(p.next(Map.of("cursor", "abc"), last, 1000)).isNull();
        // the last cursor is kept: the next run continues there
        assertThat(p.checkpoint(last)).isEqualTo("xyz");
        assertThat(p.resumable()).isTrue();
        assertThat(p.resume("xyz", 1000)).containsEntry("cursor", "xyz").doesNotContainKey("start_time");
        // more promised, no cursor: the read fails rather than pass for complete
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.next(first, page(1000,
                "{\"after_cursor\":null,\"end_of_stream\":false}"), 1000)).hasMessageContaining("no cursor");
    }

    @Test
    void theTimeExportStartsTheNextPageAtTheEndTimeAndStepsOverASecondReadWhole() throws Exception {
        Paginator p = Paginator.timeExport("organizations");
        Map<String, String> q = Map.of("start_time", "100", "per_page", "1000");
        assertThat(p.next(q, page(1000, "{\"end_time\":150,\"end_of_stream\":false}"), 1000))
                .containsEntry("start_time", "150");
        // a page all in its start second: that second came whole, so the next starts one later, never the same page
        assertThat(p.next(q, page(1500, "{\"end_time\":100,\"end_of_stream\":false}"), 1000))
                .containsEntry("start_time", "101");
        assertThat(p.next(q, page(10, "{\"end_time\":160,\"end_of_stream\":true}"), 1000)).isNull();
        assertThat(p.resumable()).isFalse();
    }

    @Test
    void aTimeExportPageOfAtMostThePageSizeInOneSecondFailsNamingTheSecond() throws Exception {
        Paginator p = Paginator.timeExport("organizations");
        Map<String, String> q = Map.of("start_time", "100", "per_page", "1000");
        // exactly per_page records, all in second 100: the second may hold more, so no jump past it
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.next(q, page(1000,
                "{\"end_time\":100,\"end_of_stream\":false}"), 1000)).hasMessageContaining("second 100");
    }

    @Test
    void aTimeExportWithoutEndTimeBeforeItsEndFails() throws Exception {
        Paginator p = Paginator.timeExport("organizations");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.next(Map.of("start_time", "100"), page(1000,
                "{\"end_of_stream\":false}"), 1000)).hasMessageContaining("no end time");
    }

    @Test
    void aListGoesOnWhileTheServerSaysHasMoreEvenIfTheLastPageCarriesACursor() throws Exception {
        Paginator p = Paginator.hasMore("groups");
        assertThat(p.next(Map.of("page[size]", "100"), page(100,
                "{\"meta\":{\"has_more\":true,\"after_cursor\":\"c1\"}}"), 100)).containsEntry("page[after]", "c1");
        assertThat(p.next(Map.of("page[size]", "100"), page(4,
                "{\"meta\":{\"has_more\":false,\"after_cursor\":\"c2\"}}"), 100)).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.next(Map.of(), page(100,
                "{\"meta\":{\"has_more\":true}}"), 100)).hasMessageContaining("no cursor");
    }

    @Test
    void theDedupingSinkDropsARecordSentAgainAtThePageBoundaryOnly() throws Exception {
        List<String> out = new ArrayList<>();
        DedupingSink sink = new DedupingSink("id", "updated_at", r -> out.add(new String(r)));
        for (String r : List.of("{\"id\":1,\"updated_at\":\"2024-01-01T00:00:01Z\"}",
                "{\"id\":2,\"updated_at\":\"2024-01-01T00:00:02Z\"}", "{\"id\":3,\"updated_at\":\"2024-01-01T00:00:02Z\"}",
                // the next page starts at the boundary second (>=): 2 and 3 again, then a newer version of 1
                "{\"id\":2,\"updated_at\":\"2024-01-01T00:00:02Z\"}", "{\"id\":3,\"updated_at\":\"2024-01-01T00:00:02Z\"}",
                "{\"id\":1,\"updated_at\":\"2024-01-01T00:00:03Z\"}", "not json")) {
            sink.accept(r.getBytes());
        }
        assertThat(out).hasSize(5).last().isEqualTo("not json");
        assertThat(sink.dropped()).isEqualTo(2);
        JsonNode newer = JSON.readTree(out.get(3));
        assertThat(newer.get("updated_at").asText()).endsWith("03Z");
    }
}
