// One error handler for the whole API: schema failures become 400 with the offending fields,
// ProblemErrors are sent as they are, anything else is a 500 that leaks no internals.
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ProblemError, problems, type Problem } from '../problems';

function send(reply: import('fastify').FastifyReply, problem: Problem, instance: string) {
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ ...problem, instance: problem.instance ?? instance });
}

export const problemHandler = fp(async (app) => {
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof ProblemError) return send(reply, err.problem, request.url);
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
  app.setNotFoundHandler((request, reply) => send(reply, problems.notFound(`No route ${request.method} ${request.url}`).problem, request.url));
});
