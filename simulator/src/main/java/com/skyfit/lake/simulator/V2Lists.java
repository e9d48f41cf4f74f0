package com.skyfit.lake.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** Parameter rules and envelopes of the list endpoints: v2 cursor lists and the v1 users list. */
final class V2Lists {
    private static final Set<String> DEAL_STATUSES = Set.of("open", "won", "lost", "deleted", "all_not_deleted");

    private V2Lists() {}

    static byte[] page(ScopeData data, String entity, Map<String, String> q) {
        return page(data, entity, q, false);
    }

    /** A v2 list page; {@code archived}: the archived deals' own list, /api/v2/deals/archived. */
    static byte[] page(ScopeData data, String entity, Map<String, String> q, boolean archived) {
        String sortBy = q.getOrDefault("sort_by", "id");
        if (!sortBy.equals("id") && !sortBy.equals("update_time") && !sortBy.equals("add_time")) {
            throw new PipedriveSimulator.BadRequest(400, "Validation failed: sort_by: must be one of id, update_time, add_time");
        }
        boolean byUpdate = !sortBy.equals("id");
        String direction = q.getOrDefault("sort_direction", "asc");
        if (!direction.equals("asc") && !direction.equals("desc")) {
            throw new PipedriveSimulator.BadRequest(400, "Validation failed: sort_direction: must be asc or desc");
        }
        int limit = limit(q.get("limit"), 100, true);
        String status = q.get("status");
        if (status != null && "deals".equals(entity) && !DEAL_STATUSES.contains(status)) {
            throw new PipedriveSimulator.BadRequest(400, "Validation failed: status: must be one of " + DEAL_STATUSES);
        }
        String cursor = q.get("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                if (!ScopeData.cursorFits(cursor, byUpdate)) {
                    throw new PipedriveSimulator.BadRequest(400, "Invalid cursor for this sort");
                }
            } catch (IllegalArgumentException e) {
                throw new PipedriveSimulator.BadRequest(400, "Invalid cursor");
            }
        } else {
            cursor = null;
        }
        ScopeData.Query query = new ScopeData.Query(byUpdate, direction.equals("desc"),
                millis("updated_since", q), millis("updated_until", q), status, cursor, limit, 0, archived);
        ScopeData.Page page = data.list(entity, query);
        return envelope(page, g -> {
            g.writeObjectFieldStart("additional_data");
            if (page.nextCursor() == null) {
                g.writeNullField("next_cursor");
            } else {
                g.writeStringField("next_cursor", page.nextCursor());
            }
            g.writeEndObject();
        });
    }

    static byte[] usersV1(ScopeData data, Map<String, String> q) {
        int start = parseInt("start", q.getOrDefault("start", "0"));
        if (start < 0) {
            throw new PipedriveSimulator.BadRequest(400, "start must not be negative");
        }
        // v1 lists quietly cap the page at 500 instead of refusing a larger limit.
        int limit = limit(q.get("limit"), 100, false);
        ScopeData.Page page = data.list("users", new ScopeData.Query(false, false, null, null, null, null, limit, start,
                false));
        return envelope(page, g -> {
            g.writeObjectFieldStart("additional_data");
            g.writeObjectFieldStart("pagination");
            g.writeNumberField("start", start);
            g.writeNumberField("limit", limit);
            g.writeBooleanField("more_items_in_collection", page.more());
            if (page.more()) {
                g.writeNumberField("next_start", start + limit);
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private interface Tail {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] envelope(ScopeData.Page page, Tail tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator g = RecordFactory.JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeBooleanField("success", true);
            g.writeFieldName("data");
            g.writeStartArray();
            for (byte[] record : page.records()) {
                // Records are stored as compact JSON; written raw, as the API sends them.
                g.writeRawValue(new String(record, StandardCharsets.UTF_8));
            }
            g.writeEndArray();
            tail.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int limit(String raw, int defaultValue, boolean strict) {
        if (raw == null || raw.isEmpty()) {
            return defaultValue;
        }
        int limit = parseInt("limit", raw);
        if (limit < 1) {
            throw new PipedriveSimulator.BadRequest(400, "Validation failed: limit: must be at least 1");
        }
        if (limit > PipedriveSimulator.MAX_LIMIT) {
            if (strict) {
                throw new PipedriveSimulator.BadRequest(400,
                        "Validation failed: limit: Number must be less than or equal to " + PipedriveSimulator.MAX_LIMIT);
            }
            return PipedriveSimulator.MAX_LIMIT;
        }
        return limit;
    }

    private static int parseInt(String name, String raw) {
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new PipedriveSimulator.BadRequest(400, "Validation failed: " + name + ": must be a number");
        }
    }

    private static Long millis(String name, Map<String, String> q) {
        String raw = q.get(name);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        Instant t = PipedriveSimulator.parseFilter(name, raw);
        return t.toEpochMilli();
    }
}
