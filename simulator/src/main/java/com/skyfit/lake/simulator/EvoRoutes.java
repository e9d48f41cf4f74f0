package com.skyfit.lake.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns one authorised EVO request into its bare JSON array: take/skip, the take limit, the date filters. */
final class EvoRoutes {
    private EvoRoutes() {}

    /** A request the API refuses, with the status and message it answers. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** {@code query} keys are case-insensitive, as the API's are. */
    static byte[] answer(EvoScope scope, String path, Map<String, String> query) {
        EvoEndpoint e = EvoEndpoint.ofPath(path);
        if (e == null) {
            throw new Refused(404, "no endpoint " + path);
        }
        if (e == EvoEndpoint.BRANCHES) {
            return write(scope.branches(), query, e);
        }
        int take = take(query, e.maxTake);
        long skip = number(query, "skip", 0);
        if (skip < 0) {
            throw new Refused(400, "skip must be >= 0");
        }
        if (e == EvoEndpoint.EMPLOYEES) {
            List<ObjectNode> all = scope.employees();
            int from = (int) Math.min(skip, all.size());
            return write(all.subList(from, Math.min(all.size(), from + take)), query, e);
        }
        List<EvoFilter> filters = new ArrayList<>();
        EvoFilter primary = null;
        for (Map.Entry<String, String> f : e.filters.entrySet()) {
            String start = query.get(f.getKey() + "Start");
            String end = query.get(f.getKey() + "End");
            if (start == null && end == null) {
                continue;
            }
            EvoFilter filter = EvoFilter.of(f.getKey(), f.getValue(),
                    start == null ? Long.MIN_VALUE : EvoTime.parseParam(f.getKey() + "Start", start),
                    end == null ? Long.MAX_VALUE : EvoTime.parseParam(f.getKey() + "End", end));
            filters.add(filter);
            if (f.getKey().equals(e.primary)) {
                primary = filter;
            }
        }
        List<?> page = EvoPager.page(scope.source(e), primary, filters, skip, take);
        return write(page, query, e);
    }

    private static int take(Map<String, String> query, int max) {
        long take = number(query, "take", max);
        if (take > max) {
            throw new Refused(400, "take must be <= " + max);
        }
        if (take < 1) {
            throw new Refused(400, "take must be >= 1");
        }
        return (int) take;
    }

    private static long number(Map<String, String> query, String name, long dflt) {
        String v = query.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException ex) {
            throw new Refused(400, name + " must be a whole number, got '" + v + "'");
        }
    }

    private static byte[] write(List<?> records, Map<String, String> query, EvoEndpoint e) {
        String nested = e == EvoEndpoint.MEMBERS ? "memberships" : e == EvoEndpoint.SALES ? "receivables" : null;
        String show = e == EvoEndpoint.MEMBERS ? "showMemberships" : "showReceivables";
        boolean drop = nested != null && !"true".equalsIgnoreCase(query.get(show));
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, records.size() * 300));
        try (JsonGenerator g = EvoRecords.JSON.getFactory().createGenerator(out)) {
            g.writeStartArray();
            for (Object r : records) {
                if (r instanceof EvoEntry entry) {
                    entry.write(g);
                } else if (drop) {
                    ObjectNode copy = ((ObjectNode) r).deepCopy();
                    copy.remove(nested);
                    g.writeTree(copy);
                } else {
                    g.writeTree((ObjectNode) r);
                }
            }
            g.writeEndArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    static byte[] message(String text) {
        ObjectNode n = EvoRecords.node().put("message", text);
        try {
            return EvoRecords.JSON.writeValueAsBytes(n);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
