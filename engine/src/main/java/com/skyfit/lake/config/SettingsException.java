package com.skyfit.lake.config;

/** A setting is missing or wrong. The message always names the setting and what it expects. */
public class SettingsException extends RuntimeException {
    private final String setting;

    public SettingsException(String setting, String problem) {
        super("Setting " + setting + ": " + problem);
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }
}
