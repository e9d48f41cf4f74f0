package com.skyfit.lake.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What one {@code mutate} call did to a scope: the ids it created, updated and deleted, and when. */
public final class Changes {
    private final Instant time;
    private final Map<String, List<Long>> created = new TreeMap<>();
    private final Map<String, List<Long>> updated = new TreeMap<>();
    private final Map<String, List<Long>> deleted = new TreeMap<>();

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
        return count(created) + " created, " + count(updated) + " updated, " + count(deleted) + " deleted";
    }

    private static int count(Map<String, List<Long>> byEntity) {
        return byEntity.values().stream().mapToInt(List::size).sum();
    }

    @Override
    public String toString() {
        return "Changes{time=" + time + ", created=" + created + ", updated=" + updated + ", deleted=" + deleted + "}";
    }
}
