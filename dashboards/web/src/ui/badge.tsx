import type { VerificationStatus } from "../api/documents.ts";

const TEXT: Record<VerificationStatus, { label: string; symbol: string; help: string }> = {
  VERIFIED: {
    label: "VERIFIED",
    symbol: "✓",
    help: "The file's content hashes to the CID recorded on-chain.",
  },
  INVALID: { label: "INVALID", symbol: "✗", help: "The content does not match the CID recorded on-chain." },
  UNAVAILABLE: {
    label: "UNAVAILABLE",
    symbol: "!",
    help: "The file could not be fetched from IPFS to verify it.",
  },
  PENDING: { label: "PENDING", symbol: "…", help: "Not verified yet." },
};

/** A verification badge: a word and a symbol, never colour alone. */
export function VerificationBadge({ status }: { status: VerificationStatus }) {
  const t = TEXT[status];
  return (
    <span className={`badge badge-${status.toLowerCase()}`} title={t.help} data-status={status}>
      <span aria-hidden="true">{t.symbol}</span> {t.label}
    </span>
  );
}
