package com.skyfit.lake.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Drops a record whose primary key and cursor value were already handed on in this read. A time-based export
 * starts each page at the previous page's end time and compares with {@code >=}, so the records sharing that
 * second come again; the records arrive in cursor order, so only the keys of the highest cursor value seen so far
 * are remembered (memory stays bounded by one second's records). A record that cannot be read as JSON, or lacks
 * either field, always goes on: staging judges it.
 */
final class DedupingSink implements RecordSink {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String keyField;
    private final String cursorField;
    private final RecordSink target;
    private final Set<String> keysAtTop = new HashSet<>();
    private String top;
    private long dropped;

    DedupingSink(String keyField, String cursorField, RecordSink target) {
        this.keyField = keyField;
        this.cursorField = cursorField;
        this.target = target;
    }

    long dropped() {
        return dropped;
    }

    @Override
    public void accept(byte[] record) throws IOException {
        JsonNode n;
        try {
            n = MAPPER.readTree(record);
        } catch (IOException e) {
            target.accept(record);
            return;
        }
        JsonNode key = n == null ? null : n.get(keyField);
        JsonNode cursor = n == null ? null : n.get(cursorField);
        if (key == null || key.isNull() || cursor == null || cursor.isNull()) {
            target.accept(record);
            return;
        }
        String c = cursor.asText();
        if (top == null || c.compareTo(top) > 0) {
            top = c;
            keysAtTop.clear();
        }
        if (c.equals(top) && !keysAtTop.add(key.asText())) {
            dropped++;
            return;
        }
        target.accept(record);
    }
}
