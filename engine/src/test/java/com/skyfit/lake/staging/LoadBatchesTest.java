package com.skyfit.lake.staging;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.BronzePath;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBatchesTest {
    private static List<BronzePath> parts(String entity, int n, int from) {
        return parts("evo", entity, n, from);
    }

    private static List<BronzePath> parts(String source, String entity, int n, int from) {
        List<BronzePath> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Parts.path(source, entity, "run-1", from + i));
        }
        return out;
    }

    private static List<Integer> sizes(List<List<BronzePath>> batches) {
        return batches.stream().map(List::size).toList();
    }

    @Test
    void batchesShrinkTowardsTheEndSoTheConnectionsFinishTogether() {
        LoaderOptions two = LoaderOptions.defaults(); // 8 parts a batch, 2 connections
        List<BronzePath> thirty = parts("entries", 30, 0);

        List<List<BronzePath>> batches = StagingLoader.batches(thirty, two);

        assertThat(sizes(batches)).containsExactly(8, 6, 4, 3, 3, 2, 1, 1, 1, 1);
        // every part once, in the caller's order
        assertThat(batches.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(thirty);
        assertThat(StagingLoader.batchCount(thirty, two)).isEqualTo(batches.size());
    }

    @Test
    void oneConnectionKeepsFullBatches() {
        LoaderOptions one = LoaderOptions.defaults().withParallelism(1);

        assertThat(sizes(StagingLoader.batches(parts("entries", 30, 0), one))).containsExactly(8, 8, 8, 6);
        assertThat(StagingLoader.batchCount(parts("entries", 30, 0), one)).isEqualTo(4);
    }

    @Test
    void aBatchNeverSpansTwoTablesNorExceedsTheSetting() {
        LoaderOptions threeOnTwo = LoaderOptions.defaults().withBatchFiles(3).withParallelism(2);
        List<BronzePath> mixed = new ArrayList<>(parts("evo", "entries", 40, 0));
        mixed.addAll(parts("evo", "sales", 2, 0));
        mixed.addAll(parts("pipedrive", "entries", 5, 0)); // same entity name, another source: another table
        mixed.addAll(parts("evo", "entries", 3, 100));

        List<List<BronzePath>> batches = StagingLoader.batches(mixed, threeOnTwo);

        assertThat(batches).allSatisfy(b -> {
            assertThat(b).hasSizeBetween(1, 3);
            assertThat(b).extracting(StagingTable::of).containsOnly(StagingTable.of(b.get(0)));
        });
        assertThat(batches.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(mixed);
        assertThat(batches.get(0)).hasSize(3);
        assertThat(batches.get(batches.size() - 1)).hasSize(1);
        // the evo sales and the pipedrive entries are cut off from their neighbours
        assertThat(batches).anySatisfy(b -> assertThat(b).extracting(BronzePath::entity).containsOnly("sales"));
        assertThat(batches).anySatisfy(b -> assertThat(b).extracting(BronzePath::source).containsOnly("pipedrive"));
    }

    @Test
    void countsMatchTheBatchesForEverySize() {
        for (int files : new int[] {1, 2, 8, 50}) {
            for (int parallelism = 1; parallelism <= 4; parallelism++) {
                LoaderOptions o = LoaderOptions.defaults().withBatchFiles(files).withParallelism(parallelism);
                for (int n = 0; n <= 200; n++) {
                    List<List<BronzePath>> batches = StagingLoader.batches(parts("entries", n, 0), o);
                    assertThat(StagingLoader.batchCount(parts("entries", n, 0), o))
                            .as("%d parts, %d a batch, %d connections", n, files, parallelism)
                            .isEqualTo(batches.size());
                    assertThat(batches).allSatisfy(b -> assertThat(b).hasSizeBetween(1, files));
                }
            }
        }
        // one part a batch whatever the connections
        assertThat(StagingLoader.batchCount(parts("entries", 30, 0), LoaderOptions.defaults().withBatchFiles(1))).isEqualTo(30);
        // one part is one batch; two parts on two connections are two
        assertThat(StagingLoader.batchCount(parts("entries", 1, 0), LoaderOptions.defaults())).isEqualTo(1);
        assertThat(StagingLoader.batchCount(parts("entries", 2, 0), LoaderOptions.defaults())).isEqualTo(2);
    }
}
