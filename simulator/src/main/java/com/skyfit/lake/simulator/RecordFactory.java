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
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Makes records shaped like the real ones: each generated record starts as a copy of a real
 * fixture record of its entity, so every field, null and nesting of the real API is there, and
 * only ids, names, links and times are drawn from the seeded random source.
 */
final class RecordFactory {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> ENTITIES =
            List.of("deals", "persons", "organizations", "activities", "pipelines", "stages", "users");
    /** Deal custom fields are 40-hex keys in Pipedrive; these are the real account's keys. */
    static final String CF_TEXT = "befdcfc4f54b8410b8d9105ba6d44658fd5965b9";
    static final String CF_DATE = "3ce5b1409718d65a8adc965be1f0da8821d8b9ab";
    static final String CF_NUMBER = "26da5bd3c09d3a700b15c23fb2f33a0b798c9d66";
    static final String CF_OPTION = "eae9c2a5b618934581aebed0747cc33cd681379e";

    private static final String[] FIRST = {"Ana", "Bruno", "Carla", "Diego", "Elisa", "Felipe", "Gabriela", "Heitor",
        "Isabela", "João", "Karina", "Lucas", "Mariana", "Nicolas", "Olivia", "Pedro", "Renata", "Sofia", "Tiago"};
    private static final String[] LAST = {"Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa",
        "Rodrigues", "Almeida", "Nascimento", "Carvalho", "Ribeiro"};
    private static final String[] CITIES = {"São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba",
        "Porto Alegre", "Recife", "Salvador", "Fortaleza"};
    private static final String[] CURRENCIES = {"BRL", "BRL", "BRL", "USD", "EUR"};
    private static final String[] ACTIVITY_TYPES = {"call", "meeting", "task", "email", "lunch"};

    private final Random random;
    private final long baseMillis;

    RecordFactory(Random random, Instant base) {
        this.random = random;
        this.baseMillis = base.toEpochMilli();
    }

    static List<ObjectNode> fixtures(String entity) {
        String resource = "/fixtures/pipedrive/" + entity + ".json";
        try (InputStream in = RecordFactory.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing simulator resource " + resource);
            }
            List<ObjectNode> out = new ArrayList<>();
            for (JsonNode n : (ArrayNode) JSON.readTree(in)) {
                out.add((ObjectNode) n);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A time in the two years before the base instant. */
    Instant pastTime() {
        return Instant.ofEpochMilli(baseMillis - (long) (random.nextDouble() * 730L * 86_400_000L));
    }

    /** A time after t, at most maxDays later and never past the base (spread, not piled up at the base). */
    Instant after(Instant t, int maxDays) {
        long room = Math.max(0, Math.min(maxDays * 86_400_000L, baseMillis - t.toEpochMilli()));
        return Instant.ofEpochMilli(t.toEpochMilli() + (long) (random.nextDouble() * room));
    }

    String personName() {
        return pick(FIRST) + " " + pick(LAST);
    }

    <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    long pick(long[] values) {
        return values[random.nextInt(values.length)];
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    ObjectNode user(ObjectNode template, long id) {
        ObjectNode u = template.deepCopy();
        String name = personName();
        Instant created = pastTime();
        u.put("id", id);
        u.put("name", name);
        u.put("email", email(name, id));
        u.put("created", PipedriveTime.format(created));
        u.put("modified", PipedriveTime.format(after(created, 90)));
        u.put("last_login", PipedriveTime.format(after(created, 300)));
        u.put("is_admin", 0);
        u.put("role_id", 1 + random.nextInt(3));
        u.put("is_you", false);
        u.put("default_currency", "BRL");
        u.put("timezone_name", "America/Sao_Paulo");
        u.put("timezone_offset", "-03:00");
        u.put("locale", "pt_BR");
        return u;
    }

    ObjectNode pipeline(ObjectNode template, long id, int order) {
        ObjectNode p = template.deepCopy();
        Instant added = pastTime();
        p.put("id", id);
        p.put("name", "Pipeline " + id);
        p.put("url_title", "Pipeline-" + id);
        p.put("order_nr", order);
        p.put("add_time", PipedriveTime.format(added));
        p.put("update_time", PipedriveTime.format(after(added, 30)));
        return p;
    }

    ObjectNode stage(ObjectNode template, long id, ObjectNode pipeline, int order) {
        ObjectNode s = template.deepCopy();
        Instant added = PipedriveTime.parse(pipeline.get("add_time").asText());
        s.put("id", id);
        s.put("order_nr", order);
        s.put("name", "Stage " + order);
        s.put("deal_probability", Math.min(100, order * 20));
        s.put("pipeline_id", pipeline.get("id").asLong());
        s.put("pipeline_name", pipeline.get("name").asText());
        s.put("add_time", PipedriveTime.format(added));
        s.put("update_time", PipedriveTime.format(after(added, 30)));
        return s;
    }

    ObjectNode organization(ObjectNode template, long id, long ownerId, String ownerName) {
        ObjectNode o = template.deepCopy();
        String city = pick(CITIES);
        String name = pick(LAST) + " Fitness " + id;
        Instant added = pastTime();
        o.put("id", id);
        o.put("owner_id", ownerId);
        o.put("owner_name", ownerName);
        o.put("name", name);
        o.put("first_char", name.substring(0, 1).toLowerCase(Locale.ROOT));
        o.put("add_time", PipedriveTime.format(added));
        o.put("update_time", PipedriveTime.format(after(added, 60)));
        o.put("people_count", random.nextInt(5));
        o.put("address", "Rua " + pick(LAST) + ", " + (1 + random.nextInt(2000)) + ", " + city);
        o.put("address_locality", city);
        o.put("address_country", "Brazil");
        o.put("address_admin_area_level_1", city);
        o.put("address_postal_code", String.format("%05d-%03d", random.nextInt(100_000), random.nextInt(1000)));
        o.put("label", random.nextBoolean() ? null : Integer.valueOf(1 + random.nextInt(5)));
        return o;
    }

    ObjectNode person(ObjectNode template, long id, long ownerId, String ownerName, ObjectNode org) {
        ObjectNode p = template.deepCopy();
        String first = pick(FIRST);
        String last = pick(LAST);
        Instant added = pastTime();
        p.put("id", id);
        p.put("owner_id", ownerId);
        p.put("owner_name", ownerName);
        p.put("org_id", org.get("id").asLong());
        p.put("org_name", org.get("name").asText());
        p.put("name", first + " " + last);
        p.put("first_name", first);
        p.put("last_name", last);
        p.put("first_char", first.substring(0, 1).toLowerCase(Locale.ROOT));
        p.put("add_time", PipedriveTime.format(added));
        p.put("update_time", PipedriveTime.format(after(added, 60)));
        ((ObjectNode) p.get("email").get(0)).put("value", email(first + " " + last, id));
        ((ObjectNode) p.get("phone").get(0)).put("value",
                String.format("+55119%08d", random.nextInt(100_000_000)));
        p.put("open_deals_count", random.nextInt(3));
        return p;
    }

    ObjectNode deal(ObjectNode template, long id, ObjectNode owner, ObjectNode person, ObjectNode stage) {
        ObjectNode d = template.deepCopy();
        Instant added = pastTime();
        Instant updated = after(added, 60);
        long value = 100L * (1 + random.nextInt(500));
        String currency = pick(CURRENCIES);
        int roll = random.nextInt(10);
        String status = roll < 7 ? "open" : roll < 9 ? "won" : "lost";
        d.put("id", id);
        d.put("creator_user_id", owner.get("id").asLong());
        d.put("user_id", owner.get("id").asLong());
        d.put("owner_name", owner.get("name").asText());
        d.put("person_id", person.get("id").asLong());
        d.put("person_name", person.get("name").asText());
        d.put("org_id", person.get("org_id").asLong());
        d.put("org_name", person.get("org_name").asText());
        d.put("stage_id", stage.get("id").asLong());
        d.put("pipeline_id", stage.get("pipeline_id").asLong());
        d.put("title", person.get("org_name").asText() + " deal " + id);
        d.put("value", value);
        d.put("currency", currency);
        d.put("weighted_value", value);
        d.put("weighted_value_currency", currency);
        d.put("formatted_value", currency + " " + value);
        d.put("formatted_weighted_value", currency + " " + value);
        d.put("add_time", PipedriveTime.format(added));
        d.put("update_time", PipedriveTime.format(updated));
        d.put("status", status);
        d.put("active", "open".equals(status));
        d.put("expected_close_date", PipedriveTime.date(after(added, 90)));
        String closed = "open".equals(status) ? null : PipedriveTime.format(updated);
        d.put("close_time", closed);
        d.put("won_time", "won".equals(status) ? closed : null);
        d.put("first_won_time", "won".equals(status) ? closed : null);
        d.put("lost_time", "lost".equals(status) ? closed : null);
        d.put("lost_reason", "lost".equals(status) ? "Price" : null);
        d.put("cc_email", "skyfit+deal" + id + "@pipedrivemail.com");
        d.put(CF_TEXT, random.nextBoolean() ? "Plano " + pick(new String[] {"Black", "Smart", "Fit"}) : null);
        d.put(CF_DATE, random.nextBoolean() ? PipedriveTime.date(after(added, 30)) : null);
        d.put(CF_NUMBER, random.nextBoolean() ? Integer.valueOf(random.nextInt(1000)) : null);
        d.put(CF_OPTION, random.nextBoolean() ? Integer.valueOf(10 + random.nextInt(5)) : null);
        return d;
    }

    ObjectNode activity(ObjectNode template, long id, ObjectNode owner, ObjectNode deal) {
        ObjectNode a = template.deepCopy();
        String type = pick(ACTIVITY_TYPES);
        Instant added = pastTime();
        boolean done = random.nextBoolean();
        a.put("id", id);
        a.put("user_id", owner.get("id").asLong());
        a.put("assigned_to_user_id", owner.get("id").asLong());
        a.put("created_by_user_id", owner.get("id").asLong());
        a.put("owner_name", owner.get("name").asText());
        a.put("type", type);
        a.put("type_name", type.substring(0, 1).toUpperCase(Locale.ROOT) + type.substring(1));
        a.put("subject", type + " about " + deal.get("title").asText());
        a.put("done", done);
        a.put("due_date", PipedriveTime.date(after(added, 20)));
        a.put("add_time", PipedriveTime.format(added));
        a.put("update_time", PipedriveTime.format(after(added, 30)));
        a.put("marked_as_done_time", done ? PipedriveTime.format(after(added, 20)) : "");
        a.put("deal_id", deal.get("id").asLong());
        a.put("deal_title", deal.get("title").asText());
        a.put("person_id", deal.get("person_id").asLong());
        a.put("person_name", deal.get("person_name").asText());
        a.put("org_id", deal.get("org_id").asLong());
        a.put("org_name", deal.get("org_name").asText());
        a.put("deal_dropbox_bcc", deal.get("cc_email").asText());
        ArrayNode participants = a.putArray("participants");
        participants.addObject().put("person_id", deal.get("person_id").asLong()).put("primary_flag", true);
        return a;
    }

    private String email(String name, long id) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", ".") + id + "@example.com";
    }
}
