package com.skyfit.lake.cli;

import com.skyfit.lake.control.Database;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Applies the Flyway migrations to the database the SKYFIT_PG_* settings name: the deploy step that runs
 * before a new Function App version starts (the app only checks the schema version, it never migrates).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Apply pending schema migrations (sql/migrations) to the database of SKYFIT_PG_URL, or the embedded one.")
final class MigrateCommand implements Callable<Integer> {
    @Option(names = "--check", description = "Only report whether migrations are pending; exit 1 when they are.")
    boolean check;

    @Override
    public Integer call() {
        try (Database db = Database.connect(CliSettings.load())) {
            System.out.println("database: " + db.description());
            String before = db.schemaVersion();
            if (check) {
                try {
                    db.requireCurrentSchema();
                    System.out.println("schema: current at version " + before);
                    return 0;
                } catch (Database.SchemaBehindException e) {
                    System.out.println("schema: " + e.getMessage());
                    return 1;
                }
            }
            int applied = db.migrate();
            System.out.println("schema: " + (before == null ? "empty" : "version " + before) + " -> version "
                    + db.schemaVersion() + " (" + applied + " migration(s) applied)");
            return 0;
        }
    }
}
