// Evidence a bot leaves behind (screenshots, traces), stored per run. Paths handed to workflows
// are relative (`<runId>/<file>`), so the store can move without rewriting history.
import { mkdir } from 'node:fs/promises';
import { join, normalize, relative, resolve, sep } from 'node:path';

export class ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Folder for one run's artifacts, created on demand. */
  async runDir(runId: string): Promise<string> {
    const dir = this.pathOf(runId);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Relative artifact key of an absolute path inside the store. */
  keyOf(absolutePath: string): string {
    return relative(this.root, absolutePath).split(sep).join('/');
  }

  /** Absolute path of an artifact key; refuses keys that would escape the store. */
  pathOf(key: string): string {
    const path = resolve(this.root, normalize(key));
    if (path !== this.root && !path.startsWith(this.root + sep)) throw new Error(`Artifact key escapes the store: ${key}`);
    return path;
  }

  join(runId: string, file: string): string {
    return join(this.pathOf(runId), file);
  }
}
