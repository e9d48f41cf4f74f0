package com.skyfit.lake.config;

import java.util.Locale;

/**
 * The names of a source's settings, built in this one place from the source's name: PIPEDRIVE_SCOPES,
 * PIPEDRIVE_COMMERCIAL_BASE_URL, PIPEDRIVE_COMMERCIAL_API_TOKEN, PIPEDRIVE_PAGE_SIZE... Every source's keys
 * start with its prefix, which is how the documented-settings tests find them.
 */
public record SourceKeys(String source) {

    public static SourceKeys of(String source) {
        return new SourceKeys(source);
    }

    /** PIPEDRIVE_ for source pipedrive. */
    public String prefix() {
        return source.toUpperCase(Locale.ROOT) + "_";
    }

    /** A key of the source: key("PAGE_SIZE") is PIPEDRIVE_PAGE_SIZE. */
    public String key(String name) {
        return prefix() + name;
    }

    /**
     * A key of one scope: scoped("commercial", "BASE_URL") is PIPEDRIVE_COMMERCIAL_BASE_URL. A source with one
     * account and no scope list passes null: ZENDESK_BASE_URL.
     */
    public String scoped(String scope, String name) {
        return scope == null ? key(name) : prefix() + scope.toUpperCase(Locale.ROOT) + "_" + name;
    }

    /** The scopes (accounts) a source reads, comma-separated. */
    public String scopes() {
        return key("SCOPES");
    }

    public String baseUrl(String scope) {
        return scoped(scope, "BASE_URL");
    }

    public String apiToken(String scope) {
        return scoped(scope, "API_TOKEN");
    }

    public String user(String scope) {
        return scoped(scope, "USER");
    }

    public String password(String scope) {
        return scoped(scope, "PASSWORD");
    }

    public String pageSize() {
        return key("PAGE_SIZE");
    }

    public String overlapMinutes() {
        return key("OVERLAP_MINUTES");
    }

    public String httpRetries() {
        return key("HTTP_RETRIES");
    }

    public String maxRetryWaitSeconds() {
        return key("MAX_RETRY_WAIT_SECONDS");
    }

    /** The request budget per token, per window of the given seconds: PIPEDRIVE_REQUESTS_PER_2S, EVO_REQUESTS_PER_MINUTE. */
    public String requestsPer(int seconds) {
        return key(seconds == 60 ? "REQUESTS_PER_MINUTE" : "REQUESTS_PER_" + seconds + "S");
    }

    /** The first day a full read or a re-scan of a windowed stream starts from (YYYY-MM-DD). */
    public String startDate() {
        return key("START_DATE");
    }

    /**
     * Days between whole, unfiltered reads of the streams whose deletes only such a read finds (the API lists no
     * deleted records); 0: every run.
     */
    public String reconcileDays() {
        return key("RECONCILE_DAYS");
    }

    /**
     * Days an incremental run of a stream read in event-date windows re-reads before its watermark, so records
     * that reach the source late (yesterday's gym entries sent today) are caught.
     */
    public String lookBackDays() {
        return key("LOOKBACK_DAYS");
    }

    /** Extract activities of one run of the source in flight at once in the Function App. */
    public String maxParallelWindows() {
        return key("MAX_PARALLEL_WINDOWS");
    }

    /** The NCRONTAB schedule of the source's timer in the Function App. */
    public String schedule() {
        return key("SCHEDULE");
    }

    /**
     * The NCRONTAB schedule of the source's re-scan timer in the Function App: a full load that re-reads every
     * windowed stream from the start date (records that change without a new date).
     */
    public String rescanSchedule() {
        return key("RESCAN_SCHEDULE");
    }
}
