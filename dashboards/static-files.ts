/**
 * Pure helpers of the dashboards' static file server: which file a URL path names (never one
 * outside the build folder), its content type and how long browsers may cache it.
 */
import path from "node:path";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}

/** Vite puts content-hashed files under assets/: they never change, so they are cached for a year. */
export function cacheControlOf(relativePath: string): string {
  return relativePath.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
}

export type StaticTarget =
  /** A path inside the build folder (it may not exist). */
  | { kind: "file"; file: string; relative: string }
  /** Not a file path: an SPA route such as /hospital/treatments/12 (no extension in the last segment). */
  | { kind: "route" }
  /** Malformed, hidden or outside the folder. */
  | { kind: "refused"; reason: string };

/**
 * Maps a URL path (still percent-encoded) to a file of `root`. Refuses encoded slashes and
 * backslashes, NUL, dot segments and hidden files, so nothing outside `root` can be named.
 */
export function resolveStaticPath(root: string, urlPath: string): StaticTarget {
  if (!urlPath.startsWith("/")) return { kind: "refused", reason: "not an absolute path" };
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: "refused", reason: "malformed percent-encoding" };
  }
  if (/%2f|%5c/i.test(urlPath) || decoded.includes("\\") || decoded.includes("\0")) {
    return { kind: "refused", reason: "encoded separator or NUL" };
  }
  const segments = decoded.split("/").filter((s) => s !== "");
  if (segments.some((s) => s.startsWith(".")))
    return { kind: "refused", reason: "dot segment or hidden file" };
  const relative = segments.join("/");
  const last = segments.at(-1) ?? "";
  if (relative === "" || relative === "index.html") {
    return { kind: "file", file: path.join(root, "index.html"), relative: "index.html" };
  }
  if (!last.includes(".")) return { kind: "route" };
  const file = path.resolve(root, relative);
  if (!file.startsWith(path.resolve(root) + path.sep))
    return { kind: "refused", reason: "outside the folder" };
  return { kind: "file", file, relative };
}
