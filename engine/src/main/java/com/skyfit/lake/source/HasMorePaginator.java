package com.skyfit.lake.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cursor paging where the server says whether more follow: {"meta":{"has_more":true,"after_cursor":"xyz"}}.
 * The last page may still carry a cursor, so has_more decides, not the cursor's presence.
 */
public record HasMorePaginator(String recordsField, String afterParam, String sizeParam, String hasMorePointer,
        String cursorPointer) implements Paginator {

    @Override
    public Map<String, String> first(int pageSize) {
        return Map.of(sizeParam, String.valueOf(pageSize));
    }

    @Override
    public Map<String, String> next(Map<String, String> current, Page page, int pageSize) {
        if (page.envelope() == null || !page.envelope().at(hasMorePointer).asBoolean(false)) {
            return null;
        }
        JsonNode c = page.envelope().at(cursorPointer);
        if (!c.isTextual() || c.asText().isEmpty()) {
            // Ending here would pass for the end of the list while the server said more follow.
            throw new IllegalStateException("the server says more records follow (" + hasMorePointer
                    + " true) but sent no cursor at " + cursorPointer + "; the rest of the list cannot be asked for");
        }
        Map<String, String> q = new LinkedHashMap<>(current);
        q.put(afterParam, c.asText());
        return q;
    }
}
