#!/bin/sh
# Runs once, when the postgres volume is first initialised (the official image runs
# /docker-entrypoint-initdb.d/* as the superuser POSTGRES_USER, before accepting TCP connections).
#
# Creates (docs/operations.md, "Database roles"):
#   - the NOLOGIN groups the migrations grant to, exactly as they do (only when missing; roles are
#     cluster-wide): doctel_indexer (writes the chain-derived tables of schema public), doctel_api
#     (reads public, appends to its own schema api) and doctel_reporting (the reporting views).
#     Created here first so that the migrations, run later as DOCTEL_DB_USER (no CREATEROLE), find
#     them and only grant them what they need;
#   - DOCTEL_DB_USER, the owner of DOCTEL_DB_NAME: it migrates the database (the `migrate` service)
#     and owns every schema and table. No serving process logs in as it;
#   - DOCTEL_INDEXER_DB_USER, the indexer's login: a member of doctel_indexer and nothing else;
#   - DOCTEL_API_DB_USER, the API's login: a member of doctel_api and nothing else;
#   - GRAFANA_DB_USER, Grafana's login: a member of doctel_reporting and nothing else, read-only
#     by default, with a statement timeout.
# Passwords come from the container's environment (docker-compose.yml, from .env): changing them
# later in .env does not change the roles; use ALTER ROLE … PASSWORD (docs/operations.md).
set -eu

: "${DOCTEL_DB_NAME:?}" "${DOCTEL_DB_USER:?}" "${DOCTEL_DB_PASSWORD:?}" "${GRAFANA_DB_USER:?}" "${GRAFANA_DB_PASSWORD:?}"
: "${DOCTEL_INDEXER_DB_USER:?}" "${DOCTEL_INDEXER_DB_PASSWORD:?}" "${DOCTEL_API_DB_USER:?}" "${DOCTEL_API_DB_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
  -v db="$DOCTEL_DB_NAME" \
  -v app_user="$DOCTEL_DB_USER" -v app_password="$DOCTEL_DB_PASSWORD" \
  -v indexer_user="$DOCTEL_INDEXER_DB_USER" -v indexer_password="$DOCTEL_INDEXER_DB_PASSWORD" \
  -v api_user="$DOCTEL_API_DB_USER" -v api_password="$DOCTEL_API_DB_PASSWORD" \
  -v grafana_user="$GRAFANA_DB_USER" -v grafana_password="$GRAFANA_DB_PASSWORD" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'doctel_reporting') THEN
    CREATE ROLE doctel_reporting NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'doctel_indexer') THEN
    CREATE ROLE doctel_indexer NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'doctel_api') THEN
    CREATE ROLE doctel_api NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
END
$$;

CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE :"db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;

CREATE ROLE :"indexer_user" LOGIN PASSWORD :'indexer_password' NOSUPERUSER NOCREATEDB NOCREATEROLE
  IN ROLE doctel_indexer;
GRANT CONNECT ON DATABASE :"db" TO :"indexer_user";

-- TEMPORARY: de-identified datasets are built through temporary tables (graphql/analytics/datasets).
CREATE ROLE :"api_user" LOGIN PASSWORD :'api_password' NOSUPERUSER NOCREATEDB NOCREATEROLE
  IN ROLE doctel_api;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"api_user";

CREATE ROLE :"grafana_user" LOGIN PASSWORD :'grafana_password' NOSUPERUSER NOCREATEDB NOCREATEROLE
  IN ROLE doctel_reporting;
GRANT CONNECT ON DATABASE :"db" TO :"grafana_user";
ALTER ROLE :"grafana_user" SET default_transaction_read_only = on;
ALTER ROLE :"grafana_user" SET statement_timeout = '30s';
SQL
