package com.skyfit.lake.simulator;

import static com.skyfit.lake.simulator.EvoSimulatorTest.small;
import static com.skyfit.lake.simulator.EvoSimulatorTest.window;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What advance changes between two runs, read over HTTP as the lake reads it. */
class EvoChangesTest {
    private static final LocalDate LAST = LocalDate.parse("2024-05-14");
    private EvoSimulator sim;
    private EvoApi metro;

    @BeforeEach
    void start() {
        sim = small().start();
        metro = new EvoApi(sim, "metro");
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void membersChangeStatusWithoutAnyFilteredDateMoving() throws Exception {
        JsonNode before = metro.json("/api/v2/members?take=50&skip=10&showMemberships=true").get(0);
        long id = before.get("idMember").asLong();
        EvoChanges c = sim.advance("metro", new EvoSimulator.Advance(0, 0, 0, 0, 0, 1));
        assertThat(c.changedMembers()).isEmpty();
        long total = sim.truth("metro").count("members");
        c = sim.advance("metro", new EvoSimulator.Advance(0, (int) total, 0, 0, 0, 1));
        assertThat(c.changedMembers()).contains(id).doesNotHaveDuplicates();
        String day = before.get("registerDate").asText().substring(0, 10);
        JsonNode after = metro.all("/api/v2/members", window("registerDate", LocalDate.parse(day)) + "&showMemberships=true", 50)
                .stream().filter(m -> m.get("idMember").asLong() == id).findFirst().orElseThrow();
        assertThat(after.get("membershipStatus")).isNotEqualTo(before.get("membershipStatus"));
        assertThat(after.get("lastAccessDate").asText()).isEqualTo(c.time()).isEqualTo("2024-05-20T11:59:00");
        for (String unchanged : List.of("registerDate", "conversionDate", "memberships")) {
            assertThat(after.get(unchanged)).isEqualTo(before.get(unchanged));
        }
        assertThat(EvoApi.JSON.readTree(sim.truth("metro").member(id).toString())).isEqualTo(after);
    }

    @Test
    void lateEntriesJoinADayAlreadyReadAndNewDaysComeWithRecords() {
        List<JsonNode> read = metro.all("/api/v1/entries", window("registerDate", LAST), 1000);
        Map<String, EvoChanges> changes = sim.advance(2, 5);
        EvoChanges c = changes.get("metro");
        int late = c.lateEntries().get(LAST);
        assertThat(late).isPositive();
        List<JsonNode> again = metro.all("/api/v1/entries", window("registerDate", LAST), 1000);
        assertThat(again).hasSize(read.size() + late).containsAll(read);
        assertThat(c.newDays()).containsExactly(LAST.plusDays(1), LAST.plusDays(2));
        assertThat(sim.endDate()).isEqualTo(LAST.plusDays(2));
        for (String q : List.of("/api/v1/entries", "/api/v2/members", "/api/v2/sales", "/api/v1/prospects")) {
            String filter = q.endsWith("sales") ? "dateSale" : "registerDate";
            assertThat(metro.json(q + "?" + window(filter, LAST.plusDays(1)))).as(q).isNotEmpty();
        }
        assertThat(sim.truth("metro").entriesPerDay().get(LAST)).isEqualTo(read.size() + late);
    }

    @Test
    void receivablesReceivedOrCanceledMoveTheirUpdateDateAndSalesAreRemovedKeepingTheirDate() {
        List<JsonNode> before = metro.all("/api/v1/receivables", "", 50);
        EvoChanges c = sim.advance("metro", new EvoSimulator.Advance(0, 0, 30, 10, 0, 9));
        assertThat(c.receivedReceivables().size() + c.canceledReceivables().size()).isEqualTo(30);
        assertThat(c.removedSales()).hasSize(10);
        List<JsonNode> moved = metro.all("/api/v1/receivables",
                "updateDateStart=" + c.time() + "&updateDateEnd=" + c.time(), 50);
        assertThat(moved).hasSize(30).allSatisfy(r -> assertThat(r.get("status").get("id").asInt()).isIn(2, 3));
        assertThat(moved).extracting(r -> r.get("idReceivable").asLong())
                .containsExactlyInAnyOrderElementsOf(concat(c.receivedReceivables(), c.canceledReceivables())).isSorted();
        JsonNode received = moved.stream().filter(r -> r.get("status").get("id").asInt() == 2).findFirst().orElseThrow();
        assertThat(received.get("receivingDate").asText()).isEqualTo(c.time());
        assertThat(received.get("amountPaid")).isEqualTo(received.get("ammount"));
        // a window over the whole range lists each receivable once, the moved ones among them, by id
        List<JsonNode> all = metro.all("/api/v1/receivables", "updateDateStart=2024-01-01&updateDateEnd=2030-01-01", 50);
        assertThat(all).hasSize(before.size());
        assertThat(all).extracting(r -> r.get("idReceivable").asLong()).isSorted().doesNotHaveDuplicates();
        // a window over the day a moved receivable was registered no longer holds it
        String registered = received.get("registrationDate").asText().substring(0, 10);
        assertThat(metro.all("/api/v1/receivables", window("updateDate", LocalDate.parse(registered)), 50))
                .noneMatch(r -> r.get("idReceivable").equals(received.get("idReceivable")));

        long saleId = c.removedSales().get(0);
        JsonNode sale = metro.all("/api/v2/sales", "removalDateStart=" + c.time(), 100).stream()
                .filter(s -> s.get("idSale").asLong() == saleId).findFirst().orElseThrow();
        assertThat(sale.get("removed").asBoolean()).isTrue();
        assertThat(sale.get("removalDate").asText()).isEqualTo(c.time());
        JsonNode original = before.stream().filter(r -> r.get("idSale").asLong() == saleId).findFirst().orElseThrow();
        assertThat(sale.get("saleDate")).isEqualTo(original.get("registrationDate"));
        assertThat(sim.truth("metro").removedSales())
                .isEqualTo(metro.all("/api/v2/sales", "", 100).stream().filter(s -> s.get("removed").asBoolean()).count());
    }

    @Test
    void aSalesEmbeddedReceivableFollowsItsChange() {
        EvoChanges c = sim.advance("metro", new EvoSimulator.Advance(0, 0, 5, 0, 0, 3));
        long id = c.receivedReceivables().isEmpty() ? c.canceledReceivables().get(0) : c.receivedReceivables().get(0);
        JsonNode sale = metro.all("/api/v2/sales", "showReceivables=true", 100).stream()
                .filter(s -> s.get("idSale").asLong() == id / 10).findFirst().orElseThrow();
        JsonNode part = EvoDataTest.list(sale.get("receivables")).stream()
                .filter(r -> r.get("idReceivable").asLong() == id).findFirst().orElseThrow();
        assertThat(part.get("status").get("id").asInt()).isIn(2, 3);
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        List<Long> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
