package com.skyfit.lake.bronze;

/** A committed bronze part, as recorded in ops.bronze_files. */
public record BronzePart(String path, long records, long bytes, String sha256) {}
