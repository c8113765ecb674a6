import { readFile } from "node:fs/promises";
import { redactUrl } from "../../shared/redact.ts";
import type { CastFile } from "../../simulator/index.ts";
import type { RunningStack } from "./stack.ts";

/** What a newcomer needs after `npm start`: where everything is, and how to sign in. */
export async function banner(
  stack: RunningStack,
  options: { home: string; demo: boolean; logFile?: string | null },
): Promise<string> {
  const embedded = Object.entries(stack.embedded)
    .filter(([, on]) => on)
    .map(([part]) => ({ postgres: "PostgreSQL", chain: "chain", ipfs: "IPFS" })[part]);
  const lines = [
    "",
    `DocTel is running${embedded.length ? ` (embedded: ${embedded.join(", ")}; data in ${options.home}/)` : ""}`,
    "",
    `  Dashboards     ${stack.apiUrl}/`,
    `  GraphQL        ${stack.apiUrl}/graphql   (explorer: ${stack.apiUrl}/explorer)`,
    `  Indexer        ${stack.indexerOpsUrl}/metrics   /health   /ready`,
    `  Chain RPC      ${stack.rpcUrl}`,
    `  IPFS RPC API   ${stack.ipfsApiUrl}`,
    // The embedded database's URL in full (a local development password); a configured one redacted.
    `  PostgreSQL     ${stack.embedded.postgres ? stack.databaseUrl : redactUrl(stack.databaseUrl)}`,
    ...(options.logFile ? [`  Logs           ${options.logFile}   (requests, indexer, warnings)`] : []),
    "",
  ];
  const cast = stack.castFile ? (JSON.parse(await readFile(stack.castFile, "utf8")) as CastFile) : null;
  if (cast && options.demo) {
    const hospital = cast.hospitals[0];
    lines.push(
      'Sign in (demo mode): open the dashboards, choose "Demo accounts" and pick a role:',
      ...(hospital
        ? [
            `  Hospital staff   ${hospital.staff[0]?.address ?? "-"}   (${hospital.name})`,
            `  Doctor           ${hospital.doctors[0]?.address ?? "-"}   (${hospital.doctors[0]?.specialtyName ?? ""})`,
          ]
        : []),
      `  Public health    ${cast.publicHealth.address}`,
      `  Analyst          ${cast.analyst.address}`,
      `  Auditor          ${cast.auditor.address}`,
      `  Governance       ${cast.governance.address}`,
      `Sample patients to look up (synthetic Aadhaar numbers, demo only): ${cast.samplePatients
        .slice(0, 3)
        .map((p) => p.aadhaar)
        .join(", ")}`,
      `Keys and more patients: ${stack.castFile} (demo data: the keys are public).`,
      "The CLI acts on this stack while it runs: npx doctel --as staff status   (roles: governance, staff, doctor, analyst, public-health, auditor)",
      "",
    );
  } else {
    lines.push("Sign in with a wallet (MetaMask or any EIP-1193 wallet) holding a DocTel role.", "");
  }
  lines.push(
    "The dashboards fill in as the indexer catches up. Ctrl-C stops everything; the next start resumes.",
    "",
  );
  return lines.join("\n");
}
