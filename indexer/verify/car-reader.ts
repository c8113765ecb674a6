/**
 * A streaming reader of CAR v1 (https://ipld.io/specs/transport/car/carv1/): a varint-framed
 * dag-cbor header, then varint-framed sections of CID + block bytes. Nothing in it is trusted:
 * the header is skipped (the verifier knows its root), the CIDs are only labels (each block is
 * hashed against the CID the verifier asked for), and sizes are capped so that a hostile stream
 * cannot make it buffer without limit.
 */
import { CID } from "multiformats/cid";

export interface CarBlock {
  cid: CID;
  bytes: Uint8Array;
}

export interface CarReaderLimits {
  /** Largest header accepted. */
  maxHeaderBytes: number;
  /** Largest section (CID + block) accepted. */
  maxSectionBytes: number;
}

/** Yields the blocks of a CAR v1 stream in order; throws on malformed framing or oversized parts. */
export async function* readCarBlocks(
  chunks: AsyncIterable<Uint8Array>,
  limits: CarReaderLimits,
): AsyncGenerator<CarBlock> {
  const reader = new ChunkReader(chunks[Symbol.asyncIterator]());
  const headerLength = await reader.varint();
  if (headerLength === undefined) throw new Error("CAR stream is empty");
  if (headerLength === 0 || headerLength > limits.maxHeaderBytes) {
    throw new Error(`CAR header of ${headerLength} bytes (limit ${limits.maxHeaderBytes})`);
  }
  await reader.take(headerLength);
  for (;;) {
    const length = await reader.varint();
    if (length === undefined) return;
    if (length === 0 || length > limits.maxSectionBytes) {
      throw new Error(`CAR section of ${length} bytes (limit ${limits.maxSectionBytes})`);
    }
    const section = await reader.take(length);
    const [cid, bytes] = CID.decodeFirst(section);
    yield { cid, bytes };
  }
}

class ChunkReader {
  private readonly source: AsyncIterator<Uint8Array>;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;

  constructor(source: AsyncIterator<Uint8Array>) {
    this.source = source;
  }

  /** Reads an unsigned varint; undefined at a clean end of stream. */
  async varint(): Promise<number | undefined> {
    let value = 0;
    for (let i = 0; i < 8; i++) {
      if (!(await this.fill(1))) {
        if (i === 0) return undefined;
        throw new Error("CAR stream ends inside a varint");
      }
      const byte = this.shiftByte();
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error("CAR varint longer than 8 bytes");
  }

  /** Reads exactly `length` bytes. */
  async take(length: number): Promise<Uint8Array> {
    if (!(await this.fill(length))) throw new Error(`CAR stream ends inside a ${length}-byte part`);
    const first = this.chunks[0]!;
    if (first.length >= length) {
      this.chunks[0] = first.subarray(length);
      if (this.chunks[0].length === 0) this.chunks.shift();
      this.buffered -= length;
      return first.subarray(0, length);
    }
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[0]!;
      const part = chunk.subarray(0, length - filled);
      out.set(part, filled);
      filled += part.length;
      if (part.length === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part.length);
    }
    this.buffered -= length;
    return out;
  }

  private shiftByte(): number {
    const chunk = this.chunks[0]!;
    const byte = chunk[0]!;
    if (chunk.length === 1) this.chunks.shift();
    else this.chunks[0] = chunk.subarray(1);
    this.buffered -= 1;
    return byte;
  }

  /** Buffers at least `length` bytes; false if the stream ends first. */
  private async fill(length: number): Promise<boolean> {
    while (this.buffered < length) {
      if (this.ended) return false;
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      if (next.value.length > 0) {
        this.chunks.push(next.value);
        this.buffered += next.value.length;
      }
    }
    return true;
  }
}
