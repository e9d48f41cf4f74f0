package com.skyfit.lake.simulator;

import java.time.Instant;
import java.util.List;

/**
 * What one change step did to the simulated Chatwoot: conversations created, updated (updated_at moved),
 * touched by activity only (a new message: last_activity_at moved, updated_at did not) and hard-deleted.
 */
public record ChatwootChanges(Instant time, List<Long> created, List<Long> updated, List<Long> activityOnly,
        List<Long> deleted) {

    public ChatwootChanges {
        created = List.copyOf(created);
        updated = List.copyOf(updated);
        activityOnly = List.copyOf(activityOnly);
        deleted = List.copyOf(deleted);
    }

    /** Counts only, for people. */
    public String summary() {
        return created.size() + " created, " + updated.size() + " updated, " + activityOnly.size()
                + " with new activity only, " + deleted.size() + " deleted";
    }
}
