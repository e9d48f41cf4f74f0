package com.skyfit.lake.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The checked-in transforms under sql/transforms are what a reviewer reads and a data engineer runs by hand;
 * the engine runs the SQL generated from the declarations. This keeps the two the same.
 */
class TransformFilesTest {
    /** sql/ at the repository root, seen from the engine module. */
    private static final Path ROOT = Path.of("..");

    @Test
    void everyCheckedInTransformIsWhatItsDeclarationGenerates() throws IOException {
        for (CoreTable t : CoreTables.all()) {
            Path file = ROOT.resolve(t.transformResource());
            assertThat(file).as("%s is missing; run ./skyfit sql --write", file).exists();
            assertThat(Files.readString(file))
                    .as("%s is out of date with its declaration; run ./skyfit sql --write", file)
                    .isEqualTo(t.transformSql());
        }
    }

    @Test
    void noTransformFileIsLeftWithoutADeclaration() throws IOException {
        try (var files = Files.walk(ROOT.resolve("sql/transforms"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".sql"))
                    .map(p -> ROOT.relativize(p).toString().replace('\\', '/')))
                    .allSatisfy(p -> assertThat(CoreTables.all()).anyMatch(t -> t.transformResource().equals(p)));
        }
    }
}
