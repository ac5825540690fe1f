// What can go wrong for the command line, each with its own exit code, so a script can tell a
// mistake in the command from the API refusing it and from the API not answering at all.
import type { Problem } from '../api/problems';

export const EXIT = {
  ok: 0,
  /** A bug or an unexpected reply: nothing the caller did. */
  unexpected: 1,
  /** The command line is wrong: unknown option, missing argument, unreadable JSON file. */
  usage: 2,
  /** The API answered with an error (problem+json): a bad field, not allowed, not found, conflict. */
  refused: 3,
  /** No answer from the API: nothing listening, DNS, timeout. */
  unreachable: 4,
  /** `runs watch`: the run ended, but not completed (failed, cancelled, terminated, timed out). */
  runDidNotComplete: 5,
} as const;

export class UsageError extends Error {}

/** The API's answer to a refused call: its problem+json body (or one made from a non-JSON reply). */
export class ApiRefusal extends Error {
  constructor(
    readonly problem: Problem,
    readonly retryAfter?: string,
  ) {
    super(problem.detail ?? problem.title);
  }
}

export class ApiUnreachable extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the API at ${url}: ${reason}`);
  }
}

export class RunDidNotComplete extends Error {}

const STANDARD = new Set(['type', 'title', 'status', 'detail', 'instance', 'field', 'errors']);

/** The lines a person reads on stderr: title and status, each offending field, the detail, extras. */
export function describeProblem(problem: Problem, retryAfter?: string): string[] {
  const slug = problem.type.replace(/^urn:tandem:problem:/, '');
  const lines = [`${problem.title} (${problem.status} ${slug})`];
  const issues = problem.errors ?? [];
  for (const issue of issues) lines.push(`  ${issue.field}: ${issue.message}`);
  if (problem.field && !issues.some((i) => i.field === problem.field)) lines.push(`  field: ${problem.field}`);
  if (problem.detail) lines.push(`  ${problem.detail}`);
  for (const [key, value] of Object.entries(problem)) {
    if (!STANDARD.has(key) && value !== undefined) lines.push(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  if (retryAfter) lines.push(`  retry after ${retryAfter} s`);
  if (problem.status === 401) lines.push('  Give a token: --token, --token-file, TANDEM_TOKEN, TANDEM_TOKEN_FILE, or an API key in TANDEM_API_KEY');
  return lines;
}
