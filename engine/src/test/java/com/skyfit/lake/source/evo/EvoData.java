package com.skyfit.lake.source.evo;

import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A few days of one gym network in the contract's field names, sized so every paged endpoint needs two pages. */
final class EvoData {
    private static final Map<String, Integer> COUNTS = Map.of("branches", 2, "members", 52, "member_memberships", 26,
            "sales", 3, "receivables", 3, "entries", 1004, "prospects", 2, "employees", 51);

    private EvoData() {}

    static long count(String entity) {
        return COUNTS.get(entity);
    }

    static void fill(EvoTestApi api) {
        for (int b = 1; b <= 2; b++) {
            api.add("/api/v1/configuration", Map.of("idBranch", b, "name", "SkyFit " + b, "timeZone", "America/Sao_Paulo",
                    "active", true));
        }
        LocalDateTime registered = LocalDateTime.parse("2024-04-26T08:00:00");
        for (int m = 1; m <= 51; m++) {
            member(api, m, registered.plusSeconds(m).toString(), "Active");
        }
        member(api, 52, "2024-05-02T10:00:00", "Active");
        for (int c = 1; c <= 26; c++) {
            api.add("/api/v2/membermembership", Map.of("idMemberMembership", 5000 + c, "idMember", c, "idBranch", 1,
                    "name", "Plano Anual", "registerDate", "2024-04-30T09:00:" + String.format("%02d", c),
                    "membershipStatus", "canceled"));
        }
        sale(api, 1, "2024-04-27T10:00:00");
        sale(api, 2, "2024-05-01T11:00:00");
        sale(api, 3, "2024-05-02T12:00:00");
        receivable(api, 11, "2024-04-28T09:00:00");
        receivable(api, 12, "2024-05-01T15:00:00");
        receivable(api, 13, "2024-05-02T16:30:00");
        api.add("/api/v1/entries", entry("2024-04-26T07:00:00", 1, 1, "Membership"));
        api.add("/api/v1/entries", entry("2024-05-01T00:00:00", 1, 2, "Membership"));
        // two entries of one member one second apart: two records
        api.add("/api/v1/entries", entry("2024-05-01T10:00:00", 1, 3, "Membership"));
        api.add("/api/v1/entries", entry("2024-05-01T10:00:01", 1, 3, "Membership"));
        LocalDateTime day = LocalDateTime.parse("2024-05-01T06:00:07");
        for (int i = 0; i < 997; i++) {
            api.add("/api/v1/entries", entry(day.plusSeconds(40L * i).toString(), 1 + i % 2, 100 + i,
                    i % 10 == 0 ? "Gympass" : "Membership"));
        }
        api.add("/api/v1/entries", entry("2024-05-01T23:59:59", 2, 4, "DayUse"));
        api.add("/api/v1/entries", entry("2024-05-02T00:00:00", 2, 5, "Membership"));
        api.add("/api/v1/entries", entry("2024-05-03T08:00:00", 2, 6, "Membership"));
        api.add("/api/v1/prospects", Map.of("idProspect", 1, "firstName", "Ana", "registerDate", "2024-04-29T10:00:00",
                "idBranch", 1));
        api.add("/api/v1/prospects", Map.of("idProspect", 2, "firstName", "Rui", "registerDate", "2024-05-02T11:00:00",
                "idBranch", 2));
        for (int e = 1; e <= 51; e++) {
            api.add("/api/v2/employees", Map.of("idEmployee", e, "name", "Employee " + e, "idBranch", 1, "active", true,
                    "registerDate", "2023-01-01T08:00:00"));
        }
    }

    static void member(EvoTestApi api, int id, String registerDate, String status) {
        Map<String, Object> m = new HashMap<>();
        m.put("idMember", id);
        m.put("firstName", "Member " + id);
        m.put("registerDate", registerDate);
        m.put("idBranch", 1 + id % 2);
        m.put("membershipStatus", status);
        m.put("accessBlocked", false);
        m.put("gympassId", null);
        m.put("contacts", List.of(Map.of("idPhone", id * 10, "idMember", id, "contactType", "Cellphone",
                "description", "11999990000")));
        m.put("memberships", List.of(Map.of("idMemberMembership", id * 100, "idMember", id, "name", "Plano Mensal",
                "startDate", registerDate, "membershipStatus", "active")));
        api.add("/api/v2/members", m);
    }

    static Map<String, Object> entry(String date, int branch, int member, String type) {
        Map<String, Object> e = new HashMap<>();
        e.put("date", date);
        e.put("idMember", member);
        e.put("idProspect", null);
        e.put("idBranch", branch);
        e.put("entryType", type);
        e.put("device", "Turnstile 1");
        e.put("blockReason", null);
        return e;
    }

    private static void sale(EvoTestApi api, int id, String date) {
        api.add("/api/v2/sales", Map.of("idSale", id, "idMember", id, "idBranch", 1, "saleDate", date, "removed", false,
                "saleItens", List.of(Map.of("idSaleItem", id * 10, "description", "Plano Mensal", "quantity", 1,
                        "itemValue", 129.90, "saleValue", 119.90, "discount", 10.00)),
                "receivables", List.of(Map.of("idReceivable", id * 100, "ammount", 119.90, "dueDate", date,
                        "status", Map.of("id", 1, "name", "Open")))));
    }

    private static void receivable(EvoTestApi api, int id, String updateDate) {
        api.add("/api/v1/receivables", Map.of("idReceivable", id, "idSale", 1, "ammount", 119.90, "updateDate",
                updateDate, "status", Map.of("id", 2, "name", "Received")));
    }
}
