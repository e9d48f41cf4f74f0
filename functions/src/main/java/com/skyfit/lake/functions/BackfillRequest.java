package com.skyfit.lake.functions;

import java.util.List;

/** Body of POST /api/backfill, once valid: dates are YYYY-MM-DD, to is inclusive. */
public record BackfillRequest(String source, String from, String to, List<String> scopes, List<String> entities) {}
