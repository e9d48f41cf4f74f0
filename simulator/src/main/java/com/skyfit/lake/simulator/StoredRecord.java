package com.skyfit.lake.simulator;

import java.util.Comparator;

/**
 * One record as served: its compact JSON plus the keys the list endpoints sort and filter on.
 * Records are kept as bytes so a large scale costs about the size of its JSON, not a tree per record.
 * A removed record (a deleted person, organization or activity; a pipeline, stage or user gone from its list)
 * is no longer listed and keeps the JSON it was last served with; an archived deal is listed only at
 * /api/v2/deals/archived.
 */
record StoredRecord(long id, long updateMillis, String status, byte[] json, boolean removed, boolean archived) {
    StoredRecord(long id, long updateMillis) {
        this(id, updateMillis, null, null, false, false);
    }

    static final Comparator<StoredRecord> BY_UPDATE =
            Comparator.comparingLong(StoredRecord::updateMillis).thenComparingLong(StoredRecord::id);

    boolean deleted() {
        return "deleted".equals(status);
    }
}
