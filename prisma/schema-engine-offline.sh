#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded on an offline machine.
# prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY here when no native engine is installed, so
# that `prisma generate`, `validate` and `format` (which check for the file but never run it) work.
# Commands that do run the engine land here and get directions instead, on stderr: a plain line
# (the Prisma CLI skips the first one), then a JSON log line in the engine's own format, which
# the CLI shows as the error.
message='The native Prisma schema engine is not installed (it is downloaded at install time, which needs internet access). Use prisma/migrate.ts (the engine compiled to WebAssembly): npm run db:migrate (migrate deploy), npm run db:migration:create -- --name <name> (migrate dev), node prisma/migrate.ts status|diff.'
echo "doctel: offline stand-in for the Prisma schema engine" >&2
printf '{"timestamp":"%s","level":"ERROR","fields":{"message":"%s","error_code":"OFFLINE"},"target":"schema_engine::logger"}\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$message" >&2
exit 1
