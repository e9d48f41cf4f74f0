package com.skyfit.lake.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated Chatwoot: a database on an existing PostgreSQL server with Chatwoot's conversation tables,
 * the analytics view the lake reads, generated conversations, and a login that may only SELECT the view
 * (it owns nothing and may create nothing). {@link #mutate} changes it the ways Chatwoot does between runs.
 */
public final class ChatwootSourceDatabase {
    public static final String VIEW = "vw_conversations_analytics_final";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String url;
    private final String adminUser;
    private final String adminPassword;
    private final String reader;
    private final String readerPassword;

    private ChatwootSourceDatabase(String url, String adminUser, String adminPassword, String reader,
            String readerPassword) {
        this.url = url;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
        this.reader = reader;
        this.readerPassword = readerPassword;
    }

    /**
     * Creates (or re-creates) database {@code name} on the server {@code serverUrl} points at, as a superuser,
     * with {@code scale} conversations generated from {@code seed}.
     */
    public static ChatwootSourceDatabase create(String serverUrl, String adminUser, String adminPassword, String name,
            int scale, long seed) {
        if (!name.matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("database name must be lower-case letters, digits and _: " + name);
        }
        String reader = name + "_reader";
        String password = HexFormat.of().formatHex(bytes(12));
        try (Connection c = DriverManager.getConnection(serverUrl, adminUser, adminPassword);
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
            st.execute("DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + reader + "') THEN "
                    + "CREATE ROLE " + reader + " LOGIN; END IF; END$$");
            st.execute("ALTER ROLE " + reader + " LOGIN PASSWORD '" + password + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the simulated Chatwoot database " + name + ": "
                    + e.getMessage(), e);
        }
        String url = withDatabase(serverUrl, name);
        ChatwootSourceDatabase db = new ChatwootSourceDatabase(url, adminUser, adminPassword, reader, password);
        db.build(name, scale, seed);
        return db;
    }

    private void build(String name, int scale, long seed) {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute(resource("chatwoot/schema.sql"));
            st.execute("REVOKE ALL ON DATABASE " + name + " FROM PUBLIC");
            st.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            st.execute("GRANT CONNECT ON DATABASE " + name + " TO " + reader);
            st.execute("GRANT USAGE ON SCHEMA public TO " + reader);
            st.execute("GRANT SELECT ON " + VIEW + " TO " + reader);
            try (PreparedStatement ps = c.prepareStatement("SELECT setseed(?)")) {
                ps.setDouble(1, (Math.floorMod(seed, 2001) - 1000) / 1000.0);
                ps.execute();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO contacts (account_id, name, email)
                    SELECT 1, 'Contact ' || g, 'contact' || g || '@example.com' FROM generate_series(1, ?) g""")) {
                ps.setInt(1, Math.max(scale / 2, 1));
                ps.execute();
            }
            try (PreparedStatement ps = c.prepareStatement(GENERATE)) {
                ps.setInt(1, scale);
                ps.execute();
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("could not fill the simulated Chatwoot database: " + e.getMessage(), e);
        }
    }

    // Every generated time lies before an hour ago, so a change stamped now is always newer.
    private static final String GENERATE = """
            WITH base AS (
                SELECT g, (now() AT TIME ZONE 'UTC') - interval '1 hour' - random() * interval '90 days' AS created,
                       random() AS r1, random() AS r2, random() AS r3, random() AS r4
                FROM generate_series(1, ?) g
            )
            INSERT INTO conversations (account_id, inbox_id, status, assignee_id, created_at, updated_at, contact_id,
                                       display_id, additional_attributes, last_activity_at, team_id, custom_attributes,
                                       first_reply_created_at, priority, waiting_since, cached_label_list)
            SELECT 1, 1 + (g % 3), floor(r1 * 4)::int,
                   CASE WHEN r2 < 0.8 THEN 1 + (g % 4) END,
                   created,
                   least(created + r3 * interval '3 days', (now() AT TIME ZONE 'UTC') - interval '1 hour'),
                   1 + (g % (SELECT count(*) FROM contacts)),
                   g,
                   jsonb_build_object('browser', CASE WHEN r2 < 0.5 THEN 'Chrome' ELSE 'Safari' END,
                                      'referer', 'https://skyfit.example/' || (g % 7)),
                   least(created + r4 * interval '5 days', (now() AT TIME ZONE 'UTC') - interval '1 hour'),
                   CASE WHEN r3 < 0.6 THEN 1 + (g % 2) END,
                   CASE WHEN r4 < 0.3 THEN jsonb_build_object('plan', 'gold', 'unit', 'Unit ' || (g % 5))
                        ELSE '{}'::jsonb END,
                   CASE WHEN r1 < 0.7 THEN created + interval '5 minutes' END,
                   CASE WHEN r2 < 0.5 THEN NULL ELSE floor(r3 * 4)::int END,
                   CASE WHEN r1 >= 0.7 THEN created END,
                   CASE WHEN r4 < 0.25 THEN 'billing,vip' WHEN r4 < 0.5 THEN 'support' END
            FROM base""";

    /**
     * Makes the server check the reader's password, as a real Chatwoot server does (an embedded test server
     * trusts local logins).
     */
    public void requirePassword() {
        try (Connection c = admin()) {
            LoginRules.requirePassword(c, reader);
        } catch (SQLException e) {
            throw new IllegalStateException("could not make the server check the reader's password: " + e.getMessage(), e);
        }
    }

    /** Removes the simulated database from its server (connections to it are ended). */
    public void drop() {
        String name = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        try (Connection c = DriverManager.getConnection(withDatabase(url, "postgres"), adminUser, adminPassword);
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop the simulated Chatwoot database: " + e.getMessage(), e);
        }
    }

    /** JDBC URL of the simulated Chatwoot database (no credentials in it). */
    public String jdbcUrl() {
        return url;
    }

    /** The login that may only SELECT the view. */
    public String reader() {
        return reader;
    }

    public String readerPassword() {
        return readerPassword;
    }

    /** A superuser connection to the simulated database (to change it, or to read its truth). */
    public Connection admin() throws SQLException {
        return DriverManager.getConnection(url, adminUser, adminPassword);
    }

    /**
     * Changes the source as Chatwoot does between two runs, all stamped with the same time (now): new
     * conversations, updated ones (updated_at), ones with a new message only (last_activity_at), hard deletes.
     * The sets are disjoint and chosen by {@code seed}.
     */
    public ChatwootChanges mutate(int created, int updated, int activityOnly, int deleted, long seed) {
        try (Connection c = admin()) {
            c.setAutoCommit(false);
            LocalDateTime now;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT date_trunc('milliseconds', now() AT TIME ZONE 'UTC')")) {
                rs.next();
                now = rs.getObject(1, LocalDateTime.class);
            }
            List<Long> picked = ids(c, "SELECT id FROM conversations ORDER BY md5(id || ':' || ?) LIMIT ?", seed,
                    updated + activityOnly + deleted);
            List<Long> up = picked.subList(0, Math.min(updated, picked.size()));
            List<Long> act = picked.subList(up.size(), Math.min(up.size() + activityOnly, picked.size()));
            List<Long> del = picked.subList(up.size() + act.size(), picked.size());
            update(c, "UPDATE conversations SET status = (status + 1) % 4, updated_at = ? WHERE id = ANY (?)", now, up);
            update(c, "UPDATE conversations SET last_activity_at = ? WHERE id = ANY (?)", now, act);
            update(c, "DELETE FROM conversations WHERE id = ANY (?)", null, del);
            List<Long> made = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO conversations (account_id, inbox_id, status, created_at, updated_at, display_id,
                                               last_activity_at, waiting_since, cached_label_list)
                    SELECT 1, 1 + (g % 3), 0, ?, ?, (SELECT coalesce(max(display_id), 0) FROM conversations) + g, ?, ?,
                           'new'
                    FROM generate_series(1, ?) g RETURNING id""")) {
                Timestamp t = Timestamp.valueOf(now);
                ps.setTimestamp(1, t);
                ps.setTimestamp(2, t);
                ps.setTimestamp(3, t);
                ps.setTimestamp(4, t);
                ps.setInt(5, created);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        made.add(rs.getLong(1));
                    }
                }
            }
            c.commit();
            return new ChatwootChanges(now.toInstant(ZoneOffset.UTC), made, up, act, del);
        } catch (SQLException e) {
            throw new IllegalStateException("could not change the simulated Chatwoot: " + e.getMessage(), e);
        }
    }

    /** A conversation as the source holds it now: its greatest change time and its status code. */
    public record Conversation(long id, Instant changedAt, int status) {}

    /** Every conversation the source holds, by id. */
    public Map<Long, Conversation> truth() {
        Map<Long, Conversation> out = new TreeMap<>();
        try (Connection c = admin(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, greatest(updated_at, last_activity_at), status FROM conversations")) {
            while (rs.next()) {
                out.put(rs.getLong(1), new Conversation(rs.getLong(1),
                        rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC), rs.getInt(3)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the simulated Chatwoot: " + e.getMessage(), e);
        }
        return out;
    }

    private static List<Long> ids(Connection c, String sql, long seed, int limit) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, Long.toString(seed));
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    /** Runs sql over the ids (its last parameter), stamping them with time (its first) unless time is null. */
    private static void update(Connection c, String sql, LocalDateTime time, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            if (time != null) {
                ps.setTimestamp(p++, Timestamp.valueOf(time));
            }
            ps.setArray(p, c.createArrayOf("int4", ids.stream().map(Long::intValue).toArray()));
            ps.executeUpdate();
        }
    }

    /** The same server and options, another database: jdbc:postgresql://host:port/db?x -> .../name?x. */
    static String withDatabase(String serverUrl, String name) {
        int slash = serverUrl.indexOf('/', "jdbc:postgresql://".length());
        if (!serverUrl.startsWith("jdbc:postgresql://") || slash < 0) {
            throw new IllegalArgumentException("expected a jdbc:postgresql://host:port/database URL");
        }
        int query = serverUrl.indexOf('?', slash);
        return serverUrl.substring(0, slash + 1) + name + (query < 0 ? "" : serverUrl.substring(query));
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = ChatwootSourceDatabase.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException(path + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
