package com.skyfit.lake.simulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One {@code <name>Start} / {@code <name>End} pair of a request, both bounds inclusive (a missing bound is open),
 * applied to a record field; a dotted field ("memberships.startDate") matches when any element's value does.
 */
record EvoFilter(String name, String field, long lo, long hi, String loText, String hiText) {

    static EvoFilter of(String name, String field, long lo, long hi) {
        return new EvoFilter(name, field, lo, hi, lo == Long.MIN_VALUE ? null : EvoTime.text(lo),
                hi == Long.MAX_VALUE ? null : EvoTime.text(hi));
    }

    boolean contains(long second) {
        return second >= lo && second <= hi;
    }

    /** Records hold fixed-width texts, which compare as the times they name. */
    boolean contains(String text) {
        return text != null && (loText == null || text.compareTo(loText) >= 0)
                && (hiText == null || text.compareTo(hiText) <= 0);
    }

    boolean matches(JsonNode record) {
        int dot = field.indexOf('.');
        if (dot < 0) {
            return contains(record.path(field).textValue());
        }
        for (JsonNode element : record.path(field.substring(0, dot))) {
            if (contains(element.path(field.substring(dot + 1)).textValue())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the whole local day starting at {@code dayStart} lies inside the bounds. */
    boolean covers(long dayStart) {
        return lo <= dayStart && hi >= dayStart + EvoTime.DAY - 1;
    }
}
