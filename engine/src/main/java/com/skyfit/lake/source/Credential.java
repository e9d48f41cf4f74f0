package com.skyfit.lake.source;

import com.skyfit.lake.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * How a scope authenticates: one request header carrying a secret, and the setting it came from so
 * an authentication failure can tell the user which setting to fix. The pieces are the parts of the header
 * value a server may echo alone (the bare token, the password, the base64 of a Basic pair): each is masked too.
 */
public record Credential(String header, Secret value, String setting, List<Secret> pieces) {

    public Credential {
        pieces = List.copyOf(pieces);
    }

    public Credential(String header, Secret value, String setting) {
        this(header, value, setting, List.of());
    }

    /** A token sent as it is in a header of the API's choosing (Pipedrive: x-api-token). */
    public static Credential headerToken(String header, Secret token, String setting) {
        return new Credential(header, token, setting);
    }

    /** Authorization: Bearer {token}. */
    public static Credential bearer(Secret token, String setting) {
        return new Credential("Authorization", Secret.of("Bearer " + token.reveal()), setting, List.of(token));
    }

    /** Authorization: Basic base64(user:password); the setting named on failure is the password's. */
    public static Credential basic(String user, Secret password, String setting) {
        String pair = user + ":" + password.reveal();
        String encoded = Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        return new Credential("Authorization", Secret.of("Basic " + encoded), setting,
                List.of(Secret.of(encoded), password));
    }

    /** The text with the header value and every piece of it masked (for messages built from foreign input). */
    public String redact(String text) {
        String out = value.redact(text);
        for (Secret piece : pieces) {
            out = piece.redact(out);
        }
        return out;
    }
}
