package com.skyfit.lake.cli;

import com.skyfit.lake.config.SettingsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `skyfit` command line: the same engine as the Function App, with embedded defaults. */
@Command(name = "skyfit", mixinStandardHelpOptions = true, version = "skyfit 0.1.0",
        description = "SkyFit Data Lake: SaaS sources -> bronze -> staging -> core, with a run ledger.%n"
                + "Without settings it uses an embedded PostgreSQL and a local bronze folder under .skyfit/.",
        subcommands = {DemoCommand.class, RunCommand.class, BackfillCommand.class, GapsCommand.class, LoadCommand.class,
                TransformCommand.class, SqlCommand.class, StatusCommand.class, StagingCommand.class, MigrateCommand.class,
                SandboxCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class SkyfitCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SkyfitCli());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof SettingsException || ex instanceof IllegalArgumentException) {
                cmd.getErr().println("skyfit: " + ex.getMessage());
                return 2;
            }
            cmd.getErr().println("skyfit: " + ex.getMessage());
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
