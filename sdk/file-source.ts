/** Reading a file for upload: the size limit is checked before the bytes are read. */
import { open } from "node:fs/promises";
import { ValidationError } from "../shared/errors.ts";
import { FileTooLargeError } from "./errors/classes.ts";

/** Default upload limit: 50 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

/** "61.2 MiB", "50 MiB", "12 KiB", "300 bytes". */
export function formatSize(bytes: number): string {
  const units = [
    ["MiB", 1024 * 1024],
    ["KiB", 1024],
  ] as const;
  for (const [unit, size] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

export function tooLarge(size: number, limit: number): FileTooLargeError {
  return new FileTooLargeError(`file is ${formatSize(size)}; the limit is ${formatSize(limit)}`, {
    details: { size, limit },
  });
}

/** Throws FileTooLargeError when `bytes` is over `limit`. */
export function checkSize(bytes: Uint8Array, limit: number): Uint8Array {
  if (bytes.length > limit) throw tooLarge(bytes.length, limit);
  return bytes;
}

/** Reads a regular file of at most `limit` bytes (checked with stat first, and again while reading). */
export async function readFileLimited(path: string, limit: number): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : "cannot open it";
    throw new ValidationError(`cannot read ${path}: ${reason}`, { cause: error, details: { field: "file" } });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile())
      throw new ValidationError(`cannot read ${path}: not a regular file`, { details: { field: "file" } });
    if (stat.size > limit) throw tooLarge(stat.size, limit);
    const buffer = Buffer.alloc(stat.size);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const probe = Buffer.alloc(1);
    const { bytesRead: extra } = await handle.read(probe, 0, 1, filled);
    if (extra > 0 || filled !== stat.size) {
      throw new ValidationError(`cannot read ${path}: it changed while being read`, {
        details: { field: "file" },
      });
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, filled);
  } finally {
    await handle.close();
  }
}
