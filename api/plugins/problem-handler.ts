// One error handler for the whole API: schema failures become 400 with the offending fields,
// ProblemErrors are sent as they are, anything else is a 500 that leaks no internals.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ProblemError, problems, type Problem } from '../problems';
import { outageOf, type Dependencies } from '../../platform/dependencies/outage';

function send(reply: FastifyReply, problem: Problem, instance: string) {
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ ...problem, instance: problem.instance ?? instance });
}

export const problemHandler = fp<{ dependencies?: Partial<Dependencies> }>(async (app, { dependencies }) => {
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof ProblemError) return send(reply, err.problem, request.url);
    // An outage is never a 500: 503 naming the dependency, with Retry-After.
    const outage = outageOf(err, dependencies);
    if (outage) {
      reply.header('retry-after', String(outage.retryAfterS));
      return send(reply, problems.dependencyUnavailable(outage).problem, request.url);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const part = (err as { validationContext?: string }).validationContext ?? 'body';
      const issues = err.validation.map((v) => ({
        field: [part, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'Invalid value',
      }));
      return send(reply, problems.invalidRequest(issues).problem, request.url);
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, wrong content type, body too large.
      return send(reply, { type: `urn:tandem:problem:${(err as { code?: string }).code ?? 'bad-request'}`, title: (err as Error).message, status }, request.url);
    }
    request.log.error({ err }, 'unhandled error');
    return send(reply, problems.internal('Something went wrong on our side; the request id is ' + request.id).problem, request.url);
  });
  // A known path with another method is 405 with Allow, before any body is parsed (a QUERY or
  // TRACE would otherwise be refused for its content type first).
  const staticRoutes = new Map<string, string[]>();
  app.addHook('onRoute', ({ url, method }) => {
    if (/[:*]/.test(url)) return;
    const methods = staticRoutes.get(url) ?? [];
    for (const m of [method].flat()) if (!methods.includes(m)) methods.push(m);
    staticRoutes.set(url, ROUTE_METHODS.filter((m) => methods.includes(m)));
  });
  app.addHook('onRequest', async (request, reply) => {
    // The server lets HTTP/1.1 requests without Host through (requireHostHeader: false, in app.ts)
    // so that refusing them is a problem+json like every other error.
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      reply.header('connection', 'close');
      throw new ProblemError({ type: 'urn:tandem:problem:missing-host', title: 'Bad request', status: 400, detail: 'An HTTP/1.1 request needs a Host header' });
    }
    const path = request.url.split('?')[0]!;
    // A static path is its own resource even where a parametric route also matches it:
    // GET /tasks/bulk-complete is not GET /tasks/{taskId}.
    const statics = staticRoutes.get(path);
    if (request.routeOptions.url && (!statics || request.routeOptions.url === path)) return;
    const allow = statics ?? ROUTE_METHODS.filter((method) => app.findRoute({ method, url: path }));
    if (allow.length === 0) return;
    reply.header('allow', allow.join(', '));
    throw new ProblemError({ type: 'urn:tandem:problem:method-not-allowed', title: 'Method not allowed', status: 405, detail: `${path} answers ${allow.join(', ')}` });
  });
  app.setNotFoundHandler((request, reply) => send(reply, problems.notFound(`No route ${request.method} ${request.url}`).problem, request.url));
});

const ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Fastify's `frameworkErrors`: errors met while routing, before any handler or hook (a malformed
 * percent-encoding in the path, a path parameter over `maxParamLength`), as problem+json too.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
  const title = status === 414 ? 'Path parameter too long' : status === 400 ? 'Malformed URL' : 'Internal error';
  return send(reply, { type: `urn:tandem:problem:${err.code}`, title, status, detail: err.message }, request.url);
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses (malformed request line,
 * headers too large, request timeout) never reach a route; answer them as problem+json and close.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const slug = status === 408 ? 'request-timeout' : status === 431 ? 'headers-too-large' : 'malformed-request';
  const body = JSON.stringify({ type: `urn:tandem:problem:${slug}`, title: STATUS_CODES[status], status });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
