/**
 * The GraphQL explorer: GraphiQL bundled from npm (no CDN), loaded only on this page. The bearer
 * token goes in the fetcher's headers, and GraphiQL's state (queries, variables, history) is kept
 * in memory instead of localStorage, because a query may name an Aadhaar number.
 */
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { useMemo } from "react";
import { useSession } from "../auth/use-session.tsx";

class MemoryStorage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

const storage = new MemoryStorage();

const DEFAULT_QUERY = `# DocTel's read API. Public without signing in: deployment, indexingStatus, specialties.
query Status {
  indexingStatus { indexedBlock headBlock lagBlocks started }
  viewer { address roles hospital { name } }
}
`;

export default function ExplorerPage() {
  const { session } = useSession();
  const token = session?.token ?? null;
  const fetcher = useMemo(
    () =>
      createGraphiQLFetcher({
        url: `${window.location.origin}/graphql`,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      }),
    [token],
  );
  return (
    <section className="explorer" aria-label="GraphQL explorer">
      <GraphiQL key={token ?? "anonymous"} fetcher={fetcher} storage={storage} defaultQuery={DEFAULT_QUERY} />
    </section>
  );
}
