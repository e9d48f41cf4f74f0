package com.skyfit.lake.source.chatwoot;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyfit.lake.config.Settings;
import com.skyfit.lake.pipeline.SourceConnector;
import com.skyfit.lake.source.ErrorTable;
import com.skyfit.lake.source.RecordSink;
import com.skyfit.lake.source.SourceException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Chatwoot view into bronze. Two streams:
 * <ul>
 *   <li>{@code conversations}: the rows whose greatest watermark column is at or after the window start (the
 *       last watermark less the overlap), ordered by (that timestamp, id) so every read of the same snapshot is
 *       the same sequence; no start reads everything.</li>
 *   <li>{@code conversation_ids}: every id, in chunks, then a trailer naming how many; the core transform
 *       marks deletions only from a listing whose trailer and every chunk arrived.</li>
 * </ul>
 * The connection is read-only by construction: the session starts with {@code default_transaction_read_only}
 * on, the driver opens every transaction READ ONLY, and nothing here writes. Rows stream through a
 * server-side cursor (autocommit off, fetch size), so memory holds one fetch, whatever the view's size.
 */
public final class ChatwootConnector implements SourceConnector {
    private static final Logger LOG = LoggerFactory.getLogger(ChatwootConnector.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ids per bronze line of a listing: about 40 KB of JSON, few lines even for millions of conversations. */
    static final int IDS_PER_LINE = 5000;

    private final ChatwootConfig config;
    private final PGSimpleDataSource dataSource;

    public ChatwootConnector(ChatwootConfig config) {
        this.config = config;
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(config.jdbcUrl());
        ds.setUser(config.user());
        ds.setPassword(config.password().reveal());
        if (config.sslMode() != null) {
            ds.setSslMode(config.sslMode());
        }
        ds.setApplicationName("skyfit-data-lake");
        ds.setReadOnly(true);
        // Startup parameters, after any the URL names (later wins): read-only before the first statement;
        // timestamps without zone read as UTC.
        String own = "-c default_transaction_read_only=on -c TimeZone=UTC";
        ds.setOptions(ds.getOptions() == null || ds.getOptions().isBlank() ? own : ds.getOptions() + " " + own);
        this.dataSource = ds;
    }

    public static ChatwootConnector fromSettings(Settings settings) {
        return new ChatwootConnector(ChatwootConfig.fromSettings(settings));
    }

    public ChatwootConfig config() {
        return config;
    }

    @Override
    public String name() {
        return ChatwootSource.NAME;
    }

    @Override
    public List<String> scopes() {
        return List.of(config.scope());
    }

    @Override
    public List<String> entities() {
        return ChatwootSource.ENTITIES;
    }

    @Override
    public boolean supportsUpdatedFilter(String entity) {
        return ChatwootSource.CONVERSATIONS.equals(entity);
    }

    @Override
    public Duration overlap() {
        return config.overlap();
    }

    @Override
    public Extracted extract(String scope, String entity, Instant since, Instant until, RecordSink sink)
            throws IOException {
        if (!config.scope().equals(scope) || !ChatwootSource.ENTITIES.contains(entity)) {
            throw new IllegalArgumentException("source chatwoot has scope '" + config.scope() + "' and entities "
                    + ChatwootSource.ENTITIES + "; asked for " + scope + "/" + entity);
        }
        try (Connection c = open()) {
            try {
                Extracted got = entity.equals(ChatwootSource.CONVERSATIONS) ? readChanged(c, since, until, sink)
                        : listIds(c, sink);
                c.rollback(); // read-only: nothing to commit, and this ends the snapshot
                return got;
            } catch (SQLException e) {
                throw ReadErrors.of(config, "read of " + entity, e);
            }
        } catch (SQLException e) {
            throw ReadErrors.of(config, "connection", e);
        }
    }

    /** A connection as every read opens it (package-private: tests prove it cannot write). */
    Connection open() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            // One snapshot for every statement of the read: the id listing and its clock agree.
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private Extracted readChanged(Connection c, Instant since, Instant until, RecordSink sink)
            throws SQLException, IOException {
        String cursor = "greatest(" + String.join(", ",
                config.watermarkColumns().stream().map(col -> "v." + ChatwootConfig.quoted(col)).toList()) + ")";
        List<String> where = new ArrayList<>();
        if (since != null) {
            where.add(cursor + " >= ?::timestamptz");
        }
        if (until != null) {
            where.add(cursor + " < ?::timestamptz");
        }
        String sql = "SELECT v.*, " + cursor + " AS skyfit_cursor FROM " + config.quotedView() + " v"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY skyfit_cursor, v." + ChatwootConfig.quoted(config.idColumn());
        // The first statement fixes the snapshot; a row stamped in the future (a wrong application clock) must not
        // carry the watermark past what the next read can see, so no candidate goes past the source's now plus skew.
        Instant latest = sourceNow(c).plus(config.clockSkew());
        long records = 0;
        Instant max = null;
        long future = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            if (since != null) {
                ps.setString(p++, since.toString());
            }
            if (until != null) {
                ps.setString(p, until.toString());
            }
            ps.setFetchSize(config.fetchSize());
            try (ResultSet rs = ps.executeQuery()) {
                int cursorColumn = rs.getMetaData().getColumnCount();
                RowJson json = new RowJson(rs.getMetaData(), cursorColumn - 1);
                boolean zoned = "timestamptz".equals(rs.getMetaData().getColumnTypeName(cursorColumn));
                while (rs.next()) {
                    sink.accept(json.write(rs));
                    records++;
                    Instant at = instant(rs, cursorColumn, zoned);
                    if (at != null && at.isAfter(latest)) {
                        future++;
                        at = latest;
                    }
                    if (at != null && (max == null || at.isAfter(max))) {
                        max = at;
                    }
                }
            }
        }
        if (future > 0) {
            LOG.warn("chatwoot {}: {} conversations stamped after the source's clock plus {} min; the watermark stops "
                    + "at {}", config.scope(), future, config.clockSkew().toMinutes(), latest);
        }
        LOG.info("chatwoot {}: {} conversations changed since {}", config.scope(), records, since == null ? "the start" : since);
        return new Extracted(records, max);
    }

    /** Deletes are found by integer ids: any other type is a setting to fix, not a failure to retry. */
    private void requireWholeNumbers(ResultSetMetaData meta) throws SQLException {
        int type = meta.getColumnType(1);
        boolean whole = type == Types.BIGINT || type == Types.INTEGER || type == Types.SMALLINT
                || (type == Types.NUMERIC && meta.getScale(1) == 0);
        if (!whole) {
            throw new SourceException(ChatwootSource.NAME, config.scope(), 400, ErrorTable.Action.FAIL,
                    "Chatwoot source id listing: the column '" + config.idColumn() + "' of the view is of type "
                            + meta.getColumnTypeName(1) + ", not an integer id: check " + ChatwootConfig.ID_COLUMN,
                    null);
        }
    }

    private static Instant sourceNow(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT now()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    private Extracted listIds(Connection c, RecordSink sink) throws SQLException, IOException {
        Instant listedAt;
        // The first statement fixes the snapshot; now() is the transaction's start, no later than it. Less the
        // overlap, so a row the application stamped with a slightly slow clock is not judged by this listing.
        try (PreparedStatement ps = c.prepareStatement("SELECT now() - make_interval(secs => ?)")) {
            ps.setLong(1, config.overlap().toSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                listedAt = rs.getObject(1, OffsetDateTime.class).toInstant();
            }
        }
        String token = UUID.randomUUID().toString();
        String id = "v." + ChatwootConfig.quoted(config.idColumn());
        long ids = 0;
        int chunks = 0;
        long[] chunk = new long[IDS_PER_LINE];
        int n = 0;
        try (Statement st = c.createStatement()) {
            st.setFetchSize(Math.max(config.fetchSize(), IDS_PER_LINE));
            try (ResultSet rs = st.executeQuery("SELECT DISTINCT " + id + " FROM " + config.quotedView() + " v WHERE "
                    + id + " IS NOT NULL ORDER BY 1")) {
                requireWholeNumbers(rs.getMetaData());
                while (rs.next()) {
                    chunk[n++] = rs.getLong(1);
                    if (n == IDS_PER_LINE) {
                        sink.accept(chunkLine(token, chunk, n));
                        ids += n;
                        chunks++;
                        n = 0;
                    }
                }
            }
        }
        if (n > 0) {
            sink.accept(chunkLine(token, chunk, n));
            ids += n;
            chunks++;
        }
        sink.accept(trailer(token, ids, chunks, listedAt));
        LOG.info("chatwoot {}: listed {} conversation ids in {} chunks", config.scope(), ids, chunks);
        return new Extracted(ids, null);
    }

    private static byte[] chunkLine(String token, long[] ids, int n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n * 8 + 64);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("listing", token);
            g.writeFieldName("ids");
            g.writeArray(ids, 0, n);
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static byte[] trailer(String token, long ids, int chunks, Instant listedAt) throws IOException {
        return JSON.writeValueAsBytes(new java.util.LinkedHashMap<>(java.util.Map.of("listing", token, "complete", true,
                "id_count", ids, "chunk_count", chunks, "listed_at", listedAt.toString())));
    }

    private static Instant instant(ResultSet rs, int column, boolean zoned) throws SQLException {
        if (zoned) {
            OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        }
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    @Override
    public String toString() {
        return "chatwoot at " + config.describe();
    }
}
