// Artifacts: the screenshots and traces bots leave as evidence, served to operators of the run's
// client only. Keys are `<runId>/<file>`, as the workflows hand them to task contexts.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { ArtifactStore } from '../../activities/artifacts';
import { requireRunInScope } from '../audit/run-scope';
import { problems } from '../problems';
import { RunIdParam } from '../schemas';
import { ARTIFACT_READERS } from '../auth/route-roles';
import { withProblems } from './responses';

export interface ArtifactRoutesOptions {
  artifacts: ArtifactStore;
  temporal: Client;
}

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
const OCTET = 'application/octet-stream';

const ArtifactParams = RunIdParam.extend({
  // No leading dot: neither `.`/`..` nor hidden files, on top of the store's own escape check.
  file: z.string().min(1).max(200).regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, 'Not an artifact file name'),
});
// Streamed, so never serialised: the schema only types the reply and documents the bytes.
const Bytes = { schema: z.custom<Readable>((value) => value instanceof Readable).meta({ type: 'string', format: 'binary' }) };

async function fileSize(path: string): Promise<number | undefined> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw err;
  });
  return info?.isFile() ? info.size : undefined;
}

const ArtifactList = z.object({
  runId: z.string(),
  artifacts: z.array(
    z.object({
      file: z.string(),
      /** `<runId>/<file>`, as task contexts carry it; GET /artifacts/{key} serves it. */
      key: z.string(),
      bytes: z.number().int(),
      savedAt: z.string(),
    }),
  ),
});

export const artifactRoutes: FastifyPluginAsyncZod<ArtifactRoutesOptions> = async (app, { artifacts, temporal }) => {
  app.get(
    '/artifacts/:runId',
    {
      config: { auth: { roles: ARTIFACT_READERS } },
      schema: {
        summary: 'Every piece of evidence a run’s bots left (each failed attempt’s screenshot and trace, screenshots taken on purpose), oldest first',
        tags: ['artifacts'],
        params: RunIdParam,
        response: withProblems({ 200: ArtifactList }),
      },
    },
    async (request) => {
      const { runId } = request.params;
      request.touchClient(await requireRunInScope(temporal, runId, request.actor(), () => problems.runNotFound(`No run ${runId}`)));
      let dir: string;
      try {
        dir = artifacts.pathOf(runId);
      } catch {
        throw problems.invalidRequest([{ field: 'params.runId', message: 'Not a run id' }]);
      }
      const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [] as string[];
        throw err;
      });
      const listed = await Promise.all(
        names.map(async (file) => {
          const info = await stat(`${dir}/${file}`).catch(() => undefined);
          return info?.isFile() ? { file, key: `${runId}/${file}`, bytes: info.size, savedAt: info.mtime.toISOString() } : undefined;
        }),
      );
      const found = listed.filter((a): a is NonNullable<typeof a> => a !== undefined).sort((a, b) => a.savedAt.localeCompare(b.savedAt) || a.file.localeCompare(b.file));
      return { runId, artifacts: found };
    },
  );

  app.get(
    '/artifacts/:runId/:file',
    {
      config: { auth: { roles: ARTIFACT_READERS } },
      schema: {
        summary: 'A bot’s evidence (screenshot, Playwright trace) for operators of the run’s client',
        tags: ['artifacts'],
        params: ArtifactParams,
        response: withProblems({
          200: {
            description: 'The artifact’s bytes',
            content: Object.fromEntries([...new Set([...Object.values(CONTENT_TYPES), OCTET])].map((type) => [type.split(';')[0]!, Bytes])),
          },
        }),
      },
    },
    async (request, reply) => {
      const { runId, file } = request.params;
      const key = `${runId}/${file}`;
      const notFound = () => problems.notFound(`No artifact ${key}`);
      request.touchClient(await requireRunInScope(temporal, runId, request.actor(), notFound));
      let path: string;
      try {
        path = artifacts.pathOf(key);
      } catch {
        throw problems.invalidRequest([{ field: 'params.file', message: 'Not an artifact file name' }]);
      }
      const size = await fileSize(path);
      if (size === undefined) throw notFound();
      return reply
        .type(CONTENT_TYPES[extname(file).toLowerCase()] ?? OCTET)
        .header('content-length', size)
        .header('cache-control', 'private, max-age=300')
        // Evidence is shown as the bytes it is, never sniffed into something a browser would run.
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(path));
    },
  );
};
