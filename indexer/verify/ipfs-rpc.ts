/**
 * The two Kubo RPC calls the verifier makes (`block/get`, `dag/export`), over node:http with a
 * keep-alive agent. Not kubo-rpc-client, for three reasons measured or read in its source (7.1):
 * it buffers any answer whole, with no size limit (a node could send gigabytes for one "block");
 * its own client-side `timeout` is never applied (only forwarded to the server); and it costs
 * about 0.5 ms more CPU per request than this, which bounds small-file throughput on 2 cores.
 * Same API, so Kubo and js-ipfs both answer.
 */
import http, { type IncomingMessage } from "node:http";
import https from "node:https";

export interface IpfsRpc {
  /** The API base, for messages (credentials removed). */
  readonly url: string;
  /** POSTs `path` (e.g. "block/get") with query `params`; resolves with a 200 answer's body stream. */
  post(path: string, params: Readonly<Record<string, string>>, signal: AbortSignal): Promise<IncomingMessage>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

export interface IpfsRpcOptions {
  /** Connections kept per node (default 64). */
  maxSockets?: number;
}

/** Error answers are read up to this size for their message. */
const MAX_ERROR_BODY = 64 * 1024;

/** `apiUrl` is the node's RPC address, e.g. http://127.0.0.1:5001 (path /api/v0 implied). */
export function createIpfsRpc(apiUrl: string, options: IpfsRpcOptions = {}): IpfsRpc {
  const base = new URL(apiUrl);
  const secure = base.protocol === "https:";
  const prefix = base.pathname === "/" || base.pathname === "" ? "/api/v0" : base.pathname.replace(/\/$/, "");
  const auth = base.username
    ? `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`
    : undefined;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const request = secure ? https.request : http.request;
  const shown = `${base.protocol}//${base.host}${prefix}`;

  return {
    url: shown,
    post(path, params, signal) {
      const query = new URLSearchParams(params).toString();
      return new Promise<IncomingMessage>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        // Not http.request's own `signal` option: with a keep-alive agent, Node hands it to the
        // socket, which then dies with an unhandled error when the signal aborts long after the
        // request, while the socket serves another one.
        const req = request(
          {
            protocol: base.protocol,
            hostname: base.hostname,
            port: base.port,
            method: "POST",
            path: `${prefix}/${path}?${query}`,
            agent,
            ...(auth ? { auth } : {}),
          },
          (res) => {
            // The caller reads the body (errors reach its iterator); an abort that comes after it
            // stopped reading must not surface as an unhandled 'error' event.
            res.on("error", () => {});
            if (res.statusCode === 200) return resolve(res);
            readErrorMessage(res).then(
              (message) => reject(new Error(`${path} answered HTTP ${res.statusCode}: ${message}`)),
              reject,
            );
          },
        );
        const onAbort = (): void => {
          // Destroyed without an error (an error would be re-emitted on the socket, where nobody
          // listens once the answer has started); a reader of the body sees a premature close.
          reject(signal.reason);
          req.destroy();
        };
        signal.addEventListener("abort", onAbort, { once: true });
        req.on("close", () => signal.removeEventListener("abort", onAbort));
        req.on("error", reject);
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}

async function readErrorMessage(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= MAX_ERROR_BODY) {
      res.destroy();
      break;
    }
  }
  const body = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString("utf8");
  try {
    const parsed = JSON.parse(body) as { Message?: unknown; message?: unknown };
    return String(parsed.Message ?? parsed.message ?? body);
  } catch {
    return body.trim() || "(no message)";
  }
}
