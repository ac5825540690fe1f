// Resolves the calling operator once per request, for the routes that act as a person.
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../workflows/engine/messages';
import type { Operator, Roster } from '../../inbox/roster';
import { problems } from '../problems';

export const OPERATOR_HEADER = 'x-operator-id';

declare module 'fastify' {
  interface FastifyRequest {
    /** The operator making the call; throws 401 when there is none. `fallbackId` serves clients
     *  that cannot send headers (EventSource). */
    actor(fallbackId?: string): Actor;
    operator(fallbackId?: string): Operator;
  }
}

export const identity = fp<{ roster: Roster }>(async (app, { roster }) => {
  app.decorateRequest('operator', function (this: FastifyRequest, fallbackId?: string): Operator {
    const header = this.headers[OPERATOR_HEADER];
    const operatorId = (Array.isArray(header) ? header[0] : header) ?? fallbackId;
    if (!operatorId) throw problems.unauthenticated(`Send the ${OPERATOR_HEADER} header naming the operator`, { field: `headers.${OPERATOR_HEADER}` });
    const operator = roster.find(operatorId);
    if (!operator) throw problems.unauthenticated(`Unknown operator ${operatorId}`, { field: `headers.${OPERATOR_HEADER}` });
    return operator;
  });
  app.decorateRequest('actor', function (this: FastifyRequest, fallbackId?: string): Actor {
    return roster.actorOf(this.operator(fallbackId));
  });
});
