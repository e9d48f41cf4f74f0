package com.skyfit.lake.source;

import com.skyfit.lake.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How a scope authenticates: one request header carrying a secret, and the setting it came from so
 * an authentication failure can tell the user which setting to fix.
 */
public record Credential(String header, Secret value, String setting) {

    /** A token sent as it is in a header of the API's choosing (Pipedrive: x-api-token). */
    public static Credential headerToken(String header, Secret token, String setting) {
        return new Credential(header, token, setting);
    }

    /** Authorization: Bearer {token}. */
    public static Credential bearer(Secret token, String setting) {
        return new Credential("Authorization", Secret.of("Bearer " + token.reveal()), setting);
    }

    /** Authorization: Basic base64(user:password); the setting named on failure is the password's. */
    public static Credential basic(String user, Secret password, String setting) {
        String pair = user + ":" + password.reveal();
        return new Credential("Authorization",
                Secret.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8))), setting);
    }
}
