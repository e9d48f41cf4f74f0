package com.skyfit.lake.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.bronze.BronzePath;
import com.skyfit.lake.staging.LoaderOptions;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The staging baseline opens as many COPY streams as the loader makes batches of an entity's parts, at most its connections. */
class BaselineStreamsTest {
    private static List<String> parts(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new BronzePath("evo", "main", "entries", LocalDate.of(2024, 5, 1), "run-1", i).path());
        }
        return out;
    }

    @Test
    void onePartIsOneStreamAndTwoOrMoreFillTheConnections() {
        LoaderOptions two = LoaderOptions.defaults(); // two connections, up to 8 parts a batch
        assertThat(PipelineBenchmark.streams(parts(1), two)).isEqualTo(1);
        assertThat(PipelineBenchmark.streams(parts(2), two)).isEqualTo(2);
        assertThat(PipelineBenchmark.streams(parts(30), two)).isEqualTo(2);
    }

    @Test
    void neverMoreThanTheConnectionsNorTheBatches() {
        LoaderOptions four = LoaderOptions.defaults().withParallelism(4);
        assertThat(PipelineBenchmark.streams(parts(3), four)).isEqualTo(3);
        assertThat(PipelineBenchmark.streams(parts(100), four)).isEqualTo(4);
        LoaderOptions one = LoaderOptions.defaults().withParallelism(1);
        assertThat(PipelineBenchmark.streams(parts(30), one)).isEqualTo(1);
        // no parts: still one stream (an empty COPY), never zero
        assertThat(PipelineBenchmark.streams(List.of(), LoaderOptions.defaults())).isEqualTo(1);
    }
}
