// The OpenAPI document, generated from the route schemas without connecting to anything.
import type { Client } from '@temporalio/client';
import type { TaskIndex } from '../inbox/task-index';
import { buildApp } from './app';

export async function openApiDocument(): Promise<unknown> {
  // Routes only need their dependencies when called; generating the document calls none.
  const app = await buildApp({ temporal: {} as Client, index: {} as TaskIndex });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return doc;
}
