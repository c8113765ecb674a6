/**
 * Decodes DocTel logs straight from their hex words. The ABI-driven plan is built once per
 * event; decoding a log is then string slicing, with no generic ABI walk, which keeps the
 * backfill's decoding far ahead of the database. `test/indexer/decoder.test.ts` checks it
 * against viem's decodeEventLog.
 */
import { type AbiEvent, type AbiParameter, toEventSelector } from "viem";
import { NonRetryableError } from "../../shared/errors.ts";
import type { RpcLog } from "../rpc/types.ts";
import { type DocTelEvent, docTelEvents } from "./events.ts";

type WordDecoder = (word: string) => unknown;

interface FieldPlan {
  name: string;
  indexed: boolean;
  /** Static types decode from one 32-byte word; `string`/`bytes` follow an offset. */
  dynamic: boolean;
  decode: WordDecoder;
}

interface EventPlan {
  name: string;
  fields: FieldPlan[];
  indexedCount: number;
}

export class UndecodableLogError extends NonRetryableError {
  constructor(message: string, details: Record<string, unknown>) {
    super("INTERNAL", message, { details });
  }
}

function wordDecoder(param: AbiParameter): { dynamic: boolean; decode: WordDecoder } {
  const type = param.type;
  if (type === "address") return { dynamic: false, decode: (w) => `0x${w.slice(24)}` };
  if (type === "bool") return { dynamic: false, decode: (w) => w.charCodeAt(63) === 49 };
  if (type === "string") return { dynamic: true, decode: (w) => w };
  const fixedBytes = /^bytes(\d+)$/.exec(type);
  if (fixedBytes) {
    const n = Number(fixedBytes[1]);
    return { dynamic: false, decode: (w) => `0x${w.slice(0, n * 2)}` };
  }
  const int = /^(u?)int(\d+)$/.exec(type);
  if (int) {
    const signed = int[1] === "";
    const bits = Number(int[2]);
    // viem's convention: up to 48 bits decode to number, larger to bigint.
    const asNumber = bits <= 48;
    if (!signed) {
      return asNumber
        ? { dynamic: false, decode: (w) => Number.parseInt(w.slice(64 - bits / 4), 16) }
        : { dynamic: false, decode: (w) => BigInt(`0x${w}`) };
    }
    return {
      dynamic: false,
      decode: (w) => {
        const raw = BigInt(`0x${w}`);
        const value = raw >= 1n << 255n ? raw - (1n << 256n) : raw;
        return asNumber ? Number(value) : value;
      },
    };
  }
  throw new Error(`decoder: unsupported ABI type ${type} in ${param.name}`);
}

function buildPlans(events: readonly AbiEvent[]): Map<string, EventPlan> {
  const plans = new Map<string, EventPlan>();
  for (const event of events) {
    const fields = event.inputs.map((input) => ({
      name: input.name ?? "",
      indexed: input.indexed === true,
      ...wordDecoder(input),
    }));
    plans.set(toEventSelector(event), {
      name: event.name,
      fields,
      indexedCount: fields.filter((f) => f.indexed).length,
    });
  }
  return plans;
}

const plans = buildPlans(docTelEvents);

function decodeString(data: string, offsetWord: string): string {
  const offset = Number.parseInt(offsetWord, 16) * 2;
  const length = Number.parseInt(data.slice(offset, offset + 64), 16) * 2;
  return Buffer.from(data.slice(offset + 64, offset + 64 + length), "hex").toString("utf8");
}

/** True when the log's first topic is one of DocTel's events. */
export function isDocTelLog(log: Pick<RpcLog, "topics">): boolean {
  const t0 = log.topics[0];
  return t0 !== undefined && plans.has(t0.toLowerCase());
}

/**
 * Decodes one log of the DocTel contract. `blockTime` is the block's timestamp (seconds), from
 * the log's `blockTimestamp` or from the block header when the node does not send it.
 */
export function decodeDocTelLog(log: RpcLog, blockTime: number): DocTelEvent {
  const topic0 = log.topics[0]?.toLowerCase();
  const plan = topic0 === undefined ? undefined : plans.get(topic0);
  const where = { block_number: log.blockNumber, log_index: log.logIndex, tx_hash: log.transactionHash };
  if (!plan) throw new UndecodableLogError(`log has an unknown event topic ${topic0 ?? "(none)"}`, where);
  if (log.topics.length !== plan.indexedCount + 1) {
    throw new UndecodableLogError(
      `${plan.name} log has ${log.topics.length - 1} indexed topics, expected ${plan.indexedCount}`,
      where,
    );
  }
  const data = log.data.startsWith("0x") ? log.data.slice(2) : log.data;
  const args: Record<string, unknown> = {};
  let topic = 1;
  let word = 0;
  for (const field of plan.fields) {
    if (field.indexed) {
      args[field.name] = field.decode(log.topics[topic++]!.slice(2).toLowerCase());
    } else {
      const w = data.slice(word * 64, word * 64 + 64);
      if (w.length !== 64) {
        throw new UndecodableLogError(`${plan.name} log data is too short for field ${field.name}`, where);
      }
      args[field.name] = field.dynamic ? decodeString(data, w) : field.decode(w.toLowerCase());
      word++;
    }
  }
  return {
    eventName: plan.name,
    args,
    blockNumber: BigInt(log.blockNumber),
    blockHash: log.blockHash.toLowerCase() as `0x${string}`,
    blockTime,
    txHash: log.transactionHash.toLowerCase() as `0x${string}`,
    logIndex: Number.parseInt(log.logIndex, 16),
  } as DocTelEvent;
}
