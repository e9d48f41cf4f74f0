package com.skyfit.lake.source;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The request gate in PostgreSQL ({@code ops.request_gate}), shared by every process, instance, run and
 * backfill that uses the database: each request claims the token's next slot with one atomic upsert
 * (the row lock orders concurrent claimers), so N processes together send at most one request per
 * interval; a 429 writes the pause into the same row. Times are the database's clock, so the
 * processes' own clocks do not matter. One connection is kept for the gate (a claim per request must
 * not cost a new TLS connection) and opened again after a failure.
 */
public final class PgRequestGate implements RequestGate, AutoCloseable {
    private static final String CLAIM = """
            INSERT INTO ops.request_gate AS g (token_key, label, next_slot)
            VALUES (?, ?, clock_timestamp() + ? * interval '1 microsecond')
            ON CONFLICT (token_key) DO UPDATE
              SET next_slot = greatest(g.next_slot, g.paused_until, clock_timestamp()) + ? * interval '1 microsecond',
                  label = excluded.label
            RETURNING greatest(0, extract(epoch FROM g.next_slot - clock_timestamp()) * 1000000 - ?)::bigint""";
    private static final String LATE = """
            UPDATE ops.request_gate SET next_slot = next_slot + ? * interval '1 microsecond' WHERE token_key = ?""";
    private static final String STILL_PAUSED = """
            SELECT paused_until > clock_timestamp() FROM ops.request_gate WHERE token_key = ?""";
    private static final String PAUSE = """
            INSERT INTO ops.request_gate AS g (token_key, label, next_slot, paused_until)
            VALUES (?, ?, clock_timestamp(), clock_timestamp() + ? * interval '1 microsecond')
            ON CONFLICT (token_key) DO UPDATE
              SET paused_until = greatest(g.paused_until, clock_timestamp() + ? * interval '1 microsecond')""";

    private final DataSource dataSource;
    private Connection connection;

    public PgRequestGate(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs one statement on the gate's connection; a broken connection is replaced once. */
    private synchronized <T> T withConnection(String label, Work<T> work) throws IOException {
        SQLException first = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (connection == null || connection.isClosed()) {
                    connection = dataSource.getConnection();
                    connection.setAutoCommit(true);
                }
                return work.run(connection);
            } catch (SQLException e) {
                first = first == null ? e : first;
                closeQuietly();
            }
        }
        throw unavailable(label, first);
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is being dropped anyway.
            }
            connection = null;
        }
    }

    @Override
    public long acquire(String tokenKey, String label, Duration interval) throws IOException, InterruptedException {
        long micros = interval.toNanos() / 1000;
        while (true) {
            long waitMicros = withConnection(label, c -> {
                try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
                    ps.setString(1, tokenKey);
                    ps.setString(2, label);
                    ps.setLong(3, micros);
                    ps.setLong(4, micros);
                    ps.setLong(5, micros);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
            // the slot on this process's clock: the database said how far from its now, which was just before here
            long slot = System.nanoTime() + Math.max(0, waitMicros) * 1000;
            if (waitMicros <= 0) {
                return slot;
            }
            Thread.sleep(waitMicros / 1000, (int) (waitMicros % 1000) * 1000);
            // A 429 seen by another process while this one slept moves the whole token back.
            if (!stillPaused(tokenKey, label)) {
                return slot;
            }
        }
    }

    @Override
    public void sending(String tokenKey, String label, long slotNanos, Duration interval) throws IOException {
        long late = RequestGate.lateNanos(slotNanos, interval);
        if (late <= 0) {
            return;
        }
        withConnection(label, c -> {
            try (PreparedStatement ps = c.prepareStatement(LATE)) {
                ps.setLong(1, late / 1000);
                ps.setString(2, tokenKey);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void pause(String tokenKey, String label, Duration wait) throws IOException {
        long micros = wait.toNanos() / 1000;
        withConnection(label, c -> {
            try (PreparedStatement ps = c.prepareStatement(PAUSE)) {
                ps.setString(1, tokenKey);
                ps.setString(2, label);
                ps.setLong(3, micros);
                ps.setLong(4, micros);
                return ps.executeUpdate();
            }
        });
    }

    private boolean stillPaused(String tokenKey, String label) throws IOException {
        return withConnection(label, c -> {
            try (PreparedStatement ps = c.prepareStatement(STILL_PAUSED)) {
                ps.setString(1, tokenKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }
        });
    }

    /** An I/O failure, so the HTTP client's bounded retry covers a database blip too. */
    private static IOException unavailable(String label, SQLException e) {
        return new IOException("the shared request budget of " + label + " in PostgreSQL (ops.request_gate) "
                + "could not be read: " + e.getMessage(), e);
    }
}
