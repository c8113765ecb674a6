/** The sign-in flow: nonce, EIP-4361 message, the signer's signature, signIn, viewer. */
import { NONCE, SIGN_IN, VIEWER } from "../api/documents.ts";
import { request } from "../api/graphql.ts";
import type { Session } from "./session.ts";
import { buildSignInMessage } from "./siwe.ts";

export interface Signer {
  address: `0x${string}`;
  signMessage(message: string): Promise<`0x${string}`>;
}

export async function signInWith(
  signer: Signer,
  extra: Pick<Session, "demo" | "period"> = { demo: false, period: null },
): Promise<Session> {
  const { nonce } = await request(NONCE, {}, null);
  const message = buildSignInMessage({
    address: signer.address,
    grant: nonce,
    page: { host: window.location.host, origin: window.location.origin },
    issuedAt: new Date(),
  });
  const signature = await signer.signMessage(message);
  const { signIn } = await request(SIGN_IN, { message, signature }, null);
  const { viewer } = await request(VIEWER, {}, signIn.token);
  return {
    token: signIn.token,
    address: signIn.address,
    roles: signIn.roles,
    expiresAt: signIn.expiresAt,
    hospital: viewer?.hospital ?? null,
    ...extra,
  };
}
