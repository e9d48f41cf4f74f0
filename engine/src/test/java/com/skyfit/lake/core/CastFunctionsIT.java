package com.skyfit.lake.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyfit.lake.control.Database;
import com.skyfit.lake.testing.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The safe casts give the value the text means, or NULL, and never raise (not even for bound parameters). */
class CastFunctionsIT {
    private static Database db;

    @BeforeAll
    static void start() {
        db = TestPostgres.newDatabase();
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    private static <T> T cast(String function, String value, Class<T> type) throws Exception {
        try (Connection c = db.connection()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET TimeZone = 'America/Sao_Paulo'");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT ops." + function + "(?)")) {
                ps.setString(1, value);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getObject(1, type);
                }
            }
        }
    }

    @Test
    void integers() throws Exception {
        assertThat(cast("try_bigint", "11884360", Long.class)).isEqualTo(11884360L);
        assertThat(cast("try_bigint", " -12 ", Long.class)).isEqualTo(-12L);
        assertThat(cast("try_bigint", "9223372036854775807", Long.class)).isEqualTo(Long.MAX_VALUE);
        assertThat(cast("try_bigint", "9223372036854775808", Long.class)).isNull();
        assertThat(cast("try_bigint", "1500.5", Long.class)).isNull();
        assertThat(cast("try_bigint", "abc", Long.class)).isNull();
        assertThat(cast("try_bigint", null, Long.class)).isNull();
        assertThat(cast("try_integer", "42", Integer.class)).isEqualTo(42);
        assertThat(cast("try_integer", "99999999999", Integer.class)).isNull();
    }

    @Test
    void numbers() throws Exception {
        assertThat(cast("try_numeric", "1500", BigDecimal.class)).isEqualByComparingTo("1500");
        assertThat(cast("try_numeric", "119.90", BigDecimal.class)).isEqualByComparingTo("119.90");
        assertThat(cast("try_numeric", "1.5e3", BigDecimal.class)).isEqualByComparingTo("1500");
        assertThat(cast("try_numeric", "abc", BigDecimal.class)).isNull();
        assertThat(cast("try_numeric", "NaN", BigDecimal.class)).isNull();
        assertThat(cast("try_numeric", "Infinity", BigDecimal.class)).isNull();
        assertThat(cast("try_numeric", "", BigDecimal.class)).isNull();
    }

    @Test
    void booleans() throws Exception {
        assertThat(cast("try_boolean", "true", Boolean.class)).isTrue();
        assertThat(cast("try_boolean", "false", Boolean.class)).isFalse();
        assertThat(cast("try_boolean", "1", Boolean.class)).isTrue();
        assertThat(cast("try_boolean", " Yes ", Boolean.class)).isTrue();
        assertThat(cast("try_boolean", "0", Boolean.class)).isFalse();
        assertThat(cast("try_boolean", "maybe", Boolean.class)).isNull();
    }

    @Test
    void dates() throws Exception {
        assertThat(cast("try_date", "2023-02-28", LocalDate.class)).isEqualTo(LocalDate.of(2023, 2, 28));
        assertThat(cast("try_date", "2024-02-29", LocalDate.class)).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(cast("try_date", "2024-01-15T10:00:00", LocalDate.class)).isEqualTo(LocalDate.of(2024, 1, 15));
        assertThat(cast("try_date", "2023-02-29", LocalDate.class)).isNull();
        assertThat(cast("try_date", "2023-04-31", LocalDate.class)).isNull();
        assertThat(cast("try_date", "today", LocalDate.class)).isNull();
        assertThat(cast("try_date", "28/02/2023", LocalDate.class)).isNull();
    }

    @Test
    void pipedriveTimestampsWithoutZoneAreUtcWhateverTheSessionZone() throws Exception {
        assertThat(cast("try_timestamptz", "2023-02-22 08:27:53", OffsetDateTime.class))
                .isEqualTo(OffsetDateTime.of(2023, 2, 22, 8, 27, 53, 0, ZoneOffset.UTC));
        assertThat(cast("try_timestamptz", "2023-02-22 08:27:53.123", OffsetDateTime.class))
                .isEqualTo(OffsetDateTime.of(2023, 2, 22, 8, 27, 53, 123_000_000, ZoneOffset.UTC));
    }

    @Test
    void isoTimestampsWithZoneOrOffset() throws Exception {
        assertThat(cast("try_timestamptz", "2023-02-22T11:47:18.002Z", OffsetDateTime.class))
                .isEqualTo(OffsetDateTime.of(2023, 2, 22, 11, 47, 18, 2_000_000, ZoneOffset.UTC));
        assertThat(cast("try_timestamptz", "2024-01-01T10:00:00-03:00", OffsetDateTime.class))
                .isEqualTo(OffsetDateTime.of(2024, 1, 1, 13, 0, 0, 0, ZoneOffset.UTC));
        assertThat(cast("try_timestamptz", "2024-01-01T10:00:00+0530", OffsetDateTime.class))
                .isEqualTo(OffsetDateTime.of(2024, 1, 1, 4, 30, 0, 0, ZoneOffset.UTC));
    }

    @Test
    void timestampsThatAreNotOne() throws Exception {
        for (String bad : new String[] {"not-a-date", "2023-13-01 00:00:00", "2023-02-30 10:00:00", "now", "epoch",
                "infinity", "", "2023-02-22 25:00:00"}) {
            assertThat(cast("try_timestamptz", bad, OffsetDateTime.class)).as(bad).isNull();
        }
    }

    @Test
    void localTimestampsRejectZones() throws Exception {
        assertThat(cast("try_timestamp", "2024-01-15T10:23:00", LocalDateTime.class))
                .isEqualTo(LocalDateTime.of(2024, 1, 15, 10, 23));
        assertThat(cast("try_timestamp", "2024-01-15T10:23:00Z", LocalDateTime.class)).isNull();
        assertThat(cast("try_timestamp", "2024-01-15T10:23:00-03:00", LocalDateTime.class)).isNull();
    }
}
