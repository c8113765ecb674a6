/**
 * Prisma 7 configuration. Prisma 7 loads no .env file: DATABASE_URL comes from the environment.
 * It is only needed by commands that talk to a database; `prisma generate` works without it.
 *
 * Offline, Prisma's native schema engine is never downloaded, and `prisma generate` / `validate`
 * / `format` refuse to start without its file although they never run it. When no engine is
 * installed and PRISMA_SCHEMA_ENGINE_BINARY is unset, it points at a stand-in script that
 * explains how to migrate with prisma/migrate.ts (the engine compiled to WebAssembly) instead.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";

const root = import.meta.dirname;

function nativeSchemaEngineInstalled(): boolean {
  const enginesDir = path.join(root, "node_modules/@prisma/engines");
  return existsSync(enginesDir) && readdirSync(enginesDir).some((file) => file.startsWith("schema-engine-"));
}

if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && !nativeSchemaEngineInstalled()) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(root, "prisma/schema-engine-offline.sh");
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
