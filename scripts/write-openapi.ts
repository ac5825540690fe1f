// Writes api/openapi.json from the zod schemas (npm run openapi). A test fails when it is stale.
import { writeFile } from 'node:fs/promises';
import { openApiDocument } from '../api/openapi';

const path = new URL('../api/openapi.json', import.meta.url);
await writeFile(path, JSON.stringify(await openApiDocument(), null, 2) + '\n');
console.log(`wrote ${path.pathname}`);
