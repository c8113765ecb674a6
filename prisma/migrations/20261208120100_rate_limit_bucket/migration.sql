-- Rate-limit token buckets (graphql/limits/rate-limit.ts), shared by every API replica.
-- UNLOGGED (hand-written; Prisma does not model it): a bucket is taken on every request, and an
-- unlogged table writes no WAL, so a request pays no WAL flush at commit and nothing is streamed
-- to replicas (the API reads and writes buckets on the primary only). A crash empties the table,
-- which only refills every bucket.
CREATE UNLOGGED TABLE "api"."rate_limit_bucket" (
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limit_bucket_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "rate_limit_bucket_updated_at_idx" ON "api"."rate_limit_bucket"("updated_at");

-- A bucket is a counter updated in place, and idle buckets (full again) are deleted.
GRANT UPDATE, DELETE ON "api"."rate_limit_bucket" TO doctel_api;
