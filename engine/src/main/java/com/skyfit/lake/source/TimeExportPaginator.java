package com.skyfit.lake.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A time-based incremental export: the next page starts at the end time of the last one, until the server says
 * the stream ended. The server compares with {@code >=}, so records sharing the boundary second come again on the
 * next page (never lost; the stream's dedupe drops them). An end time that does not move forward (a page all in
 * one second) would ask for the same page forever: the read goes on from the next second only when the page holds
 * more than the page size (the export's sign that it put the whole second in the page); otherwise the second may
 * hold more records than were sent, and the read fails naming it rather than skip them.
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
            // Not the end of the stream, yet no way on: ending here would look complete.
            throw new IllegalStateException("the export has not ended (" + endPointer + " false) but sent no end time at "
                    + endTimePointer + "; the rest of it cannot be asked for");
        }
        long next = end.asLong();
        long from = parse(current.get(startParam));
        if (next <= from) {
            // Every record of the page shares the second it started at. Starting there again would return the same
            // page forever; the next second is safe only when the page went past the page size, which the export
            // does to put every record of its last second in one page.
            if (page.records() <= pageSize) {
                throw new IllegalStateException("the export's page at " + startParam + "=" + from + " held "
                        + page.records() + " records (page size " + pageSize + ") all in the second " + from
                        + " and ended there; more records of that second may exist and cannot be asked for");
            }
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
