package com.skyfit.lake.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every infra/**.bicep parses without a syntax error (tree-sitter Bicep grammar; no Bicep CLI needed).
 * Installs the linter's npm packages from infra/lint/package-lock.json on a clean clone.
 */
class InfraBicepIT {
    private static final Path LINT = Path.of("..", "infra", "lint").toAbsolutePath().normalize();

    @Test
    void everyBicepFileParses() throws Exception {
        assumeTrue(run(List.of("node", "--version")).exitCode() == 0, "needs node on the PATH");
        if (!Files.isDirectory(LINT.resolve("node_modules").resolve("tree-sitter-bicep"))) {
            Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"));
            assertThat(install.exitCode()).as("npm ci in infra/lint:\n" + install.output()).isZero();
        }

        Result lint = run(List.of("node", "lint.js"));

        assertThat(lint.exitCode()).as(lint.output()).isZero();
        assertThat(lint.output()).contains("ok ../main.bicep").contains("ok ../modules/bronze-subscription.bicep");
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(LINT.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return new Result(-1, out + "\n(timed out)");
        }
        return new Result(p.exitValue(), out);
    }
}
