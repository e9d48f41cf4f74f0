-- Zendesk views for BI; re-applied by Flyway whenever this file changes.

-- One row per ticket and custom field, with the field's title and type, so a report pivots custom fields by name
-- without parsing JSON. Values stay text as the API sent them (a multi-select list as its JSON array).
CREATE OR REPLACE VIEW core.vw_zd_ticket_custom_fields AS
SELECT cf.scope,
       cf.id            AS ticket_id,
       cf.field_id,
       f.title          AS field_title,
       f.type           AS field_type,
       cf.value,
       cf.value_json,
       t.status         AS ticket_status,
       t.is_deleted     AS ticket_is_deleted
FROM core.zd_ticket_custom_fields cf
JOIN core.zd_tickets t ON t.scope = cf.scope AND t.id = cf.id
LEFT JOIN core.zd_ticket_fields f ON f.scope = cf.scope AND f.id = cf.field_id
WHERE NOT cf.is_deleted;
