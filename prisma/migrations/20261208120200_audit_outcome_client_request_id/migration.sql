-- The access audit log records refused lookups too (outcome REFUSED), and keeps the client's own
-- X-Request-Id apart from the request id the API generates.
CREATE TYPE "api"."audit_outcome" AS ENUM ('DISCLOSED', 'REFUSED');

ALTER TABLE "api"."access_audit_log"
  ADD COLUMN "client_request_id" TEXT,
  ADD COLUMN "outcome" "api"."audit_outcome" NOT NULL DEFAULT 'DISCLOSED';
