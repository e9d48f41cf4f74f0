package com.skyfit.lake.functions;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Reads activity inputs. The orchestrator writes them with Jackson; the Java worker hands a String
 * parameter the JSON as it came, which for a string input may still carry its quotes. Parsing here
 * with Jackson keeps records and ISO strings exact whatever the worker's own JSON library does.
 */
final class ActivityInput {
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ActivityInput() {}

    static <T> T read(String raw, Class<T> type) {
        if (raw == null) {
            throw new IllegalArgumentException("activity input is missing (expected " + type.getSimpleName() + ")");
        }
        try {
            JsonNode node = JSON.readTree(raw);
            if (node.isTextual() && type != String.class) {
                node = JSON.readTree(node.textValue()); // JSON handed over as a JSON string
            }
            return JSON.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            if (type == String.class) {
                return type.cast(raw); // a bare string the worker already unquoted
            }
            throw new IllegalArgumentException("activity input is not a valid " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    static String text(String raw) {
        return read(raw, String.class);
    }
}
