package com.skyfit.lake.simulator;

import java.util.Comparator;

/**
 * One record as served: its compact JSON plus the keys the list endpoints sort and filter on.
 * Records are kept as bytes so a large scale costs about the size of its JSON, not a tree per record.
 */
record StoredRecord(long id, long updateMillis, String status, byte[] json) {
    static final Comparator<StoredRecord> BY_UPDATE =
            Comparator.comparingLong(StoredRecord::updateMillis).thenComparingLong(StoredRecord::id);

    boolean deleted() {
        return "deleted".equals(status);
    }
}
