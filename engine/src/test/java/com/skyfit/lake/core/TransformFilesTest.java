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
        for (CoreTable t : CoreTables.all().stream().filter(CoreTable::generated).toList()) {
            Path file = ROOT.resolve(t.transformResource());
            assertThat(file).as("%s is missing; run ./skyfit sql --write", file).exists();
            assertThat(Files.readString(file))
                    .as("%s is out of date with its declaration; run ./skyfit sql --write", file)
                    .isEqualTo(t.transformSql());
        }
    }

    /** A file the generator did not write says so on its first line, and only such a file does. */
    @Test
    void onlyTablesRegisteredAsHandWrittenHaveHandWrittenFiles() throws IOException {
        for (CoreTable t : CoreTables.all()) {
            String text = Files.readString(ROOT.resolve(t.transformResource()));
            if (t.generated()) {
                assertThat(text).as(t.transformResource()).doesNotStartWith(CoreTable.HAND_WRITTEN);
            } else {
                assertThat(text).as(t.transformResource()).startsWith(CoreTable.HAND_WRITTEN)
                        .doesNotContain("Generated from the table's declaration");
                assertThat(t.key()).as("a hand-written table declares nothing").isEmpty();
                assertThat(t.columns()).isEmpty();
            }
        }
        assertThat(CoreTables.all()).filteredOn(t -> !t.generated()).extracting(CoreTable::name)
                .containsExactly("chatwoot_id_listings");
    }

    @Test
    void noTransformFileIsLeftWithoutARegisteredTable() throws IOException {
        try (var files = Files.walk(ROOT.resolve("sql/transforms"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".sql"))
                    .map(p -> ROOT.relativize(p).toString().replace('\\', '/')))
                    .allSatisfy(p -> assertThat(CoreTables.all()).anyMatch(t -> t.transformResource().equals(p)));
        }
    }
}
