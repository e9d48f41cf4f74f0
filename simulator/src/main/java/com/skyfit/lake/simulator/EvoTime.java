package com.skyfit.lake.simulator;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * EVO's times: the gym's wall clock without offset, {@code yyyy-MM-ddTHH:mm:ss}. Inside the simulator a time is
 * a "local second", the seconds since 1970-01-01T00:00:00 of that wall clock, so comparisons are plain longs.
 */
final class EvoTime {
    static final long DAY = 86_400;
    private static final DateTimeFormatter TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    private EvoTime() {}

    static long second(LocalDate day) {
        return day.toEpochDay() * DAY;
    }

    static long second(LocalDateTime t) {
        return t.toEpochSecond(ZoneOffset.UTC);
    }

    static LocalDate day(long second) {
        return LocalDate.ofEpochDay(Math.floorDiv(second, DAY));
    }

    /** Fixed width, so texts compare as the times they name. */
    static String text(long second) {
        long sod = Math.floorMod(second, DAY);
        StringBuilder b = new StringBuilder(19).append(day(second)).append('T');
        two(b, sod / 3600).append(':');
        two(b, sod / 60 % 60).append(':');
        return two(b, sod % 60).toString();
    }

    private static StringBuilder two(StringBuilder b, long v) {
        return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    /** A filter value: a date-time, or a plain date meaning its 00:00:00. */
    static long parseParam(String param, String value) {
        try {
            if (value.length() == 10) {
                return second(LocalDate.parse(value));
            }
            return second(LocalDateTime.parse(value, DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        } catch (DateTimeParseException e) {
            throw new EvoRoutes.Refused(400, param + " must be yyyy-MM-ddTHH:mm:ss or yyyy-MM-dd, got '" + value + "'");
        }
    }

    static String format(LocalDateTime t) {
        return t.format(TEXT);
    }
}
