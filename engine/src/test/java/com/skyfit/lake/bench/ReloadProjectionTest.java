package com.skyfit.lake.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReloadProjectionTest {

    @Test
    void eachVolumeIsWeightedByItsOwnMeasuredCost() {
        // 10 us per entry, 40 us per sale, 100 us per member
        Map<String, Double> costs = Map.of("entries", 10e-6, "sales", 40e-6, "members", 100e-6,
                "member_memberships", 20e-6, "prospects", 30e-6);

        ReloadProjection p = new ReloadProjection(ReloadProjection.PRODUCTION, costs);

        // 110 M x 10 us = 1100 s; 12.8 M x 40 us = 512 s; 2.4 M x 100 us = 240 s; 10 M x 20 us = 200 s; 612 K x 30 us = 18.36 s
        assertThat(p.hours()).isCloseTo((1100 + 512 + 240 + 200 + 18.36) / 3600.0, within(1e-9));
        assertThat(p.records()).isEqualTo(110_000_000L + 12_800_000L + 2_400_000L + 10_000_000L + 612_000L);
        assertThat(p.rows()).extracting(ReloadProjection.Row::costOf)
                .containsExactly("entries", "sales", "members", "member_memberships", "prospects");
        assertThat(p.rows().get(0).hours()).isCloseTo(1100 / 3600.0, within(1e-9));
    }

    @Test
    void anUnmeasuredEntityTakesItsStandInsCostAndSaysSo() {
        Map<String, Double> costs = Map.of("entries", 10e-6, "sales", 40e-6, "members", 100e-6);

        ReloadProjection p = new ReloadProjection(ReloadProjection.PRODUCTION, costs);

        assertThat(p.rows()).extracting(ReloadProjection.Row::costOf)
                .containsExactly("entries", "sales", "members", "members", "members");
        // memberships and prospects at the members' 100 us: 10 M -> 1000 s, 612 K -> 61.2 s
        assertThat(p.hours()).isCloseTo((1100 + 512 + 240 + 1000 + 61.2) / 3600.0, within(1e-9));
        assertThat(String.join("\n", p.describe())).contains("member_memberships", "(cost of members)", "total");
    }

    @Test
    void aVolumeWithNoCostAtAllIsAnErrorNamingIt() {
        assertThatThrownBy(() -> new ReloadProjection(ReloadProjection.PRODUCTION, Map.of("entries", 1e-6)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no measured cost for sales");
        assertThatThrownBy(() -> new ReloadProjection(List.of(new ReloadProjection.Volume("x", 1, List.of("x"))),
                Map.of("x", Double.NaN))).hasMessageContaining("not a usable number");
    }

    @Test
    void costsDivideSecondsByRecordsAndSkipEmptyEntities() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        seconds.put("entries", 20.0);
        seconds.put("sales", 3.0);
        seconds.put("employees", 0.1);
        Map<String, Double> costs = ReloadProjection.costs(seconds, Map.of("entries", 1_000_000L, "sales", 100_000L,
                "employees", 0L));
        assertThat(costs).containsOnlyKeys("entries", "sales");
        assertThat(costs.get("entries")).isCloseTo(20e-6, within(1e-15));
        assertThat(costs.get("sales")).isCloseTo(30e-6, within(1e-15));
    }
}
