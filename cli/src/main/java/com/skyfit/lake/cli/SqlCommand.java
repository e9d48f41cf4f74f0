package com.skyfit.lake.cli;

import com.skyfit.lake.core.CoreTable;
import com.skyfit.lake.core.CoreTables;
import com.skyfit.lake.core.TableDdl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Print a core table's transform SQL, generated from its declaration, to read or run by hand.",
                "Without a table: list the tables. With --write: rewrite every generated file under sql/transforms/",
                "(a hand-written one, marked so on its first line, is kept)."})
final class SqlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "TABLE", description = "A core table, e.g. pd_deals or core.pd_deals.")
    String table;

    @Option(names = "--ddl", description = "Print the table's CREATE TABLE (and its child tables') instead.")
    boolean ddl;

    @Option(names = "--write", description = "Write every generated transform to sql/transforms/ under --root.")
    boolean write;

    @Option(names = "--root", defaultValue = ".", paramLabel = "DIR",
            description = "The repository root for --write (default: the current folder).")
    Path root;

    @Override
    public Integer call() throws IOException {
        if (write) {
            return writeAll();
        }
        if (table == null) {
            CoreTables.all().forEach(t -> System.out.println(t.qualifiedName() + "  <- " + t.stagingTable()));
            return 0;
        }
        CoreTable t = CoreTables.named(table).orElse(null);
        if (t == null) {
            spec.commandLine().getErr().println("skyfit sql: no core table '" + table + "'; known: "
                    + CoreTables.all().stream().map(CoreTable::name).collect(Collectors.joining(", ")));
            return 2;
        }
        if (ddl && !t.generated()) {
            spec.commandLine().getErr().println("skyfit sql: " + t.qualifiedName() + " is hand-written; its CREATE TABLE "
                    + "is in its migration under sql/migrations/");
            return 2;
        }
        System.out.print(ddl ? TableDdl.of(t) : t.transformSql());
        return 0;
    }

    private int writeAll() throws IOException {
        Path transforms = root.resolve("sql/transforms");
        if (!Files.isDirectory(transforms)) {
            spec.commandLine().getErr().println("skyfit sql: " + transforms.toAbsolutePath().normalize()
                    + " is not a folder; run from the repository root or give --root");
            return 2;
        }
        for (CoreTable t : CoreTables.all()) {
            Path file = root.resolve(t.transformResource());
            if (!t.generated()) {
                System.out.println("kept " + file.normalize() + " (hand-written)");
                continue;
            }
            Files.createDirectories(file.getParent());
            Files.writeString(file, t.transformSql(), StandardCharsets.UTF_8);
            System.out.println("wrote " + file.normalize());
        }
        return 0;
    }
}
