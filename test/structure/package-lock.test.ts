// Set-up runs `npm ci`, which refuses a lock that is out of step with package.json or lacks the
// optional packages of other platforms, and warns (EBADENGINE) about packages that ask for a newer
// Node than the one the README promises. Both are checked here, without installing anything.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

type LockEntry = {
  version?: string;
  optional?: boolean;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> };
const floor = semver.minVersion(manifest.engines.node)!.version;

/** Where npm resolves `name` from the package at `from`: its own node_modules, then its parents'. */
function resolve(from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (candidate in lock.packages) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

describe('package-lock.json', () => {
  it(`holds only packages that run on the Node floor (${manifest.engines.node})`, () => {
    const tooNew = Object.entries(lock.packages)
      .filter(([path, entry]) => path && entry.engines?.node && !semver.satisfies(floor, entry.engines.node))
      .map(([path, entry]) => `${path}@${entry.version} wants node ${entry.engines!.node}`);
    expect(tooNew).toEqual([]);
  });

  it('names every optional platform package, so npm ci accepts it on any machine', () => {
    const missing = Object.entries(lock.packages).flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => resolve(path, name) === undefined)
        .map((name) => `${path || '(root)'} -> ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('matches the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain(`Node ${floor.replace(/\.0$/, '')}+`);
  });
});
