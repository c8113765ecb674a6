/**
 * Builds the dashboards (dashboards/web) into dashboards/dist, which the API serves at "/".
 * Everything is bundled: no CDN, no remote fonts. `npm run build:dashboards`; for development,
 * `npm run dev:dashboards` proxies the API's routes to an API on DOCTEL_API_URL (default :4000).
 */
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.DOCTEL_API_URL ?? "http://127.0.0.1:4000";

export default defineConfig({
  root: path.join(import.meta.dirname, "web"),
  base: "/",
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: path.join(import.meta.dirname, "dist"),
    emptyOutDir: true,
    assetsDir: "assets",
    // The explorer (GraphiQL and its editor) is one large chunk, loaded only on its page.
    chunkSizeWarningLimit: 6_000,
    rolldownOptions: {
      onwarn(warning, warn) {
        // GraphiQL's React Compiler hints ("use no memo") do not survive bundling; harmless.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: Object.fromEntries(["/graphql", "/files", "/export", "/demo"].map((p) => [p, api])),
  },
});
