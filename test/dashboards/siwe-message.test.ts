/** The EIP-4361 message the dashboards build for a wallet or a demo key to sign. */
import { recoverMessageAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseSiweMessage, validateSiweMessage } from "viem/siwe";
import { describe, expect, it } from "vitest";
import {
  buildSignInMessage,
  SIGN_IN_STATEMENT,
  SignInSetupError,
} from "../../dashboards/web/src/auth/siwe.ts";

const account = privateKeyToAccount(`0x${"11".repeat(32)}`);
const grant = {
  nonce: "n0nceN0nce123456",
  chainId: 31337,
  domains: ["127.0.0.1:4000", "localhost:4000"],
  origins: ["http://127.0.0.1:4000", "http://localhost:4000"],
};
const page = { host: "127.0.0.1:4000", origin: "http://127.0.0.1:4000" };
const issuedAt = new Date("2026-11-25T10:00:00.000Z");

describe("buildSignInMessage", () => {
  it("names the page's host and origin, the API's chain and nonce, so the API's checks accept it", () => {
    const text = buildSignInMessage({ address: account.address.toLowerCase(), grant, page, issuedAt });
    const parsed = parseSiweMessage(text);
    expect(parsed).toMatchObject({
      domain: "127.0.0.1:4000",
      uri: "http://127.0.0.1:4000/",
      address: account.address,
      chainId: 31337,
      nonce: grant.nonce,
      version: "1",
      statement: SIGN_IN_STATEMENT,
    });
    expect(parsed.issuedAt?.toISOString()).toBe(issuedAt.toISOString());
    expect(
      validateSiweMessage({ message: parsed, domain: page.host, nonce: grant.nonce, time: issuedAt }),
    ).toBe(true);
  });

  it("is signed by the demo key as is, because the API recovers the signer from these exact bytes", async () => {
    const message = buildSignInMessage({ address: account.address, grant, page, issuedAt });
    const signature = await account.signMessage({ message });
    expect(await recoverMessageAddress({ message, signature })).toBe(account.address);
  });

  it("refuses a page the API does not accept, naming what it accepts, instead of a signature the API would refuse", () => {
    const elsewhere = { host: "doctel.example", origin: "https://doctel.example" };
    expect(() => buildSignInMessage({ address: account.address, grant, page: elsewhere, issuedAt })).toThrow(
      SignInSetupError,
    );
    expect(() => buildSignInMessage({ address: account.address, grant, page: elsewhere, issuedAt })).toThrow(
      /doctel\.example is not a sign-in domain the API accepts \(127\.0\.0\.1:4000, localhost:4000\)/,
    );
    const otherOrigin = { host: "127.0.0.1:4000", origin: "https://127.0.0.1:4000" };
    expect(() =>
      buildSignInMessage({ address: account.address, grant, page: otherOrigin, issuedAt }),
    ).toThrow(/origin https:\/\/127\.0\.0\.1:4000 is not one the API accepts/);
  });
});
