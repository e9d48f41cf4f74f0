package com.skyfit.lake.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class BronzePathTest {
    private static final BronzePath DEALS =
            new BronzePath("pipedrive", "company-a", "deals", LocalDate.of(2024, 3, 9), "r-20240309-01", 7);

    @Test
    void layoutIsExactlyTheDocumentedOne() {
        assertThat(DEALS.path()).isEqualTo(
                "bronze/pipedrive/scope=company-a/entity=deals/ingestion_date=2024-03-09/run_id=r-20240309-01/part-00007.jsonl.gz");
        assertThat(DEALS.runFolder()).isEqualTo(
                "bronze/pipedrive/scope=company-a/entity=deals/ingestion_date=2024-03-09/run_id=r-20240309-01/");
    }

    @Test
    void parseIsTheInverseOfPath() {
        assertThat(BronzePath.parse(DEALS.path())).isEqualTo(DEALS);
        BronzePath big = DEALS.withPart(123_456);
        assertThat(big.path()).endsWith("/part-123456.jsonl.gz");
        assertThat(BronzePath.parse(big.path())).isEqualTo(big);
    }

    @Test
    void recognisesOnlyPartPaths() {
        assertThat(BronzePath.isBronzePart(DEALS.path())).isTrue();
        assertThat(BronzePath.isBronzePart(DEALS.runFolder())).isFalse();
        assertThat(BronzePath.isBronzePart(DEALS.runFolder() + ".part-00007.jsonl.gz.abc.tmp")).isFalse();
        assertThat(BronzePath.isBronzePart(DEALS.runFolder() + "part-7.jsonl.gz")).isFalse();
        assertThatThrownBy(() -> BronzePath.parse("bronze/pipedrive/deals.jsonl.gz"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a bronze part path");
    }

    @Test
    void rejectsNamesThatWouldEscapeOrSplitTheLayout() {
        LocalDate d = LocalDate.of(2024, 1, 1);
        assertThatThrownBy(() -> new BronzePath("pipedrive", "a/b", "deals", d, "r1", 0))
                .hasMessageContaining("scope");
        assertThatThrownBy(() -> new BronzePath("pipedrive", "a", "deals", d, "r 1", 0))
                .hasMessageContaining("run_id");
        assertThatThrownBy(() -> new BronzePath("pipedrive", "a", "deals", d, "r1", -1))
                .hasMessageContaining("part number");
    }

    @Test
    void anImpossibleDateOrPartNumberIsAClearErrorNamingThePath() {
        String feb30 = "bronze/pipedrive/scope=a/entity=deals/ingestion_date=2026-02-30/run_id=r1/part-00000.jsonl.gz";
        assertThatThrownBy(() -> BronzePath.parse(feb30)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(feb30).hasMessageContaining("impossible ingestion_date 2026-02-30");
        String huge = "bronze/pipedrive/scope=a/entity=deals/ingestion_date=2026-02-03/run_id=r1/part-99999999999.jsonl.gz";
        assertThatThrownBy(() -> BronzePath.parse(huge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(huge);
    }
}
