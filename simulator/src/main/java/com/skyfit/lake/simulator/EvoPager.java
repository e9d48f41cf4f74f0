package com.skyfit.lake.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * One take/skip page of a day-generated list, costing O(page + a day) rather than O(list): whole days a skip
 * passes over are counted from the calendar, not generated. Records a change moved into the window from a day
 * outside it (a receivable whose updateDate moved) are merged in by id, so the order stays the order by id.
 */
final class EvoPager {
    private EvoPager() {}

    /** A list generated one day at a time, in the order the API serves it. */
    interface Source<T> {
        int days();

        /** Local second at which day {@code d} starts. */
        long dayStart(int d);

        List<T> day(int d);

        /** Records of day {@code d}, or -1 when it must be generated to know (a changed day). */
        long knownCount(int d);

        /** The smallest id day {@code d} could hold (records with ids only). */
        long idLo(int d);

        long id(T record);

        boolean matches(T record, EvoFilter filter);

        /** Changed records whose original day lies outside [from, to] that now match every filter, by id. */
        List<T> movedIn(int from, int to, List<EvoFilter> filters);
    }

    static <T> List<T> page(Source<T> src, EvoFilter primary, List<EvoFilter> filters, long skip, int take) {
        int from = 0;
        int to = src.days() - 1;
        List<T> moved = List.of();
        if (primary != null) {
            from = (int) Math.max(from, dayIndex(src, primary.lo()));
            to = (int) Math.min(to, dayIndex(src, primary.hi()));
            moved = src.movedIn(from, to, filters);
        }
        boolean onlyPrimary = filters.size() == (primary == null ? 0 : 1);
        Collector<T> out = new Collector<>(skip, take);
        int m = 0;
        for (int d = from; d <= to && !out.full(); d++) {
            long lo = src.idLo(d);
            while (m < moved.size() && src.id(moved.get(m)) < lo && !out.full()) {
                out.offer(moved.get(m++));
            }
            long known = onlyPrimary && (primary == null || primary.covers(src.dayStart(d))) ? src.knownCount(d) : -1;
            if (known >= 0 && out.skipping() >= known) {
                out.skipWhole(known);
                continue;
            }
            for (T record : src.day(d)) {
                if (out.full()) {
                    break;
                }
                if (matchesAll(src, record, filters)) {
                    out.offer(record);
                }
            }
        }
        while (m < moved.size() && !out.full()) {
            out.offer(moved.get(m++));
        }
        return out.page;
    }

    private static <T> boolean matchesAll(Source<T> src, T record, List<EvoFilter> filters) {
        for (EvoFilter f : filters) {
            if (!src.matches(record, f)) {
                return false;
            }
        }
        return true;
    }

    private static long dayIndex(Source<?> src, long second) {
        long first = src.dayStart(0);
        if (second == Long.MIN_VALUE || second < first) {
            return second == Long.MIN_VALUE ? 0 : -1;
        }
        if (second == Long.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        return Math.floorDiv(second - first, EvoTime.DAY);
    }

    private static final class Collector<T> {
        private long toSkip;
        private final int take;
        final List<T> page = new ArrayList<>();

        Collector(long skip, int take) {
            this.toSkip = skip;
            this.take = take;
        }

        boolean full() {
            return page.size() >= take;
        }

        long skipping() {
            return toSkip;
        }

        void skipWhole(long n) {
            toSkip -= n;
        }

        void offer(T record) {
            if (toSkip > 0) {
                toSkip--;
            } else {
                page.add(record);
            }
        }
    }
}
