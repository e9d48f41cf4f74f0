package com.skyfit.lake.source;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Offset paging over bare arrays with no envelope at all: the only end-of-data signal is a page shorter than
 * {@code take}, so a full last page costs one extra (empty) request. With {@code untilEmpty} only an empty page
 * ends the read: a server that silently caps take below the declared one answers every page short, and a whole list
 * whose absent rows are flagged deleted must not end after its first page (one extra request per read).
 */
public record TakeSkipPaginator(String takeParam, String skipParam, boolean untilEmpty) implements Paginator {

    public TakeSkipPaginator(String takeParam, String skipParam) {
        this(takeParam, skipParam, false);
    }

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
        if (untilEmpty ? page.records() == 0 : page.records() < pageSize) {
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
