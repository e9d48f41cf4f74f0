package com.skyfit.lake.staging;

/** The load could not go on (PostgreSQL unreachable through every retry); the caller retries it later. */
public class StagingLoadException extends RuntimeException {
    public StagingLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
