/** A URL safe to log: user name, password and secret-looking query parameters removed. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "<invalid url>";
  }
  if (url.username) url.username = "***";
  if (url.password) url.password = "***";
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|secret|token|key|auth/i.test(key)) url.searchParams.set(key, "***");
  }
  return url.toString();
}
