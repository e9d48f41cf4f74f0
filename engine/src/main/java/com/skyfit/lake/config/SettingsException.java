package com.skyfit.lake.config;

/**
 * A setting is missing or wrong. The message always names the setting and what it expects, and is
 * passed through {@link Redact} so a value quoted back to the user never shows a password, key or SAS.
 */
public class SettingsException extends RuntimeException {
    private final String setting;

    public SettingsException(String setting, String problem) {
        super("Setting " + setting + ": " + Redact.url(problem));
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }
}
