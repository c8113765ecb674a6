/**
 * Wakes the sync as soon as the node announces a block (eth_subscribe newHeads over
 * WebSocket), instead of waiting for the next poll. Only a hint: the sync still reads headers
 * itself and polls if the socket is down. Reconnects with backoff.
 */
import type { Logger } from "../../shared/logger.ts";
import { redactUrl } from "../../shared/redact.ts";

export interface NewHeads {
  wait(signal: AbortSignal): Promise<void>;
  close(): void;
}

export function subscribeNewHeads(args: { url: string; logger: Logger }): NewHeads {
  let socket: WebSocket | null = null;
  let closed = false;
  let attempt = 0;
  const waiters = new Set<() => void>();

  const connect = () => {
    if (closed) return;
    const ws = new WebSocket(args.url);
    socket = ws;
    ws.addEventListener("open", () => {
      attempt = 0;
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
    });
    ws.addEventListener("message", (msg) => {
      if (typeof msg.data === "string" && msg.data.includes('"eth_subscription"')) {
        for (const w of waiters) w();
        waiters.clear();
      }
    });
    ws.addEventListener("close", () => {
      if (closed) return;
      const delay = Math.min(30_000, 250 * 2 ** attempt++);
      args.logger.debug(
        { ws_url: redactUrl(args.url), delay_ms: delay },
        "newHeads socket closed, reconnecting",
      );
      setTimeout(connect, delay).unref();
    });
    ws.addEventListener("error", () => ws.close());
  };
  connect();

  return {
    wait(signal) {
      return new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        const done = () => {
          waiters.delete(done);
          resolve();
        };
        waiters.add(done);
        signal.addEventListener("abort", done, { once: true });
      });
    },
    close() {
      closed = true;
      socket?.close();
      for (const w of waiters) w();
    },
  };
}
