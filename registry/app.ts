/**
 * The registry as a fastify app, without a socket: server.ts listens with it, tests may `inject()` into it.
 * Health is open; everything else sits in one scope behind the bearer-token hook, so a new route cannot be
 * added without authentication by accident.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { silentLogger, type Logger } from '../main/log';
import { LIMITS, PATHS } from '../main/contract/registry/api';
import { SERIAL_PATH_CHARS } from '../main/contract/registry/record';
import { bearerAuth } from './auth';
import { ApiError, errorBody, errorHandler } from './http';
import { clientErrorHandler, frameworkErrors, httpEdgeHooks } from './http-edge';
import { PATH_METHODS, routePath } from './paths';
import type { RegistryRepository } from './repository';
import { bundleRoutes } from './routes-bundles';
import { recordRoutes } from './routes-records';
import { dashboardRoutes } from './dashboard';
import { fleetRepositoryFor } from './fleet';
import { fleetRoutes } from './routes-fleet';
import { releaseRepositoryFor } from './releases-open';
import { releaseRoutes } from './routes-releases';
import { revocationRepositoryFor } from './revocations-open';
import { revocationRoutes } from './routes-revocations';

const ALL_METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface RegistryAppOptions {
  /** Where everything is kept (SqliteRepository or PostgresRepository); the app never closes it. */
  repository: RegistryRepository;
  logger?: Logger;
  /** Byte limit of a batch (and of any other JSON body); default LIMITS.batchBytes. */
  maxBodyBytes?: number;
  /** Byte limit of a bundle; default LIMITS.bundleBytes. */
  maxBundleBytes?: number;
  /** Clock for receivedAt and created times (tests). */
  now?: () => Date;
}

export async function buildRegistryApp(options: RegistryAppOptions): Promise<FastifyInstance> {
  const { repository } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const bodyLimit = options.maxBodyBytes ?? LIMITS.batchBytes;

  // fastify's own logger stays off: requests are logged through ours (below), which redacts, and which never
  // sees the Authorization header at all. Every answer fastify or Node would give in its own format goes through
  // http-edge.ts instead; the longest path parameter is a serial of the most characters the API takes.
  const app = Fastify({
    logger: false,
    bodyLimit,
    return503OnClosing: false,
    routerOptions: { maxParamLength: SERIAL_PATH_CHARS },
    frameworkErrors,
    clientErrorHandler,
  });
  app.setErrorHandler(errorHandler(logger, repository));
  httpEdgeHooks(app);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody('NOT_FOUND', `no such endpoint: ${request.method} ${request.url.split('?')[0]}`));
  });
  app.addHook('onResponse', async (request, reply) => {
    const fields = { method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 500) logger.warn('request', fields);
    else logger.debug('request', fields);
  });

  app.get(PATHS.health, async () => ({ status: 'ok' as const }));
  // The dashboard's files hold no data (that comes from the authenticated routes), so they need no token.
  dashboardRoutes(app);

  await app.register(async (authed) => {
    authed.addHook('onRequest', bearerAuth(repository));
    // fastify parses text/plain bodies by default; every body here is JSON (or a raw bundle), so anything else
    // is a 415 rather than a string that fails validation with a puzzling message.
    authed.removeContentTypeParser('text/plain');
    recordRoutes(authed, { repository, now, batchBodyBytes: bodyLimit });
    bundleRoutes(authed, { repository, now, bundleBodyBytes: options.maxBundleBytes ?? LIMITS.bundleBytes });
    fleetRoutes(authed, { fleet: fleetRepositoryFor(repository), now });
    releaseRoutes(authed, { releases: releaseRepositoryFor(repository), now });
    revocationRoutes(authed, { revocations: revocationRepositoryFor(repository), now });
  });

  // Any other method on a known path is a 405 with an Allow header, not a 404 that suggests a wrong URL.
  for (const [path, allowed] of Object.entries(PATH_METHODS)) {
    const others = ALL_METHODS.filter((m) => !(allowed as readonly string[]).includes(m));
    app.route({
      method: others,
      url: routePath(path),
      handler: async () => {
        throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${path} answers ${allowed.join(', ')}`, { allow: allowed.join(', ') });
      },
    });
  }
  return app;
}
