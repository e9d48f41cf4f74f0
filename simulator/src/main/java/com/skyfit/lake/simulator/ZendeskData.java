package com.skyfit.lake.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The records of one simulated Zendesk account: generated tickets, users, organizations, groups, ticket fields and
 * forms, plus the real records of fixtures/zendesk. Each record has an export time (a ticket's
 * generated_timestamp, the others' updated_at) that a change moves to the present, so exports see it again.
 */
final class ZendeskData {
    static final List<String> ENTITIES = List.of("tickets", "users", "organizations", "groups", "ticket_fields",
            "ticket_forms");
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");
    private static final String[] STATUSES = {"new", "open", "pending", "hold", "solved", "closed"};
    private static final String[] PRIORITIES = {"low", "normal", "high", "urgent"};
    private static final String[] CHANNELS = {"email", "web", "voice", "chat", "api"};
    /** The generated custom fields: text, drop-down, checkbox. */
    static final long[] CUSTOM_FIELD_IDS = {900000000001L, 900000000002L, 900000000003L};

    private final Map<String, Map<Long, ObjectNode>> records = new LinkedHashMap<>();
    private final Random random;
    private long nextTicketId = 10_000;

    ZendeskData(int scale, long seed, boolean realRecords, int burstOrganizations) {
        random = new Random(seed);
        ENTITIES.forEach(e -> records.put(e, new LinkedHashMap<>()));
        if (realRecords) {
            for (String e : ENTITIES) {
                for (JsonNode n : fixture(e)) {
                    put(e, (ObjectNode) n.deepCopy());
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            put("groups", group(7_000_000L + i, BASE.plusSeconds(i)));
        }
        put("ticket_fields", field(CUSTOM_FIELD_IDS[0], "text", "Order number"));
        put("ticket_fields", field(CUSTOM_FIELD_IDS[1], "tagger", "Product"));
        put("ticket_fields", field(CUSTOM_FIELD_IDS[2], "checkbox", "VIP"));
        int orgs = Math.max(2, scale / 10);
        for (int i = 0; i < orgs; i++) {
            put("organizations", organization(8_000_000L + i, BASE.plusSeconds(60L * i)));
        }
        // Many organizations changed in one second (a bulk import): the time-based export's hard case.
        Instant burst = BASE.plusSeconds(60L * orgs);
        for (int i = 0; i < burstOrganizations; i++) {
            put("organizations", organization(8_500_000L + i, burst));
        }
        int users = Math.max(2, scale / 2);
        for (int i = 0; i < users; i++) {
            put("users", user(6_000_000L + i, BASE.plusSeconds(17L * i)));
        }
        for (int i = 0; i < scale; i++) {
            put("tickets", ticket(nextTicketId++, BASE.plusSeconds(7L * i)));
        }
    }

    private static ArrayNode fixture(String entity) {
        try (InputStream in = ZendeskData.class.getResourceAsStream("/fixtures/zendesk/" + entity + ".json")) {
            return (ArrayNode) MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void put(String entity, ObjectNode n) {
        records.get(entity).put(n.get("id").asLong(), n);
    }

    /** The time an export compares with start_time and orders by. */
    static long exportTime(String entity, JsonNode n) {
        if (entity.equals("tickets") && n.has("generated_timestamp")) {
            return n.get("generated_timestamp").asLong();
        }
        return Instant.parse(n.get("updated_at").asText()).getEpochSecond();
    }

    /** The records in export order: by export time, then id. */
    synchronized List<ObjectNode> inExportOrder(String entity) {
        List<ObjectNode> out = new ArrayList<>(records.get(entity).values());
        out.sort(Comparator.comparingLong((ObjectNode n) -> exportTime(entity, n)).thenComparingLong(n -> n.get("id").asLong()));
        return out.stream().map(ObjectNode::deepCopy).toList();
    }

    /** Current state, for truth checks. */
    synchronized Map<Long, JsonNode> truth(String entity) {
        Map<Long, JsonNode> out = new LinkedHashMap<>();
        records.get(entity).forEach((k, v) -> out.put(k, v.deepCopy()));
        return out;
    }

    /** New, changed and deleted tickets, changed users and organizations (all at {@code now}). */
    synchronized void mutate(int newTickets, int changed, int deleted, Instant now) {
        List<Long> ids = new ArrayList<>(records.get("tickets").keySet());
        for (int i = 0; i < changed && i < ids.size(); i++) {
            ObjectNode t = records.get("tickets").get(ids.get(random.nextInt(ids.size())));
            t.put("priority", PRIORITIES[random.nextInt(PRIORITIES.length)]).put("status", "solved");
            touch("tickets", t, now);
        }
        for (int i = 0; i < deleted && i < ids.size(); i++) {
            ObjectNode t = records.get("tickets").get(ids.get(ids.size() - 1 - i));
            t.put("status", "deleted");
            touch("tickets", t, now);
        }
        for (int i = 0; i < newTickets; i++) {
            put("tickets", ticket(nextTicketId++, now));
        }
        for (ObjectNode u : records.get("users").values().stream().limit(changed).toList()) {
            u.put("name", u.get("name").asText() + " Jr");
            touch("users", u, now);
        }
        for (ObjectNode o : records.get("organizations").values().stream().limit(changed).toList()) {
            o.put("notes", "changed " + now);
            touch("organizations", o, now);
        }
    }

    private static void touch(String entity, ObjectNode n, Instant now) {
        n.put("updated_at", now.toString());
        if (entity.equals("tickets")) {
            n.put("generated_timestamp", now.getEpochSecond());
        }
    }

    private ObjectNode ticket(long id, Instant t) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("url", "https://skyfit.zendesk.com/api/v2/tickets/" + id + ".json").put("id", id);
        n.putObject("via").put("channel", CHANNELS[random.nextInt(CHANNELS.length)]);
        n.put("created_at", t.minusSeconds(3600).toString()).put("updated_at", t.toString())
                .put("generated_timestamp", t.getEpochSecond()).put("type", random.nextBoolean() ? "question" : "incident")
                .put("subject", "Ticket " + id).put("priority", PRIORITIES[random.nextInt(PRIORITIES.length)])
                .put("status", STATUSES[random.nextInt(STATUSES.length)])
                .put("requester_id", 6_000_000L + random.nextInt(10)).put("submitter_id", 6_000_000L)
                .put("assignee_id", 6_000_001L).put("organization_id", 8_000_000L + random.nextInt(2))
                .put("group_id", 7_000_000L + random.nextInt(3)).put("ticket_form_id", 360000084116L);
        n.putNull("due_at");
        n.putArray("tags").add("vip").add("t" + random.nextInt(5));
        ArrayNode cf = n.putArray("custom_fields");
        cf.addObject().put("id", CUSTOM_FIELD_IDS[0]).put("value", "ORD-" + id);
        cf.addObject().put("id", CUSTOM_FIELD_IDS[1]).put("value", "product_" + random.nextInt(3));
        cf.addObject().put("id", CUSTOM_FIELD_IDS[2]).put("value", random.nextBoolean());
        return n;
    }

    private static ObjectNode user(long id, Instant t) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", id).put("name", "User " + id).put("email", "user" + id + "@example.com")
                .put("role", id % 5 == 0 ? "agent" : "end-user").put("active", true).put("suspended", false)
                .put("verified", true).put("time_zone", "UTC").put("locale", "en-US")
                .put("created_at", t.minusSeconds(86_400).toString()).put("updated_at", t.toString());
        n.putArray("tags");
        return n;
    }

    private static ObjectNode organization(long id, Instant t) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", id).put("name", "Org " + id).put("shared_tickets", false).put("shared_comments", false)
                .put("created_at", t.minusSeconds(86_400).toString()).put("updated_at", t.toString());
        n.putArray("domain_names").add("org" + id + ".example.com");
        n.putArray("tags");
        n.putNull("deleted_at");
        return n;
    }

    private static ObjectNode group(long id, Instant t) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", id).put("name", "Group " + id).put("is_public", true).put("default", false)
                .put("deleted", false).put("created_at", t.toString()).put("updated_at", t.toString());
        return n;
    }

    private static ObjectNode field(long id, String type, String title) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", id).put("type", type).put("title", title).put("raw_title", title).put("active", true)
                .put("required", false).put("removable", true).put("position", (int) (id % 100))
                .put("created_at", BASE.toString()).put("updated_at", BASE.toString());
        return n;
    }
}
