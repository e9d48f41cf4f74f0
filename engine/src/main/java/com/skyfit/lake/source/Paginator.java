package com.skyfit.lake.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * How a stream walks its pages. A strategy says where the records sit in a response and which query
 * parameters fetch the first and the next page; the reader does the requests and the parsing.
 */
public interface Paginator {

    /** What the reader learned from one page: how many records it held, and the rest of the body. */
    record Page(int records, JsonNode envelope) {}

    /** Field of the response object that holds the record array, or null when the body is a bare array. */
    String recordsField();

    /** Query parameters of the first page. */
    Map<String, String> first(int pageSize);

    /** Query parameters of the page after {@code page} (fetched with {@code current}), or null when it was the last. */
    Map<String, String> next(Map<String, String> current, Page page, int pageSize);

    /**
     * The page after {@code current} when that page's body could not be read (its records not counted,
     * its paging fields lost), assuming it was full; null when the next page cannot be known without
     * the body (an opaque cursor). Offset paging can go on; if the damaged page was the last, the next
     * one is simply empty.
     */
    default Map<String, String> nextWithoutBody(Map<String, String> current, int pageSize) {
        return null;
    }

    /** Cursor in the body: {"data":[...],"additional_data":{"next_cursor":"..."|null}} (Pipedrive v2). */
    static Paginator cursorInBody() {
        return new CursorPaginator("data", "cursor", "limit", "/additional_data/next_cursor");
    }

    /** Offset in the envelope: start/limit with additional_data.pagination.more_items_in_collection, next_start (Pipedrive v1). */
    static Paginator startLimit() {
        return new StartLimitPaginator("data", "start", "limit", "/additional_data/pagination");
    }

    /** Bare JSON arrays paged by take/skip; the last page is the one shorter than take (EVO). */
    static Paginator takeSkip() {
        return new TakeSkipPaginator("take", "skip");
    }
}
