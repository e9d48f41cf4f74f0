package com.skyfit.lake.simulator;

import static com.skyfit.lake.simulator.EvoRecords.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The records of one scope as its EVO key would list them, each a pure function of (seed, id, day, branch), so a
 * page is generated when asked and never stored. Gym hours: entries 05:00-23:00, other records 06:00-22:00.
 */
final class EvoGenerator {
    static final int EMPLOYEES_PER_BRANCH = 8;
    private static final long HOUR = 3600;
    private final EvoScope s;

    EvoGenerator(EvoScope scope) {
        this.s = scope;
    }

    ObjectNode branch(int b) {
        SplittableRandom r = EvoRandom.of(s.seed(), BRANCH, b);
        String[] city = CITIES[(s.index() * 7 + b) % CITIES.length];
        ObjectNode n = node();
        n.put("idBranch", s.branchId(b)).put("name", s.branchName(b)).put("internalName", "skyfit-" + s.name() + "-" + (b + 1));
        n.put("cnpj", digits(r, 14)).put("city", city[0]).put("state", city[1]);
        n.put("address", "Rua " + pick(r, LAST) + ", " + (10 + r.nextInt(2000))).put("phone", "+55 11 " + digits(r, 8));
        n.put("email", "unit" + s.branchId(b) + "@skyfit.example").put("timeZone", "America/Sao_Paulo").put("active", true);
        return n;
    }

    ObjectNode employee(int b, int k) {
        SplittableRandom r = EvoRandom.of(s.seed(), EMPLOYEE, s.employeeId(b, k));
        String first = pick(r, FIRST);
        String last = pick(r, LAST);
        ObjectNode n = node();
        n.put("idEmployee", s.employeeId(b, k)).put("name", first + " " + last).put("email", email(first, last, s.employeeId(b, k)));
        n.put("idBranch", s.branchId(b)).put("jobPosition", JOBS[k % JOBS.length]).put("active", k != EMPLOYEES_PER_BRANCH - 1);
        n.put("registerDate", dayText(s.date(0).minusDays(30 + r.nextInt(1500))));
        return n;
    }

    ObjectNode member(long n, int d, int b) {
        long id = s.memberId(n);
        SplittableRandom r = EvoRandom.of(s.seed(), MEMBER, id);
        long registered = EvoTime.second(s.date(d)) + 6 * HOUR + r.nextInt(16 * 3600);
        String first = pick(r, FIRST);
        String last = pick(r, LAST);
        int st = r.nextInt(100);
        String status = st < 70 ? "Active" : st < 85 ? "Inactive" : st < 90 ? "Suspended" : "Canceled";
        boolean blocked = status.equals("Active") ? r.nextInt(100) < 2 : r.nextInt(100) < 60;
        ObjectNode m = node();
        m.put("idMember", id).put("firstName", first).put("lastName", last).put("document", digits(r, 11));
        m.put("email", email(first, last, id)).put("gender", r.nextBoolean() ? "F" : "M");
        m.put("birthDate", dayText(s.date(d).minusYears(16 + r.nextInt(50)).minusDays(r.nextInt(365))));
        m.put("registerDate", EvoTime.text(registered));
        m.put("conversionDate", r.nextInt(10) < 3 ? EvoTime.text(registered) : null);
        m.put("idBranch", s.branchId(b)).put("branchName", s.branchName(b));
        m.put("accessBlocked", blocked).put("blockedReason", blocked ? "Pending payment" : null);
        m.put("membershipStatus", status);
        m.put("gympassId", r.nextInt(10) == 0 ? "GP" + digits(r, 9) : null);
        m.put("codeTotalpass", r.nextInt(20) == 0 ? "TP" + digits(r, 8) : null);
        long lastDay = Math.max(registered, EvoTime.second(s.initialEnd()) + 20 * HOUR);
        m.put("lastAccessDate", r.nextInt(10) == 0 ? null : EvoTime.text(registered + (long) (r.nextDouble() * (lastDay - registered))));
        m.put("idEmployeeConsultant", s.employeeId(b, r.nextInt(EMPLOYEES_PER_BRANCH)));
        ArrayNode contacts = m.putArray("contacts");
        contacts.addObject().put("idPhone", id * 10 + 1).put("idMember", id).put("idContactType", 2)
                .put("contactType", "Cellphone").put("description", "119" + digits(r, 8)).put("ddi", "55");
        if (r.nextBoolean()) {
            contacts.addObject().put("idPhone", id * 10 + 2).put("idMember", id).put("idContactType", 4)
                    .put("contactType", "Email").put("description", email(first, last, id)).putNull("ddi");
        }
        ArrayNode plans = m.putArray("memberships");
        for (ObjectNode row : memberships(id, registered, s.branchId(b), status, d)) {
            ObjectNode e = plans.addObject();
            for (String f : List.of("idMemberMembership", "idMembership", "idMember", "idSale", "name", "startDate",
                    "endDate", "cancelDate", "membershipStatus", "registerDate", "valueNextMonth")) {
                e.set(f, row.get(f));
            }
        }
        return m;
    }

    int membershipCount(long memberId) {
        return EvoRandom.count(s.seed(), MEMBERSHIPS, memberId, 7);
    }

    /** The contracts of a member, one row each as /api/v2/membermembership lists them, all sold on its register day. */
    List<ObjectNode> memberships(JsonNode member, int d) {
        return memberships(member.get("idMember").asLong(), EvoTime.parseParam("registerDate",
                member.get("registerDate").asText()), member.get("idBranch").asInt(), member.get("membershipStatus").asText(), d);
    }

    private List<ObjectNode> memberships(long id, long registered, int idBranch, String memberStatus, int d) {
        SplittableRandom r = EvoRandom.of(s.seed(), MEMBERSHIP, id);
        int count = membershipCount(id);
        long sales = upTo(s.sales(), d);
        LocalDate day = EvoTime.day(registered);
        List<ObjectNode> rows = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            int plan = r.nextInt(PLANS.length);
            LocalDate start = day.plusDays(30L * k);
            String status = k < count - 1 ? (r.nextInt(10) == 0 ? "canceled" : "expired") : switch (memberStatus) {
                case "Active" -> "active";
                case "Suspended" -> "suspended";
                case "Canceled" -> "canceled";
                default -> "expired";
            };
            long cancel = status.equals("canceled") ? EvoTime.second(start.plusDays(r.nextInt(30))) + 10 * HOUR : Long.MIN_VALUE;
            long sale = sales > 0 ? s.saleId(r.nextLong(sales)) : 0;
            ObjectNode row = node();
            row.put("idMemberMembership", id * 10 + k + 1).put("idMember", id).put("idMembership", plan + 1);
            row.put("idBranch", idBranch);
            if (sale == 0) {
                row.putNull("idSale");
            } else {
                row.put("idSale", sale);
            }
            row.put("name", PLANS[plan]).put("registerDate", EvoTime.text(registered + 60L * (k + 1)));
            row.put("startDate", dayText(start)).put("endDate", dayText(start.plusDays(29)));
            row.put("cancelDate", textOrNull(cancel)).put("cancelReason", cancel == Long.MIN_VALUE ? null : "Moved away");
            row.put("membershipStatus", status).put("valueNextMonth", money(PLAN_CENTS[plan]));
            rows.add(row);
        }
        return rows;
    }

    int itemCount(long saleId) {
        return EvoRandom.count(s.seed(), ITEMS, saleId, 3);
    }

    int installments(long saleId) {
        return EvoRandom.count(s.seed(), INSTALLMENTS, saleId, 3);
    }

    ObjectNode sale(long n, int d, int b) {
        long id = s.saleId(n);
        SplittableRandom r = EvoRandom.of(s.seed(), SALE, id);
        long at = EvoTime.second(s.date(d)) + 6 * HOUR + r.nextInt(16 * 3600);
        long members = upTo(s.members(), d);
        long prospects = upTo(s.prospects(), d);
        boolean byMember = members > 0 && (r.nextInt(10) < 9 || prospects == 0);
        boolean removed = r.nextInt(50) == 0;
        ObjectNode sale = node();
        sale.put("idSale", id);
        putId(sale, "idMember", byMember ? s.memberId(r.nextLong(members)) : 0);
        putId(sale, "idProspect", !byMember && prospects > 0 ? s.prospectId(r.nextLong(prospects)) : 0);
        sale.put("idBranch", s.branchId(b)).put("idEmployeeSale", s.employeeId(b, r.nextInt(EMPLOYEES_PER_BRANCH)));
        sale.put("saleDate", EvoTime.text(at)).put("removed", removed);
        long removal = removed ? at + 60L * (1 + r.nextInt(59)) : Long.MIN_VALUE;
        sale.put("removalDate", textOrNull(removal)).put("observations", r.nextInt(5) == 0 ? "Renewal at the front desk" : null);
        ArrayNode items = sale.putArray("saleItens");
        long total = 0;
        for (int k = 0; k < itemCount(id); k++) {
            boolean plan = k == 0 || r.nextInt(3) == 0;
            int p = plan ? r.nextInt(PLANS.length) : r.nextInt(PRODUCTS.length);
            long unit = plan ? PLAN_CENTS[p] : PRODUCT_CENTS[p];
            int quantity = plan ? 1 : 1 + r.nextInt(3);
            long discount = r.nextInt(4) == 0 ? unit * quantity / 10 : 0;
            long value = unit * quantity - discount;
            total += value;
            ObjectNode item = items.addObject().put("idSaleItem", id * 10 + k + 1)
                    .put("description", plan ? PLANS[p] : PRODUCTS[p]).put("quantity", quantity)
                    .put("itemValue", money(unit)).put("saleValue", money(value)).put("discount", money(discount));
            putId(item, "idMembership", plan ? p + 1 : 0);
            putId(item, "idProduct", plan ? 0 : p + 1);
            item.putNull("idService");
        }
        ArrayNode receivables = sale.putArray("receivables");
        int parts = installments(id);
        for (int k = 0; k < parts; k++) {
            long cents = total / parts + (k == parts - 1 ? total % parts : 0);
            LocalDate due = s.date(d).plusDays(30L * k);
            int status = removed ? 3 : k == 0 ? 2 : due.isBefore(s.initialEnd()) ? 4 : 1;
            ObjectNode rec = receivables.addObject().put("idReceivable", id * 10 + k + 1).put("ammount", money(cents))
                    .put("dueDate", dayText(due));
            rec.putObject("status").put("id", status).put("name", RECEIVABLE_STATUS[status]);
        }
        return sale;
    }

    /**
     * The receivables of a sale as /api/v1/receivables lists them. In the generated history a receivable was last
     * updated when it was registered (or canceled with its sale, the same day); only changes move updateDate.
     */
    List<ObjectNode> receivables(JsonNode sale) {
        long id = sale.get("idSale").asLong();
        String payment = PAYMENTS[(int) Math.floorMod(EvoRandom.mix(s.seed(), PAYMENT, id), (long) PAYMENTS.length)];
        JsonNode parts = sale.get("receivables");
        List<ObjectNode> rows = new ArrayList<>(parts.size());
        for (int k = 0; k < parts.size(); k++) {
            JsonNode p = parts.get(k);
            int status = p.path("status").path("id").asInt();
            String saleDate = sale.get("saleDate").asText();
            ObjectNode row = node();
            row.put("idReceivable", p.get("idReceivable").asLong()).put("idSale", id);
            row.set("idMemberPayer", sale.get("idMember"));
            row.put("idBranch", sale.get("idBranch").asInt()).put("description", "Installment " + (k + 1) + "/" + parts.size());
            row.put("registrationDate", saleDate).put("dueDate", p.get("dueDate").asText());
            row.put("receivingDate", status == 2 ? saleDate : null).put("competenceDate", p.get("dueDate").asText());
            row.put("cancellationDate", status == 3 ? sale.get("removalDate").asText() : null);
            row.put("updateDate", status == 3 ? sale.get("removalDate").asText() : saleDate);
            row.set("ammount", p.get("ammount"));
            row.put("amountPaid", status == 2 ? p.get("ammount").decimalValue() : money(0));
            row.set("status", p.get("status").deepCopy());
            row.put("paymentType", payment);
            rows.add(row);
        }
        return rows;
    }

    ObjectNode prospect(long n, int d, int b) {
        long id = s.prospectId(n);
        SplittableRandom r = EvoRandom.of(s.seed(), PROSPECT, id);
        long at = EvoTime.second(s.date(d)) + 6 * HOUR + r.nextInt(16 * 3600);
        String first = pick(r, FIRST);
        String last = pick(r, LAST);
        long converted = at + EvoTime.DAY * (1 + r.nextInt(10));
        long members = upTo(s.members(), d);
        boolean converts = r.nextInt(5) == 0 && members > 0 && !EvoTime.day(converted).isAfter(s.initialEnd());
        ObjectNode p = node();
        p.put("idProspect", id).put("firstName", first).put("lastName", last).put("email", email(first, last, id));
        p.put("phone", "+55 11 9" + digits(r, 8)).put("registerDate", EvoTime.text(at));
        p.put("conversionDate", converts ? EvoTime.text(converted) : null);
        putId(p, "idMember", converts ? s.memberId(r.nextLong(members)) : 0);
        p.put("idBranch", s.branchId(b)).put("idEmployee", s.employeeId(b, r.nextInt(EMPLOYEES_PER_BRANCH)));
        p.put("origin", pick(r, ORIGINS));
        return p;
    }

    /**
     * The entries of one branch on one day. Drawn in sequence from one seeded stream, so asking for more entries
     * (late ones) leaves the first ones as they were. One entry in 200 has a twin one second later (a double
     * swipe): two rows for the lake. Exact repeats are moved on by a second, as the lake would fold them into one.
     */
    List<EvoEntry> entries(int d, int b, int count) {
        SplittableRandom r = EvoRandom.of(s.seed(), ENTRY, EvoTime.second(s.date(d)) * 1000 + b);
        long open = EvoTime.second(s.date(d)) + 5 * HOUR;
        long members = upTo(s.members(), d);
        long prospects = upTo(s.prospects(), d);
        List<EvoEntry> out = new ArrayList<>(count);
        Set<Long> seen = new HashSet<>(count * 2);
        while (out.size() < count) {
            long at = open + r.nextInt(18 * 3600);
            int kind = r.nextInt(100);
            long member = 0;
            long prospect = 0;
            int type;
            if (members > 0 && (kind < 95 || prospects == 0)) {
                member = s.memberId(r.nextLong(members));
                type = kind < 80 ? 0 : kind < 88 ? 1 : kind < 92 ? 2 : 3;
            } else if (prospects > 0) {
                prospect = s.prospectId(r.nextLong(prospects));
                type = 4;
            } else {
                type = 3;
            }
            byte device = (byte) r.nextInt(3);
            byte block = (byte) (r.nextInt(100) < 3 ? 1 + r.nextInt(3) : 0);
            boolean twin = r.nextInt(200) == 0;
            EvoEntry e = unique(new EvoEntry(at, member, prospect, s.branchId(b), (byte) type, device, block), seen);
            out.add(e);
            if (twin && out.size() < count) {
                out.add(unique(e.at(e.at() + 1), seen));
            }
        }
        return out;
    }

    private static EvoEntry unique(EvoEntry e, Set<Long> seen) {
        while (!seen.add(e.identity())) {
            e = e.at(e.at() + 1);
        }
        return e;
    }

    /**
     * How many records of a kind another record of day d may point at: those of the days before (so an entry never
     * names a member registered later that day), or the first day's own while nothing came before.
     */
    private static long upTo(EvoCalendar cal, int d) {
        long before = cal.before(d);
        return before > 0 ? before : cal.before(d + 1);
    }

    private static void putId(ObjectNode n, String field, long id) {
        if (id == 0) {
            n.putNull(field);
        } else {
            n.put(field, id);
        }
    }
}
