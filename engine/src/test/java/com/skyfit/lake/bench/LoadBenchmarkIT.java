package com.skyfit.lake.bench;

import com.skyfit.lake.bronze.LocalBronzeStore;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyfit.lake.control.Database;
import com.skyfit.lake.staging.LoaderOptions;
import com.skyfit.lake.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadBenchmarkIT {

    @Test
    void generatedSalesAreRealisticAndTheSameOnEveryCall() throws Exception {
        JsonNode sale = new ObjectMapper().readTree(SaleGenerator.sale(42));
        assertThat(sale.get("idSale").asLong()).isEqualTo(5_000_042L);
        assertThat(sale.get("saleItens").isArray()).isTrue();
        assertThat(sale.get("receivables").get(0).has("ammount")).isTrue();
        assertThat(SaleGenerator.sale(42)).isEqualTo(SaleGenerator.sale(42));
        long total = 0;
        for (int i = 0; i < 1000; i++) {
            total += SaleGenerator.sale(i).length;
        }
        assertThat(total / 1000).isBetween(700L, 1400L);
    }

    @Test
    void measuresTheLoaderAgainstPlainCopy(@TempDir Path dir) throws Exception {
        try (Database db = TestPostgres.newDatabase()) {
            LoadBenchmark bench = new LoadBenchmark(db, new LocalBronzeStore(dir.resolve("store")), dir.resolve("scratch"),
                    LoaderOptions.defaults());

            BenchResult first = bench.runLoad(2000);
            BenchResult again = bench.runLoad(2000);

            for (BenchResult r : new BenchResult[] {first, again}) {
                assertThat(r.load().records()).isEqualTo(2000);
                assertThat(r.load().seconds()).isPositive();
                assertThat(r.loadBaseline().recordsPerSecond()).isPositive();
                assertThat(r.load().peakHeapBytes()).isPositive();
                assertThat(r.loadRatio()).isPositive();
                assertThat(r.summary()).startsWith("load_ratio=");
            }
            try (Connection c = db.connection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM stg_evo.sales_raw WHERE scope = 'bench'), "
                            + "(SELECT count(*) FROM bench.sales_copy)")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(2000);
                assertThat(rs.getLong(2)).isEqualTo(2000);
            }
        }
    }
}
