#!/bin/sh
# Runs once, when the postgres volume is first initialised (the official image runs
# /docker-entrypoint-initdb.d/* as the superuser POSTGRES_USER, before accepting TCP connections).
#
# Creates:
#   - the NOLOGIN role doctel_reporting, exactly as the reporting_views migration does (only when
#     missing; roles are cluster-wide). Created here first so that the migration, run later by the
#     indexer as DOCTEL_DB_USER (no CREATEROLE), finds it and only grants it SELECT on the views;
#   - DOCTEL_DB_USER, the application's login: owner of DOCTEL_DB_NAME, so the indexer can migrate it
#     (tables, schema `reporting`, grants on its own views). The API logs in as this user too;
#   - GRAFANA_DB_USER, Grafana's login: a member of doctel_reporting and nothing else, read-only
#     by default, with a statement timeout.
# Passwords come from the container's environment (docker-compose.yml, from .env): changing them
# later in .env does not change the roles; use ALTER ROLE … PASSWORD (docs/operations.md).
set -eu

: "${DOCTEL_DB_NAME:?}" "${DOCTEL_DB_USER:?}" "${DOCTEL_DB_PASSWORD:?}" "${GRAFANA_DB_USER:?}" "${GRAFANA_DB_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
  -v db="$DOCTEL_DB_NAME" \
  -v app_user="$DOCTEL_DB_USER" -v app_password="$DOCTEL_DB_PASSWORD" \
  -v grafana_user="$GRAFANA_DB_USER" -v grafana_password="$GRAFANA_DB_PASSWORD" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'doctel_reporting') THEN
    CREATE ROLE doctel_reporting NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
END
$$;

CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE :"db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;

CREATE ROLE :"grafana_user" LOGIN PASSWORD :'grafana_password' NOSUPERUSER NOCREATEDB NOCREATEROLE
  IN ROLE doctel_reporting;
GRANT CONNECT ON DATABASE :"db" TO :"grafana_user";
ALTER ROLE :"grafana_user" SET default_transaction_read_only = on;
ALTER ROLE :"grafana_user" SET statement_timeout = '30s';
SQL
