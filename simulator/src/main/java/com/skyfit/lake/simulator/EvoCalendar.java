package com.skyfit.lake.simulator;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * How many records of one kind each branch of a scope has on each day, with no record held: weights by weekday
 * and a seeded jitter share a total exactly among the first days (largest-prefix rounding), and days added later
 * get the same rate. Record number {@code n} of a scope (0-based, in day then branch order) is found by binary
 * search, which is how ids map back to their day.
 */
final class EvoCalendar {
    private final int branches;
    private final LocalDate start;
    private final long seed;
    private final double rate;
    private int days;
    private int[] counts;
    private long[] before;

    EvoCalendar(long total, LocalDate start, int days, int branches, long seed) {
        this.branches = branches;
        this.start = start;
        this.seed = seed;
        this.days = days;
        int cells = days * branches;
        double[] w = new double[cells];
        double sum = 0;
        for (int c = 0; c < cells; c++) {
            w[c] = weight(c);
            sum += w[c];
        }
        this.rate = sum > 0 ? total / sum : 0;
        counts = new int[cells];
        double cum = 0;
        long given = 0;
        for (int c = 0; c < cells && sum > 0; c++) {
            cum += w[c];
            long upTo = c == cells - 1 ? total : Math.min(total, Math.max(given, (long) Math.floor(total * cum / sum)));
            counts[c] = Math.toIntExact(upTo - given);
            given = upTo;
        }
        rebuild();
    }

    /** The last branch of a scope with two or more closes on Sundays: a day with no entries that is no gap. */
    boolean open(int branch, LocalDate date) {
        return !(branches >= 2 && branch == branches - 1 && date.getDayOfWeek() == DayOfWeek.SUNDAY);
    }

    private double weight(int cell) {
        int b = cell % branches;
        LocalDate date = start.plusDays(cell / branches);
        if (!open(b, date)) {
            return 0;
        }
        double weekday = switch (date.getDayOfWeek()) {
            case SATURDAY -> 0.7;
            case SUNDAY -> 0.4;
            default -> 1.0;
        };
        return weekday * (0.7 + 0.6 * EvoRandom.unit(EvoRandom.mix(seed, cell, 17)));
    }

    synchronized void addDays(int n) {
        int old = counts.length;
        days += n;
        counts = Arrays.copyOf(counts, days * branches);
        for (int c = old; c < counts.length; c++) {
            counts[c] = (int) Math.round(rate * weight(c));
        }
        rebuild();
    }

    synchronized void addLate(int day, int branch, int n) {
        counts[day * branches + branch] += n;
        rebuild();
    }

    private void rebuild() {
        long[] b = new long[counts.length + 1];
        for (int c = 0; c < counts.length; c++) {
            b[c + 1] = b[c] + counts[c];
        }
        before = b;
    }

    synchronized int days() {
        return days;
    }

    int branches() {
        return branches;
    }

    synchronized int count(int day, int branch) {
        return counts[day * branches + branch];
    }

    /** Records of the scope before the given day (day == days() gives the total). */
    synchronized long before(int day) {
        return before[day * branches];
    }

    synchronized long before(int day, int branch) {
        return before[day * branches + branch];
    }

    synchronized long dayCount(int day) {
        return before[(day + 1) * branches] - before[day * branches];
    }

    synchronized long total() {
        return before[counts.length];
    }

    /** The day of record number {@code n}. */
    synchronized int dayOf(long n) {
        int i = Arrays.binarySearch(before, n);
        int cell;
        if (i >= 0) {
            while (i + 1 < before.length && before[i + 1] == n) {
                i++; // empty cells share their start: the record is in the first non-empty one
            }
            cell = i;
        } else {
            cell = -i - 2;
        }
        return cell / branches;
    }
}
