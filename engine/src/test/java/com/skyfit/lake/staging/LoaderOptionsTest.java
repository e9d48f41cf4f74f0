package com.skyfit.lake.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyfit.lake.config.Settings;
import com.skyfit.lake.config.SettingsException;
import com.skyfit.lake.control.PgRetry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoaderOptionsTest {

    @Test
    void defaultsApplyWhenNothingIsSet() {
        LoaderOptions o = LoaderOptions.fromSettings(Settings.of(Map.of()));
        assertThat(o.batchFiles()).isEqualTo(8);
        assertThat(o.parallelism()).isEqualTo(2);
        assertThat(o.retrySchedule()).isEqualTo(PgRetry.DEFAULT_SCHEDULE);
    }

    @Test
    void settingsOverrideTheDefaults() {
        LoaderOptions o = LoaderOptions.fromSettings(Settings.of(Map.of(
                LoaderOptions.BATCH_FILES, "3", LoaderOptions.PARALLELISM, "1", Settings.PG_RETRY_SECONDS, "1,2")));
        assertThat(o.batchFiles()).isEqualTo(3);
        assertThat(o.parallelism()).isEqualTo(1);
        assertThat(o.retrySchedule()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void aWrongValueNamesTheSetting() {
        assertThatThrownBy(() -> LoaderOptions.fromSettings(Settings.of(Map.of(LoaderOptions.BATCH_FILES, "0"))))
                .isInstanceOf(SettingsException.class).hasMessageContaining(LoaderOptions.BATCH_FILES);
    }

    @Test
    void lineAndPartLimitsHaveDefaultsAndNameTheirSettingWhenWrong() {
        LoaderOptions o = LoaderOptions.fromSettings(Settings.of(Map.of()));
        assertThat(o.maxLineBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(o.maxPartBytes()).isEqualTo(1L << 30);
        LoaderOptions set = LoaderOptions.fromSettings(Settings.of(Map.of(
                LoaderOptions.MAX_LINE_BYTES, "4096", LoaderOptions.MAX_PART_BYTES, "2097152")));
        assertThat(set.maxLineBytes()).isEqualTo(4096);
        assertThat(set.maxPartBytes()).isEqualTo(2097152L);
        assertThatThrownBy(() -> LoaderOptions.fromSettings(Settings.of(Map.of(LoaderOptions.MAX_LINE_BYTES, "1000000000"))))
                .isInstanceOf(SettingsException.class).hasMessageContaining(LoaderOptions.MAX_LINE_BYTES);
        assertThatThrownBy(() -> LoaderOptions.fromSettings(Settings.of(Map.of(LoaderOptions.MAX_PART_BYTES, "10"))))
                .isInstanceOf(SettingsException.class).hasMessageContaining(LoaderOptions.MAX_PART_BYTES);
    }
}
