package com.skyfit.lake.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * What one EVO scope holds now (changes included), read from the same generator the API serves from, for checking
 * core tables against. Counts come from the calendars where they can; facts about fields stream the records once
 * (fine for a demo; at millions of records they take seconds, and they hold no more than a day at a time).
 */
public final class EvoTruth {
    private final EvoScope s;

    EvoTruth(EvoScope scope) {
        this.s = scope;
    }

    /**
     * Records of a lake entity: branches, members, member_contacts, member_memberships, sales, sale_items,
     * receivables, entries, prospects, employees.
     */
    public long count(String entity) {
        return switch (entity) {
            case "branches" -> s.branches().size();
            case "employees" -> s.employees().size();
            case "members" -> s.members().total();
            case "sales" -> s.sales().total();
            case "prospects" -> s.prospects().total();
            case "entries" -> s.entries().total();
            case "member_memberships" -> IntStream.range(0, s.days()).mapToLong(s::membershipCount).sum();
            case "receivables" -> IntStream.range(0, s.days()).mapToLong(s::receivableCount).sum();
            case "member_contacts" -> records("members").mapToLong(m -> m.path("contacts").size()).sum();
            case "sale_items" -> records("sales").mapToLong(m -> m.path("saleItens").size()).sum();
            default -> throw new IllegalArgumentException("unknown EVO entity '" + entity + "'");
        };
    }

    /** Every record of an entity as the API serves it (members with memberships, sales with receivables), in order. */
    public Stream<JsonNode> records(String entity) {
        return switch (entity) {
            case "branches" -> s.branches().stream().map(n -> n);
            case "employees" -> s.employees().stream().map(n -> n);
            case "members" -> days(s::members);
            case "member_memberships" -> days(s::memberships);
            case "sales" -> days(s::sales);
            case "receivables" -> days(s::receivables);
            case "prospects" -> days(s::prospects);
            case "entries" -> IntStream.range(0, s.days()).boxed()
                    .flatMap(d -> s.entries(d).stream().map(EvoTruth::entryNode));
            default -> throw new IllegalArgumentException("unknown EVO entity '" + entity + "'");
        };
    }

    private Stream<JsonNode> days(IntFunction<List<ObjectNode>> day) {
        return IntStream.range(0, s.days()).boxed().flatMap(d -> day.apply(d).stream());
    }

    /** Members per membershipStatus (Active, Inactive, Suspended, Canceled). */
    public Map<String, Long> membersByStatus() {
        Map<String, Long> out = new TreeMap<>();
        records("members").forEach(m -> out.merge(m.get("membershipStatus").asText(), 1L, Long::sum));
        return out;
    }

    public long accessBlockedMembers() {
        return records("members").filter(m -> m.get("accessBlocked").asBoolean()).count();
    }

    /** The sum of every sale's total (its items' saleValue), removed sales included. */
    public BigDecimal salesTotal() {
        return records("sales").flatMap(sale -> stream(sale.get("saleItens")))
                .map(i -> i.get("saleValue").decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public long removedSales() {
        return records("sales").filter(sale -> sale.get("removed").asBoolean()).count();
    }

    /** Receivables per status id (1 Open, 2 Received, 3 Canceled, 4 Overdue). */
    public Map<Integer, Long> receivablesByStatus() {
        Map<Integer, Long> out = new TreeMap<>();
        records("receivables").forEach(r -> out.merge(r.path("status").path("id").asInt(), 1L, Long::sum));
        return out;
    }

    /** Entries per day over all branches, every served day listed (closed days included, with 0 when empty). */
    public Map<LocalDate, Long> entriesPerDay() {
        Map<LocalDate, Long> out = new LinkedHashMap<>();
        for (int d = 0; d < s.days(); d++) {
            out.put(s.date(d), s.entries().dayCount(d));
        }
        return out;
    }

    /** Entries of one branch on one day (0 outside the served days). */
    public long entries(int idBranch, LocalDate day) {
        int d = dayIndex(day);
        int b = branch(idBranch);
        return d < 0 ? 0 : s.entries().count(d, b);
    }

    /** Whether a branch opens on a day: a closed branch's day without entries is no gap. */
    public boolean open(int idBranch, LocalDate day) {
        return s.entries().open(branch(idBranch), day);
    }

    /** The branch ids of the scope, in order. */
    public List<Integer> branchIds() {
        return IntStream.range(0, s.branchCount()).mapToObj(s::branchId).toList();
    }

    /** One member as the API serves it now (changes included). */
    public JsonNode member(long idMember) {
        long n = s.local(idMember);
        if (n < 0 || n >= s.members().total()) {
            throw new IllegalArgumentException("no member " + idMember + " in scope " + s.name());
        }
        int d = s.members().dayOf(n);
        return s.members(d).get((int) (n - s.members().before(d)));
    }

    private int dayIndex(LocalDate day) {
        long d = day.toEpochDay() - s.date(0).toEpochDay();
        return d < 0 || d >= s.days() ? -1 : (int) d;
    }

    private int branch(int idBranch) {
        int b = idBranch - s.branchId(0);
        if (b < 0 || b >= s.branchCount()) {
            throw new IllegalArgumentException("no branch " + idBranch + " in scope " + s.name());
        }
        return b;
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }

    static ObjectNode entryNode(EvoEntry e) {
        ObjectNode n = EvoRecords.node().put("date", EvoTime.text(e.at()));
        if (e.idMember() == 0) {
            n.putNull("idMember");
        } else {
            n.put("idMember", e.idMember());
        }
        if (e.idProspect() == 0) {
            n.putNull("idProspect");
        } else {
            n.put("idProspect", e.idProspect());
        }
        n.put("idBranch", e.idBranch()).put("entryType", EvoEntry.TYPES[e.type()])
                .put("device", EvoEntry.DEVICES[e.device()]).put("blockReason", EvoEntry.BLOCKS[e.block()]);
        return n.putNull("releasedBy");
    }
}
