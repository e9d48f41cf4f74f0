package com.skyfit.lake.orchestrations;

/**
 * What a set of windows added up to: counts only, so the history stays small. Failed windows are counted
 * too, with the first one's reason: a failed window fails only its run, the batch goes on.
 */
public record ExtractTotals(int windowsDone, long records, long parts, int windowsFailed, String firstError) {

    public static ExtractTotals zero() {
        return new ExtractTotals(0, 0, 0, 0, null);
    }

    public static ExtractTotals failed(String reason) {
        return new ExtractTotals(0, 0, 0, 1, reason);
    }

    public ExtractTotals plus(ExtractTotals other) {
        return new ExtractTotals(windowsDone + other.windowsDone, records + other.records, parts + other.parts,
                windowsFailed + other.windowsFailed, firstError != null ? firstError : other.firstError);
    }
}
