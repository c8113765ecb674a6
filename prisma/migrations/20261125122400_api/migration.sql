-- CreateEnum
CREATE TYPE "audit_record_type" AS ENUM ('PATIENT', 'TREATMENT', 'VITALS', 'ATTACHMENT', 'MEMBER', 'ROLE_GRANT', 'AUDIT_LOG', 'DATASET', 'AGGREGATE');

-- CreateTable
CREATE TABLE "auth_nonce" (
    "nonce" TEXT NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "consumed_at" TIMESTAMPTZ(3),
    "consumed_by" TEXT,

    CONSTRAINT "auth_nonce_pkey" PRIMARY KEY ("nonce")
);

-- CreateTable
CREATE TABLE "api_session" (
    "id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "chain_id" INTEGER NOT NULL,
    "nonce" TEXT NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "request_id" TEXT NOT NULL,
    "viewer" TEXT NOT NULL,
    "viewer_roles" TEXT[],
    "operation" TEXT NOT NULL,
    "record_type" "audit_record_type" NOT NULL,
    "record_ids" TEXT[],
    "details" JSONB,

    CONSTRAINT "access_audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "auth_nonce_expires_at_idx" ON "auth_nonce"("expires_at");

-- CreateIndex
CREATE INDEX "api_session_address_issued_at_idx" ON "api_session"("address", "issued_at");

-- CreateIndex
CREATE INDEX "api_session_expires_at_idx" ON "api_session"("expires_at");

-- CreateIndex
CREATE INDEX "access_audit_log_at_id_idx" ON "access_audit_log"("at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "access_audit_log_viewer_at_idx" ON "access_audit_log"("viewer", "at" DESC);

-- CreateIndex
CREATE INDEX "access_audit_log_record_type_at_idx" ON "access_audit_log"("record_type", "at" DESC);

-- CreateIndex
CREATE INDEX "access_audit_log_record_ids_idx" ON "access_audit_log" USING GIN ("record_ids");

-- Append-only access audit log (hand-written; Prisma does not model triggers).
-- Health-data rules expect a protected record of every read of identified data: rows may be
-- inserted and read, never changed or removed, not even by the API's own database role.
CREATE FUNCTION "access_audit_log_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "access_audit_log_no_update_delete"
  BEFORE UPDATE OR DELETE ON "access_audit_log"
  FOR EACH ROW EXECUTE FUNCTION "access_audit_log_append_only"();

CREATE TRIGGER "access_audit_log_no_truncate"
  BEFORE TRUNCATE ON "access_audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "access_audit_log_append_only"();
