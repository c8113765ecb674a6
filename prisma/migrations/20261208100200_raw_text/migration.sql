-- Whatever the chain accepts, the indexer indexes: a contract string (a hospital's name, an
-- attached file's CID) may hold a NUL or bytes that are not UTF-8, which PostgreSQL's text cannot
-- hold. Such a string is stored escaped (indexer/decode/text.ts), and its exact bytes here; null
-- when the string is valid text. An attachment with such a CID is INVALID (file_verification).

-- AlterTable
ALTER TABLE "hospital" ADD COLUMN "raw_name" BYTEA;

-- AlterTable
ALTER TABLE "attachment" ADD COLUMN "raw_cid" BYTEA;
