package com.skyfit.lake.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one {@code mutate} call did to a scope: the ids it created, updated, deleted (deals by status; other
 * entities out of their lists), archived and unarchived, and when.
 */
public final class Changes {
    private final Instant time;
    private final Map<String, List<Long>> created = new TreeMap<>();
    private final Map<String, List<Long>> updated = new TreeMap<>();
    private final Map<String, List<Long>> deleted = new TreeMap<>();
    private final List<Long> archived = new ArrayList<>();
    private final List<Long> unarchived = new ArrayList<>();

    Changes(Instant time) {
        this.time = time;
    }

    void created(String entity, long id) {
        created.computeIfAbsent(entity, e -> new ArrayList<>()).add(id);
    }

    void updated(String entity, long id) {
        updated.computeIfAbsent(entity, e -> new ArrayList<>()).add(id);
    }

    void deleted(String entity, long id) {
        deleted.computeIfAbsent(entity, e -> new ArrayList<>()).add(id);
    }

    void archived(long dealId) {
        archived.add(dealId);
    }

    void unarchived(long dealId) {
        unarchived.add(dealId);
    }

    /** Deals archived by this change. */
    public List<Long> archived() {
        return List.copyOf(archived);
    }

    /** Deals archived before and unarchived by this change. */
    public List<Long> unarchived() {
        return List.copyOf(unarchived);
    }

    /** The update_time every changed record got (later than any update time before it). */
    public Instant time() {
        return time;
    }

    public List<Long> created(String entity) {
        return List.copyOf(created.getOrDefault(entity, List.of()));
    }

    public List<Long> updated(String entity) {
        return List.copyOf(updated.getOrDefault(entity, List.of()));
    }

    public List<Long> deleted(String entity) {
        return List.copyOf(deleted.getOrDefault(entity, List.of()));
    }

    /** Counts only, for people: "101 created, 201 updated, 41 deleted". */
    public String summary() {
        return count(created) + " created, " + count(updated) + " updated, " + count(deleted) + " deleted, "
                + archived.size() + " deals archived, " + unarchived.size() + " unarchived";
    }

    private static int count(Map<String, List<Long>> byEntity) {
        return byEntity.values().stream().mapToInt(List::size).sum();
    }

    @Override
    public String toString() {
        return "Changes{time=" + time + ", created=" + created + ", updated=" + updated + ", deleted=" + deleted
                + ", archived=" + archived + ", unarchived=" + unarchived + "}";
    }
}
