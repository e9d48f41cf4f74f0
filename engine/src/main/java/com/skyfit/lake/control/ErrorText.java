package com.skyfit.lake.control;

import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Error messages as operators see them. A PostgreSQL error as pgjdbc words it carries, after its one
 * human sentence, lines of server internals: Detail (often the offending row or key), Where (the COPY
 * line with its raw data, the function context), Hint, Position, Internal Query. And an engine wrapper
 * may quote the statement it ran. None of that belongs on a status page or an HTTP answer; the sentence
 * and the SQLSTATE do, so that is what stays.
 */
public final class ErrorText {
    private static final int MAX_LENGTH = 1000;
    /** The context lines pgjdbc appends after the message, each starting a line. */
    private static final Pattern INTERNAL_LINE = Pattern.compile(
            "^\\s*(Detail|Hint|Where|Position|Internal Query|Internal Position|Location|Routine|File|Line|Schema"
                    + "|Table|Column|Datatype|Constraint|Server SQLState):.*$|^\\s*Call getNextException.*$",
            Pattern.MULTILINE);
    /** "Database error (SQLSTATE x) in <statement>: ERROR: ..." -> drop the statement text. */
    private static final Pattern STATEMENT = Pattern.compile(
            "(\\(SQLSTATE \\w{5}\\)) in (?:(?:SELECT|INSERT|UPDATE|DELETE|WITH|COPY|CREATE|ALTER|DROP|TRUNCATE|MERGE"
                    + "|CALL|DO|SET|LOCK|transaction)\\b)[^\\n]{0,200}?: (?=(?:ERROR|FATAL|PANIC): |[A-Z])",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SEVERITY = Pattern.compile("\\b(?:ERROR|FATAL|PANIC): ");
    /** Belt and braces for invariant 10: credentials that may sit in a URL quoted by a driver. */
    private static final Pattern CREDENTIAL = Pattern.compile(
            "(?i)\\b(password|sig|api_token|access_token|token|accountkey)=([^&;\\s\"']+)");

    private ErrorText() {}

    /** The stored message without database internals, on one line, bounded; null stays null. */
    public static String forDisplay(String message) {
        if (message == null) {
            return null;
        }
        // everything from the first context line on is server internals (a Where holds several lines)
        Matcher internal = INTERNAL_LINE.matcher(message);
        String s = internal.find() ? message.substring(0, internal.start()) : message;
        s = STATEMENT.matcher(s).replaceAll("$1: ");
        s = SEVERITY.matcher(s).replaceAll("");
        s = CREDENTIAL.matcher(s).replaceAll("$1=***");
        s = s.replaceAll("\\s*\\n\\s*", " ").replaceAll("[\\p{Cntrl}&&[^\\t]]", "?").trim();
        return s.length() <= MAX_LENGTH ? s : s.substring(0, MAX_LENGTH) + "...";
    }

    /** One PostgreSQL failure as a short reason: its sentence and SQLSTATE, never its Detail or Where. */
    public static String of(SQLException e) {
        String sentence = forDisplay(e.getMessage());
        String state = e.getSQLState();
        if (state == null || (sentence != null && sentence.contains(state))) {
            return sentence;
        }
        return sentence + " (SQLSTATE " + state + ")";
    }
}
