package com.skyfit.lake.core;

import com.skyfit.lake.control.PgRetry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A large batch into an empty core table (a first load, or a full refresh that truncated it) is loaded without the
 * table's secondary indexes, which are built again, sorted, once the rows are in. Each row inserted into a B-tree
 * on a column in no particular order (a member id, say) lands on a page of its own; once the index outgrows the
 * buffer cache every such insert is a page read and a page written, so a large first load costs more per row the
 * larger it is. A sorted build reads the table once.
 *
 * <p>All of it happens in the transform's transaction: DROP INDEX and CREATE INDEX are transactional, so a crash or
 * an error anywhere in the transform leaves the indexes exactly as they were. Only plain indexes are dropped:
 * primary keys and unique indexes stay (the transform's inserts rely on them), and so does any index a constraint
 * owns, one that is not valid (a failed concurrent build is left for its owner to see), and one with anything its
 * definition does not carry (see {@link #secondary}). DROP INDEX takes the
 * table's ACCESS EXCLUSIVE lock until commit: a reader of the (empty) table waits for the load instead of reading
 * nothing, which is why small batches keep their indexes (status and health do not wait: OpsQueries). A role that
 * does not own the table (the Function App's, which has no DDL) keeps them too, and so does a table another session
 * holds when the load starts.
 */
public final class BulkLoadIndexes {
    private static final Logger LOG = LoggerFactory.getLogger(BulkLoadIndexes.class);

    /** A dropped index: its qualified name and the statement that builds it again, as PostgreSQL gives it. */
    public record Index(String name, String definition) {
    }

    private BulkLoadIndexes() {
    }

    /** How long the drop waits for the table's exclusive lock before the load goes on with the indexes kept. */
    static final String LOCK_WAIT = "5s";

    /**
     * Drops the secondary indexes of each of the tables that holds no row, and returns what to build again. A table
     * someone else holds (a reader's open transaction) for longer than LOCK_WAIT keeps its indexes: the drop is
     * taken back to a savepoint and the load goes on as a load into an indexed table, instead of waiting on that
     * reader while holding the staging table's lock.
     */
    public static List<Index> dropFromEmpty(Connection c, List<String> tables) throws SQLException {
        List<Index> dropped = new ArrayList<>();
        for (String table : tables) {
            if (!isEmpty(c, table)) {
                continue;
            }
            List<Index> indexes = secondary(c, table);
            if (indexes.isEmpty()) {
                continue;
            }
            Savepoint before = c.setSavepoint();
            try (Statement st = c.createStatement()) {
                String wait = current(st, "lock_timeout");
                st.execute("SET LOCAL lock_timeout = '" + LOCK_WAIT + "'");
                for (Index index : indexes) {
                    st.execute("DROP INDEX " + index.name());
                }
                st.execute("SELECT set_config('lock_timeout', '" + wait.replace("'", "''") + "', true)");
                c.releaseSavepoint(before);
                dropped.addAll(indexes);
            } catch (SQLException e) {
                if (!PgRetry.lockWaitRanOut(e)) {
                    throw e;
                }
                c.rollback(before); // the setting too: it was set after the savepoint
                LOG.warn("{}: kept its secondary indexes for this load: another session holds the table", table);
            }
        }
        return dropped;
    }

    private static String current(Statement st, String setting) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT current_setting('" + setting + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Builds the dropped indexes again, in the order they were dropped. */
    public static void rebuild(Connection c, List<Index> dropped) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (Index index : dropped) {
                st.execute(index.definition());
            }
        }
    }

    /**
     * The table's plain indexes the current role owns: not primary, not unique, owned by no constraint, valid and
     * ready, and nothing about
     * them that their definition does not carry (a comment, a CLUSTER mark, a tablespace of their own, a column's
     * statistics target, an extension or an object depending on them): such an index is kept as it is.
     */
    static List<Index> secondary(Connection c, String table) throws SQLException {
        List<Index> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT quote_ident(n.nspname) || '.' || quote_ident(x.relname), pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                JOIN pg_class x ON x.oid = i.indexrelid
                JOIN pg_namespace n ON n.oid = x.relnamespace
                WHERE i.indrelid = ?::regclass
                  AND NOT i.indisprimary AND NOT i.indisunique AND NOT i.indisexclusion
                  AND i.indisvalid AND i.indisready AND i.indislive
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                  -- what pg_get_indexdef does not give back, or what would make a plain DROP INDEX fail
                  AND NOT i.indisclustered AND x.reltablespace = 0
                  -- only the owner may drop an index: the app's role (infra/sql/grant-app-role.sql) owns none
                  AND pg_has_role(x.relowner, 'USAGE')
                  AND obj_description(i.indexrelid, 'pg_class') IS NULL
                  AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                                  WHERE a.attrelid = i.indexrelid AND coalesce(a.attstattarget, -1) >= 0)
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                  WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indexrelid)
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                  WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                                    AND d.deptype IN ('e', 'x'))
                ORDER BY x.relname""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Index(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    /** Whether the table has no row in this transaction's view. */
    static boolean isEmpty(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + table + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
