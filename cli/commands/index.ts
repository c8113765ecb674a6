/**
 * The command registry: every command group of `doctel`, in help order. To add a command
 * (e.g. the simulator's `simulate`), write a CommandModule in its own file and list it here.
 */
import { deployCommand } from "./deploy.ts";
import { filesCommands } from "./files.ts";
import { hospitalCommands } from "./hospital.ts";
import { deviceCommands, doctorCommands, memberCommands, staffCommands } from "./members.ts";
import { patientCommands } from "./patient.ts";
import { governanceCommands, roleCommands } from "./roles.ts";
import { simulateCommand } from "./simulate.ts";
import { startCommand } from "./start.ts";
import { statusCommand } from "./status.ts";
import { treatmentCommands } from "./treatment.ts";
import type { CommandModule } from "./types.ts";

export type { CommandModule } from "./types.ts";

export const commandModules: readonly CommandModule[] = [
  startCommand,
  deployCommand,
  hospitalCommands,
  staffCommands,
  doctorCommands,
  deviceCommands,
  memberCommands,
  patientCommands,
  treatmentCommands,
  roleCommands,
  governanceCommands,
  statusCommand,
  simulateCommand,
  filesCommands,
];
