package com.skyfit.lake.source.chatwoot;

import com.skyfit.lake.source.ErrorTable;
import com.skyfit.lake.source.SourceException;
import java.sql.SQLException;
import java.util.List;

/**
 * What a failure of the Chatwoot database means, by SQLSTATE, as a table: which setting to check and
 * whether a later attempt can succeed (the row's action: FAIL is permanent, so Durable retries stop at once;
 * RETRY is worth another attempt). The status is the HTTP-like class shown with the failure (401 rejected
 * login, 404 missing object, 0 no answer), not an HTTP answer.
 */
final class ReadErrors {

    private record Row(String sqlStatePrefix, int status, ErrorTable.Action action, String advice) {}

    private static Row fail(String sqlStatePrefix, int status, String advice) {
        return new Row(sqlStatePrefix, status, ErrorTable.Action.FAIL, advice);
    }

    private static Row retry(String sqlStatePrefix, String advice) {
        return new Row(sqlStatePrefix, 0, ErrorTable.Action.RETRY, advice);
    }

    // First matching prefix wins; the most specific states come first.
    private static final List<Row> TABLE = List.of(
            fail("28P01", 401, "the login was rejected: check " + ChatwootConfig.USER + " and " + ChatwootConfig.PASSWORD),
            fail("28", 401, "the login was rejected: check " + ChatwootConfig.USER + ", " + ChatwootConfig.PASSWORD
                    + " and the server's pg_hba rules for this host and " + ChatwootConfig.SSL_MODE),
            fail("3D000", 404, "the database does not exist: check " + ChatwootConfig.JDBC_URL),
            fail("42P01", 404, "the view does not exist or is not visible to the user: check " + ChatwootConfig.VIEW),
            fail("42703", 400, "a column is missing from the view: check " + ChatwootConfig.ID_COLUMN + " and "
                    + ChatwootConfig.WATERMARK_COLUMNS),
            fail("42883", 400, "the watermark columns cannot be compared as timestamps: check "
                    + ChatwootConfig.WATERMARK_COLUMNS),
            fail("42501", 403, "the user may not read the view: grant SELECT on " + ChatwootConfig.VIEW + " to "
                    + ChatwootConfig.USER),
            fail("25006", 403, "a write was attempted on the read-only source connection; nothing was written"),
            retry("08", "the database could not be reached: check " + ChatwootConfig.JDBC_URL + " and "
                    + ChatwootConfig.SSL_MODE),
            retry("57P", "the database is shutting down or restarting; the next attempt retries"),
            retry("53", "the database is out of resources (connections, memory, disk); the next attempt retries"),
            retry("40001", "the read was cancelled by a conflict with recovery on a replica; the next attempt retries"),
            retry("57014", "the read was cancelled (statement timeout); the next attempt retries"));

    private ReadErrors() {}

    /** The failure as the pipeline reports it: what failed, what to do, the server's words, no secret. */
    static SourceException of(ChatwootConfig config, String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        Row row = TABLE.stream().filter(r -> state.startsWith(r.sqlStatePrefix())).findFirst()
                .orElse(retry("", "unexpected database error; the next attempt retries"));
        String message = "Chatwoot source " + what + " failed (SQLSTATE " + (state.isEmpty() ? "none" : state) + "): "
                + row.advice() + ". Server said: " + config.redact(e.getMessage());
        return new SourceException(ChatwootSource.NAME, config.scope(), row.status(), row.action(), message,
                sanitized(config, e));
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
