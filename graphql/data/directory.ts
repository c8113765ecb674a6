/** Members, doctors, hospitals and role grants: keyset-paginated lists. */
import {
  HOSPITAL_COLUMNS,
  type HospitalRow,
  MEMBER_COLUMNS,
  type MemberRow,
  ROLE_GRANT_COLUMNS,
  type RoleGrantRow,
} from "./rows.ts";
import type { Queryable } from "./sql.ts";

type Where = { where: string[]; params: unknown[]; add(sql: (n: string) => string, value: unknown): void };

function where(): Where {
  const w: Where = {
    where: ["TRUE"],
    params: [],
    add(sql, value) {
      w.params.push(value);
      w.where.push(sql(`$${w.params.length}`));
    },
  };
  return w;
}

export interface MemberSearch {
  kind?: string | undefined;
  hospitalId?: number | undefined;
  active?: boolean | undefined;
  specialty?: number | undefined;
  stateCode?: number | undefined;
  districtCode?: number | undefined;
}

/** Newest registrations first; ties by account. */
export async function searchMembers(
  pool: Queryable,
  search: MemberSearch,
  page: { limit: number; after: [string, string] | null },
): Promise<MemberRow[]> {
  const w = where();
  if (search.kind !== undefined) w.add((n) => `m.kind::text = ${n}`, search.kind);
  if (search.hospitalId !== undefined) w.add((n) => `m.hospital_id = ${n}`, search.hospitalId);
  if (search.active !== undefined) w.add((n) => `m.active = ${n}`, search.active);
  if (search.specialty !== undefined) w.add((n) => `m.specialty = ${n}`, search.specialty);
  if (search.stateCode !== undefined) w.add((n) => `h.state_code = ${n}`, search.stateCode);
  if (search.districtCode !== undefined) w.add((n) => `h.district_code = ${n}`, search.districtCode);
  if (page.after) {
    w.params.push(page.after[0], page.after[1]);
    w.where.push(`(m.registered_block, m.account) < ($${w.params.length - 1}::bigint, $${w.params.length})`);
  }
  w.params.push(page.limit + 1);
  const { rows } = await pool.query<MemberRow & Record<string, unknown>>(
    `SELECT ${MEMBER_COLUMNS} FROM member m JOIN hospital h ON h.id = m.hospital_id
      WHERE ${w.where.join(" AND ")}
      ORDER BY m.registered_block DESC, m.account DESC LIMIT $${w.params.length}`,
    w.params,
  );
  return rows;
}

export async function searchHospitals(
  pool: Queryable,
  search: { stateCode?: number | undefined; districtCode?: number | undefined },
  page: { limit: number; after: number | null },
): Promise<HospitalRow[]> {
  const w = where();
  if (search.stateCode !== undefined) w.add((n) => `h.state_code = ${n}`, search.stateCode);
  if (search.districtCode !== undefined) w.add((n) => `h.district_code = ${n}`, search.districtCode);
  if (page.after !== null) w.add((n) => `h.id > ${n}`, page.after);
  w.params.push(page.limit + 1);
  const { rows } = await pool.query<HospitalRow & Record<string, unknown>>(
    `SELECT ${HOSPITAL_COLUMNS} FROM hospital h WHERE ${w.where.join(" AND ")} ORDER BY h.id LIMIT $${w.params.length}`,
    w.params,
  );
  return rows;
}

export async function searchRoleGrants(
  pool: Queryable,
  search: { role?: string | undefined; account?: string | undefined; active?: boolean | undefined },
  page: { limit: number; after: [string, string] | null },
): Promise<RoleGrantRow[]> {
  const w = where();
  if (search.role !== undefined) w.add((n) => `g.role::text = ${n}`, search.role);
  if (search.account !== undefined) w.add((n) => `g.account = ${n}`, search.account);
  if (search.active !== undefined) w.add((n) => `g.active = ${n}`, search.active);
  if (page.after) {
    w.params.push(page.after[0], page.after[1]);
    w.where.push(`(g.account, g.role_id) > ($${w.params.length - 1}, $${w.params.length})`);
  }
  w.params.push(page.limit + 1);
  const { rows } = await pool.query<RoleGrantRow & Record<string, unknown>>(
    `SELECT ${ROLE_GRANT_COLUMNS} FROM role_grant g WHERE ${w.where.join(" AND ")}
      ORDER BY g.account, g.role_id LIMIT $${w.params.length}`,
    w.params,
  );
  return rows;
}
