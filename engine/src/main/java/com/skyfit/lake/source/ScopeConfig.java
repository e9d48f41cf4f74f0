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

    /**
     * Identifies the scope's token in the shared request budget without revealing it: the source and
     * the start of the token's SHA-256. Two scopes configured with the same token share one budget.
     */
    public String tokenKey() {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(credential.value().reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return source + ":" + java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The scope as people name it, e.g. pipedrive/commercial. */
    public String label() {
        return source + "/" + name;
    }

    @Override
    public String toString() {
        return source + " scope '" + name + "' (" + baseUrl + ")";
    }
}
