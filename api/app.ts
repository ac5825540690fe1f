// Builds the HTTP API without listening, so tests drive it with inject() and server.ts listens.
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { TaskIndex } from '../inbox/task-index';
import type { ProcessDefinition } from '../workflows/engine/process-definition';
import { catalogue } from '../platform/process-catalogue';
import { Roster } from '../inbox/roster';
import { ProcessRuns } from './process-runs';
import { clientErrorHandler, frameworkErrors, problemHandler } from './plugins/problem-handler';
import rateLimit from '@fastify/rate-limit';
import { authentication } from './plugins/authentication';
import type { TokenVerifier } from './auth/token-verifier';
import type { ApiKeys } from './auth/api-keys';
import { healthRoutes } from './routes/health';
import { processRoutes } from './routes/processes';
import { runRoutes } from './routes/runs';
import { runSearchRoutes } from './routes/run-search';
import { RunFinder } from './run-finder';
import { queueRoutes } from './routes/tasks';
import { taskActionRoutes } from './routes/task-actions';
import { taskBotRoutes } from './routes/task-bots';
import { AttendedDesk } from './attended/attended-desk';
import { TaskDesk } from './task-desk';
import { TaskFeed } from '../inbox/task-feed';
import { InboxKeeper } from '../inbox/rebuild';
import { VisibilityInbox } from '../inbox/visibility-inbox';
import { QueueReader } from './queue-reader';
import { ArtifactStore } from '../activities/artifacts';
import { loadConfig } from '../platform/config';
import { auditRoutes } from './routes/audit';
import { artifactRoutes } from './routes/artifacts';
import { inboxPageRoutes } from './routes/inbox-page';
import { clientAuditRoutes } from './routes/client-audit';
import { AccessLog } from './audit/access-log';
import { codecRoutes } from './routes/codec';
import { scheduleRoutes } from './routes/schedules';
import { batchRoutes } from './routes/batches';
import { ItemBatches } from './item-batches';
import { ProcessSchedules } from './schedules/process-schedules';
import { webhookRoutes, type WebhookRoutesOptions } from './routes/webhooks';
import { WebhookSubscriptions } from '../notifications/subscriptions';
import { SubscriptionRegistry } from '../notifications/subscription-registry';
import { DeliveryQueue } from '../notifications/delivery-queue';
import { webhookMasterKey } from '../notifications/webhook-key';
import { logContext, observabilityRoutes } from './routes/observability';
import { createApiMetrics } from '../platform/metrics/api-metrics';
import type { Dependencies } from '../platform/dependencies/outage';
import { watchDependencies } from '../platform/dependencies/watch';
import { dependencyMetrics } from '../platform/metrics/dependency-metrics';
import { ClientOversight } from './client-oversight';
import { clientOversightRoutes } from './routes/client-oversight';
import { QaPolicies, type QaDefaults } from './qa-policies';
import { qaPolicyRoutes } from './routes/qa-policies';
import { clientRoutes } from './routes/clients';
import { ClientDirectory } from '../platform/clients';

export interface ApiDeps {
  temporal: Client;
  index: TaskIndex;
  roster?: Roster;
  processes?: readonly ProcessDefinition[];
  logger?: Logger | false;
  /** Where bots leave screenshots and traces; defaults to the configured artifacts folder. */
  artifacts?: ArtifactStore;
  auth: { tokens: TokenVerifier; apiKeys: ApiKeys };
  /** Requests per minute per caller (token subject, API key or address). Default 1200. */
  ratePerMinute?: number;
  /** `/metrics`: bearer token wanted (none: open) and how long readings of Temporal and Redis are
   *  reused; default from TANDEM_METRICS_TOKEN and TANDEM_METRICS_CACHE_MS. */
  metrics?: { token?: string; cacheMs?: number };
  /** Webhook subscriptions and deliveries; default: on the index's Redis and prefix, with the configured master key. */
  webhooks?: WebhookRoutesOptions;
  /** The circuits of Temporal and Redis (api/server.ts makes them with its connections, so known
   *  outages are refused before any call); default: circuits watching `temporal` and `index.redis`. */
  dependencies?: Dependencies;
  /** Service levels, KPIs and reports; default: an in-memory reporting store fed from Temporal on demand. */
  oversight?: ClientOversight;
  /** Whether clients without a changed QA policy sample by their process's declared default
   *  (`declared`, the default) or not at all (`off`); default from TANDEM_QA_DEFAULTS. */
  qaDefaults?: QaDefaults;
  /** Client display names; default ClientDirectory.load() (TANDEM_CLIENTS_FILE, else the demo's). */
  clients?: ClientDirectory;
}

export const API_VERSION = '0.1.0';

type OpenApiDoc = { paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> };

/** Error replies are sent as application/problem+json; say so in the document too. */
function problemContentTypes<T extends OpenApiDoc>(doc: T): T {
  for (const operations of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const [code, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (/^[45]/.test(code) && json) response.content = { 'application/problem+json': json };
      }
    }
  }
  return doc;
}

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: 256 * 1024,
    requestIdHeader: 'x-request-id',
    // Above every documented path parameter's maxLength (task ids: 220), so the route's schema
    // answers a too-long id with a 400 naming the field; past this, a problem+json 414.
    routerOptions: { maxParamLength: 256 },
    frameworkErrors,
    clientErrorHandler,
    http: { requireHostHeader: false }, // refused in the problem handler instead, as problem+json
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tandem API',
        version: API_VERSION,
        description: 'Start process runs, follow them, and decide their human tasks. Errors are application/problem+json.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) => problemContentTypes((documentObject as { openapiObject: OpenApiDoc }).openapiObject) as never,
  });
  const dependencies = deps.dependencies ?? watchDependencies(deps.temporal, deps.index.redis, deps.logger || undefined);
  if (!deps.dependencies) app.addHook('onClose', () => (dependencies as ReturnType<typeof watchDependencies>).stop());
  await app.register(problemHandler, { dependencies });
  // Before authentication, so refused requests on a run or task are logged with its id too.
  await app.register(logContext);
  const roster = deps.roster ?? Roster.load();
  await app.register(rateLimit, {
    max: deps.ratePerMinute ?? 1200,
    timeWindow: '1 minute',
    // Per caller, not per address: an operator floor shares one address.
    keyGenerator: (request) => String(request.headers.authorization ?? request.headers['x-api-key'] ?? request.ip).slice(-48),
    errorResponseBuilder: (_request, context) => ({
      type: 'urn:tandem:problem:rate-limited',
      title: 'Too many requests',
      status: 429,
      detail: `At most ${context.max} requests per minute; retry in ${Math.ceil(context.ttl / 1000)} s`,
    }),
  });
  const accessLog = new AccessLog(deps.index.redis, deps.index.prefix);
  await app.register(authentication, { ...deps.auth, accessLog });

  const processes = deps.processes ?? catalogue.processes;
  const qaDefaults = deps.qaDefaults ?? (process.env.TANDEM_QA_DEFAULTS === 'off' ? 'off' : 'declared');
  // Records of this deployment, apart from another's on the same namespace (as its Redis keys are).
  const qaPolicies = new QaPolicies(deps.temporal, processes, { scope: deps.index.prefix, defaults: qaDefaults });
  const runs = new ProcessRuns(deps.temporal, qaPolicies);
  const metricsSettings = deps.metrics ?? loadConfig().metrics;
  const metrics = createApiMetrics({
    temporal: deps.temporal,
    index: deps.index,
    processes: processes.map((p) => p.name),
    clients: roster.operators().flatMap((o) => o.clients),
    teams: roster.operators().flatMap((o) => o.teams),
    cacheMs: metricsSettings.cacheMs,
    log: deps.logger || undefined,
  });
  await app.register(healthRoutes);
  dependencyMetrics(metrics.registry, [dependencies.temporal, dependencies.redis]);
  await app.register(observabilityRoutes, { dependencies, metrics: metrics.registry, metricsToken: metricsSettings.token });
  await app.register(processRoutes, { processes, runs });
  await app.register(runRoutes, { runs, processes });
  await app.register(runSearchRoutes, { finder: new RunFinder(deps.temporal, processes.map((p) => p.workflowType)), processes });
  const desk = new TaskDesk(deps.temporal, deps.index, deps.logger || undefined, metrics.tasks);
  const feed = new TaskFeed(deps.index);
  const keeper = new InboxKeeper(deps.temporal, deps.index, (report) => app.log.info({ report }, 'inbox index rebuilt from Temporal'));
  app.addHook('onClose', () => feed.close());
  const reader = new QueueReader(deps.index, keeper, new VisibilityInbox(deps.temporal), dependencies, deps.logger || undefined);
  await app.register(queueRoutes, { desk, feed, reader });
  await app.register(taskActionRoutes, { desk, runs, roster });
  await app.register(taskBotRoutes, { attended: new AttendedDesk(deps.temporal, desk, deps.index) });
  // Read-only resources (audit trail, artifacts) and the web inbox page.
  await app.register(auditRoutes, { temporal: deps.temporal });
  await app.register(clientAuditRoutes, { temporal: deps.temporal, accessLog });
  await app.register(artifactRoutes, { temporal: deps.temporal, artifacts: deps.artifacts ?? new ArtifactStore(loadConfig().artifactsDir) });
  await app.register(inboxPageRoutes);
  await app.register(codecRoutes, { temporal: deps.temporal, uiUrl: loadConfig().temporal.uiUrl });
  await app.register(scheduleRoutes, { schedules: new ProcessSchedules(deps.temporal, { processes: deps.processes }) });
  await app.register(batchRoutes, { batches: new ItemBatches(deps.temporal) });
  const webhooks = deps.webhooks ?? defaultWebhooks(deps.index, deps.temporal);
  if (!deps.webhooks) app.addHook('onClose', () => webhooks.deliveries.close());
  await app.register(webhookRoutes, webhooks);
  const oversight = deps.oversight ?? (await ClientOversight.open(deps.temporal, processes));
  if (!deps.oversight) app.addHook('onClose', () => oversight.close());
  await app.register(clientOversightRoutes, { oversight });
  await app.register(qaPolicyRoutes, { qaPolicies });
  await app.register(clientRoutes, { directory: deps.clients ?? ClientDirectory.load() });
  app.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
  return app as unknown as FastifyInstance;
}

/** Webhooks kept in Temporal and mirrored on the index's Redis; the BullMQ queue connects on first use (building the OpenAPI document never does). */
function defaultWebhooks(index: TaskIndex, temporal: Client): WebhookRoutesOptions {
  let key: string | undefined;
  return {
    subscriptions: new WebhookSubscriptions(index.redis, { prefix: index.prefix, registry: new SubscriptionRegistry(temporal) }),
    deliveries: new DeliveryQueue(index.redis, { prefix: index.prefix }),
    masterKey: () => (key ??= webhookMasterKey(loadConfig().webhooks)),
  };
}
