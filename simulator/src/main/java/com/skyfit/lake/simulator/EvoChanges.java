package com.skyfit.lake.simulator;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one {@code advance} did to one EVO scope: the days added, and the records changed at {@link #time()}
 * (the gym's wall clock, {@code yyyy-MM-ddTHH:mm:ss}).
 */
public final class EvoChanges {
    private final String scope;
    private final String time;
    private final List<LocalDate> newDays = new ArrayList<>();
    private final Map<LocalDate, Integer> lateEntries = new TreeMap<>();
    private final List<Long> changedMembers = new ArrayList<>();
    private final List<Long> receivedReceivables = new ArrayList<>();
    private final List<Long> canceledReceivables = new ArrayList<>();
    private final List<Long> removedSales = new ArrayList<>();

    EvoChanges(String scope, String time) {
        this.scope = scope;
        this.time = time;
    }

    void newDay(LocalDate d) { newDays.add(d); }
    void late(LocalDate d, int n) { lateEntries.merge(d, n, Integer::sum); }
    void member(long id) { changedMembers.add(id); }
    void received(long id) { receivedReceivables.add(id); }
    void canceled(long id) { canceledReceivables.add(id); }
    void removed(long id) { removedSales.add(id); }

    public String scope() { return scope; }

    /** When every change happened: receivables' new updateDate, members' new lastAccessDate, sales' removalDate. */
    public String time() { return time; }

    public List<LocalDate> newDays() { return List.copyOf(newDays); }

    /** Entries added to days that were already served, per day. */
    public Map<LocalDate, Integer> lateEntries() { return Map.copyOf(lateEntries); }

    /** Members whose membershipStatus, accessBlocked and lastAccessDate changed, with no filtered date moving. */
    public List<Long> changedMembers() { return List.copyOf(changedMembers); }

    public List<Long> receivedReceivables() { return List.copyOf(receivedReceivables); }

    public List<Long> canceledReceivables() { return List.copyOf(canceledReceivables); }

    public List<Long> removedSales() { return List.copyOf(removedSales); }

    public String summary() {
        return scope + ": " + newDays.size() + " new days, " + lateEntries.values().stream().mapToInt(i -> i).sum()
                + " late entries, " + changedMembers.size() + " members changed, " + receivedReceivables.size()
                + " receivables received, " + canceledReceivables.size() + " canceled, " + removedSales.size()
                + " sales removed";
    }

    @Override
    public String toString() {
        return summary();
    }
}
