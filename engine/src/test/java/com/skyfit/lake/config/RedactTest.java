package com.skyfit.lake.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactTest {

    @Test
    void sasSignatureInABronzeUrlIsMasked() {
        String url = "https://lake.blob.core.windows.net/bronze?sv=2022-11-02&ss=b&sig=AbC%2Bd123%3D&se=2030-01-01";
        assertThat(Redact.url(url)).isEqualTo(
                "https://lake.blob.core.windows.net/bronze?sv=2022-11-02&ss=b&sig=***&se=2030-01-01");
    }

    @Test
    void passwordsInJdbcUrlsAreMaskedAsPropertyAndAsUserInfo() {
        assertThat(Redact.url("jdbc:postgresql://db:5432/lake?user=app&password=s3cr3t&sslmode=require"))
                .isEqualTo("jdbc:postgresql://db:5432/lake?user=app&password=***&sslmode=require");
        assertThat(Redact.url("jdbc:postgresql://app:s3cr3t@db:5432/lake"))
                .isEqualTo("jdbc:postgresql://app:***@db:5432/lake");
        assertThat(Redact.url("postgres://app:s3cr3t@db/lake")).isEqualTo("postgres://app:***@db/lake");
    }

    @Test
    void tokensInQueriesAndKeysInConnectionStringsAreMaskedInsideLongerMessages() {
        assertThat(Redact.url("GET https://x.pipedrive.com/api/v1/users?api_token=abc123&limit=5 failed"))
                .isEqualTo("GET https://x.pipedrive.com/api/v1/users?api_token=***&limit=5 failed");
        assertThat(Redact.url("DefaultEndpointsProtocol=https;AccountName=lake;AccountKey=Zm9vYmFy==;EndpointSuffix=core.windows.net"))
                .isEqualTo("DefaultEndpointsProtocol=https;AccountName=lake;AccountKey=***;EndpointSuffix=core.windows.net");
    }

    @Test
    void harmlessUrlsStayAsTheyAre() {
        String url = "https://company.pipedrive.com/api/v2/deals?sort_by=update_time&limit=500";
        assertThat(Redact.url(url)).isEqualTo(url);
        assertThat(Redact.url("file:///tmp/bronze")).isEqualTo("file:///tmp/bronze");
        assertThat(Redact.url(null)).isNull();
    }
}
