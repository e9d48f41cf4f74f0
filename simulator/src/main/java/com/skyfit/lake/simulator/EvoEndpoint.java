package com.skyfit.lake.simulator;

import java.util.Map;

/**
 * The EVO endpoints the simulator serves: path, largest take, the date filter whose days the list is generated
 * by (null: the whole list), and every date filter honoured, as request name -> record field.
 */
enum EvoEndpoint {
    BRANCHES("branches", "/api/v1/configuration", 0, null, Map.of()),
    MEMBERS("members", "/api/v2/members", 50, "registerDate", Map.of("registerDate", "registerDate",
            "conversionDate", "conversionDate", "membershipStartDate", "memberships.startDate",
            "membershipCancelDate", "memberships.cancelDate")),
    MEMBER_MEMBERSHIPS("member_memberships", "/api/v2/membermembership", 25, "registerDate",
            Map.of("registerDate", "registerDate", "cancelDate", "cancelDate")),
    SALES("sales", "/api/v2/sales", 100, "dateSale", Map.of("dateSale", "saleDate", "removalDate", "removalDate")),
    RECEIVABLES("receivables", "/api/v1/receivables", 50, "updateDate", Map.of("updateDate", "updateDate",
            "registrationDate", "registrationDate", "dueDate", "dueDate", "receivingDate", "receivingDate",
            "competenceDate", "competenceDate", "cancellationDate", "cancellationDate")),
    ENTRIES("entries", "/api/v1/entries", 1000, "registerDate", Map.of("registerDate", "date")),
    PROSPECTS("prospects", "/api/v1/prospects", 50, "registerDate",
            Map.of("registerDate", "registerDate", "conversionDate", "conversionDate")),
    EMPLOYEES("employees", "/api/v2/employees", 50, null, Map.of());

    final String entity;
    final String path;
    final int maxTake;
    final String primary;
    final Map<String, String> filters;

    EvoEndpoint(String entity, String path, int maxTake, String primary, Map<String, String> filters) {
        this.entity = entity;
        this.path = path;
        this.maxTake = maxTake;
        this.primary = primary;
        this.filters = filters;
    }

    static EvoEndpoint ofPath(String path) {
        for (EvoEndpoint e : values()) {
            if (e.path.equalsIgnoreCase(path)) {
                return e;
            }
        }
        return null;
    }

    static EvoEndpoint ofEntity(String entity) {
        for (EvoEndpoint e : values()) {
            if (e.entity.equals(entity)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown EVO entity '" + entity + "'");
    }

    /** The lake's entity name, e.g. "member_memberships". */
    public String entity() {
        return entity;
    }
}
