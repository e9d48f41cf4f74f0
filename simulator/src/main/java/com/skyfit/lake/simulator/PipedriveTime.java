package com.skyfit.lake.simulator;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;

/** Pipedrive writes times as "2023-02-22 08:27:53" (UTC, sometimes with ".047"); filters take RFC 3339. */
final class PipedriveTime {
    private static final DateTimeFormatter WRITE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter READ = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .toFormatter();

    private PipedriveTime() {}

    static String format(Instant t) {
        return WRITE.format(LocalDateTime.ofInstant(t.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC));
    }

    static String date(Instant t) {
        return LocalDate.ofInstant(t, ZoneOffset.UTC).toString();
    }

    static Instant parse(String text) {
        return LocalDateTime.parse(text, READ).toInstant(ZoneOffset.UTC);
    }

    /** RFC 3339 as the v2 filters accept it; null when the text is not one. */
    static Instant parseRfc3339(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
