package com.skyfit.lake.source;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Offset paging over bare arrays with no envelope at all: the only end-of-data signal is a page
 * shorter than {@code take}, so a full last page costs one extra (empty) request.
 */
public record TakeSkipPaginator(String takeParam, String skipParam) implements Paginator {

    @Override
    public String recordsField() {
        return null;
    }

    @Override
    public Map<String, String> first(int pageSize) {
        return Map.of(takeParam, String.valueOf(pageSize), skipParam, "0");
    }

    @Override
    public Map<String, String> next(Map<String, String> current, Page page, int pageSize) {
        if (page.records() < pageSize) {
            return null;
        }
        long skip = Long.parseLong(current.getOrDefault(skipParam, "0"));
        Map<String, String> q = new LinkedHashMap<>(current);
        q.put(skipParam, String.valueOf(skip + page.records()));
        return q;
    }

    @Override
    public Map<String, String> nextWithoutBody(Map<String, String> current, int pageSize) {
        Map<String, String> q = new LinkedHashMap<>(current);
        q.put(skipParam, String.valueOf(Long.parseLong(current.getOrDefault(skipParam, "0")) + pageSize));
        return q;
    }
}
