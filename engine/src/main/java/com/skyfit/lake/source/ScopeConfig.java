package com.skyfit.lake.source;

import java.net.URI;

/**
 * One account of a source (a Pipedrive company, an EVO key, a Zendesk subdomain): where it lives and
 * how it authenticates. Each scope has its own request budget and runs in parallel with the others.
 */
public record ScopeConfig(String source, String name, URI baseUrl, Credential credential) {
    public ScopeConfig {
        String url = baseUrl.toString();
        if (url.endsWith("/")) {
            baseUrl = URI.create(url.substring(0, url.length() - 1));
        }
    }

    /** Key of the scope's rate limiter: one budget per source account. */
    String limiterKey() {
        return source + "/" + name;
    }

    @Override
    public String toString() {
        return source + " scope '" + name + "' (" + baseUrl + ")";
    }
}
