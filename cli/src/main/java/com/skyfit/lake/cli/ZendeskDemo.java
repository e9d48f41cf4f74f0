package com.skyfit.lake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.simulator.ZendeskSimulator;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The Zendesk part of the demo and the sandbox: the simulated account, the settings that reach it, its truth check. */
final class ZendeskDemo {
    private static final List<String> ENTITIES = List.of("tickets", "users", "organizations", "groups", "ticket_fields",
            "ticket_forms");

    private ZendeskDemo() {}

    /**
     * A simulated account whose exports allow 5 requests per 3 seconds, so a full load meets a 429 and waits as
     * Retry-After says (the real limit, 10 a minute, would make the demo slow without showing more).
     */
    static ZendeskSimulator start(int tickets, long seed, int port) {
        return ZendeskSimulator.builder().scale(tickets).seed(seed).port(port).exportLimit(5, Duration.ofSeconds(3))
                .burstOrganizations(1500).start();
    }

    static Map<String, String> settings(ZendeskSimulator sim) {
        Map<String, String> s = new java.util.LinkedHashMap<>();
        s.put("ZENDESK_BASE_URL", sim.baseUrl());
        s.put("ZENDESK_EMAIL", ZendeskSimulator.EMAIL);
        s.put("ZENDESK_API_TOKEN", sim.apiToken());
        s.put("ZENDESK_EXPORT_REQUESTS_PER_MINUTE", "600");
        return s;
    }

    /** Every core table against the account: the same ids, the same update times, deleted tickets flagged. */
    static boolean verify(Database db, ZendeskSimulator sim, PrintStream out) {
        boolean ok = true;
        for (String entity : ENTITIES) {
            Map<Long, JsonNode> truth = sim.truth(entity);
            Map<Long, Instant> times = new HashMap<>();
            Map<Long, Boolean> deleted = new HashMap<>();
            String flag = entity.equals("ticket_fields") || entity.equals("ticket_forms") ? "false" : "is_deleted";
            db.query("SELECT id, updated_at, " + flag + " FROM core.zd_" + entity, ps -> {}, rs -> {
                times.put(rs.getLong(1), rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant());
                deleted.put(rs.getLong(1), rs.getBoolean(3));
                return null;
            });
            int stale = 0;
            long deletedCount = 0;
            for (Map.Entry<Long, JsonNode> e : truth.entrySet()) {
                Instant want = Instant.parse(e.getValue().get("updated_at").asText());
                boolean gone = entity.equals("tickets") && "deleted".equals(e.getValue().path("status").asText());
                deletedCount += gone ? 1 : 0;
                if (!Objects.equals(times.get(e.getKey()), want)
                        || entity.equals("tickets") && !Objects.equals(deleted.get(e.getKey()), gone)) {
                    stale++;
                }
            }
            Set<Long> extra = new HashSet<>(times.keySet());
            extra.removeAll(truth.keySet());
            boolean match = stale == 0 && extra.isEmpty();
            ok &= match;
            out.printf("%-12s %-14s %8d %8d %8d %8d  %s%n", "zendesk", entity, truth.size(), times.size(), deletedCount,
                    stale, match ? "match" : "MISMATCH" + (extra.isEmpty() ? "" : " extra ids " + extra));
        }
        long fieldRows = db.queryFirst("SELECT count(*) FROM core.vw_zd_ticket_custom_fields", ps -> {},
                rs -> rs.getLong(1)).orElse(0L);
        long expected = sim.truth("tickets").values().stream().mapToLong(t -> t.path("custom_fields").size()).sum();
        boolean fields = fieldRows == expected;
        out.printf("%-12s %-14s %8d %8d %8s %8s  %s%n", "zendesk", "custom fields", expected, fieldRows, "", "",
                fields ? "match" : "MISMATCH");
        return ok && fields;
    }
}
