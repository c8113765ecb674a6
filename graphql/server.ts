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
import { ConfigError, DocTelError, ValidationError } from "../shared/errors.ts";
import { parseAadhaar } from "../shared/identity/aadhaar.ts";
import { aadhaarReference, referenceKeyId } from "../shared/identity/reference.ts";
import type { Logger } from "../shared/logger.ts";
import { redactUrl } from "../shared/redact.ts";
import { type DatasetSettings, datasetSettingsFrom } from "./analytics/datasets/settings.ts";
import {
  type AnalyticsSettings,
  analyticsExportHandler,
  analyticsResolvers,
  analyticsTypeDefs,
  publicationSettingsFrom,
  startAnalyticsJobs,
} from "./analytics/index.ts";
import { createRequestAuditLog, type RequestAuditLog } from "./audit/audit-log.ts";
import { flushAuditBeforeResponse } from "./audit/flush.ts";
import { pruneNonces } from "./auth/nonce.ts";
import { requireClinical } from "./auth/policy.ts";
import { pruneSessions } from "./auth/sessions.ts";
import type { SignInPolicy } from "./auth/siwe.ts";
import { resolveViewer } from "./auth/viewer.ts";
import type { ApiConfig } from "./config.ts";
import type { ApiContext, ApiSettings } from "./context.ts";
import { createFormatError } from "./errors.ts";
import { handleFile } from "./http/files.ts";
import { handleGraphql, refusalOf } from "./http/graphql-route.ts";
import { handleHealth, handleReady } from "./http/health.ts";
import { applyCors, clientIpOf, clientRequestIdOf, listenOn, newRequestId, sendJson } from "./http/io.ts";
import { createMetricsAccess } from "./http/metrics-route.ts";
import { addressKey, type BucketPolicy, createRateLimiter, pruneBuckets } from "./limits/rate-limit.ts";
import { createLoaders } from "./loaders.ts";
import { type ApiMetrics, createApiMetrics, createOperationLabeler } from "./metrics.ts";
import { complexityPlugin } from "./plugins/complexity.ts";
import { inputGuardPlugin } from "./plugins/input-guard.ts";
import { observabilityPlugin } from "./plugins/observability.ts";
import { writeLimitPlugin } from "./plugins/write-limit.ts";
import { createReadRouter } from "./read-replica.ts";
import { createResolvers } from "./resolvers/index.ts";
import { typeDefs } from "./schema/index.ts";

export interface ApiServerArgs {
  config: ApiConfig;
  /** Prisma Client on the primary. */
  prisma: PrismaClient;
  /** The primary. */
  pool: Pool;
  /** The read replica's pool (READ_DATABASE_URL), if any: the caller opens and ends it. */
  readPool?: Pool;
  logger: Logger;
  /** The deployment record; read from config.DEPLOYMENT_FILE when absent. */
  deployment?: DeploymentRecord;
  metrics?: ApiMetrics;
  /** The clock of sessions, access grace periods and rate limits; tests inject their own. */
  clock?: () => Date;
}

export interface ApiServer {
  url: string;
  port: number;
  metrics: ApiMetrics;
  /** Where /metrics is served when METRICS_PORT is set. */
  metricsUrl: string | null;
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

/** How often expired nonces and sessions and idle rate-limit buckets are deleted. */
export const PRUNE_INTERVAL_MS = 60_000;

/** A path segment, percent-decoded; a malformed escape is the client's error (400), not ours. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ValidationError(
      `malformed percent-encoding in the path: ${JSON.stringify(segment.slice(0, 80))}`,
    );
  }
}

export async function createApiServer(args: ApiServerArgs): Promise<ApiServer> {
  const { config, pool, prisma, logger } = args;
  const metrics = args.metrics ?? createApiMetrics();
  const clock = args.clock ?? (() => new Date());
  const deployment = args.deployment ?? (await readDeployment(config.DEPLOYMENT_FILE));
  checkPepper(config.DOCTEL_PEPPER, deployment);
  const reads = createReadRouter({
    primary: pool,
    replica: args.readPool ?? null,
    maxLagBytes: config.READ_REPLICA_MAX_LAG_BYTES,
    checkIntervalMs: config.READ_REPLICA_CHECK_MS,
    metrics,
    logger,
  });
  await reads.check();
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
  const settings: ApiSettings & AnalyticsSettings & DatasetSettings = {
    ...(config.ANALYTICS_SECRET ? { analyticsSecret: config.ANALYTICS_SECRET } : {}),
    ...datasetSettingsFrom(config),
    ...publicationSettingsFrom(config),
    chainId: deployment.chainId,
    contractAddress: deployment.address.toLowerCase() as `0x${string}`,
    defaultPageSize: config.DEFAULT_PAGE_SIZE,
    maxPageSize: config.MAX_PAGE_SIZE,
    doctorAccessGraceMs: config.DOCTOR_ACCESS_GRACE_HOURS * 3_600_000,
    referenceOf: (aadhaar) => aadhaarReference(config.DOCTEL_PEPPER, parseAadhaar(aadhaar)),
  };

  const label = createOperationLabeler();
  const limiter = createRateLimiter(pool);
  const limits: Record<"anonymous" | "account" | "writes", BucketPolicy> = {
    anonymous: { perMinute: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE },
    account: { perMinute: config.RATE_LIMIT_ACCOUNT_PER_MINUTE },
    writes: { perMinute: config.RATE_LIMIT_WRITES_PER_MINUTE },
  };
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
      inputGuardPlugin(),
      complexityPlugin({
        maxDepth: config.MAX_QUERY_DEPTH,
        maxCost: config.MAX_QUERY_COST,
        maxCostAnonymous: config.MAX_QUERY_COST_ANONYMOUS,
        maxAliases: config.MAX_ALIASES,
        defaultPageSize: config.DEFAULT_PAGE_SIZE,
      }),
      writeLimitPlugin(limiter, limits.writes),
      observabilityPlugin(metrics, label, (ctx, response) =>
        flushAuditBeforeResponse(ctx, response, metrics),
      ),
    ],
  });
  await apollo.start();

  const viewerSource = {
    pool,
    sessionSecret: config.SESSION_SECRET,
    chainId: deployment.chainId,
    accountRateLimit: limits.account,
  };
  const context = async (req: IncomingMessage, requestId: string): Promise<ApiContext> => {
    const now = clock();
    const clientIp = clientIpOf(req, config.TRUSTED_PROXIES);
    const viewer = await resolveViewer(viewerSource, req.headers.authorization, now);
    if (!viewer)
      await limiter.take(`ip:${addressKey(clientIp)}`, limits.anonymous, "requests from this address", now);
    const clientRequestId = clientRequestIdOf(req);
    return {
      requestId,
      clientRequestId,
      clientIp,
      clock,
      viewer,
      prisma,
      pool,
      readPool: reads.pool,
      audit: createRequestAuditLog({ pool, requestId, clientRequestId, viewer: () => viewer }),
      logger,
      loaders: createLoaders(reads.pool) as unknown as Record<string, unknown>,
      settings,
    };
  };
  const graphqlRoute = {
    apollo,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxResponseBytes: (ctx: ApiContext) =>
      ctx.viewer ? config.MAX_RESPONSE_BYTES : config.MAX_RESPONSE_BYTES_ANONYMOUS,
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
  const metricsAccess = createMetricsAccess(config, metrics);
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    const requestId = newRequestId();
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
      await handleReady(reads, config.READ_REPLICA_FALLBACK === "unready", deployment, res);
      return "ready";
    }
    if (path === "/metrics") {
      if (!metricsAccess.onMainPort(req, res)) {
        sendJson(res, 404, {
          error: {
            code: "NOT_FOUND",
            message: "/metrics is not served on this port (METRICS_PORT, METRICS_TOKEN)",
          },
        });
      }
      return "metrics";
    }
    if (path.startsWith("/files/") && (req.method === "GET" || req.method === "HEAD")) {
      const cid = decodePathSegment(path.slice("/files/".length));
      const ctx = await context(req, requestId);
      const scope = requireClinical(ctx, "downloading a file");
      await handleFile(
        { pool: reads.pool, logger, ipfsApiUrl: config.IPFS_API_URL, ipfsTimeoutMs: config.IPFS_TIMEOUT_MS },
        ctx,
        scope,
        cid,
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
        const refusal =
          error instanceof DocTelError && error.code === "FORBIDDEN"
            ? { error, status: 403 }
            : refusalOf(error);
        if (!refusal) logger.error({ err: error, url: req.url?.split("?")[0] }, "request failed");
        if (!res.headersSent) {
          const code = refusal ? refusal.error.code : "INTERNAL";
          const message = !refusal
            ? "internal error"
            : code === "DATABASE_UNAVAILABLE"
              ? "the database is unavailable for now: try again shortly"
              : refusal.error.message;
          const retryAfter = refusal && "retryAfter" in refusal ? refusal.retryAfter : undefined;
          sendJson(
            res,
            refusal?.status ?? 500,
            { error: { code, message } },
            retryAfter !== undefined ? { "retry-after": String(retryAfter) } : {},
          );
        } else {
          res.destroy();
        }
      })
      .finally(() => {
        if (name !== "graphql") metrics.http.inc({ route: name, status: String(res.statusCode) });
      });
  });
  server.keepAliveTimeout = 65_000;
  const { port, url } = await listenOn(server, config.PORT, config.HOST);
  const analyticsJobs = startAnalyticsJobs({
    pool,
    databaseUrl: config.DATABASE_URL,
    logger,
    settings,
    publicationIntervalSeconds: config.PUBLICATION_INTERVAL_SECONDS,
    registry: metrics.registry,
  });
  // Expired nonces and sessions, and idle (full) rate-limit buckets, go within a minute.
  const prune = async () => {
    const now = clock();
    const [nonces, sessions, buckets] = await Promise.all([
      pruneNonces(prisma, now),
      pruneSessions(prisma, now),
      pruneBuckets(prisma, now),
    ]);
    if (nonces + sessions + buckets > 0) logger.debug({ nonces, sessions, buckets }, "pruned");
  };
  const pruneTimer = setInterval(() => {
    prune().catch((error: unknown) =>
      logger.warn({ err: error }, "pruning expired nonces and sessions failed"),
    );
  }, PRUNE_INTERVAL_MS);
  pruneTimer.unref();
  const metricsServer = await metricsAccess.listen(logger);
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
    metricsUrl: metricsServer?.url ?? null,
    close() {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        await reads.close();
        await metricsServer?.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        await closed;
        clearTimeout(force);
        await analyticsJobs.stop();
        await apollo.stop();
      })();
      return closing;
    },
  };
}
