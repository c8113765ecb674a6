/**
 * Demo mode's accounts: the simulator's cast file (simulator/cast.ts), checked against the
 * deployment the API serves and turned into the actors the dashboards can sign in as.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ConfigError, NotFoundError } from "../shared/errors.ts";
import type { DemoAccounts, DemoActor, DemoRole } from "./demo-types.ts";

const hex = z.string().regex(/^0x[0-9a-fA-F]+$/) as unknown as z.ZodType<`0x${string}`>;
const castActor = z.object({ address: hex, privateKey: hex.nullable(), label: z.string() });

const castSchema = z.object({
  warning: z.string(),
  chainId: z.number().int().positive(),
  contract: hex,
  simulatedFrom: z.string(),
  simulatedTo: z.string(),
  governance: castActor,
  analyst: castActor,
  publicHealth: castActor,
  auditor: castActor,
  hospitals: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      staff: z.array(castActor),
      doctors: z.array(castActor.extend({ specialtyName: z.string() })),
    }),
  ),
  samplePatients: z.array(
    z.object({
      aadhaar: z.string().regex(/^\d{12}$/),
      masked: z.string(),
      hospitalId: z.number().int(),
      treatments: z.number().int(),
    }),
  ),
});

type Cast = z.output<typeof castSchema>;
type CastActor = z.output<typeof castActor>;

export interface DemoSource {
  castFile: string;
  /** The deployment the API serves: a cast for another chain or contract is refused. */
  deployment: { chainId: number; address: string };
}

function toActor(
  role: DemoRole,
  a: CastActor,
  hospital: DemoActor["hospital"] = null,
  specialty: string | null = null,
): DemoActor[] {
  // Actors without a key (an external governance account) cannot sign in from the demo.
  if (a.privateKey === null) return [];
  return [{ role, label: a.label, address: a.address, privateKey: a.privateKey, hospital, specialty }];
}

/** The cast's actors by role: staff and doctors of each hospital, then the data roles. */
export function demoAccountsOf(cast: Cast): DemoAccounts {
  const actors: DemoActor[] = [];
  for (const h of cast.hospitals) {
    const hospital = { id: h.id, name: h.name };
    for (const s of h.staff) actors.push(...toActor("STAFF", s, hospital));
    for (const d of h.doctors) actors.push(...toActor("DOCTOR", d, hospital, d.specialtyName));
  }
  actors.push(
    ...toActor("PUBLIC_HEALTH", cast.publicHealth),
    ...toActor("ANALYST", cast.analyst),
    ...toActor("AUDITOR", cast.auditor),
    ...toActor("GOVERNANCE", cast.governance),
  );
  return {
    warning: cast.warning,
    chainId: cast.chainId,
    contract: cast.contract,
    simulatedFrom: cast.simulatedFrom,
    simulatedTo: cast.simulatedTo,
    actors,
    samplePatients: cast.samplePatients.map((p) => ({
      aadhaar: p.aadhaar,
      masked: p.masked,
      hospitalId: p.hospitalId,
      treatments: p.treatments,
    })),
  };
}

/** Reads and checks the cast file; NotFoundError when it is missing, ConfigError when it does not fit. */
export async function readDemoAccounts(source: DemoSource): Promise<DemoAccounts> {
  let text: string;
  try {
    text = await readFile(source.castFile, "utf8");
  } catch (error) {
    throw new NotFoundError(`no cast file at ${source.castFile}: run \`doctel simulate\` first`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`the cast file ${source.castFile} is not JSON`, { cause: error });
  }
  const parsed = castSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `the cast file ${source.castFile} is not a simulator cast: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
    );
  }
  const cast = parsed.data;
  const { chainId, address } = source.deployment;
  if (cast.chainId !== chainId || cast.contract.toLowerCase() !== address.toLowerCase()) {
    throw new ConfigError(
      `the cast file ${source.castFile} is for contract ${cast.contract} on chain ${cast.chainId}, but the API serves ${address} on chain ${chainId}`,
    );
  }
  return demoAccountsOf(cast);
}
