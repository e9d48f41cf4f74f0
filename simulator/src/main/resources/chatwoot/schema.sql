-- The part of Chatwoot's schema the analytics view reads (column names and types as Chatwoot has them:
-- Rails timestamps without time zone, holding UTC), and the view the data lake reads.
CREATE TABLE accounts (id serial PRIMARY KEY, name varchar NOT NULL);
CREATE TABLE inboxes (id serial PRIMARY KEY, account_id integer NOT NULL, name varchar NOT NULL,
                      channel_type varchar NOT NULL);
CREATE TABLE teams (id bigserial PRIMARY KEY, account_id bigint NOT NULL, name varchar NOT NULL);
CREATE TABLE users (id serial PRIMARY KEY, name varchar NOT NULL);
CREATE TABLE contacts (id serial PRIMARY KEY, account_id integer NOT NULL, name varchar, email varchar);
CREATE TABLE conversations (
    id                     serial PRIMARY KEY,
    account_id             integer NOT NULL,
    inbox_id               integer NOT NULL,
    status                 integer NOT NULL DEFAULT 0,
    assignee_id            integer,
    created_at             timestamp(6) NOT NULL,
    updated_at             timestamp(6) NOT NULL,
    contact_id             bigint,
    display_id             integer NOT NULL,
    additional_attributes  jsonb DEFAULT '{}',
    uuid                   uuid NOT NULL DEFAULT gen_random_uuid(),
    last_activity_at       timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    team_id                bigint,
    custom_attributes      jsonb DEFAULT '{}',
    first_reply_created_at timestamp(6),
    priority               integer,
    waiting_since          timestamp(6),
    cached_label_list      text
);

CREATE VIEW vw_conversations_analytics_final AS
SELECT c.id               AS conversation_id,
       c.account_id,
       c.inbox_id,
       i.name             AS inbox_name,
       i.channel_type,
       c.status,
       c.priority,
       c.assignee_id,
       u.name             AS assignee_name,
       c.team_id,
       t.name             AS team_name,
       c.contact_id,
       ct.name            AS contact_name,
       c.display_id,
       c.uuid,
       c.created_at       AS conversation_created_at,
       c.updated_at       AS conversation_updated_at,
       c.last_activity_at,
       c.waiting_since,
       c.first_reply_created_at,
       c.additional_attributes,
       c.custom_attributes,
       c.cached_label_list
FROM conversations c
JOIN inboxes i ON i.id = c.inbox_id
LEFT JOIN users u ON u.id = c.assignee_id
LEFT JOIN teams t ON t.id = c.team_id
LEFT JOIN contacts ct ON ct.id = c.contact_id;

INSERT INTO accounts (name) VALUES ('SkyFit');
INSERT INTO inboxes (account_id, name, channel_type) VALUES
    (1, 'Website chat', 'Channel::WebWidget'), (1, 'WhatsApp', 'Channel::Whatsapp'), (1, 'Support email', 'Channel::Email');
INSERT INTO teams (account_id, name) VALUES (1, 'Sales'), (1, 'Members care');
INSERT INTO users (name) VALUES ('Ana Souza'), ('Bruno Lima'), ('Carla Dias'), ('Diego Alves');
