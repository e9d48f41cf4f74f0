package com.skyfit.lake.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The page bodies of the simulated Zendesk API, as the real one shapes them. */
final class ZendeskPages {
    private ZendeskPages() {}

    /**
     * Cursor-based export: start_time on the first call, cursor after; the cursor names the last record served
     * (export time and id), so records changed later (a later export time) come after it.
     * {"tickets":[..],"after_cursor":"..","before_cursor":"..","end_of_stream":true}
     */
    static ObjectNode cursorExport(String entity, List<ObjectNode> ordered, Map<String, String> q, int perPage) {
        long afterTime;
        long afterId;
        if (q.containsKey("cursor")) {
            if (q.containsKey("start_time")) {
                return null; // the real export refuses both at once
            }
            long[] c = decode(q.get("cursor"));
            if (c == null) {
                return null;
            }
            afterTime = c[0];
            afterId = c[1];
        } else {
            try {
                afterTime = Long.parseLong(q.getOrDefault("start_time", "")) - 1;
                afterId = Long.MAX_VALUE;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        ObjectNode body = ZendeskData.MAPPER.createObjectNode();
        ArrayNode page = body.putArray(entity);
        long lastTime = afterTime;
        long lastId = afterId;
        int remaining = 0;
        for (ObjectNode n : ordered) {
            long t = ZendeskData.exportTime(entity, n);
            long id = n.get("id").asLong();
            if (t < afterTime || t == afterTime && id <= afterId) {
                continue;
            }
            if (page.size() < perPage) {
                page.add(n);
                lastTime = t;
                lastId = id;
            } else {
                remaining++;
            }
        }
        body.put("after_cursor", encode(lastTime, lastId));
        body.putNull("before_cursor");
        body.put("end_of_stream", remaining == 0);
        return body;
    }

    /**
     * Time-based export, compared with >=: a page holds up to per_page records and then every other record of its
     * last second, so the next page (starting at end_time) never has to split a second.
     * {"organizations":[..],"next_page":"..?start_time=..","end_time":1705678692,"end_of_stream":false,"count":2}
     * Strict: a page never exceeds per_page, even inside one second.
     */
    static ObjectNode timeExport(String entity, List<ObjectNode> ordered, Map<String, String> q, int perPage,
            String url, boolean strict) {
        long start;
        try {
            start = Long.parseLong(q.getOrDefault("start_time", ""));
        } catch (NumberFormatException e) {
            return null;
        }
        ObjectNode body = ZendeskData.MAPPER.createObjectNode();
        ArrayNode page = body.putArray(entity);
        long end = start;
        boolean more = false;
        for (ObjectNode n : ordered) {
            long t = ZendeskData.exportTime(entity, n);
            if (t < start) {
                continue;
            }
            if (page.size() < perPage || (!strict && t == end)) {
                page.add(n);
                end = t;
            } else {
                more = true;
                break;
            }
        }
        body.put("next_page", url + "?start_time=" + end);
        body.put("end_time", end);
        body.put("end_of_stream", !more);
        body.put("count", page.size());
        return body;
    }

    /** A list paged by cursor: {"groups":[..],"meta":{"has_more":..,"after_cursor":..},"links":{"next":..}}. */
    static ObjectNode list(String entity, List<ObjectNode> ordered, Map<String, String> q, int perPage) {
        int from = 0;
        if (q.containsKey("page[after]")) {
            long[] c = decode(q.get("page[after]"));
            if (c == null) {
                return null;
            }
            from = (int) c[1];
        }
        ObjectNode body = ZendeskData.MAPPER.createObjectNode();
        ArrayNode page = body.putArray(entity);
        int to = Math.min(ordered.size(), from + perPage);
        ordered.subList(Math.min(from, to), to).forEach(page::add);
        boolean more = to < ordered.size();
        ObjectNode meta = body.putObject("meta").put("has_more", more);
        meta.put("after_cursor", encode(0, to));
        meta.putNull("before_cursor");
        if (more) {
            body.putObject("links").put("next", "/api/v2/" + entity + ".json?page[after]=" + encode(0, to));
        } else {
            body.putObject("links").putNull("next");
        }
        return body;
    }

    static String encode(long time, long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((time + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    static long[] decode(String cursor) {
        try {
            String[] p = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
            return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])};
        } catch (RuntimeException e) {
            return null;
        }
    }
}
