package com.skyfit.lake.source.evo;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SourceKeys;
import com.skyfit.lake.source.RestConfig;
import java.time.Duration;

/**
 * EVO settings. Each scope is one EVO key (a key may see several branches): EVO_SCOPES=north,south, then
 * EVO_NORTH_DNS (the gym's DNS, the Basic user) and EVO_NORTH_SECRET_KEY (its password). Every key reads the one
 * API at EVO_BASE_URL. Its budget, EVO_REQUESTS_PER_MINUTE (40 by default), is counted by EVO in a sliding minute
 * and kept per key across every thread, process and run. EVO_START_DATE is where full loads and re-scans begin;
 * EVO_LOOKBACK_DAYS how many days before its watermark an incremental run re-reads each event-dated list, so
 * entries and sales that reach EVO late are caught; receivables, read by update date, start EVO_OVERLAP_MINUTES
 * before theirs.
 */
public final class EvoConfig {
    public static final SourceKeys KEYS = SourceKeys.of(EvoSource.NAME);
    /** The user and password of each key's Basic credential: EVO_{SCOPE}_DNS and EVO_{SCOPE}_SECRET_KEY. */
    public static final String DNS = "DNS";
    public static final String SECRET_KEY = "SECRET_KEY";

    private EvoConfig() {}

    public static RestConfig fromSettings(Settings settings) {
        return fromSettings(settings, 0);
    }

    /** As above with no take above {@code takeCap} (0: each endpoint's largest), for tests that page a few records. */
    public static RestConfig fromSettings(Settings settings, int takeCap) {
        Duration lookBack = Duration.ofDays(settings.integer(KEYS.lookBackDays(), EvoSource.DEFAULT_LOOKBACK_DAYS, 0, 366));
        return RestConfig.read(settings, EvoSource.NAME)
                .scopes("the EVO keys to read, one scope per key, e.g. north,south", EvoSource.DEFAULT_BASE_URL,
                        RestConfig.Auth.basic(DNS, SECRET_KEY))
                .sharedBaseUrl(EvoSource.DEFAULT_BASE_URL).pageSizePerStream().maxPageSize(EvoSource.ENTRIES_TAKE)
                .rate(40, 60).slidingWindow().overlapMinutes(10)
                .build(size -> EvoSource.definition(lookBack, takeCap));
    }
}
