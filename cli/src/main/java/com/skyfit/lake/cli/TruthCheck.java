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
 * Compares every core Pipedrive table with what the simulator holds: the same keys per scope, the same update time
 * per record, and the deleted flag exactly where the source deleted (deals by status, every other record by
 * leaving its list, whole lists included), and for deals the archived flag exactly where the source archived.
 * A record removed before any read could list it is the one record core may lack.
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
        out.printf("%-12s %-14s %8s %8s %8s %8s %8s  %s%n", "scope", "entity", "source", "core", "deleted", "archived",
                "stale", "result");
        for (String scope : sim.scopes()) {
            for (String entity : ENTITIES) {
                Map<Long, JsonNode> removed = sim.removed(scope, entity);
                Map<Long, JsonNode> truth = new HashMap<>(sim.truth(scope, entity));
                truth.putAll(removed);
                Map<Long, Instant> coreTimes = new HashMap<>();
                Map<Long, Boolean> coreDeleted = new HashMap<>();
                Map<Long, Boolean> coreArchived = new HashMap<>();
                db.query("SELECT id, update_time, is_deleted, " + (entity.equals("deals") ? "is_archived" : "false")
                        + " FROM core.pd_" + entity + " WHERE scope = ?", ps -> ps.setString(1, scope), rs -> {
                            coreTimes.put(rs.getLong(1), rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant());
                            coreDeleted.put(rs.getLong(1), rs.getBoolean(3));
                            coreArchived.put(rs.getLong(1), rs.getBoolean(4));
                            return null;
                        });
                int stale = 0;
                int flagMismatch = 0;
                long deletedCount = 0;
                long archivedCount = 0;
                for (Map.Entry<Long, JsonNode> e : truth.entrySet()) {
                    JsonNode rec = e.getValue();
                    if (removed.containsKey(e.getKey()) && !coreTimes.containsKey(e.getKey())) {
                        continue; // deleted at the source before any read could see it: nothing to flag
                    }
                    Instant want = time(rec.path(UPDATE_FIELD.get(entity)).asText(null));
                    if (!coreTimes.containsKey(e.getKey()) || !Objects.equals(coreTimes.get(e.getKey()), want)) {
                        stale++;
                    }
                    boolean deleted = removed.containsKey(e.getKey()) || "deleted".equals(rec.path("status").asText());
                    boolean archived = rec.path("is_archived").asBoolean(false);
                    deletedCount += deleted ? 1 : 0;
                    archivedCount += archived ? 1 : 0;
                    if (!Objects.equals(coreDeleted.get(e.getKey()), deleted)
                            || !Objects.equals(coreArchived.get(e.getKey()), archived)) {
                        flagMismatch++;
                    }
                }
                Set<Long> extra = new HashSet<>(coreTimes.keySet());
                extra.removeAll(truth.keySet());
                boolean match = stale == 0 && flagMismatch == 0 && extra.isEmpty();
                ok &= match;
                out.printf("%-12s %-14s %8d %8d %8d %8d %8d  %s%n", scope, entity, truth.size(), coreTimes.size(),
                        deletedCount, archivedCount, stale + flagMismatch,
                        match ? "match" : "MISMATCH" + (extra.isEmpty() ? "" : " extra ids " + extra));
            }
        }
        return ok;
    }

    private static Instant time(String text) {
        return text == null || text.isBlank() ? null : LocalDateTime.parse(text, PD_TIME).toInstant(ZoneOffset.UTC);
    }
}
