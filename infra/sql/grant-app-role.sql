-- What the Function App's PostgreSQL role may do in the SkyFit database: read and write rows, use
-- sequences, call functions, create temporary tables; no DDL (migrations run as the administrator with
-- `skyfit migrate`). It covers every schema the administrator owns (ops, stg_*, core) and, through
-- default privileges, the tables later migrations add to them. A migration that adds a schema (a new
-- source's stg_<source>) needs this script again: it is idempotent.
--
-- Run it as the administrator who runs the migrations, connected to the SkyFit database:
--   psql "host=<server> dbname=skyfit user=<admin> sslmode=require" -v app_role=<role> -f infra/sql/grant-app-role.sql
-- where <role> is the app identity's name (entra) or the password role (password); docs/deploy.md.

SELECT set_config('skyfit.app_role', :'app_role', false);

DO $$
DECLARE
    app text := current_setting('skyfit.app_role');
    s text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
        RAISE EXCEPTION 'role "%" does not exist: create it first (docs/deploy.md)', app;
    END IF;
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), app);
    FOR s IN SELECT nspname FROM pg_namespace
             WHERE pg_get_userbyid(nspowner) = current_user
               AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
    LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, app);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA %I TO %I', s, app);
        EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', s, app);
        EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', s, app);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO %I', s, app);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', s, app);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO %I', s, app);
    END LOOP;
END $$;
