import type { DeploymentRecord } from "../../shared/deployment.ts";
import type { SignInPolicy } from "../auth/siwe.ts";
import { createAuthResolvers } from "./auth.ts";
import { clinicalResolvers } from "./clinical.ts";
import { directoryResolvers } from "./directory.ts";
import { createMetaResolvers } from "./meta.ts";
import { scalarResolvers } from "./scalars.ts";

export function createResolvers(args: {
  deployment: DeploymentRecord;
  signIn: SignInPolicy;
  nonceTtlSeconds: number;
}) {
  return [
    scalarResolvers,
    createAuthResolvers(args.signIn, args.nonceTtlSeconds),
    createMetaResolvers(args.deployment),
    clinicalResolvers,
    directoryResolvers,
  ] as const;
}
