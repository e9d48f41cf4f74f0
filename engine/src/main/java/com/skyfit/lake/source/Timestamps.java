package com.skyfit.lake.source;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * Reads the cursor values sources write: Pipedrive's "2023-02-22 08:27:53" (UTC, no zone, sometimes
 * ".047"), ISO-8601 with or without a zone (zoneless means UTC), and plain dates.
 */
public final class Timestamps {
    private static final DateTimeFormatter SPACED = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .toFormatter();

    private Timestamps() {}

    /** The instant a cursor value stands for, or null when the text is not a time. */
    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            if (text.indexOf('T') < 0) {
                return LocalDateTime.parse(text, SPACED).toInstant(ZoneOffset.UTC);
            }
            char last = text.charAt(text.length() - 1);
            if (last == 'Z' || text.lastIndexOf('+') > 10 || text.lastIndexOf('-') > 10) {
                return OffsetDateTime.parse(text).toInstant();
            }
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
