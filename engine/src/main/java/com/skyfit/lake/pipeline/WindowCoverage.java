package com.skyfit.lake.pipeline;

import com.skyfit.lake.control.WindowLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which parts of a run's range its windows leave unread. Null bounds are open ("from the beginning",
 * "until now"). A run is complete only when this is empty, whatever windows a planner wrote before it stopped.
 */
final class WindowCoverage {
    private WindowCoverage() {}

    /** A stretch no window covers; bounds are finite unless the range itself is open there (then null). */
    record Gap(Instant start, Instant end) {
        @Override
        public String toString() {
            return (start == null ? "start" : start.toString()) + ".." + (end == null ? "now" : end.toString());
        }
    }

    static List<Gap> gaps(List<WindowLedger.Window> windows, Instant rangeStart, Instant rangeEnd) {
        List<WindowLedger.Window> sorted = new ArrayList<>(windows);
        sorted.sort(Comparator.comparing(w -> low(w.start())));
        List<Gap> gaps = new ArrayList<>();
        Instant covered = low(rangeStart);
        Instant end = high(rangeEnd);
        for (WindowLedger.Window w : sorted) {
            if (!covered.isBefore(end)) {
                break;
            }
            Instant s = low(w.start());
            if (s.isAfter(covered)) {
                gaps.add(new Gap(open(covered), s.isAfter(end) ? open(end) : s));
            }
            Instant e = high(w.end());
            if (e.isAfter(covered)) {
                covered = e;
            }
        }
        if (covered.isBefore(end)) {
            gaps.add(new Gap(open(covered), open(end)));
        }
        return gaps;
    }

    private static Instant low(Instant i) {
        return i == null ? Instant.MIN : i;
    }

    private static Instant high(Instant i) {
        return i == null ? Instant.MAX : i;
    }

    private static Instant open(Instant i) {
        return i.equals(Instant.MIN) || i.equals(Instant.MAX) ? null : i;
    }
}
