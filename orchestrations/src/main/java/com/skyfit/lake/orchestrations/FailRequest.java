package com.skyfit.lake.orchestrations;

/** Input of the FailRun activity: the batch and why it failed (no secrets: messages come from the engine). */
public record FailRequest(String batchId, String message, String detail) {}
