/**
 * What GET /demo/accounts answers in demo mode (DEMO_MODE=true): the simulator's cast, by role,
 * for the dashboards' demo sign-in. Shared by the server (dashboards/demo-accounts.ts) and the web
 * app; no imports, so both type-check it.
 */

export type DemoRole = "STAFF" | "DOCTOR" | "PUBLIC_HEALTH" | "ANALYST" | "AUDITOR" | "GOVERNANCE";

export interface DemoActor {
  role: DemoRole;
  label: string;
  address: `0x${string}`;
  /** Seed-derived, public: demo chains only. */
  privateKey: `0x${string}`;
  hospital: { id: number; name: string } | null;
  /** Doctors: their specialty's name. */
  specialty: string | null;
}

export interface DemoPatient {
  /** Synthetic (valid checksum, belonging to nobody), listed for demo lookups only. */
  aadhaar: string;
  masked: string;
  hospitalId: number;
  treatments: number;
}

export interface DemoAccounts {
  warning: string;
  chainId: number;
  contract: `0x${string}`;
  /** The simulated period: good default date ranges for the aggregates and datasets. */
  simulatedFrom: string;
  simulatedTo: string;
  actors: DemoActor[];
  samplePatients: DemoPatient[];
}
