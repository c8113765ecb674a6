/**
 * The Sign-In with Ethereum (EIP-4361) message the dashboards ask a wallet to sign: this page's
 * host as the domain, its origin as the URI, the API's chain id and nonce. Refuses early, with a
 * sentence, when the API would refuse the page's host or origin anyway.
 */
import { getAddress } from "viem";
import { createSiweMessage } from "viem/siwe";

export const SIGN_IN_STATEMENT = "Sign in to the DocTel dashboards.";

export interface NonceGrant {
  nonce: string;
  chainId: number;
  domains: readonly string[];
  origins: readonly string[];
}

export interface PageLocation {
  host: string;
  origin: string;
}

export class SignInSetupError extends Error {
  override name = "SignInSetupError";
}

export function buildSignInMessage(args: {
  address: string;
  grant: NonceGrant;
  page: PageLocation;
  issuedAt: Date;
}): string {
  const { grant, page } = args;
  if (!grant.domains.includes(page.host)) {
    throw new SignInSetupError(
      `This page's host ${page.host} is not a sign-in domain the API accepts (${grant.domains.join(", ") || "none"}): set SIWE_DOMAIN or ALLOWED_ORIGINS on the API.`,
    );
  }
  if (!grant.origins.includes(page.origin)) {
    throw new SignInSetupError(
      `This page's origin ${page.origin} is not one the API accepts (${grant.origins.join(", ") || "none"}): set ALLOWED_ORIGINS on the API.`,
    );
  }
  return createSiweMessage({
    domain: page.host,
    uri: `${page.origin}/`,
    address: getAddress(args.address),
    chainId: grant.chainId,
    nonce: grant.nonce,
    version: "1",
    issuedAt: args.issuedAt,
    statement: SIGN_IN_STATEMENT,
  });
}
