import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionStore } from '../shared/sessions';
import { sendHtml, sessionGuard, signInRoutes } from '../shared/sign-in';
import { MAX_REFERENCE_LENGTH, readFormValues, validateAdjudication } from './adjudication-form';
import type { ClaimBook } from './claim-book';
import type { AdjudicationLedger } from './ledger';
import { claimDetailPage, claimNotFoundPage, claimsListPage, confirmationPage, loginPage } from './pages';
import type { QuirkState } from './quirks';
import { findLogin } from './seed';
import type { SeedLogin } from './types';

export const SESSION_COOKIE = 'claims_session';

export interface UiDeps {
  book: ClaimBook;
  ledger: AdjudicationLedger;
  sessions: SessionStore<SeedLogin>;
  quirks: QuirkState;
}

const ClaimParams = z.object({ ref: z.string().min(1).max(64) });
const AdjudicationParams = ClaimParams.extend({ confirmation: z.string().min(1).max(32) });

export const uiRoutes: FastifyPluginAsyncZod<UiDeps> = async (app, { book, ledger, sessions, quirks }) => {
  const cookie = { cookieName: SESSION_COOKIE, sessions, sessionTtlMs: () => quirks.current.sessionTtlMs };
  const authenticate = sessionGuard(cookie);
  await app.register(signInRoutes({ ...cookie, home: '/claims', findLogin, loginPage, sessionsPerUser: () => quirks.current.sessionsPerUser }));

  app.get(
    '/claims',
    { schema: { querystring: z.object({ q: z.string().max(200).default(''), page: z.coerce.number().int().min(1).catch(1).default(1) }) } },
    async (request, reply) => {
      const login = authenticate(request, reply, request.url);
      if (!login) return reply;
      const { q, page } = request.query;
      const result = book.search(login.tenant, q, page);
      return sendHtml(reply, 200, claimsListPage({ login, q, ...result }));
    },
  );

  app.get('/claims/:ref', { schema: { params: ClaimParams } }, async (request, reply) => {
    const login = authenticate(request, reply, request.url);
    if (!login) return reply;
    const claim = book.get(login.tenant, request.params.ref);
    if (!claim) return sendHtml(reply, 404, claimNotFoundPage(login, request.params.ref));
    return sendHtml(reply, 200, claimDetailPage({ login, claim }));
  });

  app.post('/claims/:ref/adjudicate', { schema: { params: ClaimParams } }, async (request, reply) => {
    const { ref } = request.params;
    // A POST cannot be replayed through a redirect: send the user back to the claim instead.
    const login = authenticate(request, reply, `/claims/${encodeURIComponent(ref)}`);
    if (!login) return reply;
    const claim = book.get(login.tenant, ref);
    if (!claim) return sendHtml(reply, 404, claimNotFoundPage(login, ref));

    const values = readFormValues(request.body);
    const result = validateAdjudication(values, claim.amountCents);
    if (!result.ok) return sendHtml(reply, 422, claimDetailPage({ login, claim, values, errors: result.errors }));

    const entry = await ledger.append({ tenant: login.tenant, claimRef: claim.claimRef, ...result.value });
    request.log.info({ claimRef: entry.claimRef, confirmation: entry.confirmation }, 'adjudication recorded');
    // Recorded first, answered later: the window in which a caller's timeout loses the confirmation.
    const delayMs = quirks.current.submitResponseDelayMs;
    if (delayMs > 0) await sleep(delayMs);
    return sendHtml(reply, 200, confirmationPage(login, entry));
  });

  // Reversing an adjudication: a line of its own in the ledger (`REV-…`, `reverses` the ADJ-…),
  // never an edit. Like the adjudication it records whatever it is sent, once per submit; only a
  // second reversal of the same adjudication is refused, as a real claims system would.
  app.post('/claims/:ref/adjudications/:confirmation/reverse', { schema: { params: AdjudicationParams } }, async (request, reply) => {
    const { ref, confirmation } = request.params;
    const login = authenticate(request, reply, `/claims/${encodeURIComponent(ref)}`);
    if (!login) return reply;
    const claim = book.get(login.tenant, ref);
    const target = claim?.adjudications.find((a) => a.confirmation === confirmation);
    if (!claim || !target) return sendHtml(reply, 404, claimNotFoundPage(login, `${ref} / ${confirmation}`));
    const values = readFormValues(request.body);
    const reason = values.reason.trim();
    const reference = values.reference.trim();
    const errors = {
      ...(target.reversal ? { decision: `Already reversed as ${target.reversal.confirmation}.` } : {}),
      ...(reason === '' ? { reason: 'A reason is required to reverse an adjudication.' } : {}),
      ...(reference === '' || reference.length > MAX_REFERENCE_LENGTH ? { reference: `Your reference is required (at most ${MAX_REFERENCE_LENGTH} characters).` } : {}),
    };
    if (Object.keys(errors).length > 0) return sendHtml(reply, 422, claimDetailPage({ login, claim, errors }));
    const entry = await ledger.append({
      tenant: login.tenant,
      claimRef: claim.claimRef,
      decision: target.decision,
      amountCents: target.amountCents,
      reason,
      reference,
      reverses: target.confirmation,
    });
    request.log.info({ claimRef: entry.claimRef, confirmation: entry.confirmation, reverses: entry.reverses }, 'reversal recorded');
    return sendHtml(reply, 200, confirmationPage(login, entry));
  });
};
