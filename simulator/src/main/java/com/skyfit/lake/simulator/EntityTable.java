package com.skyfit.lake.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/** The records of one entity of one scope, ordered by id and by (update time, id) for keyset paging. */
final class EntityTable {
    private final TreeMap<Long, StoredRecord> byId = new TreeMap<>();
    private final TreeSet<StoredRecord> byUpdate = new TreeSet<>(StoredRecord.BY_UPDATE);

    void put(StoredRecord r) {
        StoredRecord old = byId.put(r.id(), r);
        if (old != null) {
            byUpdate.remove(old);
        }
        byUpdate.add(r);
    }

    StoredRecord get(long id) {
        return byId.get(id);
    }

    List<StoredRecord> all() {
        return new ArrayList<>(byId.values());
    }

    List<Long> ids(Predicate<StoredRecord> filter) {
        List<Long> out = new ArrayList<>();
        for (StoredRecord r : byId.values()) {
            if (filter.test(r)) {
                out.add(r.id());
            }
        }
        return out;
    }

    int size() {
        return byId.size();
    }

    /** Records in the requested order strictly after the given key (null key = from the start). */
    Iterable<StoredRecord> after(boolean byUpdateTime, boolean descending, StoredRecord key) {
        if (!byUpdateTime) {
            if (key == null) {
                return descending ? byId.descendingMap().values() : byId.values();
            }
            return descending ? byId.headMap(key.id(), false).descendingMap().values()
                    : byId.tailMap(key.id(), false).values();
        }
        NavigableSet<StoredRecord> set = byUpdate;
        if (key == null) {
            return descending ? set.descendingSet() : set;
        }
        return descending ? set.headSet(key, false).descendingSet() : set.tailSet(key, false);
    }
}
