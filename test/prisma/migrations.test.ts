import { describe, expect, it } from "vitest";
import { diffSchema } from "../../prisma/migrate.ts";
import { useTestDatabase } from "../helpers/db.ts";

describe("prisma/migrations", () => {
  const db = useTestDatabase();

  it("build exactly the database prisma/schema.prisma describes, so no schema change lacks its migration", async () => {
    const { drift, script } = await diffSchema({ databaseUrl: db.url });
    expect(drift, `prisma/schema.prisma differs from prisma/migrations; create a migration:\n${script}`).toBe(
      false,
    );
  });
});
