package com.skyfit.lake.source;

import com.skyfit.lake.config.Secret;

/**
 * How a scope authenticates: one request header carrying a secret, and the setting it came from so
 * an authentication failure can tell the user which setting to fix.
 */
public record Credential(String header, Secret value, String setting) {}
