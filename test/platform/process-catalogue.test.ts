// A process is its folder: discovery finds every folder with a definition, the bundle entry
// exports each workflow, and the mistakes that used to pass silently (a name typed twice, two
// processes' activities with one name) fail at start with a message naming both sides.
import { mkdtemp, mkdir, writeFile, cp, symlink, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue, ProcessCatalogue, WORKFLOWS_DIR } from '../../platform/process-catalogue';
import { workflowEntry } from '../../workers/workflow-source';
import { mergeActivities } from '../../workers/bot-activities';

const ROOT = join(WORKFLOWS_DIR, '..');
let tree: string;

beforeAll(async () => {
  tree = await mkdtemp(join(tmpdir(), 'tandem-catalogue-'));
  await cp(WORKFLOWS_DIR, join(tree, 'workflows'), { recursive: true });
  // The shared contract the workflow code imports (the ground floor, test/structure/layers.ts).
  await cp(join(ROOT, 'contract'), join(tree, 'contract'), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
});
afterAll(async () => {
  if (tree) await rm(tree, { recursive: true, force: true });
});

/** Writes a small human-only process folder into the copy. */
async function addFolder(folder: string, name = folder): Promise<void> {
  const dir = join(tree, 'workflows', folder);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'schema.ts'),
    `import { z } from 'zod';
import { defineTaskForm } from '../engine/task-form';
export const Input = z.object({ client: z.string(), ref: z.string() });
export const signOff = defineTaskForm({ kind: '${name}.sign-off', title: 'Sign off', decision: z.discriminatedUnion('action', [z.object({ action: z.literal('approve'), data: z.object({}) })]) });
`,
  );
  await writeFile(join(dir, 'workflow.ts'), `export async function vendorInvoice(input: { client: string; ref: string }): Promise<string> { return input.ref; }\n`);
  await writeFile(
    join(dir, 'definition.ts'),
    `import { defineProcess } from '../engine/process-definition';
import { Input, signOff } from './schema';
import { vendorInvoice } from './workflow';
export const vendorInvoiceProcess = defineProcess({
  name: '${name}', version: '1', title: 'Vendor invoice', description: 'Three-way match', workflow: vendorInvoice,
  input: Input, taskForms: [signOff], clientOf: (i) => i.client, businessRefOf: (i) => i.ref,
});
`,
  );
}

describe('process catalogue', () => {
  it('finds this checkout’s processes, and the bundle entry exports each one’s workflow', () => {
    expect(catalogue.processes.map((p) => p.name)).toEqual(['claim-review', 'data-entry', 'manual-task', 'payroll-run']);
    const entry = readFileSync(workflowEntry(catalogue), 'utf8');
    for (const p of catalogue.processes) expect(entry).toContain(`export { ${p.workflowType} } from`);
    expect(entry).toContain('item-batch-workflow.ts');
    // The schedules' launcher, given the processes whose scheduled runs take their input from the fire time.
    expect(entry).toContain(`import { payrollRunProcess as scheduled0 } from ${JSON.stringify(join(WORKFLOWS_DIR, 'payroll-run', 'definition.ts'))}`);
    expect(entry).toContain('export const scheduledStart = scheduledStartFor([scheduled0]);');
    expect(catalogue.find('payroll-run')?.workflowType).toBe('payrollRun');
    expect(catalogue.findTaskForm('claim-review.review')?.title).toBeDefined();
  });

  it('a new folder is a new process, with no other edit', async () => {
    await addFolder('vendor-invoice');
    const found = await ProcessCatalogue.discover(join(tree, 'workflows'));
    expect(found.processes.map((p) => p.name)).toEqual(['claim-review', 'data-entry', 'manual-task', 'payroll-run', 'vendor-invoice']);
    expect(found.find('vendor-invoice')).toMatchObject({ workflowType: 'vendorInvoice', title: 'Vendor invoice' });
    expect(readFileSync(workflowEntry(found), 'utf8')).toContain(`export { vendorInvoice } from ${JSON.stringify(join(tree, 'workflows', 'vendor-invoice', 'workflow.ts'))}`);
    await rm(join(tree, 'workflows', 'vendor-invoice'), { recursive: true });
  });

  it('refuses a declaration whose name is not its folder’s, and a workflow type or form kind declared twice', async () => {
    await addFolder('misnamed', 'vendor-invoice');
    await expect(ProcessCatalogue.discover(join(tree, 'workflows'))).rejects.toThrow(/declares process "vendor-invoice"; a process's name is its folder's name \("misnamed"\)/);
    await rm(join(tree, 'workflows', 'misnamed'), { recursive: true });
    await addFolder('invoice-a');
    await addFolder('invoice-b');
    await expect(ProcessCatalogue.discover(join(tree, 'workflows'))).rejects.toThrow(/workflow type "vendorInvoice" is declared by both invoice-a and invoice-b/);
    await rm(join(tree, 'workflows', 'invoice-a'), { recursive: true });
    await rm(join(tree, 'workflows', 'invoice-b'), { recursive: true });
  });

  it('fails at worker start when two processes declare one activity name', () => {
    const step = async () => 'done';
    expect(() => mergeActivities([['claim-review', { openClaim: step }], ['vendor-invoice', { openClaim: step }]])).toThrow(
      'Activity "openClaim" is declared by both claim-review and vendor-invoice: activity names must be unique across processes',
    );
    expect(Object.keys(mergeActivities([['a', { one: step }], ['b', { two: step }]]))).toEqual(['one', 'two']);
  });
});
