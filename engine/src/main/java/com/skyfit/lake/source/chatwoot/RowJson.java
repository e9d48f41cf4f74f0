package com.skyfit.lake.source.chatwoot;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * One view row as one JSON object, its column names as keys: numbers and booleans as JSON, timestamps as
 * ISO-8601 UTC instants (a timestamp without time zone is Chatwoot's UTC), json/jsonb columns nested as JSON,
 * arrays as arrays, anything else as its text. Never a line break: the line is one bronze record.
 */
final class RowJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResultSetMetaData meta;
    private final int columns;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);

    /** @param columns how many leading columns form the record (the query may append its own after them) */
    RowJson(ResultSetMetaData meta, int columns) {
        this.meta = meta;
        this.columns = columns;
    }

    byte[] write(ResultSet rs) throws SQLException, IOException {
        buffer.reset();
        try (JsonGenerator g = JSON.getFactory().createGenerator(buffer)) {
            g.writeStartObject();
            for (int i = 1; i <= columns; i++) {
                g.writeFieldName(meta.getColumnLabel(i));
                value(g, rs, i);
            }
            g.writeEndObject();
        }
        return buffer.toByteArray();
    }

    private void value(JsonGenerator g, ResultSet rs, int i) throws SQLException, IOException {
        String typeName = meta.getColumnTypeName(i);
        switch (meta.getColumnType(i)) {
            case Types.SMALLINT, Types.INTEGER, Types.BIGINT -> {
                long v = rs.getLong(i);
                if (rs.wasNull()) {
                    g.writeNull();
                } else {
                    g.writeNumber(v);
                }
            }
            case Types.NUMERIC, Types.DECIMAL, Types.REAL, Types.DOUBLE, Types.FLOAT -> {
                // Read as text: NaN and Infinity have no JSON number, so they stay strings for core to flag.
                String v = rs.getString(i);
                if (v == null) {
                    g.writeNull();
                } else if (v.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
                    g.writeNumber(v);
                } else {
                    g.writeString(v);
                }
            }
            case Types.BOOLEAN, Types.BIT -> {
                boolean v = rs.getBoolean(i);
                if (rs.wasNull()) {
                    g.writeNull();
                } else {
                    g.writeBoolean(v);
                }
            }
            case Types.TIMESTAMP_WITH_TIMEZONE -> stringOrNull(g, instant(rs.getObject(i, OffsetDateTime.class)));
            case Types.TIMESTAMP -> {
                if ("timestamptz".equals(typeName)) {
                    stringOrNull(g, instant(rs.getObject(i, OffsetDateTime.class)));
                } else {
                    LocalDateTime t = rs.getObject(i, LocalDateTime.class);
                    stringOrNull(g, t == null ? null : t.toInstant(ZoneOffset.UTC).toString());
                }
            }
            case Types.DATE -> {
                LocalDate d = rs.getObject(i, LocalDate.class);
                stringOrNull(g, d == null ? null : d.toString());
            }
            case Types.ARRAY -> array(g, rs.getArray(i));
            default -> {
                String text = rs.getString(i);
                if (text != null && ("json".equals(typeName) || "jsonb".equals(typeName))) {
                    // Parsed and re-written: json keeps its source whitespace, line breaks included.
                    JsonNode node = JSON.readTree(text);
                    g.writeTree(node);
                } else {
                    stringOrNull(g, text);
                }
            }
        }
    }

    private static void array(JsonGenerator g, Array array) throws SQLException, IOException {
        if (array == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (Object o : (Object[]) array.getArray()) {
            if (o == null) {
                g.writeNull();
            } else if (o instanceof Number n) {
                g.writeNumber(n.toString());
            } else if (o instanceof Boolean b) {
                g.writeBoolean(b);
            } else {
                g.writeString(o.toString());
            }
        }
        g.writeEndArray();
    }

    private static String instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }

    private static void stringOrNull(JsonGenerator g, String s) throws IOException {
        if (s == null) {
            g.writeNull();
        } else {
            g.writeString(s);
        }
    }
}
