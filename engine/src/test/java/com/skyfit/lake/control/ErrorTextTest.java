package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorTextTest {

    @Test
    void keepsTheSentenceAndDropsServerContext() {
        String stored = "PostgreSQL refused the load (SQLSTATE 22P02): ERROR: invalid input syntax for type json\n"
                + "  Detail: Token \"oops\" is invalid.\n"
                + "  Where: JSON data, line 1: {\"id\": 2, \"name\": oops...\n"
                + "COPY deals_raw, line 2, column raw: \"{\"id\": 2}\"";
        assertThat(ErrorText.forDisplay(stored)).isEqualTo(
                "PostgreSQL refused the load (SQLSTATE 22P02): invalid input syntax for type json");
    }

    @Test
    void dropsTheStatementAWrapperQuoted() {
        assertThat(ErrorText.forDisplay("Database error (SQLSTATE 42P01) in INSERT INTO core.pd_deals (id, title)"
                + " SELECT ...: ERROR: relation \"core.pd_deals\" does not exist\n  Position: 13"))
                .isEqualTo("Database error (SQLSTATE 42P01): relation \"core.pd_deals\" does not exist");
    }

    @Test
    void masksCredentialsAndLeavesPlainMessagesAlone() {
        assertThat(ErrorText.forDisplay("Could not reach https://a.blob.core.windows.net/lake?sv=1&sig=abc%2Fdef"))
                .isEqualTo("Could not reach https://a.blob.core.windows.net/lake?sv=1&sig=***");
        assertThat(ErrorText.forDisplay("HTTP 401 from the source")).isEqualTo("HTTP 401 from the source");
        assertThat(ErrorText.forDisplay(null)).isNull();
    }
}
