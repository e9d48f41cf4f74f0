package com.skyfit.lake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.simulator.PipedriveSimulator;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Compares every core Pipedrive table with what the simulator holds: the same keys per scope, the
 * same update time per record, and deleted deals present with their deleted flag.
 */
final class TruthCheck {
    private static final DateTimeFormatter PD_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");
    /** entity -> the source field holding its update time (users call it "modified"). */
    private static final Map<String, String> UPDATE_FIELD = Map.of("deals", "update_time", "persons", "update_time",
            "organizations", "update_time", "activities", "update_time", "pipelines", "update_time",
            "stages", "update_time", "users", "modified");
    private static final List<String> ENTITIES = List.of("deals", "persons", "organizations", "activities",
            "pipelines", "stages", "users");

    private TruthCheck() {}

    static boolean verify(Database db, PipedriveSimulator sim, PrintStream out) {
        boolean ok = true;
        out.printf("%-12s %-14s %8s %8s %8s %8s  %s%n", "scope", "entity", "source", "core", "deleted", "stale", "result");
        for (String scope : sim.scopes()) {
            for (String entity : ENTITIES) {
                Map<Long, JsonNode> truth = sim.truth(scope, entity);
                Map<Long, Instant> coreTimes = new HashMap<>();
                Map<Long, Boolean> coreDeleted = new HashMap<>();
                db.query("SELECT id, " + timeColumn(entity) + ", " + deletedColumn(entity) + " FROM core.pd_" + entity
                        + " WHERE scope = ?", ps -> ps.setString(1, scope), rs -> {
                            coreTimes.put(rs.getLong(1), rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant());
                            coreDeleted.put(rs.getLong(1), rs.getBoolean(3));
                            return null;
                        });
                int stale = 0;
                int deletedMismatch = 0;
                long deletedCount = 0;
                for (Map.Entry<Long, JsonNode> e : truth.entrySet()) {
                    JsonNode rec = e.getValue();
                    Instant want = time(rec.path(UPDATE_FIELD.get(entity)).asText(null));
                    if (!coreTimes.containsKey(e.getKey()) || !Objects.equals(coreTimes.get(e.getKey()), want)) {
                        stale++;
                    }
                    boolean deleted = "deleted".equals(rec.path("status").asText());
                    if (entity.equals("deals")) {
                        deletedCount += deleted ? 1 : 0;
                        if (!Objects.equals(coreDeleted.get(e.getKey()), deleted)) {
                            deletedMismatch++;
                        }
                    }
                }
                Set<Long> extra = new HashSet<>(coreTimes.keySet());
                extra.removeAll(truth.keySet());
                boolean match = stale == 0 && deletedMismatch == 0 && extra.isEmpty();
                ok &= match;
                out.printf("%-12s %-14s %8d %8d %8d %8d  %s%n", scope, entity, truth.size(), coreTimes.size(), deletedCount,
                        stale + deletedMismatch, match ? "match" : "MISMATCH" + (extra.isEmpty() ? "" : " extra ids " + extra));
            }
        }
        return ok;
    }

    static String timeColumn(String entity) {
        return "update_time";
    }

    /** Users are deactivated, never deleted, so their table has no deleted flag. */
    static String deletedColumn(String entity) {
        return entity.equals("users") ? "false" : "is_deleted";
    }

    private static Instant time(String text) {
        return text == null || text.isBlank() ? null : LocalDateTime.parse(text, PD_TIME).toInstant(ZoneOffset.UTC);
    }
}
