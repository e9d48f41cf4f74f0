package com.skyfit.lake.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A time-based incremental export: the next page starts at the end time of the last one, until the server says
 * the stream ended. The server compares with {@code >=}, so records sharing the boundary second come again on the
 * next page (never lost; the stream's dedupe drops them). An end time that does not move forward (a page all in
 * one second) would ask for the same page forever: the read goes on from the next second instead.
 *
 * <pre>{"organizations":[...],"next_page":"...?start_time=1705678692","end_time":1705678692,"end_of_stream":false}</pre>
 */
public record TimeExportPaginator(String recordsField, String startParam, String limitParam, String endTimePointer,
        String endPointer) implements Paginator {

    @Override
    public Map<String, String> first(int pageSize) {
        return Map.of(limitParam, String.valueOf(pageSize));
    }

    @Override
    public Map<String, String> next(Map<String, String> current, Page page, int pageSize) {
        if (page.envelope() == null || page.envelope().at(endPointer).asBoolean(false)) {
            return null;
        }
        JsonNode end = page.envelope().at(endTimePointer);
        if (!end.canConvertToLong()) {
            return null;
        }
        long next = end.asLong();
        long from = parse(current.get(startParam));
        if (next <= from) {
            // Every record of the page shares the second it started at, and the export puts every record of a
            // page's last second in that page (a page may exceed per_page for it): that second is read whole.
            // Starting there again would return the same page forever.
            next = from + 1;
        }
        Map<String, String> q = new LinkedHashMap<>(current);
        q.put(startParam, String.valueOf(next));
        return q;
    }

    private static long parse(String value) {
        try {
            return value == null ? Long.MIN_VALUE : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }
}
