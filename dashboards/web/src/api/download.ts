/**
 * Files behind the bearer token (/files/<cid>, /export/…): a plain link cannot carry the
 * Authorization header, so they are fetched as blobs and handed to the browser.
 */
import { ApiError } from "./errors.ts";

export async function fetchWithToken(url: string, token: string): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError("NETWORK", "The API could not be reached. Check your connection and try again.");
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as {
      error?: { code?: string; message?: string };
    } | null;
    throw new ApiError(
      body?.error?.code ?? (res.status === 401 ? "UNAUTHENTICATED" : "INTERNAL_SERVER_ERROR"),
      body?.error?.message ?? `HTTP ${res.status}`,
      res.headers.get("x-request-id"),
    );
  }
  return res.blob();
}

/** Opens a blob in a new tab (PDFs and images display; other types download). */
export function openBlob(blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.target = "_blank";
  link.rel = "noopener";
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
