package com.skyfit.lake.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;
import java.util.function.Supplier;

/**
 * One EVO key: its branches, how many records each kind has per branch and day, and the records of a day,
 * generated when asked (a few recent days are kept) with the changes made since laid over them. Ids: members,
 * sales and prospects count up from {@code (index + 1) * 100,000,000} in day then branch order; a member's
 * contracts and contacts, a sale's items and receivables are {@code parent id * 10 + n}.
 */
final class EvoScope {
    private final int index;
    private final String name;
    private final String dns;
    private final String secret;
    private final long seed;
    private final LocalDate start;
    private final LocalDate initialEnd;
    private final int branches;
    private final long base;
    private final EvoCalendar entries;
    private final EvoCalendar members;
    private final EvoCalendar sales;
    private final EvoCalendar prospects;
    private final EvoGenerator gen = new EvoGenerator(this);
    final EvoOverlay changedMembers = new EvoOverlay("idMember");
    final EvoOverlay changedSales = new EvoOverlay("idSale");
    final EvoOverlay changedReceivables = new EvoOverlay("idReceivable");
    final EvoOverlay changedProspects = new EvoOverlay("idProspect");
    final EvoOverlay changedMemberships = new EvoOverlay("idMemberMembership");
    private final List<ObjectNode> branchList = new ArrayList<>();
    private final List<ObjectNode> employeeList = new ArrayList<>();
    private final AtomicInteger version = new AtomicInteger();
    private final EvoDayIndex dates = new EvoDayIndex();
    private final long cacheBytes;
    private final LinkedHashMap<String, Cached> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long cacheUsed;

    /** A generated day kept for the next pages, with a rough size: a day of a large network is megabytes. */
    private record Cached(List<?> records, long bytes) {}

    /** Rough heap bytes of one generated record of a kind: a compact entry, or a JSON tree (members carry contracts). */
    private static long recordBytes(String kind) {
        return switch (kind) {
            case "e" -> 64;
            case "m" -> 4000;
            case "s" -> 2500;
            default -> 1000;
        };
    }

    record Sizes(long entries, long members, long sales, long prospects) {}

    EvoScope(int index, String name, String dns, String secret, long seed, LocalDate start, int days, int branches,
            Sizes sizes, long cacheBytes) {
        this.index = index;
        this.name = name;
        this.dns = dns;
        this.secret = secret;
        this.seed = seed;
        this.start = start;
        this.initialEnd = start.plusDays(days - 1L);
        this.branches = branches;
        this.base = (index + 1) * 100_000_000L;
        this.entries = new EvoCalendar(sizes.entries(), start, days, branches, seed * 31 + 1);
        this.members = new EvoCalendar(sizes.members(), start, days, branches, seed * 31 + 2);
        this.sales = new EvoCalendar(sizes.sales(), start, days, branches, seed * 31 + 3);
        this.prospects = new EvoCalendar(sizes.prospects(), start, days, branches, seed * 31 + 4);
        this.cacheBytes = cacheBytes;
        for (int b = 0; b < branches; b++) {
            branchList.add(gen.branch(b));
            for (int k = 0; k < EvoGenerator.EMPLOYEES_PER_BRANCH; k++) {
                employeeList.add(gen.employee(b, k));
            }
        }
    }

    int index() { return index; }
    String name() { return name; }
    String dns() { return dns; }
    String secret() { return secret; }
    long seed() { return seed; }
    LocalDate initialEnd() { return initialEnd; }
    int branchCount() { return branches; }
    int days() { return entries.days(); }
    LocalDate date(int d) { return start.plusDays(d); }
    EvoCalendar entries() { return entries; }
    EvoCalendar members() { return members; }
    EvoCalendar sales() { return sales; }
    EvoCalendar prospects() { return prospects; }
    EvoGenerator generator() { return gen; }
    List<ObjectNode> branches() { return branchList; }
    List<ObjectNode> employees() { return employeeList; }
    int branchId(int b) { return (index + 1) * 100 + b + 1; }
    String branchName(int b) { return "SkyFit " + name + " " + (b + 1); }
    long employeeId(int b, int k) { return branchId(b) * 100L + k + 1; }
    long memberId(long n) { return base + n + 1; }
    long saleId(long n) { return base + n + 1; }
    long prospectId(long n) { return base + n + 1; }
    long local(long id) { return id - base - 1; }

    /** Called when changes land: days generated before may now differ (late entries) or be overlaid. */
    void changed() {
        version.incrementAndGet();
        dates.clear();
        synchronized (cache) {
            cache.clear();
            cacheUsed = 0;
        }
    }

    List<ObjectNode> baseMembers(int d) {
        return cached("m", d, () -> perBranch(members, d, (n, b) -> gen.member(n, d, b)));
    }

    List<ObjectNode> members(int d) {
        return changedMembers.apply(baseMembers(d), d);
    }

    List<ObjectNode> baseMemberships(int d) {
        return cached("mm", d, () -> baseMembers(d).stream().flatMap(m -> gen.memberships(m, d).stream()).toList());
    }

    List<ObjectNode> memberships(int d) {
        return changedMemberships.apply(baseMemberships(d), d);
    }

    List<ObjectNode> baseSales(int d) {
        return cached("s", d, () -> perBranch(sales, d, (n, b) -> gen.sale(n, d, b)));
    }

    List<ObjectNode> sales(int d) {
        return changedSales.apply(baseSales(d), d);
    }

    List<ObjectNode> baseReceivables(int d) {
        return cached("r", d, () -> baseSales(d).stream().flatMap(s -> gen.receivables(s).stream()).toList());
    }

    List<ObjectNode> receivables(int d) {
        return changedReceivables.apply(baseReceivables(d), d);
    }

    List<ObjectNode> baseProspects(int d) {
        return cached("p", d, () -> perBranch(prospects, d, (n, b) -> gen.prospect(n, d, b)));
    }

    List<ObjectNode> prospects(int d) {
        return changedProspects.apply(baseProspects(d), d);
    }

    List<EvoEntry> entries(int d) {
        return cached("e", d, () -> {
            List<EvoEntry> all = new ArrayList<>((int) entries.dayCount(d));
            for (int b = 0; b < branches; b++) {
                all.addAll(gen.entries(d, b, entries.count(d, b)));
            }
            all.sort(EvoEntry.ORDER);
            return all;
        });
    }

    /** Contracts of day d, known from the members' ids without generating them. */
    long membershipCount(int d) {
        long count = 0;
        for (long n = members.before(d); n < members.before(d + 1); n++) {
            count += gen.membershipCount(memberId(n));
        }
        return count;
    }

    long receivableCount(int d) {
        long count = 0;
        for (long n = sales.before(d); n < sales.before(d + 1); n++) {
            count += gen.installments(saleId(n));
        }
        return count;
    }

    EvoPager.Source<?> source(EvoEndpoint e) {
        return switch (e) {
            case MEMBERS -> nodes(e, this::baseMembers, members::dayCount, d -> memberId(members.before(d)),
                    "idMember", changedMembers);
            case MEMBER_MEMBERSHIPS -> nodes(e, this::baseMemberships, this::membershipCount,
                    d -> memberId(members.before(d)) * 10, "idMemberMembership", changedMemberships);
            case SALES -> nodes(e, this::baseSales, sales::dayCount, d -> saleId(sales.before(d)), "idSale",
                    changedSales);
            case RECEIVABLES -> nodes(e, this::baseReceivables, this::receivableCount,
                    d -> saleId(sales.before(d)) * 10, "idReceivable", changedReceivables);
            case PROSPECTS -> nodes(e, this::baseProspects, prospects::dayCount, d -> prospectId(prospects.before(d)),
                    "idProspect", changedProspects);
            case ENTRIES -> new EntrySource();
            default -> throw new IllegalArgumentException(e + " is not generated by day");
        };
    }

    private interface Maker {
        ObjectNode make(long n, int branch);
    }

    private List<ObjectNode> perBranch(EvoCalendar cal, int d, Maker maker) {
        List<ObjectNode> out = new ArrayList<>((int) cal.dayCount(d));
        for (int b = 0; b < branches; b++) {
            long first = cal.before(d, b);
            for (int k = 0; k < cal.count(d, b); k++) {
                out.add(maker.make(first + k, b));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> cached(String kind, int d, Supplier<List<T>> make) {
        String key = kind + ":" + d + ":" + version.get();
        synchronized (cache) {
            Cached hit = cache.get(key);
            if (hit != null) {
                return (List<T>) hit.records();
            }
        }
        List<T> made = List.copyOf(make.get());
        long bytes = recordBytes(kind) * made.size();
        synchronized (cache) {
            if (bytes <= cacheBytes && cache.put(key, new Cached(made, bytes)) == null) {
                cacheUsed += bytes;
                var eldest = cache.entrySet().iterator();
                while (cacheUsed > cacheBytes && eldest.hasNext()) {
                    cacheUsed -= eldest.next().getValue().bytes();
                    eldest.remove();
                }
            }
        }
        return made;
    }

    /**
     * A list generated by day: a day is its generated records with the overlay's changes laid over; its count is
     * known from the calendar unless a change touched it.
     */
    private EvoPager.Source<ObjectNode> nodes(EvoEndpoint e, IntFunction<List<ObjectNode>> base,
            IntToLongFunction generatedCount, IntToLongFunction idLo, String idField, EvoOverlay overlay) {
        return new EvoPager.Source<>() {
            public int days() { return EvoScope.this.days(); }
            public long dayStart(int d) { return EvoTime.second(date(d)); }
            public List<ObjectNode> day(int d) { return overlay.apply(base.apply(d), d); }
            public long knownCount(int d) { return overlay.dirty(d) ? -1 : generatedCount.applyAsLong(d); }
            public long idLo(int d) { return idLo.applyAsLong(d); }
            public long id(ObjectNode r) { return r.get(idField).asLong(); }
            public boolean matches(ObjectNode r, EvoFilter f) { return f.matches(r); }
            public List<ObjectNode> movedIn(int from, int to, List<EvoFilter> filters) {
                return overlay.outside(from, to, filters);
            }

            /*
             * A changed day matches what its unchanged records and its changed ones match: none when no generated
             * record matched and no change made one match; otherwise only the day itself can say how many.
             */
            public long matching(int d, EvoFilter f) {
                long generated = dates.count(e.entity(), version.get(), d, f, base);
                if (generated < 0 || !overlay.dirty(d)) {
                    return generated;
                }
                return generated == 0 && !overlay.anyMatches(d, f) ? 0 : -1;
            }
        };
    }

    private final class EntrySource implements EvoPager.Source<EvoEntry> {
        public int days() { return EvoScope.this.days(); }
        public long dayStart(int d) { return EvoTime.second(date(d)); }
        public List<EvoEntry> day(int d) { return entries(d); }
        public long knownCount(int d) { return entries.dayCount(d); }
        public long idLo(int d) { return 0; }
        public long id(EvoEntry e) { return 0; }
        public boolean matches(EvoEntry e, EvoFilter f) { return f.contains(e.at()); }
        public List<EvoEntry> movedIn(int from, int to, List<EvoFilter> filters) { return List.of(); }
        public long matching(int d, EvoFilter f) { return -1; }
    }
}
