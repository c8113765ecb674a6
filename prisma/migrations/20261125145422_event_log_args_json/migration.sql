-- AlterTable
ALTER TABLE "event_log" ALTER COLUMN "args" SET DATA TYPE JSON;
