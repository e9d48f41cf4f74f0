package com.skyfit.lake.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Opaque server cursor: the next page is asked for with the cursor the previous page returned. */
public record CursorPaginator(String recordsField, String cursorParam, String limitParam, String nextCursorPointer)
        implements Paginator {

    @Override
    public Map<String, String> first(int pageSize) {
        return Map.of(limitParam, String.valueOf(pageSize));
    }

    @Override
    public Map<String, String> next(Map<String, String> current, Page page, int pageSize) {
        JsonNode next = page.envelope() == null ? null : page.envelope().at(nextCursorPointer);
        if (next == null || !next.isTextual() || next.asText().isEmpty()) {
            return null;
        }
        Map<String, String> q = new LinkedHashMap<>(current);
        q.put(cursorParam, next.asText());
        return q;
    }
}
