// The web pages: the operators' inbox and the clients' portal, each one HTML page over shared plain
// ES modules, served as files (no build step). The pages talk to the same JSON API as everyone
// else, so they need no routes of their own beyond these.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));
const requireFile = createRequire(import.meta.url).resolve;
const JSON_EDITOR_FILE = requireFile('@json-editor/json-editor/dist/jsoneditor.js');
// chart.js's package exports do not list its UMD file: resolve the package, then its dist folder.
const CHART_JS_DIR = dirname(requireFile('chart.js'));

// Everything comes from us: the page must work on an operator floor with no outside network, and a
// task's context (client data) must not be able to pull in or send anything elsewhere. JSONEditor
// sets inline styles on its controls, hence 'unsafe-inline' for styles only.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const inboxPageRoutes: FastifyPluginAsync = async (app) => {
  // Encapsulated (no fastify-plugin): the headers, the reply decorator and this hook stay on these
  // routes. The page and its assets hold no data (every API call carries the operator's token).
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), auth: 'public' };
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  await app.register(fastifyStatic, { root: `${PUBLIC_DIR}/assets`, prefix: '/inbox/assets/', index: false });

  app.get('/inbox', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html', PUBLIC_DIR));
  app.get('/inbox/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/inbox'));
  app.get('/inbox/assets/vendor/jsoneditor.js', { schema: { hide: true } }, (_request, reply) =>
    reply.sendFile('jsoneditor.js', dirname(JSON_EDITOR_FILE)),
  );
  // The client portal: a client's own people sign in with their token and see their clients only.
  app.get('/portal', { schema: { hide: true } }, (_request, reply) => reply.sendFile('portal.html', PUBLIC_DIR));
  app.get('/portal/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/portal'));
  app.get('/inbox/assets/vendor/chart.umd.min.js', { schema: { hide: true } }, (_request, reply) => reply.sendFile('chart.umd.min.js', CHART_JS_DIR));
};
