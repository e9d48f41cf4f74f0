package com.skyfit.lake.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;

/**
 * Streams one response page: each record goes to the sink as the very bytes the server sent (sliced
 * by token offsets, never re-serialised, so 7253394974479.0 stays 7253394974479.0), while the
 * envelope around the records (paging metadata) is kept as a small tree.
 */
final class PageParser {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    record Result(int records, JsonNode envelope, Instant maxCursor) {}

    private final String recordsField;
    private final String cursorField;
    private int records;
    private Instant maxCursor;

    PageParser(String recordsField, String cursorField) {
        this.recordsField = recordsField;
        this.cursorField = cursorField;
    }

    Result parse(byte[] body, RecordSink sink) throws IOException {
        records = 0;
        maxCursor = null;
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken first = p.nextToken();
            if (recordsField == null) {
                expect(first == JsonToken.START_ARRAY, "a JSON array");
                readArray(p, body, sink);
                return new Result(records, null, maxCursor);
            }
            expect(first == JsonToken.START_OBJECT, "a JSON object");
            ObjectNode envelope = MAPPER.createObjectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(recordsField) && value == JsonToken.START_ARRAY) {
                    readArray(p, body, sink);
                } else {
                    envelope.set(name, MAPPER.readTree(p));
                }
            }
            return new Result(records, envelope, maxCursor);
        }
    }

    private void readArray(JsonParser p, byte[] body, RecordSink sink) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            int start = (int) p.currentTokenLocation().getByteOffset();
            if (t == JsonToken.START_OBJECT) {
                walkObject(p);
            } else if (t == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else {
                p.getText();
            }
            int end = (int) p.currentLocation().getByteOffset();
            sink.accept(oneLine(body, start, end));
            records++;
        }
    }

    /** Walks a record to its end, noting the cursor field of its top level on the way. */
    private void walkObject(JsonParser p) throws IOException {
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (depth == 1 && t == JsonToken.FIELD_NAME && p.currentName().equals(cursorField)) {
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_STRING) {
                    note(Timestamps.parse(p.getText()));
                } else if (v == JsonToken.VALUE_NUMBER_INT) {
                    note(Instant.ofEpochSecond(p.getLongValue()));
                } else if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                    depth++;
                }
            }
        }
    }

    private void note(Instant t) {
        if (t != null && (maxCursor == null || t.isAfter(maxCursor))) {
            maxCursor = t;
        }
    }

    /**
     * The record's bytes. Line breaks can only sit between tokens (JSON strings escape them), so a
     * pretty-printed record is folded onto one line by dropping them, leaving every token as sent.
     */
    private static byte[] oneLine(byte[] body, int start, int end) {
        int breaks = 0;
        for (int i = start; i < end; i++) {
            if (body[i] == '\n' || body[i] == '\r') {
                breaks++;
            }
        }
        byte[] out = new byte[end - start - breaks];
        int j = 0;
        for (int i = start; i < end; i++) {
            if (body[i] != '\n' && body[i] != '\r') {
                out[j++] = body[i];
            }
        }
        return out;
    }

    private static void expect(boolean ok, String what) throws IOException {
        if (!ok) {
            throw new IOException("response is not " + what);
        }
    }
}
