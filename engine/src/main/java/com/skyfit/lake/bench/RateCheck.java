package com.skyfit.lake.bench;

import java.util.Locale;

/**
 * How well the extractor used one key's request budget against a server that enforces it, from the server's
 * own counters: every request of the key (429s included), the 429s, and the span from its first request to its
 * last. With requests spaced evenly, n requests take n - 1 intervals, so the achieved rate is
 * {@code (n - 1) / span}: exactly the limit when the client never waits longer than it must.
 *
 * @param limitPerMinute the key's budget, the same on the client (EVO_REQUESTS_PER_MINUTE) and on the server
 */
public record RateCheck(String key, int limitPerMinute, long requests, long tooManyRequests, double spanSeconds,
        long records) {

    public double achievedPerMinute() {
        return requests < 2 || spanSeconds <= 0 ? 0 : (requests - 1) * 60.0 / spanSeconds;
    }

    /** Achieved over the limit: 1.0 uses the whole budget. */
    public double efficiency() {
        return limitPerMinute <= 0 ? 0 : achievedPerMinute() / limitPerMinute;
    }

    public String describe() {
        return String.format(Locale.ROOT, "key %s: limit %d/min, %,d requests (%,d records), %d answered 429, "
                        + "first to last request %.1f s, achieved %.1f/min = %.2f of the limit",
                key, limitPerMinute, requests, records, tooManyRequests, spanSeconds, achievedPerMinute(), efficiency());
    }
}
