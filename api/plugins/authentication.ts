// Authentication and role checks for every route, in one place. Routes are closed by default:
// a route is public only if it says `config: { auth: 'public' }`, and it names the roles that may
// call it with `config: { auth: { roles } }`. Client and team scope is checked where the resource
// is read (a task or run of another client answers 404, never 403, so nothing can be enumerated),
// and again inside the run's Update validator.
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { ApiKeys } from '../auth/api-keys';
import type { AccessLog } from '../audit/access-log';
import { actorOf, hasAnyRole, type Principal, type Role } from '../auth/principal';
import { InvalidToken, type TokenVerifier } from '../auth/token-verifier';
import type { Actor } from '../../workflows/engine/messages';
import { problems } from '../problems';

export const API_KEY_HEADER = 'x-api-key';

export type RouteAuth = 'public' | { roles: readonly Role[]; /** EventSource cannot send headers: accept ?access_token= */ queryToken?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** The authenticated caller (throws 401 on a public route without credentials). */
    principal(): Principal;
    /** The caller as the identity carried into Updates. */
    actor(): Actor;
    /** Notes that this request read or changed data of these clients (for their access records). */
    touchClient(...clients: string[]): void;
  }
}

const PRINCIPAL = Symbol('principal');
const TOUCHED = Symbol('touched clients');
type WithPrincipal = FastifyRequest & { [PRINCIPAL]?: Principal; [TOUCHED]?: Set<string> };

export const authentication = fp<{ tokens: TokenVerifier; apiKeys: ApiKeys; accessLog?: AccessLog }>(async (app, { tokens, apiKeys, accessLog }) => {
  app.decorateRequest('principal', function (this: WithPrincipal): Principal {
    const principal = this[PRINCIPAL];
    if (!principal) throw problems.unauthenticated('Send a bearer token or an API key');
    return principal;
  });
  app.decorateRequest('actor', function (this: FastifyRequest): Actor {
    return actorOf(this.principal());
  });
  app.decorateRequest('touchClient', function (this: WithPrincipal, ...clients: string[]): void {
    this[TOUCHED] ??= new Set();
    for (const client of clients) this[TOUCHED].add(client);
  });

  app.addHook('onResponse', async (request: WithPrincipal, reply) => {
    const principal = request[PRINCIPAL];
    const touched = request[TOUCHED];
    if (!accessLog || !principal || !touched?.size) return;
    const record = {
      at: new Date().toISOString(),
      principal: principal.id,
      kind: principal.kind,
      roles: principal.roles,
      method: request.method,
      route: request.routeOptions.url ?? request.url,
      // The query may hold a token (EventSource): never keep it.
      url: request.url.split('?')[0]!,
      status: reply.statusCode,
      ip: request.ip,
      requestId: request.id,
    };
    // Access records must never fail or slow a request: Redis down loses the record, not the call.
    await accessLog.record(touched, record).catch((err: unknown) => request.log.warn({ err }, 'access record not written'));
  });

  app.addHook('onRequest', async (request: WithPrincipal, reply) => {
    const auth = request.routeOptions.config?.auth;
    if (!request.routeOptions.url || auth === 'public') return;
    reply.header('www-authenticate', 'Bearer');
    const principal = await authenticate(request, tokens, apiKeys, auth?.queryToken ?? false);
    const roles = auth?.roles;
    if (roles && !hasAnyRole(principal, roles)) {
      throw problems.forbidden(`This needs one of the roles ${roles.join(', ')}; ${principal.id} has ${principal.roles.join(', ') || 'none'}`);
    }
    request[PRINCIPAL] = principal;
  });
});

async function authenticate(request: FastifyRequest, tokens: TokenVerifier, apiKeys: ApiKeys, queryToken: boolean): Promise<Principal> {
  const apiKey = header(request, API_KEY_HEADER);
  if (apiKey) {
    const principal = apiKeys.find(apiKey);
    if (!principal) throw problems.unauthenticated('Unknown API key', { field: `headers.${API_KEY_HEADER}` });
    return principal;
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '')?.[1];
  const token = bearer ?? (queryToken ? (request.query as { access_token?: string }).access_token : undefined);
  if (!token) throw problems.unauthenticated('Send a bearer token (Authorization: Bearer …) or an API key (X-Api-Key)', { field: 'headers.authorization' });
  try {
    return await tokens.verify(token);
  } catch (err) {
    if (err instanceof InvalidToken) throw problems.unauthenticated(err.message, { field: 'headers.authorization' });
    throw err;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
