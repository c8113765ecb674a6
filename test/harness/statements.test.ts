import pg from "pg";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/db.ts";

describe("countStatements", () => {
  const db = useTestDatabase();

  it("counts each statement sent through the pool, and only during the callback", async () => {
    await db.pool.query("SELECT 'before'");
    const { result, count, statements } = await db.countStatements(async () => {
      await db.pool.query("SELECT 1");
      const client = await db.pool.connect();
      try {
        await client.query("SELECT 2");
        await client.query("SELECT 3");
      } finally {
        client.release();
      }
      return "done";
    });
    await db.pool.query("SELECT 'after'");
    expect(result).toBe("done");
    expect(statements).toEqual(["SELECT 1", "SELECT 2", "SELECT 3"]);
    expect(count).toBe(3);
  });

  it("counts Prisma's queries, so a query per row shows up as one statement per row", async () => {
    const lookups = async (times: number) =>
      db.countStatements(async () => {
        for (let i = 0; i < times; i++) await db.prisma.hospital.findUnique({ where: { id: i } });
      });
    const one = await lookups(1);
    const five = await lookups(5);
    expect(one.count).toBeGreaterThanOrEqual(1);
    expect(five.count - one.count).toBe(4 * one.count);
    expect(five.statements.every((sql) => sql.includes('"hospital"'))).toBe(true);
  });

  it("ignores statements sent through another pool", async () => {
    const other = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const { count } = await db.countStatements(async () => {
        await other.query("SELECT 1");
      });
      expect(count).toBe(0);
    } finally {
      await other.end();
    }
  });
});
