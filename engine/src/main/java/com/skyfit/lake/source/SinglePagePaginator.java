package com.skyfit.lake.source;

import java.util.Map;

/**
 * A list the API sends whole in one answer, with no paging parameters at all (EVO's branch configuration):
 * one request, a bare array or the array in {@code recordsField}, and no next page.
 */
public record SinglePagePaginator(String recordsField) implements Paginator {

    @Override
    public Map<String, String> first(int pageSize) {
        return Map.of();
    }

    @Override
    public Map<String, String> next(Map<String, String> current, Page page, int pageSize) {
        return null;
    }
}
