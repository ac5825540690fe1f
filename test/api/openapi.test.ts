// The committed OpenAPI document must be what the schemas generate (run `npm run openapi`).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../api/openapi';

describe('api/openapi.json', () => {
  it('is up to date with the route schemas', async () => {
    const committed = JSON.parse(await readFile(new URL('../../api/openapi.json', import.meta.url), 'utf8'));
    expect(committed, 'api/openapi.json is stale: run `npm run openapi` and commit it').toEqual(await openApiDocument());
  });

  it('documents every process start with its input schema and problem+json errors', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, any>> };
    const start = doc.paths['/processes/claim-review/runs']!.post;
    const body = start.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['client', 'claimRef']));
    expect(Object.keys(start.responses)).toEqual(expect.arrayContaining(['201', '4XX']));
    expect(doc.paths['/tasks/{taskId}/complete']!.post.responses['4XX'].content).toHaveProperty(['application/problem+json']);
  });
});
