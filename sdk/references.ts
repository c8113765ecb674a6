/**
 * Aadhaar numbers → on-chain references, guarded by the pepper check: before the first
 * reference is computed, the pepper's fingerprint is compared with the contract's
 * referenceKeyId(), so a wrong pepper fails clearly instead of writing references nobody
 * can look up. The Aadhaar number itself never leaves this function.
 */
import { ConfigError } from "../shared/errors.ts";
import { parseAadhaar } from "../shared/identity/aadhaar.ts";
import { aadhaarReference, MIN_PEPPER_BYTES, referenceKeyId } from "../shared/identity/reference.ts";
import type { DocTelContext } from "./context.ts";
import { docTelAbi } from "./encoders/abi.ts";
import type { Hex32 } from "./encoders/fields.ts";
import { toDocTelError } from "./errors/decode.ts";

export interface ReferenceResolver {
  /** Validates the Aadhaar number (ValidationError), checks the pepper once, returns the reference. */
  reference(aadhaar: string): Promise<Hex32>;
  /** Compares the pepper's fingerprint with the contract's; throws ConfigError when they differ. */
  verifyPepper(): Promise<void>;
}

export function createReferenceResolver(
  ctx: DocTelContext,
  pepper: Uint8Array | undefined,
): ReferenceResolver {
  let verified: Promise<void> | undefined;

  async function check(): Promise<void> {
    if (!pepper) throw new ConfigError("an Aadhaar number was given but no reference pepper is configured");
    if (pepper.length < MIN_PEPPER_BYTES) {
      throw new ConfigError(
        `the reference pepper must be at least ${MIN_PEPPER_BYTES} bytes (got ${pepper.length})`,
      );
    }
    let onChain: Hex32;
    try {
      onChain = await ctx.publicClient.readContract({
        address: ctx.address,
        abi: docTelAbi,
        functionName: "referenceKeyId",
      });
    } catch (error) {
      throw toDocTelError(error, {
        action: "reading the contract's referenceKeyId",
        rpcUrl: ctx.rpcUrl,
        address: ctx.address,
      });
    }
    const ours = referenceKeyId(pepper);
    if (onChain.toLowerCase() !== ours.toLowerCase()) {
      throw new ConfigError(
        `the reference pepper does not match the contract at ${ctx.address}: its referenceKeyId is ${onChain}, the pepper gives ${ours} (wrong DOCTEL_PEPPER?)`,
        { details: { contract_key_id: onChain, pepper_key_id: ours } },
      );
    }
  }

  function verifyPepper(): Promise<void> {
    verified ??= check().catch((error: unknown) => {
      verified = undefined; // a network failure may be retried
      throw error;
    });
    return verified;
  }

  return {
    verifyPepper,
    async reference(aadhaar: string): Promise<Hex32> {
      const valid = parseAadhaar(aadhaar);
      await verifyPepper();
      return aadhaarReference(pepper as Uint8Array, valid);
    },
  };
}
