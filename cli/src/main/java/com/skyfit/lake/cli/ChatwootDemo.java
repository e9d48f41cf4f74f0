package com.skyfit.lake.cli;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.simulator.ChatwootSourceDatabase;
import com.skyfit.lake.source.chatwoot.ChatwootConfig;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The simulated Chatwoot of the demo and the sandbox: a second database on the same embedded PostgreSQL as
 * the warehouse, read through its read-only login; and the check of core against it.
 */
final class ChatwootDemo {
    static final String DATABASE = "chatwoot_sim";
    private static final List<String> STATUS = List.of("open", "resolved", "pending", "snoozed");

    private ChatwootDemo() {}

    /** Creates the simulated Chatwoot on the server that {@code db} connects to (its superuser login). */
    static ChatwootSourceDatabase create(Database db, int scale, long seed) {
        String url;
        String user;
        try (Connection c = db.connection()) {
            url = c.getMetaData().getURL();
            user = c.getMetaData().getUserName();
        } catch (SQLException e) {
            throw new IllegalStateException("could not reach the embedded PostgreSQL: " + e.getMessage(), e);
        }
        // The embedded server trusts local logins, so the superuser needs no password here.
        return ChatwootSourceDatabase.create(url, user, null, DATABASE, scale, seed);
    }

    /** The settings that turn the Chatwoot source on against the simulated database. */
    static Map<String, String> settings(ChatwootSourceDatabase source) {
        Map<String, String> s = new HashMap<>();
        s.put(ChatwootConfig.JDBC_URL, source.jdbcUrl());
        s.put(ChatwootConfig.USER, source.reader());
        s.put(ChatwootConfig.PASSWORD, source.readerPassword());
        s.put(ChatwootConfig.SSL_MODE, "disable");
        return s;
    }

    /**
     * Every conversation the source holds is in core, not deleted, with the same change time and status; every
     * core row the source no longer holds is marked deleted.
     */
    static boolean verify(Database db, ChatwootSourceDatabase source, PrintStream out) {
        Map<Long, ChatwootSourceDatabase.Conversation> truth = source.truth();
        Map<Long, Object[]> core = new HashMap<>();
        db.query("SELECT id, source_changed_at, status, is_deleted FROM core.chatwoot_conversations", ps -> {},
                rs -> core.put(rs.getLong(1), new Object[] {rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant(),
                        rs.getString(3), rs.getBoolean(4)}));
        int stale = 0;
        for (ChatwootSourceDatabase.Conversation c : truth.values()) {
            Object[] row = core.get(c.id());
            if (row == null || !Objects.equals(row[0], c.changedAt()) || !Objects.equals(row[1], STATUS.get(c.status()))
                    || (Boolean) row[2]) {
                stale++;
            }
        }
        Set<Long> gone = new HashSet<>(core.keySet());
        gone.removeAll(truth.keySet());
        long notMarked = gone.stream().filter(id -> !(Boolean) core.get(id)[2]).count();
        boolean match = stale == 0 && notMarked == 0;
        out.printf("%-12s %-14s %8d %8d %8d %8d  %s%n", "default", "conversations", truth.size(), core.size(), gone.size(),
                stale + notMarked, match ? "match" : "MISMATCH");
        return match;
    }
}
