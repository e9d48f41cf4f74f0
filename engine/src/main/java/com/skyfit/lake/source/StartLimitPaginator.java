package com.skyfit.lake.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Offset paging where the server says whether more items follow and where the next page starts. */
public record StartLimitPaginator(String recordsField, String startParam, String limitParam, String paginationPointer)
        implements Paginator {

    @Override
    public Map<String, String> first(int pageSize) {
        return Map.of(startParam, "0", limitParam, String.valueOf(pageSize));
    }

    @Override
    public Map<String, String> next(Map<String, String> current, Page page, int pageSize) {
        JsonNode p = page.envelope() == null ? null : page.envelope().at(paginationPointer);
        if (p == null || !p.path("more_items_in_collection").asBoolean(false)) {
            return null;
        }
        long start = Long.parseLong(current.getOrDefault(startParam, "0"));
        long next = p.path("next_start").asLong(start + page.records());
        Map<String, String> q = new LinkedHashMap<>(current);
        q.put(startParam, String.valueOf(next));
        return q;
    }

    @Override
    public Map<String, String> nextWithoutBody(Map<String, String> current, int pageSize) {
        Map<String, String> q = new LinkedHashMap<>(current);
        q.put(startParam, String.valueOf(Long.parseLong(current.getOrDefault(startParam, "0")) + pageSize));
        return q;
    }
}
