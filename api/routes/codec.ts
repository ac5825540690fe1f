// The Temporal UI's remote codec (`temporal server start-dev --ui-codec-endpoint <api>/codec`): the
// UI posts the payloads it shows to /codec/decode and lets the API's own codecs (payload
// encryption) turn them back into JSON, for callers whose role may read payloads. The shape is
// Temporal's remote codec protocol, not ours.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { PayloadDecodeError } from '../../platform/payload-codec';
import { PAYLOAD_READERS } from '../auth/route-roles';
import { problems } from '../problems';
import { withProblems } from './responses';

export interface CodecRoutesOptions {
  /** Its data converter's codecs are the ones used: the endpoint decodes what the API reads. */
  temporal: Client;
  /** The Temporal UI; its origin may call the endpoint from the browser (CORS). */
  uiUrl?: string;
}

export const MAX_CODEC_PAYLOADS = 100;
export const MAX_CODEC_BODY_BYTES = 4 * 1024 * 1024;
// What the UI sends: its namespace, and the user's access token when the UI is set to pass it.
const ALLOWED_HEADERS = 'authorization, content-type, x-namespace, x-api-key';

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Not base64');
/** A Payload in proto JSON: bytes as base64. */
const JsonPayload = z.object({ metadata: z.record(z.string(), Base64).nullish(), data: Base64.nullish() });
type JsonPayload = z.infer<typeof JsonPayload>;
const CodecBody = z.object({ payloads: z.array(JsonPayload).max(MAX_CODEC_PAYLOADS) });
const CodecReply = z.object({ payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string().optional() })) });
const CodecHeaders = z.object({ 'x-namespace': z.string().max(255).optional().describe('The namespace the UI is showing') });
const SUMMARIES = {
  decode: 'Decode payloads (decrypt them) for the Temporal UI',
  encode: 'Encode payloads (encrypt them) for the Temporal UI',
};

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(data ?? '', 'base64'),
});
const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  ...(data?.length ? { data: Buffer.from(data).toString('base64') } : {}),
});

/** Decodes one payload through every codec (in reverse, as the SDK does); a bad one is the caller's 400. */
async function decodeOne(codecs: readonly PayloadCodec[], payload: Payload, index: number): Promise<Payload> {
  let decoded = [payload];
  try {
    for (let i = codecs.length - 1; i >= 0; i--) decoded = await codecs[i]!.decode(decoded);
  } catch (err) {
    if (!(err instanceof PayloadDecodeError)) throw err;
    throw problems.invalidRequest([{ field: `body.payloads.${index}`, message: err.message }], 'A payload cannot be decoded with the keys this API holds');
  }
  return decoded[0]!;
}

async function encodeAll(codecs: readonly PayloadCodec[], payloads: Payload[]): Promise<Payload[]> {
  let encoded = payloads;
  for (const codec of codecs) encoded = await codec.encode(encoded);
  return encoded;
}

export const codecRoutes: FastifyPluginAsyncZod<CodecRoutesOptions> = async (app, { temporal, uiUrl }) => {
  const uiOrigin = uiUrl ? new URL(uiUrl).origin : undefined;
  // Read per request: the OpenAPI generator builds the app around a stand-in client.
  const codecs = (): readonly PayloadCodec[] => temporal.options.loadedDataConverter.payloadCodecs;

  // onSend, not onRequest: refusals (401, 403, 400) carry the CORS headers too, so the UI can show them.
  app.addHook('onSend', async (request, reply) => {
    reply.header('vary', 'Origin');
    if (uiOrigin && request.headers.origin === uiOrigin) {
      reply.header('access-control-allow-origin', uiOrigin).header('access-control-allow-credentials', 'true');
    }
  });

  for (const operation of ['decode', 'encode'] as const) {
    const url = `/codec/${operation}`;
    app.options(url, { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.code(204).header('access-control-allow-methods', 'POST').header('access-control-allow-headers', ALLOWED_HEADERS).header('access-control-max-age', '600').send(),
    );
    app.post(
      url,
      {
        config: { auth: { roles: PAYLOAD_READERS } },
        bodyLimit: MAX_CODEC_BODY_BYTES,
        schema: {
          summary: SUMMARIES[operation],
          description: `The Temporal UI's remote codec protocol: payloads in proto JSON (bytes as base64), at most ${MAX_CODEC_PAYLOADS} and 4 MiB a request.`,
          tags: ['codec'],
          headers: CodecHeaders,
          body: CodecBody,
          response: withProblems({ 200: CodecReply }),
        },
      },
      async (request) => {
        const payloads = request.body.payloads.map(fromJson);
        const done =
          operation === 'decode' ? await Promise.all(payloads.map((p, i) => decodeOne(codecs(), p, i))) : await encodeAll(codecs(), payloads);
        // Who read payloads, never what they read.
        request.log.info({ operation, by: request.actor().operatorId, namespace: request.headers['x-namespace'], payloads: payloads.length }, 'payload codec used');
        return { payloads: done.map(toJson) };
      },
    );
  }
};
