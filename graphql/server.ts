/**
 * The API server: Apollo Server 5 on plain node:http.
 *
 *   /graphql            the GraphQL API (POST, or GET for queries)
 *   /files/<cid>        verified attachments, streamed from IPFS (bearer token)
 *   /export/…           the analytics NDJSON export (graphql/analytics)
 *   /health /ready      liveness (database answers) and readiness (the index has started)
 *   /metrics            Prometheus
 *   /                   left free for the dashboards
 *
 * `createApiServer` checks the pepper against the deployment record before it listens: a wrong
 * pepper would turn every Aadhaar lookup into a silent miss.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from "@apollo/server/plugin/disabled";
import type { Pool } from "pg";
import { createPublicClient, http } from "viem";
import { createDashboardHandler, DASHBOARDS_DIST_DIR } from "../dashboards/serve.ts";
import type { PrismaClient } from "../prisma/generated/client.ts";
import { type DeploymentRecord, readDeployment } from "../shared/deployment.ts";
import { ConfigError, DocTelError } from "../shared/errors.ts";
import { parseAadhaar } from "../shared/identity/aadhaar.ts";
import { aadhaarReference, referenceKeyId } from "../shared/identity/reference.ts";
import type { Logger } from "../shared/logger.ts";
import { redactUrl } from "../shared/redact.ts";
import {
  type AnalyticsSettings,
  analyticsExportHandler,
  analyticsResolvers,
  analyticsTypeDefs,
  createPublicationJob,
} from "./analytics/index.ts";
import { createRequestAuditLog, type RequestAuditLog } from "./audit/audit-log.ts";
import { flushAuditBeforeResponse } from "./audit/flush.ts";
import { pruneNonces } from "./auth/nonce.ts";
import { requireClinical } from "./auth/policy.ts";
import type { SignInPolicy } from "./auth/siwe.ts";
import { resolveViewer } from "./auth/viewer.ts";
import type { ApiConfig } from "./config.ts";
import type { ApiContext, ApiSettings } from "./context.ts";
import { createFormatError } from "./errors.ts";
import { handleFile } from "./http/files.ts";
import { handleGraphql } from "./http/graphql-route.ts";
import { handleHealth, handleReady } from "./http/health.ts";
import { applyCors, requestIdOf, sendJson } from "./http/io.ts";
import { createLoaders } from "./loaders.ts";
import { type ApiMetrics, createApiMetrics, createOperationLabeler } from "./metrics.ts";
import { complexityPlugin } from "./plugins/complexity.ts";
import { observabilityPlugin } from "./plugins/observability.ts";
import { createResolvers } from "./resolvers/index.ts";
import { typeDefs } from "./schema/index.ts";

export interface ApiServerArgs {
  config: ApiConfig;
  prisma: PrismaClient;
  pool: Pool;
  logger: Logger;
  /** The deployment record; read from config.DEPLOYMENT_FILE when absent. */
  deployment?: DeploymentRecord;
  metrics?: ApiMetrics;
}

export interface ApiServer {
  url: string;
  port: number;
  metrics: ApiMetrics;
  close(): Promise<void>;
}

/** Refuses to start when the pepper is not the one the contract was deployed with. */
export function checkPepper(pepper: Uint8Array, deployment: DeploymentRecord): void {
  const keyId = referenceKeyId(pepper);
  if (keyId !== deployment.referenceKeyId.toLowerCase()) {
    throw new ConfigError(
      `DOCTEL_PEPPER does not match the deployment: its key id is ${keyId}, the contract's referenceKeyId is ${deployment.referenceKeyId}`,
      { details: { expected: deployment.referenceKeyId, actual: keyId } },
    );
  }
}

export async function createApiServer(args: ApiServerArgs): Promise<ApiServer> {
  const { config, pool, prisma, logger } = args;
  const deployment = args.deployment ?? (await readDeployment(config.DEPLOYMENT_FILE));
  checkPepper(config.DOCTEL_PEPPER, deployment);
  const metrics = args.metrics ?? createApiMetrics();
  const development = config.NODE_ENV === "development";

  const publicClient = config.RPC_URL ? createPublicClient({ transport: http(config.RPC_URL) }) : null;
  const signIn: SignInPolicy = {
    chainId: deployment.chainId,
    domains: config.SIWE_DOMAIN,
    origins: config.ALLOWED_ORIGINS,
    clockSkewSeconds: config.SIWE_CLOCK_SKEW_SECONDS,
    nonceTtlSeconds: config.NONCE_TTL_SECONDS,
    sessionTtlSeconds: config.SESSION_TTL_SECONDS,
    sessionSecret: config.SESSION_SECRET,
    ...(publicClient
      ? {
          verifyContractSignature: (address, message, signature) =>
            publicClient.verifyMessage({ address, message, signature }),
        }
      : {}),
  };
  const settings: ApiSettings & AnalyticsSettings = {
    ...(config.ANALYTICS_SECRET ? { analyticsSecret: config.ANALYTICS_SECRET } : {}),
    analyticsEpsilonBudget:
      config.ANALYTICS_EPSILON_BUDGET === undefined
        ? null
        : { epsilon: config.ANALYTICS_EPSILON_BUDGET, windowDays: config.ANALYTICS_EPSILON_WINDOW_DAYS },
    publications: { system: config.EPI_WEEK_SYSTEM, lagDays: config.PUBLICATION_LAG_DAYS },
    noiseBudget: {
      deploymentEpsilonPerWeek: config.NOISE_EPSILON_PER_WEEK,
      accountEpsilonPerWeek: config.NOISE_EPSILON_PER_WEEK_PER_ACCOUNT,
    },
    chainId: deployment.chainId,
    contractAddress: deployment.address.toLowerCase() as `0x${string}`,
    defaultPageSize: config.DEFAULT_PAGE_SIZE,
    maxPageSize: config.MAX_PAGE_SIZE,
    referenceOf: (aadhaar) => aadhaarReference(config.DOCTEL_PEPPER, parseAadhaar(aadhaar)),
  };

  const label = createOperationLabeler();
  const apollo = new ApolloServer<ApiContext>({
    typeDefs: [...typeDefs, ...analyticsTypeDefs],
    resolvers: [
      ...createResolvers({ deployment, signIn, nonceTtlSeconds: config.NONCE_TTL_SECONDS }),
      analyticsResolvers,
    ],
    introspection: config.INTROSPECTION,
    // The process entry (graphql/main.ts, doctel start) owns shutdown; Apollo's own handler would
    // re-raise SIGINT and kill the process in the middle of stopping the other parts.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: development,
    hideSchemaDetailsFromClientErrors: !development,
    formatError: createFormatError({ development }),
    logger: logger.child({ component: "apollo" }),
    plugins: [
      // Responses are private and never HTTP-cached: skip the per-field cache-hint bookkeeping.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      complexityPlugin({
        maxDepth: config.MAX_QUERY_DEPTH,
        maxCost: config.MAX_QUERY_COST,
        defaultPageSize: config.DEFAULT_PAGE_SIZE,
      }),
      observabilityPlugin(metrics, label, (ctx, response) =>
        flushAuditBeforeResponse(ctx, response, metrics),
      ),
    ],
  });
  await apollo.start();

  const viewerSource = { pool, sessionSecret: config.SESSION_SECRET, chainId: deployment.chainId };
  const context = async (req: IncomingMessage, requestId: string): Promise<ApiContext> => {
    const viewer = await resolveViewer(viewerSource, req.headers.authorization);
    return {
      requestId,
      viewer,
      prisma,
      pool,
      audit: createRequestAuditLog({ pool, requestId, viewer: () => viewer }),
      logger,
      loaders: createLoaders(pool) as unknown as Record<string, unknown>,
      settings,
    };
  };
  const graphqlRoute = {
    apollo,
    maxBodyBytes: config.MAX_BODY_BYTES,
    context,
    onRefused(requestId: string, code: string, status: number, durationMs: number) {
      metrics.errors.inc({ code });
      metrics.requests.inc({ operation: "refused", status: String(status) });
      logger.info(
        { request_id: requestId, operation: "refused", duration_ms: Math.round(durationMs), status, code },
        "graphql request",
      );
    },
  };

  const dashboards = createDashboardHandler({
    distDir: DASHBOARDS_DIST_DIR,
    demo: config.DEMO_MODE ? { castFile: config.CAST_FILE, deployment } : null,
    logger,
  });
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    if (applyCors(req, res, config.ALLOWED_ORIGINS)) return "preflight";
    const url = new URL(req.url ?? "/", "http://api.invalid");
    const path = url.pathname;
    if (path === "/graphql") {
      await handleGraphql(graphqlRoute, req, res, requestId, url.search);
      return "graphql";
    }
    if (path === "/health") {
      await handleHealth(pool, res);
      return "health";
    }
    if (path === "/ready") {
      await handleReady(pool, deployment, res);
      return "ready";
    }
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return "metrics";
    }
    if (path.startsWith("/files/") && (req.method === "GET" || req.method === "HEAD")) {
      const ctx = await context(req, requestId);
      const scope = requireClinical(ctx, "downloading a file");
      await handleFile(
        { pool, logger, ipfsApiUrl: config.IPFS_API_URL, ipfsTimeoutMs: config.IPFS_TIMEOUT_MS },
        ctx,
        scope,
        decodeURIComponent(path.slice("/files/".length)),
        res,
        req,
      );
      return "files";
    }
    if (path.startsWith("/export/")) {
      const ctx = await context(req, requestId);
      await analyticsExportHandler(req, res, ctx);
      await (ctx.audit as RequestAuditLog).flush();
      return "export";
    }
    const dashboardRoute = await dashboards(req, res, path);
    if (dashboardRoute) return dashboardRoute;
    sendJson(res, 404, { error: { code: "NOT_FOUND", message: `no route ${path}` } });
    return "unknown";
  };

  const server = createServer((req, res) => {
    let name = "unknown";
    route(req, res)
      .then((routeName) => {
        name = routeName;
      })
      .catch((error: unknown) => {
        const known =
          error instanceof DocTelError &&
          ["UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT"].includes(error.code);
        if (!known) logger.error({ err: error, url: req.url?.split("?")[0] }, "request failed");
        if (!res.headersSent) {
          const code = error instanceof DocTelError ? error.code : "INTERNAL";
          const status = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400 }[code as string] ?? 500;
          sendJson(res, status, {
            error: { code, message: known ? (error as Error).message : "internal error" },
          });
        } else {
          res.destroy();
        }
      })
      .finally(() => {
        if (name !== "graphql") metrics.http.inc({ route: name, status: String(res.statusCode) });
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST;
  const url = `http://${host}:${port}`;
  const pruneTimer = setInterval(() => {
    pruneNonces(pool).catch((error: unknown) => logger.warn({ err: error }, "nonce pruning failed"));
  }, 600_000);
  pruneTimer.unref();
  const publications = config.PUBLICATION_INTERVAL_SECONDS
    ? createPublicationJob({
        pool,
        databaseUrl: config.DATABASE_URL,
        settings: settings.publications!,
        logger: logger.child({ component: "publications" }),
        intervalMs: config.PUBLICATION_INTERVAL_SECONDS * 1000,
      })
    : null;
  publications?.start();
  logger.info(
    {
      url,
      chain_id: deployment.chainId,
      contract: deployment.address,
      introspection: config.INTROSPECTION,
      epi_week_system: config.EPI_WEEK_SYSTEM,
      ipfs: config.IPFS_API_URL ? redactUrl(config.IPFS_API_URL) : null,
    },
    "DocTel API listening (/graphql /health /ready /metrics)",
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    metrics,
    close() {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        await publications?.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        await closed;
        clearTimeout(force);
        await apollo.stop();
      })();
      return closing;
    },
  };
}
