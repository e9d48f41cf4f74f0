package com.skyfit.lake.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyfit.lake.control.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: writes staging rows the way the loader does (raw jsonb plus lineage) and reads rows back. */
final class Staging {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;

    Staging(Database db) {
        this.db = db;
    }

    /** The real API records of a fixture file (a JSON array), as mutable objects. */
    static List<ObjectNode> fixture(String source, String entity) {
        String path = "fixtures/" + source + "/" + entity + ".json";
        try (InputStream in = Staging.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture " + path);
            }
            List<ObjectNode> records = new ArrayList<>();
            for (JsonNode n : JSON.readTree(in)) {
                records.add((ObjectNode) n);
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode record(String entity, long id) {
        return fixture("pipedrive", entity).stream().filter(r -> r.path("id").asLong() == id).findFirst()
                .orElseThrow();
    }

    /** Inserts one staging row and returns its stg_id. */
    long insert(String stagingTable, String scope, String blob, int line, String runId, String rawJson) {
        return insert(stagingTable, scope, blob, line, runId, rawJson, "valid");
    }

    long insert(String stagingTable, String scope, String blob, int line, String runId, String rawJson,
            String validationStatus) {
        String sql = "INSERT INTO " + stagingTable + " (scope, blob_path, line_no, run_id, raw, validation_status) "
                + "VALUES (?, ?, ?, ?, ?::jsonb, ?) RETURNING stg_id";
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, scope);
            ps.setString(2, blob);
            ps.setInt(3, line);
            ps.setString(4, runId);
            ps.setString(5, rawJson);
            ps.setString(6, validationStatus);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes records as the lines of one bronze part. */
    void insertAll(String stagingTable, String scope, String blob, String runId, List<? extends JsonNode> records) {
        int line = 1;
        for (JsonNode r : records) {
            insert(stagingTable, scope, blob, line++, runId, r.toString());
        }
    }

    /** Every row of a query as column -> value maps, in the query's order. */
    List<Map<String, Object>> rows(String sql) {
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<Map<String, Object>> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= n; i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    Map<String, Object> one(String sql) {
        List<Map<String, Object>> rows = rows(sql);
        if (rows.size() != 1) {
            throw new AssertionError("expected one row from " + sql + " but got " + rows.size());
        }
        return rows.get(0);
    }

    void execute(String sql) {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
