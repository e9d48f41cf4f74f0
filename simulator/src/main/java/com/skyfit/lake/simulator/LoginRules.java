package com.skyfit.lake.simulator;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Edits the login rules (pg_hba.conf) of a PostgreSQL server the simulator owns, over a superuser connection.
 * Lines are prepended for one login only, so every other login keeps its rules. The file is written through
 * COPY in CSV form with quote and delimiter bytes that never occur in it, so every line is written verbatim
 * (comments and rules; blank lines are dropped).
 */
final class LoginRules {
    private LoginRules() {}

    /** Local TCP logins of {@code login} must give their password (scram-sha-256); takes effect on reload. */
    static void requirePassword(Connection c, String login) throws SQLException {
        String rule = "host all " + login + " %s scram-sha-256";
        try (Statement st = c.createStatement()) {
            String file;
            try (ResultSet rs = st.executeQuery("SHOW hba_file")) {
                rs.next();
                file = rs.getString(1);
            }
            String current;
            try (ResultSet rs = st.executeQuery("SELECT pg_read_file('" + file + "')")) {
                rs.next();
                current = rs.getString(1);
            }
            if (current.contains(" " + login + " ")) {
                return;
            }
            // Read first, then written from the literal: COPY truncates its target before its query runs.
            // Empty lines are left out (CSV would write them as two quote bytes).
            String lines = rule.formatted("127.0.0.1/32") + "\n" + rule.formatted("::1/128") + "\n" + current;
            st.execute("COPY (SELECT l FROM unnest(string_to_array($hba$" + lines + "$hba$, E'\\n')) l WHERE l <> '') TO '"
                    + file + "' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')");
            st.execute("SELECT pg_reload_conf()");
        }
    }
}
