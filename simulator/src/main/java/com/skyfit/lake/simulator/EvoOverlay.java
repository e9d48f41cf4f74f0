package com.skyfit.lake.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records changed after generation, by id, over the generated base that stays as it was: a page of a day with
 * changes shows the changed version, and a changed record knows the day it was generated on.
 */
final class EvoOverlay {
    private final String idField;
    private final Map<Long, ObjectNode> records = new ConcurrentHashMap<>();
    private final Map<Long, Integer> baseDays = new ConcurrentHashMap<>();
    private final Map<Integer, Set<Long>> byDay = new ConcurrentHashMap<>();

    EvoOverlay(String idField) {
        this.idField = idField;
    }

    void put(ObjectNode record, int baseDay) {
        long id = record.get(idField).asLong();
        records.put(id, record);
        baseDays.put(id, baseDay);
        byDay.computeIfAbsent(baseDay, d -> ConcurrentHashMap.newKeySet()).add(id);
    }

    ObjectNode get(long id) {
        return records.get(id);
    }

    boolean dirty(int day) {
        return byDay.containsKey(day);
    }

    /** Whether a record generated on {@code day} was changed into one that passes {@code filter}. */
    boolean anyMatches(int day, EvoFilter filter) {
        for (long id : byDay.getOrDefault(day, Set.of())) {
            if (filter.matches(records.get(id))) {
                return true;
            }
        }
        return false;
    }

    int size() {
        return records.size();
    }

    List<ObjectNode> apply(List<ObjectNode> base, int day) {
        if (!dirty(day)) {
            return base;
        }
        List<ObjectNode> out = new ArrayList<>(base.size());
        for (ObjectNode n : base) {
            ObjectNode changed = records.get(n.get(idField).asLong());
            out.add(changed == null ? n : changed);
        }
        return out;
    }

    /** Changed records generated on a day outside [from, to] that pass every filter, by id. */
    List<ObjectNode> outside(int from, int to, List<EvoFilter> filters) {
        List<ObjectNode> out = new ArrayList<>();
        baseDays.forEach((id, day) -> {
            if (day < from || day > to) {
                ObjectNode n = records.get(id);
                if (filters.stream().allMatch(f -> f.matches(n))) {
                    out.add(n);
                }
            }
        });
        out.sort(Comparator.comparingLong(n -> n.get(idField).asLong()));
        return out;
    }
}
