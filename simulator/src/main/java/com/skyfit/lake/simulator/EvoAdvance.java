package com.skyfit.lake.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.SplittableRandom;

/**
 * The changes between two runs, applied to one scope as overlays (the generated base stays): late entries on the
 * last day already served, new days, members changing status with no date the filters see, receivables received or
 * canceled (their updateDate moves), sales removed (saleDate stays).
 */
final class EvoAdvance {
    private EvoAdvance() {}

    static EvoChanges apply(EvoScope s, EvoSimulator.Advance plan, long at) {
        String time = EvoTime.text(at);
        EvoChanges c = new EvoChanges(s.name(), time);
        SplittableRandom r = new SplittableRandom(EvoRandom.mix(plan.seed(), s.seed(), 99));
        int last = s.days() - 1;
        int[] late = new int[s.branchCount()];
        for (int i = 0; i < plan.lateEntries(); i++) {
            int b = r.nextInt(late.length);
            if (s.entries().open(b, s.date(last))) {
                late[b]++;
            } else {
                late[0]++;
            }
        }
        for (int b = 0; b < late.length; b++) {
            s.entries().addLate(last, b, late[b]);
        }
        if (plan.lateEntries() > 0) {
            c.late(s.date(last), plan.lateEntries());
        }
        for (EvoCalendar cal : new EvoCalendar[] {s.entries(), s.members(), s.sales(), s.prospects()}) {
            cal.addDays(plan.newDays());
        }
        for (int d = last + 1; d < s.days(); d++) {
            c.newDay(s.date(d));
        }
        s.changed();
        changeMembers(s, plan.memberChanges(), r, time, c);
        changeReceivables(s, plan.receivableChanges(), r, time, c);
        removeSales(s, plan.saleRemovals(), r, time, c);
        return c;
    }

    private static void changeMembers(EvoScope s, int count, SplittableRandom r, String time, EvoChanges c) {
        long total = s.members().total();
        java.util.Set<Long> changed = new java.util.HashSet<>();
        for (int attempt = 0; changed.size() < count && attempt < count * 20 && total > 0; attempt++) {
            long n = r.nextLong(total);
            if (!changed.add(n)) {
                continue;
            }
            int d = s.members().dayOf(n);
            ObjectNode m = s.members(d).get((int) (n - s.members().before(d))).deepCopy();
            boolean wasActive = m.get("membershipStatus").asText().equals("Active");
            String status = wasActive ? new String[] {"Inactive", "Suspended", "Canceled"}[r.nextInt(3)] : "Active";
            boolean blocked = status.equals("Suspended") || status.equals("Canceled");
            m.put("membershipStatus", status).put("accessBlocked", blocked)
                    .put("blockedReason", blocked ? "Pending payment" : null).put("lastAccessDate", time);
            s.changedMembers.put(m, d);
            c.member(m.get("idMember").asLong());
        }
    }

    private static void changeReceivables(EvoScope s, int count, SplittableRandom r, String time, EvoChanges c) {
        long total = s.sales().total();
        int done = 0;
        for (int attempt = 0; done < count && attempt < count * 20 && total > 0; attempt++) {
            long n = r.nextLong(total);
            int d = s.sales().dayOf(n);
            long saleId = s.saleId(n);
            long id = saleId * 10 + 1 + r.nextInt(s.generator().installments(saleId));
            ObjectNode rec = find(s.receivables(d), "idReceivable", id);
            int status = rec.path("status").path("id").asInt();
            if (status != 1 && status != 4) {
                continue;
            }
            boolean received = r.nextInt(10) < 7;
            int now = received ? 2 : 3;
            rec = rec.deepCopy();
            rec.putObject("status").put("id", now).put("name", EvoRecords.RECEIVABLE_STATUS[now]);
            rec.put("updateDate", time);
            if (received) {
                rec.put("receivingDate", time).set("amountPaid", rec.get("ammount"));
                c.received(id);
            } else {
                rec.put("cancellationDate", time);
                c.canceled(id);
            }
            s.changedReceivables.put(rec, d);
            ObjectNode sale = find(s.sales(d), "idSale", saleId).deepCopy();
            for (JsonNode part : sale.withArray("receivables")) {
                if (part.get("idReceivable").asLong() == id) {
                    ((ObjectNode) part).set("status", rec.get("status").deepCopy());
                }
            }
            s.changedSales.put(sale, d);
            done++;
        }
    }

    private static void removeSales(EvoScope s, int count, SplittableRandom r, String time, EvoChanges c) {
        long total = s.sales().total();
        int done = 0;
        for (int attempt = 0; done < count && attempt < count * 20 && total > 0; attempt++) {
            long n = r.nextLong(total);
            int d = s.sales().dayOf(n);
            ObjectNode sale = find(s.sales(d), "idSale", s.saleId(n));
            if (sale.get("removed").asBoolean()) {
                continue;
            }
            sale = sale.deepCopy().put("removed", true).put("removalDate", time);
            s.changedSales.put(sale, d);
            c.removed(sale.get("idSale").asLong());
            done++;
        }
    }

    private static ObjectNode find(java.util.List<ObjectNode> day, String field, long id) {
        for (ObjectNode n : day) {
            if (n.get(field).asLong() == id) {
                return n;
            }
        }
        throw new IllegalStateException(field + " " + id + " is not on its day");
    }
}
