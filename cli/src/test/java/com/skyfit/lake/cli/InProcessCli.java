package com.skyfit.lake.cli;

import com.skyfit.lake.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The `skyfit` command run in this JVM with the given settings, its standard output captured (and echoed, so the
 * test log shows it) and its error stream kept. Tests reset {@link CliSettings} after each test with {@link #reset}.
 */
final class InProcessCli {
    record Result(int exit, String out, String err) {}

    private InProcessCli() {}

    static Result run(Settings settings, String... args) {
        CliSettings.use(settings);
        PrintStream originalOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            CommandLine cl = SkyfitCli.commandLine();
            cl.setErr(new PrintWriter(err, true));
            exit = cl.execute(args);
        } finally {
            System.setOut(originalOut);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        originalOut.print(text);
        return new Result(exit, text, err.toString());
    }

    /** Back to the process's own settings. */
    static void reset() {
        CliSettings.use(null);
    }
}
