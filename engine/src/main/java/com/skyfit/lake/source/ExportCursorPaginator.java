package com.skyfit.lake.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An incremental export paged by an opaque cursor: the first call carries the start time (the stream's
 * incremental parameter), every later call only the cursor the previous page returned, until the server says
 * the stream ended. The server also returns a cursor with the last page: stored once the read is in core, it
 * lets the next read continue exactly there instead of from a time.
 *
 * <pre>{"tickets":[...],"after_cursor":"MTU3NjYxMzUzOS4wfHw0Njd8","end_of_stream":false}</pre>
 */
public record ExportCursorPaginator(String recordsField, String cursorParam, String limitParam, String cursorPointer,
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
        String cursor = checkpoint(page);
        if (cursor == null) {
            // Not the end of the stream, yet no way on: ending here would store a cursor short of the stream's end
            // and look complete.
            throw new IllegalStateException("the export has not ended (" + endPointer + " false) but sent no cursor at "
                    + cursorPointer + "; the rest of it cannot be asked for");
        }
        return resume(cursor, pageSize);
    }

    /** Only the cursor: the export refuses a start time beside it. */
    @Override
    public Map<String, String> resume(String cursor, int pageSize) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put(cursorParam, cursor);
        q.put(limitParam, String.valueOf(pageSize));
        return q;
    }

    @Override
    public boolean resumable() {
        return true;
    }

    @Override
    public String checkpoint(Page page) {
        JsonNode c = page.envelope() == null ? null : page.envelope().at(cursorPointer);
        return c == null || !c.isTextual() || c.asText().isEmpty() ? null : c.asText();
    }
}
