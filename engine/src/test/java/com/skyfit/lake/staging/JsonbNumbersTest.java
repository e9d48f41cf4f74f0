package com.skyfit.lake.staging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The boundaries below were measured on PostgreSQL 17 ('[n]'::jsonb). */
class JsonbNumbersTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "-12.50", "1e131071", "-1e131071", "9999e131068", "123.456e131069", "1e-16383",
            "1e-16382", "0e1000000", "1E+5", "0.00001"})
    void numbersJsonbTakes(String n) {
        assertThat(JsonbNumbers.problem(n)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e1000000", "1e131072", "-1e131072", "12345e131068", "0.0001e131076", "1e-16384",
            "1.5e-16383", "10e-16384", "1.0000e-16380", "0e-1000000", "0.0e-20000", "1e2147483647",
            "1e-2147483648", "1e99999999999999999999999"})
    void numbersJsonbRefuses(String n) {
        assertThat(JsonbNumbers.problem(n)).isNotNull().contains("jsonb");
    }

    @org.junit.jupiter.api.Test
    void longPlainNumbersAtTheLimits() {
        assertThat(JsonbNumbers.problem("1" + "0".repeat(131071))).isNull();
        assertThat(JsonbNumbers.problem("1" + "0".repeat(131072))).isNotNull();
        assertThat(JsonbNumbers.problem("0." + "0".repeat(16382) + "1")).isNull();
        assertThat(JsonbNumbers.problem("0." + "0".repeat(16383) + "1")).isNotNull();
        byte[] line = "{\"a\":[1e1000000]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(new LineChecker().problem(line, line.length)).contains("too large for jsonb");
    }
}
