package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The declarations of every infra/**.bicep file, read from the tree-sitter Bicep syntax tree by
 * infra/lint/model.js (no Bicep CLI needed). Literal values arrive as JSON; computed ones as
 * {"$expr": "source text"}. Needs node on the PATH; installs the linter's packages on a clean clone.
 */
final class BicepModel {
    static final Path INFRA = Path.of("..", "infra").toAbsolutePath().normalize();
    private static final Path LINT = INFRA.resolve("lint");
    private static JsonNode cached;

    private final JsonNode files;

    private BicepModel(JsonNode files) {
        this.files = files;
    }

    static synchronized BicepModel load() throws IOException, InterruptedException {
        if (cached == null) {
            assumeTrue(run(List.of("node", "--version")).exitCode() == 0, "needs node on the PATH");
            if (!Files.isDirectory(LINT.resolve("node_modules").resolve("tree-sitter-bicep"))) {
                Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"));
                assertThat(install.exitCode()).as("npm ci in infra/lint:\n" + install.output()).isZero();
            }
            Result model = run(List.of("node", "model.js"));
            assertThat(model.exitCode()).as(model.output()).isZero();
            cached = new ObjectMapper().readTree(model.output());
        }
        return new BicepModel(cached);
    }

    /** One file, e.g. "main.bicep" or "modules/postgres.bicep". */
    JsonNode file(String relativePath) {
        JsonNode f = files.get(relativePath);
        assertThat(f).as("infra/" + relativePath + " exists").isNotNull();
        return f;
    }

    JsonNode resource(String file, String symbol) {
        JsonNode r = file(file).path("resources").get(symbol);
        assertThat(r).as("resource " + symbol + " in " + file).isNotNull();
        return r;
    }

    /** Every declared (not `existing`) resource of a type, across all files, as file:symbol -> declaration. */
    Map<String, JsonNode> declared(String type) {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        files.fields().forEachRemaining(f -> f.getValue().path("resources").fields().forEachRemaining(r -> {
            if (r.getValue().path("type").asText().equals(type) && !r.getValue().path("existing").asBoolean()) {
                out.put(f.getKey() + ":" + r.getKey(), r.getValue());
            }
        }));
        return out;
    }

    /** The Function App's settings object (modules/function-app.bicep, var settings). */
    JsonNode appSettings() {
        JsonNode s = file("modules/function-app.bicep").path("vars").get("settings");
        assertThat(s).as("var settings in modules/function-app.bicep").isNotNull();
        return s;
    }

    /** A literal value's text, or the source text of a computed one. */
    static String text(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return "";
        }
        return value.has("$expr") ? value.get("$expr").asText() : value.isValueNode() ? value.asText() : value.toString();
    }

    static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private record Result(int exitCode, String output) {}

    /** Runs a command in infra/lint; the output is stdout, or stdout and stderr when it fails. */
    private static Result run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("bicep-model", ".out");
        try {
            Process p;
            try {
                p = new ProcessBuilder(command).directory(LINT.toFile()).redirectOutput(out.toFile()).start();
            } catch (IOException e) {
                return new Result(-1, e.getMessage());
            }
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Result(-1, "(timed out) " + err);
            }
            String stdout = Files.readString(out);
            return new Result(p.exitValue(), p.exitValue() == 0 ? stdout : stdout + "\n" + err);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
