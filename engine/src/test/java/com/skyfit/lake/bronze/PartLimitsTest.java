package com.skyfit.lake.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartLimitsTest {

    @Test
    void defaultsAreFiftyThousandRecordsOrSixtyFourMebibytes() {
        assertThat(PartLimits.from(Settings.of(Map.of()))).isEqualTo(new PartLimits(50_000, 64L * 1024 * 1024));
    }

    @Test
    void settingsOverrideTheDefaults() {
        Settings s = Settings.of(Map.of(PartLimits.MAX_RECORDS, "1000", PartLimits.MAX_BYTES, "1048576"));
        assertThat(PartLimits.from(s)).isEqualTo(new PartLimits(1000, 1_048_576));
    }

    @Test
    void wrongValuesNameTheSetting() {
        assertThatThrownBy(() -> PartLimits.from(Settings.of(Map.of(PartLimits.MAX_RECORDS, "lots"))))
                .isInstanceOf(SettingsException.class).hasMessageContaining("SKYFIT_BRONZE_PART_MAX_RECORDS");
        assertThatThrownBy(() -> PartLimits.from(Settings.of(Map.of(PartLimits.MAX_BYTES, "10"))))
                .isInstanceOf(SettingsException.class).hasMessageContaining("SKYFIT_BRONZE_PART_MAX_BYTES")
                .hasMessageContaining("between 1024");
    }
}
