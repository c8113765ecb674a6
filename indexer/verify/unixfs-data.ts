/**
 * A strict decoder for the UnixFS `Data` message carried in a dag-pb node's Data field
 * (https://specs.ipfs.tech/unixfs/#dag-pb-node). Written here rather than taken from
 * `ipfs-unixfs` because that package drops the declared `filesize` field, which the verifier
 * must compare with the block sizes.
 *
 *   message Data {
 *     required DataType Type = 1;  optional bytes Data = 2;  optional uint64 filesize = 3;
 *     repeated uint64 blocksizes = 4;  optional uint64 hashType = 5;  optional uint64 fanout = 6;
 *     optional uint32 mode = 7;  optional UnixTime mtime = 8;
 *   }
 */
export const UNIXFS_TYPES = [
  "raw",
  "directory",
  "file",
  "metadata",
  "symlink",
  "hamt-sharded-directory",
] as const;

export type UnixfsType = (typeof UNIXFS_TYPES)[number];

export interface UnixfsData {
  type: UnixfsType;
  /** The file bytes held in this node itself (empty when absent). */
  data: Uint8Array;
  /** The declared total size of the file under this node, when the node declares one. */
  filesize: bigint | undefined;
  /** The declared size of each child's file bytes, in link order. */
  blocksizes: bigint[];
}

const EMPTY = new Uint8Array(0);

/** Decodes UnixFS Data bytes; throws an Error saying what is wrong with them. */
export function decodeUnixfsData(bytes: Uint8Array): UnixfsData {
  const reader = new Reader(bytes);
  let typeCode: bigint | undefined;
  let data: Uint8Array = EMPTY;
  let filesize: bigint | undefined;
  const blocksizes: bigint[] = [];
  while (!reader.done()) {
    const key = reader.varint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 1 && wireType === 0) typeCode = reader.varint();
    else if (field === 2 && wireType === 2) data = reader.bytes();
    else if (field === 3 && wireType === 0) filesize = reader.varint();
    else if (field === 4 && wireType === 0) blocksizes.push(reader.varint());
    else if (field === 4 && wireType === 2) {
      // Packed encoding: proto2 writers do not use it, but parsers must accept it.
      const packed = new Reader(reader.bytes());
      while (!packed.done()) blocksizes.push(packed.varint());
    } else if (field >= 1 && field <= 8 && wireType !== expectedWireType(field)) {
      throw new Error(`UnixFS field ${field} has wire type ${wireType}, expected ${expectedWireType(field)}`);
    } else reader.skip(wireType);
  }
  if (typeCode === undefined) throw new Error("UnixFS data has no Type");
  const type = UNIXFS_TYPES[Number(typeCode)];
  if (type === undefined || typeCode > 5n) throw new Error(`UnixFS data has unknown Type ${typeCode}`);
  return { type, data, filesize, blocksizes };
}

function expectedWireType(field: number): number {
  return field === 2 || field === 8 ? 2 : 0;
}

const MAX_VARINT_BYTES = 10;

class Reader {
  private readonly buf: Uint8Array;
  private pos = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) throw new Error("UnixFS data ends inside a varint");
      result |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) {
        if (result >= 1n << 64n) throw new Error("UnixFS varint exceeds 64 bits");
        return result;
      }
    }
    throw new Error("UnixFS varint longer than 10 bytes");
  }

  bytes(): Uint8Array {
    const length = this.varint();
    const end = this.pos + Number(length);
    if (length > BigInt(this.buf.length) || end > this.buf.length) {
      throw new Error(`UnixFS field of ${length} bytes overruns the ${this.buf.length}-byte message`);
    }
    const out = this.buf.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) this.bytes();
    else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (this.pos + size > this.buf.length) throw new Error("UnixFS data ends inside a fixed-width field");
      this.pos += size;
    } else throw new Error(`UnixFS data has unsupported wire type ${wireType}`);
  }
}
