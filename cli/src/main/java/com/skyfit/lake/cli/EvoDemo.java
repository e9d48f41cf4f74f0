package com.skyfit.lake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.simulator.EvoSimulator;
import com.skyfit.lake.simulator.EvoTruth;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The EVO part of the demo and the sandbox: two simulated EVO keys with a few gyms each, the settings that reach
 * them, and the check of every core EVO table against what the simulator serves now.
 */
final class EvoDemo {
    /** Days the simulator serves before the demo's changes add one more. */
    static final int DAYS = 14;
    /** The simulator's limit and the lake's: spaced by 10 ms, so the demo shows the limiter without waiting on it. */
    static final int REQUESTS_PER_MINUTE = 6000;

    /** Lake entity -> core table and the filter of the rows that count (deleted rows keep their row, flagged). */
    private static final Map<String, String[]> TABLES = tables();

    private EvoDemo() {}

    private static Map<String, String[]> tables() {
        Map<String, String[]> t = new LinkedHashMap<>();
        t.put("branches", new String[] {"evo_branches", "is_deleted"});
        t.put("members", new String[] {"evo_members", "false"});
        t.put("member_contacts", new String[] {"evo_member_contacts", "is_deleted"});
        t.put("member_memberships", new String[] {"evo_member_memberships", "is_deleted"});
        t.put("sales", new String[] {"evo_sales", "removed"});
        t.put("sale_items", new String[] {"evo_sale_items", "is_deleted"});
        t.put("receivables", new String[] {"evo_receivables", "false"});
        t.put("entries", new String[] {"evo_entries", "false"});
        t.put("prospects", new String[] {"evo_prospects", "false"});
        t.put("employees", new String[] {"evo_employees", "is_deleted"});
        return t;
    }

    /** Two keys, three gyms each, {@code entries} gym entries over {@link #DAYS} days (members, sales in proportion). */
    static EvoSimulator start(long entries, long seed, int port) {
        return EvoSimulator.builder().scopes("metro", "coast").branches(3).entries(entries).seed(seed)
                .days(LocalDate.now(java.time.ZoneOffset.UTC).minusDays(DAYS + 1L), DAYS)
                .requestsPerMinute(REQUESTS_PER_MINUTE).port(port).start();
    }

    /** Gym entries of a demo of {@code scale} deals per Pipedrive scope: enough that every kind of change happens. */
    static long entries(int scale) {
        return Math.max(1500, scale * 5L);
    }

    /** EVO_BASE_URL, EVO_SCOPES, each key's DNS and secret, EVO_START_DATE and EVO_REQUESTS_PER_MINUTE. */
    static Map<String, String> settings(EvoSimulator sim) {
        return new LinkedHashMap<>(sim.settings());
    }

    /** Members whose status, block or last access in core differ from the source's now (what only a re-scan sees). */
    static long staleMembers(Database db, EvoSimulator sim) {
        long stale = 0;
        for (String scope : sim.scopes()) {
            Map<Long, String> core = memberStates(db, scope);
            stale += sim.truth(scope).records("members").filter(m -> !Objects.equals(core.get(m.get("idMember").asLong()),
                    memberState(m))).count();
        }
        return stale;
    }

    /**
     * Every EVO core table against the simulator: rows per table, each member's status, removed sales by id,
     * receivables per status, the sum of sale totals and entries per day. Rows in the truth check's table format.
     */
    static boolean verify(Database db, EvoSimulator sim, PrintStream out) {
        boolean ok = true;
        for (String scope : sim.scopes()) {
            EvoTruth truth = sim.truth(scope);
            for (Map.Entry<String, String[]> t : TABLES.entrySet()) {
                long[] rows = db.queryFirst("SELECT count(*) FILTER (WHERE NOT " + t.getValue()[1] + "), count(*) FILTER "
                        + "(WHERE " + t.getValue()[1] + ") FROM core." + t.getValue()[0] + " WHERE scope = ?",
                        ps -> ps.setString(1, scope), rs -> new long[] {rs.getLong(1), rs.getLong(2)}).orElseThrow();
                long source = truth.count(t.getKey());
                // a removed sale keeps its row: it counts among the sales, flagged
                long core = t.getKey().equals("sales") ? rows[0] + rows[1] : rows[0];
                long flagged = t.getKey().equals("sales") ? 0 : rows[1];
                ok &= row(out, scope, t.getKey(), source, core, rows[1], source == core && flagged == 0);
            }
            ok &= members(db, scope, truth, out);
            ok &= removedSales(db, scope, truth, out);
            ok &= receivables(db, scope, truth, out);
            BigDecimal total = truth.salesTotal();
            BigDecimal coreTotal = db.queryFirst("SELECT coalesce(sum(total_value), 0) FROM core.evo_sales WHERE scope = ?",
                    ps -> ps.setString(1, scope), rs -> rs.getBigDecimal(1)).orElseThrow();
            boolean sums = total.compareTo(coreTotal) == 0;
            ok &= sums;
            out.printf("%-12s %-14s %8s %8s %8s %8s  %s%n", scope, "sales total", total.toPlainString(),
                    coreTotal.toPlainString(), "", "", sums ? "match" : "MISMATCH");
            ok &= entriesPerDay(db, scope, truth, out);
        }
        return ok;
    }

    /** Members per status, and each member's status, block and last access against the source's (the stale column). */
    private static boolean members(Database db, String scope, EvoTruth truth, PrintStream out) {
        Map<Long, String> core = memberStates(db, scope);
        Map<String, Long> coreByStatus = new TreeMap<>();
        core.values().forEach(s -> coreByStatus.merge(s.substring(0, s.indexOf('|')), 1L, Long::sum));
        Map<String, Long> stale = new HashMap<>();
        truth.records("members").forEach(m -> {
            if (!Objects.equals(core.get(m.get("idMember").asLong()), memberState(m))) {
                stale.merge(m.get("membershipStatus").asText(), 1L, Long::sum);
            }
        });
        boolean ok = true;
        Map<String, Long> source = truth.membersByStatus();
        Set<String> statuses = new TreeSet<>(source.keySet());
        statuses.addAll(coreByStatus.keySet());
        for (String status : statuses) {
            long want = source.getOrDefault(status, 0L);
            long have = coreByStatus.getOrDefault(status, 0L);
            long off = stale.getOrDefault(status, 0L);
            ok &= row(out, scope, "members " + status, want, have, 0, want == have && off == 0, off);
        }
        return ok;
    }

    private static boolean removedSales(Database db, String scope, EvoTruth truth, PrintStream out) {
        Set<Long> source = truth.records("sales").filter(s -> s.get("removed").asBoolean())
                .map(s -> s.get("idSale").asLong()).collect(Collectors.toSet());
        Set<Long> core = new HashSet<>(db.query("SELECT id_sale FROM core.evo_sales WHERE scope = ? AND removed",
                ps -> ps.setString(1, scope), rs -> rs.getLong(1)));
        Set<Long> differ = new HashSet<>(source);
        differ.addAll(core);
        differ.removeIf(id -> source.contains(id) && core.contains(id));
        return row(out, scope, "sales removed", source.size(), core.size(), core.size(), differ.isEmpty(), differ.size());
    }

    private static boolean receivables(Database db, String scope, EvoTruth truth, PrintStream out) {
        Map<Integer, Long> source = truth.receivablesByStatus();
        Map<Integer, Long> core = new TreeMap<>();
        db.query("SELECT status_id, count(*) FROM core.evo_receivables WHERE scope = ? GROUP BY status_id",
                ps -> ps.setString(1, scope), rs -> core.put(rs.getInt(1), rs.getLong(2)));
        Set<Integer> ids = new TreeSet<>(source.keySet());
        ids.addAll(core.keySet());
        boolean ok = true;
        for (Integer id : ids) {
            long want = source.getOrDefault(id, 0L);
            long have = core.getOrDefault(id, 0L);
            ok &= row(out, scope, "receivables " + id, want, have, 0, want == have);
        }
        return ok;
    }

    /** Served days against core days with the same count of entries; the stale column counts the days that differ. */
    private static boolean entriesPerDay(Database db, String scope, EvoTruth truth, PrintStream out) {
        Map<LocalDate, Long> core = new HashMap<>();
        db.query("SELECT entry_date::date, count(*) FROM core.evo_entries WHERE scope = ? GROUP BY 1",
                ps -> ps.setString(1, scope), rs -> core.put(rs.getDate(1).toLocalDate(), rs.getLong(2)));
        Map<LocalDate, Long> source = truth.entriesPerDay();
        long same = source.entrySet().stream().filter(e -> e.getValue().equals(core.getOrDefault(e.getKey(), 0L))).count();
        long outside = core.keySet().stream().filter(d -> !source.containsKey(d)).count();
        long differ = source.size() - same + outside;
        return row(out, scope, "entries/day", source.size(), same, 0, differ == 0, differ);
    }

    private static boolean row(PrintStream out, String scope, String entity, long source, long core, long flagged,
            boolean match) {
        return row(out, scope, entity, source, core, flagged, match, match ? 0 : Math.abs(source - core));
    }

    private static boolean row(PrintStream out, String scope, String entity, long source, long core, long flagged,
            boolean match, long stale) {
        out.printf("%-12s %-14s %8d %8d %8d %8d  %s%n", scope, entity, source, core, flagged, stale,
                match ? "match" : "MISMATCH");
        return match;
    }

    private static Map<Long, String> memberStates(Database db, String scope) {
        Map<Long, String> out = new HashMap<>();
        db.query("SELECT id_member, membership_status, access_blocked, to_char(last_access_date, "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS') FROM core.evo_members WHERE scope = ?", ps -> ps.setString(1, scope),
                rs -> out.put(rs.getLong(1), rs.getString(2) + "|" + rs.getBoolean(3) + "|" + rs.getString(4)));
        return out;
    }

    private static String memberState(JsonNode m) {
        JsonNode last = m.get("lastAccessDate");
        return m.get("membershipStatus").asText() + "|" + m.get("accessBlocked").asBoolean() + "|"
                + (last == null || last.isNull() ? null : last.asText());
    }

    /** The demo's summary of what {@link EvoSimulator#advance} changed. */
    static String summary(Map<String, com.skyfit.lake.simulator.EvoChanges> changes) {
        return changes.values().stream().map(com.skyfit.lake.simulator.EvoChanges::summary)
                .collect(Collectors.joining("; "));
    }

    static List<String> entities() {
        return List.copyOf(TABLES.keySet());
    }
}
