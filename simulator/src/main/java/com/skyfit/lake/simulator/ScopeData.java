package com.skyfit.lake.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** The data of one company account: generated at start, changed by {@link #mutate}, served by {@link #list}. */
final class ScopeData {
    static final long FIRST_GENERATED_ID = 1001;
    private static final Instant BASE = Instant.parse("2024-06-01T00:00:00Z");

    /** A list request after parameter parsing. A null filter means "not given". */
    record Query(boolean byUpdateTime, boolean descending, Long sinceMillis, Long untilMillis, String status,
                 String cursor, int limit, int start, boolean archived) {}

    record Page(List<byte[]> records, String nextCursor, boolean more) {}

    private final Map<String, EntityTable> tables = new LinkedHashMap<>();
    private final Map<String, Long> nextId = new HashMap<>();
    private final List<ObjectNode> owners = new ArrayList<>();
    private final List<ObjectNode> orgRefs = new ArrayList<>();
    private final ObjectNode dealTemplate;
    private final ObjectNode personTemplate;
    private long lastChangeMillis;

    ScopeData(int scale, long seed, boolean realRecords, boolean oddValues) {
        RecordFactory f = new RecordFactory(new Random(seed), BASE);
        RecordFactory.ENTITIES.forEach(e -> tables.put(e, new EntityTable()));
        Map<String, List<ObjectNode>> real = new HashMap<>();
        RecordFactory.ENTITIES.forEach(e -> real.put(e, RecordFactory.fixtures(e)));
        dealTemplate = real.get("deals").get(0);
        personTemplate = real.get("persons").get(0);
        if (realRecords) {
            real.forEach((entity, records) -> records.forEach(r -> store(entity, r)));
            owners.addAll(real.get("users"));
        }
        for (int i = 0; i < 5; i++) {
            ObjectNode u = f.user(real.get("users").get(0), 20_000_001L + i);
            store("users", u);
            owners.add(u);
        }
        List<ObjectNode> stages = new ArrayList<>(realRecords ? real.get("stages") : List.of());
        for (int p = 0; p < 2; p++) {
            ObjectNode pipeline = f.pipeline(real.get("pipelines").get(0), 101 + p, 10 + p);
            store("pipelines", pipeline);
            for (int s = 1; s <= 5; s++) {
                ObjectNode stage = f.stage(real.get("stages").get(0), 200 + p * 10L + s, pipeline, s);
                store("stages", stage);
                stages.add(stage);
            }
        }
        nextId.put("organizations", FIRST_GENERATED_ID);
        nextId.put("persons", FIRST_GENERATED_ID);
        nextId.put("deals", FIRST_GENERATED_ID);
        nextId.put("activities", FIRST_GENERATED_ID);
        for (int i = 0; i < Math.max(1, scale / 2); i++) {
            ObjectNode owner = owners.get(f.nextInt(owners.size()));
            ObjectNode org = f.organization(real.get("organizations").get(0), newId("organizations"),
                    owner.get("id").asLong(), owner.get("name").asText());
            store("organizations", org);
            orgRefs.add(ref(org, "id", "name"));
        }
        List<ObjectNode> dealRefs = new ArrayList<>();
        for (int i = 0; i < scale; i++) {
            ObjectNode person = newPerson(f);
            ObjectNode owner = owners.get(f.nextInt(owners.size()));
            ObjectNode deal = f.deal(dealTemplate, newId("deals"), owner, person, stages.get(f.nextInt(stages.size())));
            if (oddValues && i == scale / 2) {
                // Typed by a person in Brazil: a value the platform cannot cast must be kept and flagged, not lost.
                deal.put("value", "1.500,00");
                deal.put("expected_close_date", "31/12/2024");
            }
            store("deals", deal);
            dealRefs.add(ref(deal, "id", "title", "person_id", "person_name", "org_id", "org_name", "cc_email"));
        }
        for (int i = 0; i < 2 * scale; i++) {
            ObjectNode owner = owners.get(f.nextInt(owners.size()));
            store("activities", f.activity(real.get("activities").get(0), newId("activities"), owner,
                    dealRefs.get(f.nextInt(dealRefs.size()))));
        }
    }

    synchronized Page list(String entity, Query q) {
        EntityTable table = tables.get(entity);
        List<byte[]> out = new ArrayList<>();
        StoredRecord last = null;
        boolean more = false;
        int skipped = 0;
        for (StoredRecord r : table.after(q.byUpdateTime(), q.descending(), decodeCursor(q.cursor()))) {
            if (!matches(entity, r, q)) {
                continue;
            }
            if (skipped < q.start()) {
                skipped++;
                continue;
            }
            if (out.size() == q.limit()) {
                more = true;
                break;
            }
            out.add(r.json());
            last = r;
        }
        String next = more ? encodeCursor(q.byUpdateTime(), last) : null;
        return new Page(out, next, more);
    }

    synchronized Changes mutate(int newRecords, int updates, int deletes, long seed, Instant now) {
        RecordFactory f = new RecordFactory(new Random(seed), BASE);
        long t = nextChange(now).toEpochMilli();
        String time = PipedriveTime.format(Instant.ofEpochMilli(t));
        Changes changes = new Changes(Instant.ofEpochMilli(t));
        List<ObjectNode> stages = new ArrayList<>();
        tables.get("stages").all().forEach(r -> stages.add(parse(r)));
        for (long id : pick(f, "deals", deletes)) {
            ObjectNode d = parse(tables.get("deals").get(id));
            d.put("status", "deleted").put("deleted", true).put("active", false).put("update_time", time);
            store("deals", d);
            changes.deleted("deals", id);
        }
        // Persons, organizations and activities are deleted out of their lists (Pipedrive keeps them 30 days
        // where no list shows them); their last listed version stays the truth of what core holds.
        for (String entity : List.of("persons", "organizations", "activities")) {
            for (long id : pick(f, entity, deletes)) {
                store(entity, parse(tables.get(entity).get(id)), true);
                changes.deleted(entity, id);
            }
        }
        if (deletes > 0) {
            for (String entity : List.of("pipelines", "stages", "users")) {
                List<Long> listed = tables.get(entity).ids(r -> !r.removed());
                if (listed.size() > 1) {
                    long id = listed.get(f.nextInt(listed.size()));
                    store(entity, parse(tables.get(entity).get(id)), true);
                    changes.deleted(entity, id);
                }
            }
        }
        List<Long> wasArchived = tables.get("deals").ids(StoredRecord::archived);
        for (long id : pick(f, "deals", deletes)) {
            ObjectNode d = parse(tables.get("deals").get(id));
            d.put("is_archived", true).put("archive_time", time).put("update_time", time);
            store("deals", d);
            changes.archived(id);
        }
        if (!wasArchived.isEmpty()) {
            long id = wasArchived.get(f.nextInt(wasArchived.size()));
            ObjectNode d = parse(tables.get("deals").get(id));
            d.put("is_archived", false).putNull("archive_time").put("update_time", time);
            store("deals", d);
            changes.unarchived(id);
        }
        String[] updatable = {"deals", "persons", "organizations", "activities"};
        Map<String, Integer> perEntity = new LinkedHashMap<>();
        for (int i = 0; i < updates; i++) {
            perEntity.merge(updatable[i % updatable.length], 1, Integer::sum);
        }
        perEntity.forEach((entity, count) -> {
            for (long id : pick(f, entity, count)) {
                ObjectNode r = parse(tables.get(entity).get(id));
                change(entity, r, f);
                r.put("update_time", time);
                store(entity, r);
                changes.updated(entity, id);
            }
        });
        // Created last, so a change never picks a record born in the same call.
        for (int i = 0; i < newRecords; i++) {
            ObjectNode person = newPerson(f);
            ObjectNode owner = owners.get(f.nextInt(owners.size()));
            ObjectNode deal = f.deal(dealTemplate, newId("deals"), owner, person, stages.get(f.nextInt(stages.size())));
            person.put("add_time", time).put("update_time", time);
            deal.put("add_time", time).put("update_time", time);
            store("persons", person);
            store("deals", deal);
            changes.created("persons", person.get("id").asLong());
            changes.created("deals", deal.get("id").asLong());
        }
        return changes;
    }

    synchronized Map<Long, JsonNode> truth(String entity) {
        Map<Long, JsonNode> out = new LinkedHashMap<>();
        tables.get(entity).all().stream().filter(r -> !r.removed()).forEach(r -> out.put(r.id(), parse(r)));
        return out;
    }

    /** Records removed at the source, as they were last listed. */
    synchronized Map<Long, JsonNode> removed(String entity) {
        Map<Long, JsonNode> out = new LinkedHashMap<>();
        tables.get(entity).all().stream().filter(StoredRecord::removed).forEach(r -> out.put(r.id(), parse(r)));
        return out;
    }

    /** Lists a removed record again, changed now (a deleted record restored). */
    synchronized void restore(String entity, long id, Instant now) {
        StoredRecord r = tables.get(entity).get(id);
        if (r == null || !r.removed()) {
            throw new IllegalArgumentException(entity + " " + id + " is not removed");
        }
        ObjectNode json = parse(r);
        json.put("users".equals(entity) ? "modified" : "update_time", PipedriveTime.format(nextChange(now)));
        store(entity, json);
    }

    /** Archives (or unarchives) a deal, changed now. */
    synchronized void archive(long dealId, boolean archived, Instant now) {
        ObjectNode d = parse(tables.get("deals").get(dealId));
        String time = PipedriveTime.format(nextChange(now));
        d.put("is_archived", archived).put("update_time", time);
        if (archived) {
            d.put("archive_time", time);
        } else {
            d.putNull("archive_time");
        }
        store("deals", d);
    }

    /** A change time later than every update time so far, whole seconds. */
    private Instant nextChange(Instant now) {
        return Instant.ofEpochMilli(Math.max(now.toEpochMilli() / 1000 * 1000, (lastChangeMillis / 1000 + 1) * 1000));
    }

    synchronized int size(String entity) {
        return tables.get(entity).size();
    }

    private static void change(String entity, ObjectNode r, RecordFactory f) {
        switch (entity) {
            case "deals" -> r.put("value", 100L * (1 + f.nextInt(500))).put("title", r.get("title").asText() + " (updated)");
            case "persons" -> r.put("name", f.personName());
            case "organizations" -> r.put("people_count", f.nextInt(20));
            default -> r.put("done", !r.path("done").asBoolean()).put("subject", r.path("subject").asText() + " (updated)");
        }
    }

    /** Distinct random ids of records that are listed, not deleted and not archived, at most {@code count}. */
    private List<Long> pick(RecordFactory f, String entity, int count) {
        List<Long> candidates = tables.get(entity).ids(r -> !r.deleted() && !r.removed() && !r.archived());
        Set<Long> chosen = new LinkedHashSet<>();
        while (chosen.size() < Math.min(count, candidates.size())) {
            chosen.add(candidates.get(f.nextInt(candidates.size())));
        }
        return new ArrayList<>(chosen);
    }

    private ObjectNode newPerson(RecordFactory f) {
        ObjectNode owner = owners.get(f.nextInt(owners.size()));
        ObjectNode person = f.person(personTemplate, newId("persons"), owner.get("id").asLong(),
                owner.get("name").asText(), orgRefs.get(f.nextInt(orgRefs.size())));
        store("persons", person);
        return person;
    }

    private long newId(String entity) {
        return nextId.merge(entity, 1L, Long::sum) - 1;
    }

    private void store(String entity, ObjectNode record) {
        store(entity, record, false);
    }

    private void store(String entity, ObjectNode record, boolean removed) {
        String field = "users".equals(entity) ? "modified" : "update_time";
        long updated = PipedriveTime.parse(record.get(field).asText()).toEpochMilli();
        lastChangeMillis = Math.max(lastChangeMillis, updated);
        String status = record.path("status").isTextual() ? record.get("status").asText() : null;
        try {
            tables.get(entity).put(new StoredRecord(record.get("id").asLong(), updated, status,
                    RecordFactory.JSON.writeValueAsBytes(record), removed, record.path("is_archived").asBoolean(false)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode ref(ObjectNode from, String... fields) {
        ObjectNode r = RecordFactory.JSON.createObjectNode();
        for (String field : fields) {
            r.set(field, from.get(field));
        }
        return r;
    }

    private static ObjectNode parse(StoredRecord r) {
        try {
            return (ObjectNode) RecordFactory.JSON.readTree(r.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean matches(String entity, StoredRecord r, Query q) {
        if (r.removed() || r.archived() != q.archived()) {
            return false;
        }
        if (q.sinceMillis() != null && r.updateMillis() < q.sinceMillis()) {
            return false;
        }
        if (q.untilMillis() != null && r.updateMillis() >= q.untilMillis()) {
            return false;
        }
        if (!"deals".equals(entity)) {
            return true;
        }
        String status = q.status() == null ? "all_not_deleted" : q.status();
        return "all_not_deleted".equals(status) ? !r.deleted() : status.equals(r.status());
    }

    private static String encodeCursor(boolean byUpdateTime, StoredRecord last) {
        String raw = byUpdateTime ? "u:" + last.updateMillis() + ":" + last.id() : "i:" + last.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The last record a cursor points after; a cursor that does not fit the sort is a bad request. */
    static StoredRecord decodeCursor(String cursor) {
        if (cursor == null) {
            return null;
        }
        String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        String[] parts = raw.split(":");
        if (parts[0].equals("i") && parts.length == 2) {
            return new StoredRecord(Long.parseLong(parts[1]), 0);
        }
        if (parts[0].equals("u") && parts.length == 3) {
            return new StoredRecord(Long.parseLong(parts[2]), Long.parseLong(parts[1]));
        }
        throw new IllegalArgumentException("invalid cursor");
    }

    static boolean cursorFits(String cursor, boolean byUpdateTime) {
        String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        return raw.startsWith(byUpdateTime ? "u:" : "i:");
    }
}
