package com.skyfit.lake.simulator;

import static com.skyfit.lake.simulator.EvoSimulatorTest.FIRST;
import static com.skyfit.lake.simulator.EvoSimulatorTest.small;
import static com.skyfit.lake.simulator.EvoSimulatorTest.window;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The generated data: deterministic, stable per day, changed by advance as the lake must see it, and its truth. */
class EvoDataTest {
    private static final Map<String, String> PATHS = Map.of("members", "/api/v2/members?showMemberships=true",
            "member_memberships", "/api/v2/membermembership", "sales", "/api/v2/sales?showReceivables=true",
            "receivables", "/api/v1/receivables", "entries", "/api/v1/entries", "prospects", "/api/v1/prospects",
            "employees", "/api/v2/employees");
    private static final Map<String, Integer> TAKES = Map.of("members", 50, "member_memberships", 25, "sales", 100,
            "receivables", 50, "entries", 1000, "prospects", 50, "employees", 50);
    private EvoSimulator sim;
    private EvoApi metro;

    @BeforeEach
    void start() {
        sim = small().cacheMegabytes(0).start();
        metro = new EvoApi(sim, "metro");
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void oneSeedGivesTheSameDataInTwoInstancesAndScopesDiffer() {
        try (EvoSimulator twin = small().start()) {
            EvoApi other = new EvoApi(twin, "metro");
            for (String q : List.of("/api/v1/entries?take=1000&skip=2000", "/api/v2/members?take=50&skip=100&showMemberships=true",
                    "/api/v2/sales?take=100&skip=300&showReceivables=true", "/api/v1/receivables?take=50&skip=77",
                    "/api/v1/prospects?take=50", "/api/v1/configuration")) {
                assertThat(other.get(q).body()).as(q).isEqualTo(metro.get(q).body());
            }
            assertThat(twin.secret("metro")).isEqualTo(sim.secret("metro"));
        }
        assertThat(new EvoApi(sim, "coast").get("/api/v2/members?take=5").body())
                .isNotEqualTo(metro.get("/api/v2/members?take=5").body());
    }

    @Test
    void theEntriesOfADayAreTheSameOnEveryCall() {
        String day = window("registerDate", FIRST.plusDays(5));
        List<JsonNode> first = metro.all("/api/v1/entries", day, 1000);
        metro.all("/api/v1/entries", window("registerDate", FIRST.plusDays(6)), 1000); // pushes the day out of the cache
        metro.all("/api/v2/sales", window("dateSale", FIRST.plusDays(6)), 100);
        assertThat(metro.all("/api/v1/entries", day, 1000)).isEqualTo(first);
        assertThat(metro.all("/api/v1/entries", day, 7)).isEqualTo(first);
    }

    @Test
    void theTruthIsWhatTheApiServes() {
        for (String scope : sim.scopes()) {
            EvoApi api = new EvoApi(sim, scope);
            EvoTruth truth = sim.truth(scope);
            for (Map.Entry<String, String> e : PATHS.entrySet()) {
                String[] pq = e.getValue().split("\\?");
                List<JsonNode> served = api.all(pq[0], pq.length > 1 ? pq[1] : "", TAKES.get(e.getKey()));
                assertThat(served).as(scope + " " + e.getKey()).hasSize((int) truth.count(e.getKey()));
                assertThat(served.size()).as(e.getKey()).isPositive();
                if (!e.getKey().equals("entries")) {
                    assertThat(served.stream().map(n -> n.path(idField(e.getKey())).asLong()).distinct().count())
                            .as("ids of " + e.getKey() + " are unique").isEqualTo(served.size());
                }
            }
            List<JsonNode> members = api.all("/api/v2/members", "", 50);
            Map<String, Long> byStatus = members.stream().collect(Collectors.groupingBy(
                    m -> m.get("membershipStatus").asText(), TreeMap::new, Collectors.counting()));
            assertThat(byStatus).isEqualTo(truth.membersByStatus());
            List<JsonNode> sales = api.all("/api/v2/sales", "", 100);
            BigDecimal total = sales.stream().flatMap(s -> list(s.get("saleItens")).stream())
                    .map(i -> new BigDecimal(i.get("saleValue").asText())).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(total).isEqualByComparingTo(truth.salesTotal());
            assertThat(sales.stream().filter(s -> s.get("removed").asBoolean()).count()).isEqualTo(truth.removedSales())
                    .isPositive();
            Map<Integer, Long> receivables = api.all("/api/v1/receivables", "", 50).stream().collect(
                    Collectors.groupingBy(r -> r.path("status").path("id").asInt(), TreeMap::new, Collectors.counting()));
            assertThat(receivables).isEqualTo(truth.receivablesByStatus());
            assertThat(truth.entriesPerDay().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(truth.count("entries")).isEqualTo(6_000);
        }
    }

    @Test
    void entriesHaveNoExactRepeatsButSomeTwinsOneSecondApart() {
        List<JsonNode> all = metro.all("/api/v1/entries", "", 1000);
        Set<String> keys = new HashSet<>();
        all.forEach(e -> assertThat(keys.add(e.get("idBranch") + "|" + e.get("date") + "|" + e.get("idMember") + "|"
                + e.get("idProspect") + "|" + e.get("entryType") + "|" + e.get("device"))).isTrue());
        long twins = 0;
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < Math.min(all.size(), i + 40); j++) {
                JsonNode a = all.get(i);
                JsonNode b = all.get(j);
                if (a.get("idMember").equals(b.get("idMember")) && a.get("device").equals(b.get("device"))
                        && EvoTime.parseParam("t", b.get("date").asText()) - EvoTime.parseParam("t", a.get("date").asText()) == 1) {
                    twins++;
                }
            }
        }
        assertThat(twins).isPositive();
    }

    @Test
    void theLastBranchClosesOnSundaysWithNoEntries() {
        EvoTruth truth = sim.truth("metro");
        int last = truth.branchIds().get(2);
        LocalDate sunday = LocalDate.parse("2024-05-05");
        assertThat(truth.open(last, sunday)).isFalse();
        assertThat(truth.entries(last, sunday)).isZero();
        assertThat(truth.entries(truth.branchIds().get(0), sunday)).isPositive();
        assertThat(metro.all("/api/v1/entries", window("registerDate", sunday), 1000))
                .noneMatch(e -> e.get("idBranch").asInt() == last);
    }

    static String idField(String entity) {
        return switch (entity) {
            case "members" -> "idMember";
            case "member_memberships" -> "idMemberMembership";
            case "sales" -> "idSale";
            case "receivables" -> "idReceivable";
            case "prospects" -> "idProspect";
            case "employees" -> "idEmployee";
            default -> "date";
        };
    }

    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new java.util.ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
