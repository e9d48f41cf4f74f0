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

    /**
     * Query parameters that continue a read from a cursor a previous read stored (see {@link #checkpoint}), or
     * null when this paging cannot resume that way.
     */
    default Map<String, String> resume(String cursor, int pageSize) {
        return null;
    }

    /** True when a stored cursor can continue this paging ({@link #resume} answers). */
    default boolean resumable() {
        return false;
    }

    /**
     * The cursor that continues after {@code page}, to be stored once the page's records are in core, or null
     * when this paging has no such cursor (only opaque export cursors have one).
     */
    default String checkpoint(Page page) {
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

    /**
     * A cursor-based incremental export (Zendesk tickets and users): {@code start_time} on the first call only,
     * then {@code cursor=after_cursor} until {@code end_of_stream}; the last after_cursor resumes the next read.
     */
    static Paginator exportCursor(String recordsField) {
        return new ExportCursorPaginator(recordsField, "cursor", "per_page", "/after_cursor", "/end_of_stream");
    }

    /**
     * A time-based incremental export (Zendesk organizations): each page starts at the previous page's
     * {@code end_time}, compared with {@code >=}, until {@code end_of_stream}. Pair it with
     * {@link StreamSpec.Builder#dedupe()}: the records of the boundary second come twice.
     */
    static Paginator timeExport(String recordsField) {
        return new TimeExportPaginator(recordsField, "start_time", "per_page", "/end_time", "/end_of_stream");
    }

    /** Cursor paging with {"meta":{"has_more":..,"after_cursor":..}} and page[size] / page[after] (Zendesk lists). */
    static Paginator hasMore(String recordsField) {
        return new HasMorePaginator(recordsField, "page[after]", "page[size]", "/meta/has_more", "/meta/after_cursor");
    }

    /** Bare JSON arrays paged by take/skip; the last page is the one shorter than take (EVO). */
    static Paginator takeSkip() {
        return new TakeSkipPaginator("take", "skip");
    }

    /** One request, one bare JSON array, no paging (a short list the API sends whole). */
    static Paginator singlePage() {
        return new SinglePagePaginator(null);
    }
}
