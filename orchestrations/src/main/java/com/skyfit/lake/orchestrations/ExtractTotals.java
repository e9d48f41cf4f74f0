package com.skyfit.lake.orchestrations;

/** What a set of extracted windows added up to: counts only, so the history stays small. */
public record ExtractTotals(int windowsDone, long records, long parts) {

    public static ExtractTotals zero() {
        return new ExtractTotals(0, 0, 0);
    }

    public ExtractTotals plus(ExtractTotals other) {
        return new ExtractTotals(windowsDone + other.windowsDone, records + other.records, parts + other.parts);
    }
}
