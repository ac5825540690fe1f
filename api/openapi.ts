// The OpenAPI document, generated from the route schemas without connecting to anything.
import type { Client } from '@temporalio/client';
import type { TaskIndex } from '../inbox/task-index';
import { buildApp } from './app';
import { ApiKeys } from './auth/api-keys';
import { TokenVerifier } from './auth/token-verifier';
import { DependencyCircuit } from '../platform/dependencies/circuit';

export async function openApiDocument(): Promise<unknown> {
  // Routes only need their dependencies when called; generating the document calls none.
  const auth = { tokens: new TokenVerifier({ secret: 'x'.repeat(32), issuer: 'tandem', audience: 'tandem-api' }), apiKeys: new ApiKeys([]) };
  const idle = (name: 'temporal' | 'redis') => new DependencyCircuit({ name, probe: async () => undefined }); // never started
  const app = await buildApp({ temporal: {} as Client, index: {} as TaskIndex, auth, dependencies: { temporal: idle('temporal'), redis: idle('redis') } });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return doc;
}
