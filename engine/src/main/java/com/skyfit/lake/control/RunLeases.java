package com.skyfit.lake.control;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * Who owns the run of each source / scope / entity (ops.run_leases, invariant 12). A batch takes the lease
 * when it plans the entity and refreshes heartbeat_at while it works; a lease whose heartbeat is older than
 * the timeout, or whose owner is a process on this host that no longer exists, is dead and the next batch
 * takes it. Taking is one INSERT .. ON CONFLICT followed by a row lock, never a check then a write.
 */
public final class RunLeases {
    private final Database db;
    private final Duration timeout;
    private final Duration orchestrationTimeout;

    public RunLeases(Database db, Duration timeout) {
        this(db, timeout, timeout);
    }

    /**
     * A batch driven by durable orchestration refreshes its leases only while one of its activities runs; between
     * them it waits in durable timers, retry back-offs and the host's queues, so its leases get the longer timeout.
     */
    public RunLeases(Database db, Duration timeout, Duration orchestrationTimeout) {
        this.db = db;
        this.timeout = timeout;
        this.orchestrationTimeout = orchestrationTimeout;
    }

    public Duration timeout() {
        return timeout;
    }

    /** A lease as stored, with its heartbeat's age by the database clock. */
    public record Lease(String source, String scope, String entity, String batchId, String runId, String ownerId,
            Instant acquiredAt, Instant heartbeatAt, double ageSeconds) {

        public String describe() {
            return source + " " + scope + "/" + entity + " is owned by run " + (runId == null ? "(being planned)" : runId)
                    + " of batch " + batchId + " since " + acquiredAt + " (owner " + ownerId + ", last heartbeat "
                    + Math.round(ageSeconds) + " s ago)";
        }
    }

    /** The outcome of a take: either ours (with the dead lease we replaced, if any), or a live owner's. */
    public record Take(boolean acquired, Optional<Lease> previous, Optional<Lease> blocker) {}

    /**
     * Takes the entity's lease for the batch inside the caller's transaction, which holds the row lock until it
     * commits, so two planners of one entity never both win. The same batch taking again (a re-plan) wins.
     */
    public Take take(Connection c, String source, String scope, String entity, String batchId, LeaseOwner owner)
            throws SQLException {
        try (PreparedStatement ins = c.prepareStatement("""
                INSERT INTO ops.run_leases (source, scope, entity, batch_id, owner_id) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (source, scope, entity) DO NOTHING""")) {
            bindKey(ins, source, scope, entity);
            ins.setString(4, batchId);
            ins.setString(5, owner.id());
            if (ins.executeUpdate() == 1) {
                return new Take(true, Optional.empty(), Optional.empty());
            }
        }
        Lease current = lockedLease(c, source, scope, entity);
        if (current.batchId().equals(batchId)) {
            return new Take(true, Optional.empty(), Optional.empty());
        }
        if (!isDead(current)) {
            return new Take(false, Optional.empty(), Optional.of(current));
        }
        try (PreparedStatement up = c.prepareStatement("""
                UPDATE ops.run_leases SET batch_id = ?, owner_id = ?, run_id = NULL, acquired_at = now(),
                       heartbeat_at = now()
                WHERE source = ? AND scope = ? AND entity = ?""")) {
            up.setString(1, batchId);
            up.setString(2, owner.id());
            up.setString(3, source);
            up.setString(4, scope);
            up.setString(5, entity);
            up.executeUpdate();
        }
        return new Take(true, Optional.of(current), Optional.empty());
    }

    /** Dead: not refreshed within its owner's timeout, or owned by a process of this host that has ended. */
    public boolean isDead(Lease lease) {
        Duration limit = LeaseOwner.orchestration().id().equals(lease.ownerId()) ? orchestrationTimeout : timeout;
        return lease.ageSeconds() > limit.toSeconds() || LeaseOwner.isGoneOnThisHost(lease.ownerId());
    }

    /** Names the run the lease is held for (set once the planner has opened or resumed it). */
    public void attachRun(Connection c, String source, String scope, String entity, String batchId, String runId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ops.run_leases SET run_id = ? WHERE source = ? AND scope = ? AND entity = ? AND batch_id = ?")) {
            ps.setString(1, runId);
            bindKey(ps, 2, source, scope, entity);
            ps.setString(5, batchId);
            ps.executeUpdate();
        }
    }

    /** Whether the batch still holds the entity's lease; locks it until the caller's transaction ends. */
    public boolean holds(Connection c, String source, String scope, String entity, String batchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT 1 FROM ops.run_leases WHERE source = ? AND scope = ? AND entity = ? AND batch_id = ?
                FOR UPDATE""")) {
            bindKey(ps, source, scope, entity);
            ps.setString(4, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The entity's lease, read on the caller's connection (inside its transaction). */
    public Optional<Lease> current(Connection c, String source, String scope, String entity) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LEASE_COLUMNS + " WHERE source = ? AND scope = ? AND entity = ?")) {
            bindKey(ps, source, scope, entity);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(lease(rs)) : Optional.empty();
            }
        }
    }

    public Optional<Lease> current(String source, String scope, String entity) {
        return db.queryFirst(LEASE_COLUMNS + " WHERE source = ? AND scope = ? AND entity = ?",
                ps -> bindKey(ps, source, scope, entity), RunLeases::lease);
    }

    /** Refreshes the heartbeat of every lease the batches hold; returns how many leases it refreshed. */
    public int heartbeat(Collection<String> batchIds) {
        if (batchIds.isEmpty()) {
            return 0;
        }
        return db.execute("UPDATE ops.run_leases SET heartbeat_at = now() WHERE batch_id = ANY (?)", ps -> {
            Array a = ps.getConnection().createArrayOf("text", batchIds.toArray());
            ps.setArray(1, a);
        });
    }

    /** Gives the entity's lease back, if the batch still holds it. */
    public void release(Connection c, String source, String scope, String entity, String batchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM ops.run_leases WHERE source = ? AND scope = ? AND entity = ? AND batch_id = ?")) {
            bindKey(ps, source, scope, entity);
            ps.setString(4, batchId);
            ps.executeUpdate();
        }
    }

    /** Gives back every lease the batch holds (it completed or failed). */
    public void releaseBatch(String batchId) {
        db.execute("DELETE FROM ops.run_leases WHERE batch_id = ?", ps -> ps.setString(1, batchId));
    }

    private Lease lockedLease(Connection c, String source, String scope, String entity) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LEASE_COLUMNS
                + " WHERE source = ? AND scope = ? AND entity = ? FOR UPDATE")) {
            bindKey(ps, source, scope, entity);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("lease of " + source + " " + scope + "/" + entity + " vanished while taken",
                            "40001");
                }
                return lease(rs);
            }
        }
    }

    private static final String LEASE_COLUMNS = """
            SELECT source, scope, entity, batch_id, run_id, owner_id, acquired_at, heartbeat_at,
                   extract(epoch FROM now() - heartbeat_at)::float8
            FROM ops.run_leases""";

    private static Lease lease(ResultSet rs) throws SQLException {
        return new Lease(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), RunLedger.instant(rs, 7), RunLedger.instant(rs, 8), rs.getDouble(9));
    }

    private static void bindKey(PreparedStatement ps, String source, String scope, String entity) throws SQLException {
        bindKey(ps, 1, source, scope, entity);
    }

    private static void bindKey(PreparedStatement ps, int first, String source, String scope, String entity)
            throws SQLException {
        ps.setString(first, source);
        ps.setString(first + 1, scope);
        ps.setString(first + 2, entity);
    }
}
