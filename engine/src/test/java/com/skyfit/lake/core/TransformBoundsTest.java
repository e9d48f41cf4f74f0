package com.skyfit.lake.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every transform, generated or hand-written, gets its staging id range written in as numbers. */
class TransformBoundsTest {
    @Test
    void everyTransformHasBothBoundsReplacedAtZeroAndAtTheLargestId() {
        for (CoreTable t : CoreTables.all()) {
            String sql = t.transformSql();
            assertThat(sql).as(t.qualifiedName()).contains(TransformRunner.FROM_SETTING, TransformRunner.TO_SETTING);
            String bound = TransformRunner.bound(sql, 0, Long.MAX_VALUE);
            // the bounds only: skyfit.empty_at_start stays a setting, read once per statement (ChildSql)
            assertThat(bound).as(t.qualifiedName())
                    .doesNotContain(TransformRunner.FROM_SETTING, TransformRunner.TO_SETTING,
                            "current_setting('skyfit.from_stg_id'", "current_setting('skyfit.to_stg_id'")
                    .contains("s.stg_id > 0\n", "s.stg_id <= 9223372036854775807\n");
        }
    }
}
