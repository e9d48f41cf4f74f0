package com.skyfit.lake.source.evo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.simulator.EvoSimulator;
import com.skyfit.lake.simulator.EvoTruth;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** The EVO core tables of one database read back and compared with what a simulated EVO serves now. */
final class EvoCoreChecks {
    /** Lake entity -> core table and the flag of rows a source no longer lists (kept, flagged). */
    static final Map<String, String[]> TABLES = Map.of("branches", new String[] {"evo_branches", "is_deleted"},
            "members", new String[] {"evo_members", "false"},
            "member_contacts", new String[] {"evo_member_contacts", "is_deleted"},
            "member_memberships", new String[] {"evo_member_memberships", "is_deleted"},
            "sales", new String[] {"evo_sales", "false"},
            "sale_items", new String[] {"evo_sale_items", "is_deleted"},
            "receivables", new String[] {"evo_receivables", "false"},
            "entries", new String[] {"evo_entries", "false"},
            "prospects", new String[] {"evo_prospects", "false"},
            "employees", new String[] {"evo_employees", "is_deleted"});

    private final Database db;
    private final EvoSimulator sim;

    EvoCoreChecks(Database db, EvoSimulator sim) {
        this.db = db;
        this.sim = sim;
    }

    /** Rows per core table against the API's records; a row the source no longer lists would count as flagged. */
    void assertEveryTableMatches(String scope) {
        EvoTruth truth = sim.truth(scope);
        TABLES.forEach((entity, t) -> {
            assertThat(count(t[0], scope, "NOT " + t[1])).as(scope + " " + entity).isEqualTo(truth.count(entity));
            assertThat(count(t[0], scope, t[1])).as(scope + " " + entity + " flagged").isZero();
        });
        assertThat(db.queryFirst("SELECT count(*) - count(DISTINCT (id_branch, entry_date, id_member, id_prospect, "
                + "entry_type, device)) FROM core.evo_entries WHERE scope = ?", ps -> ps.setString(1, scope),
                rs -> rs.getLong(1)).orElseThrow()).as("entries read twice are one row").isZero();
    }

    /** Members by status, removed sales, receivables by status, the sum of sale totals, entries per day. */
    void assertFactsMatch(String scope) {
        EvoTruth truth = sim.truth(scope);
        Map<String, Long> byStatus = new java.util.TreeMap<>();
        db.query("SELECT membership_status, count(*) FROM core.evo_members WHERE scope = ? GROUP BY 1",
                ps -> ps.setString(1, scope), rs -> byStatus.put(rs.getString(1), rs.getLong(2)));
        assertThat(byStatus).as(scope + " members by status").isEqualTo(truth.membersByStatus());
        assertThat(count("evo_sales", scope, "removed")).as(scope + " removed sales").isEqualTo(truth.removedSales());
        assertThat(receivablesByStatus(scope)).as(scope + " receivables by status").isEqualTo(truth.receivablesByStatus());
        assertThat(db.queryFirst("SELECT sum(total_value) FROM core.evo_sales WHERE scope = ?",
                ps -> ps.setString(1, scope), rs -> rs.getBigDecimal(1)).orElseThrow()).as(scope + " sales total")
                .isEqualByComparingTo(truth.salesTotal());
        assertThat(entriesPerDay(scope)).as(scope + " entries per day").isEqualTo(withoutEmptyDays(truth.entriesPerDay()));
    }

    Map<Integer, Long> receivablesByStatus(String scope) {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        db.query("SELECT status_id, count(*) FROM core.evo_receivables WHERE scope = ? GROUP BY 1",
                ps -> ps.setString(1, scope), rs -> out.put(rs.getInt(1), rs.getLong(2)));
        return out;
    }

    Map<LocalDate, Long> entriesPerDay(String scope) {
        Map<LocalDate, Long> out = new java.util.TreeMap<>();
        db.query("SELECT entry_date::date, count(*) FROM core.evo_entries WHERE scope = ? GROUP BY 1",
                ps -> ps.setString(1, scope), rs -> out.put(rs.getDate(1).toLocalDate(), rs.getLong(2)));
        return out;
    }

    static Map<LocalDate, Long> withoutEmptyDays(Map<LocalDate, Long> perDay) {
        Map<LocalDate, Long> out = new java.util.TreeMap<>(perDay);
        out.values().removeIf(n -> n == 0);
        return out;
    }

    long count(String table, String scope, String where) {
        return db.queryFirst("SELECT count(*) FROM core." + table + " WHERE scope = ? AND " + where,
                ps -> ps.setString(1, scope), rs -> rs.getLong(1)).orElseThrow();
    }

    List<String> row(String sql, long id) {
        return db.queryFirst(sql, ps -> ps.setLong(1, id), rs -> {
            List<String> out = new java.util.ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.add(rs.getString(i));
            }
            return out;
        }).orElseThrow();
    }

    String memberState(String scope, long id) {
        return db.queryFirst("SELECT membership_status || '|' || access_blocked || '|' || coalesce(to_char("
                + "last_access_date, 'YYYY-MM-DD\"T\"HH24:MI:SS'), '') FROM core.evo_members WHERE scope = ? AND "
                + "id_member = ?", ps -> {
                    ps.setString(1, scope);
                    ps.setLong(2, id);
                }, rs -> rs.getString(1)).orElseThrow();
    }

    static String state(JsonNode m) {
        return m.get("membershipStatus").asText() + "|" + m.get("accessBlocked").asBoolean() + "|"
                + (m.path("lastAccessDate").isTextual() ? m.get("lastAccessDate").asText() : "");
    }
}
