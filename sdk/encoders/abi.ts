/** The DocTel ABI and the calldata type every encoder returns. */
export { docTelAbi, docTelBytecode } from "../../shared/abi/generated/DocTel.ts";

export type Calldata = `0x${string}`;
