package com.skyfit.lake.pipeline;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.source.CredentialRejectedException;
import com.skyfit.lake.source.ErrorTable;
import java.util.Optional;

/**
 * A scope whose credential the server refused in this batch: read from the window ledger, so every worker and
 * Function App instance of the batch sees it, and only within the batch, so the next batch tries the (perhaps fixed)
 * setting again. One indexed look-up per window (the batch's runs of the scope, their failed windows).
 */
final class RejectedCredentials {
    /** How a refused credential's failure is stored: the stack in error_detail starts with the class name. */
    private static final String MARK = CredentialRejectedException.class.getName() + "%";

    private RejectedCredentials() {}

    /** The message of an earlier window of the batch whose scope's credential was refused, if any. */
    static Optional<String> inBatch(Database db, String batchId, String source, String scope) {
        if (batchId == null) {
            return Optional.empty();
        }
        return db.queryFirst("""
                SELECT w.error_message FROM ops.runs r JOIN ops.windows w ON w.run_id = r.run_id
                 WHERE r.batch_id = ? AND r.source = ? AND r.scope = ? AND w.status = 'failed'
                   AND w.error_detail LIKE ? LIMIT 1""", ps -> {
                    ps.setString(1, batchId);
                    ps.setString(2, source);
                    ps.setString(3, scope);
                    ps.setString(4, MARK);
                }, rs -> rs.getString(1));
    }

    /** The same failure for a window that sends nothing: the first one's message names the scope and settings. */
    static CredentialRejectedException again(WindowTask w, String message) {
        return new CredentialRejectedException(w.source(), w.scope(), 401,
                new ErrorTable.Row("rejected credential", a -> false, ErrorTable.Action.FAIL, message),
                message);
    }
}
