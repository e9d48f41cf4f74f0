package com.skyfit.lake.source.chatwoot;

import com.skyfit.lake.source.SourceException;
import java.sql.SQLException;
import java.util.List;

/**
 * What a failure of the Chatwoot database means, by SQLSTATE, as a table: which setting to check and
 * whether a later attempt can succeed. The status given to {@link SourceException} is the failure class the
 * pipeline already reads (a 4xx other than 429 is permanent: Durable retries stop at once; 0 is a
 * connection-level failure worth retrying), not an HTTP answer.
 */
final class ReadErrors {

    private record Row(String sqlStatePrefix, int status, String advice) {}

    // First matching prefix wins; the most specific states come first.
    private static final List<Row> TABLE = List.of(
            new Row("28P01", 401, "the login was rejected: check " + ChatwootConfig.USER + " and " + ChatwootConfig.PASSWORD),
            new Row("28", 401, "the login was rejected: check " + ChatwootConfig.USER + ", " + ChatwootConfig.PASSWORD
                    + " and the server's pg_hba rules for this host and " + ChatwootConfig.SSL_MODE),
            new Row("3D000", 404, "the database does not exist: check " + ChatwootConfig.JDBC_URL),
            new Row("42P01", 404, "the view does not exist or is not visible to the user: check " + ChatwootConfig.VIEW),
            new Row("42703", 400, "a column is missing from the view: check " + ChatwootConfig.ID_COLUMN + " and "
                    + ChatwootConfig.WATERMARK_COLUMNS),
            new Row("42883", 400, "the watermark columns cannot be compared as timestamps: check "
                    + ChatwootConfig.WATERMARK_COLUMNS),
            new Row("42501", 403, "the user may not read the view: grant SELECT on " + ChatwootConfig.VIEW + " to "
                    + ChatwootConfig.USER),
            new Row("25006", 403, "a write was attempted on the read-only source connection; nothing was written"),
            new Row("08", 0, "the database could not be reached: check " + ChatwootConfig.JDBC_URL + " and "
                    + ChatwootConfig.SSL_MODE),
            new Row("57P", 0, "the database is shutting down or restarting; the next attempt retries"),
            new Row("53", 0, "the database is out of resources (connections, memory, disk); the next attempt retries"),
            new Row("40001", 0, "the read was cancelled by a conflict with recovery on a replica; the next attempt retries"),
            new Row("57014", 0, "the read was cancelled (statement timeout); the next attempt retries"));

    private ReadErrors() {}

    /** The failure as the pipeline reports it: what failed, what to do, the server's words, no secret. */
    static SourceException of(ChatwootConfig config, String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        Row row = TABLE.stream().filter(r -> state.startsWith(r.sqlStatePrefix())).findFirst()
                .orElse(new Row("", 0, "unexpected database error; the next attempt retries"));
        String message = "Chatwoot source " + what + " failed (SQLSTATE " + (state.isEmpty() ? "none" : state) + "): "
                + row.advice() + ". Server said: " + config.redact(e.getMessage());
        return new SourceException(ChatwootSource.NAME, config.scope(), row.status(), message, sanitized(config, e));
    }

    /**
     * The driver's exception with its message redacted and its stack kept, so the ledger's error_detail shows
     * where it failed without any chance of carrying the password.
     */
    private static SQLException sanitized(ChatwootConfig config, SQLException e) {
        SQLException copy = new SQLException(config.redact(e.getMessage()), e.getSQLState(), e.getErrorCode());
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }
}
