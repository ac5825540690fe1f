// The HTTP API as the command line calls it: JSON in and out, the credential on every call, and
// each failure turned into the error its exit code stands for (refused vs unreachable).
import type { Problem } from '../api/problems';
import { ApiRefusal, ApiUnreachable } from './errors';
import type { Connection } from './connection';

/** Long enough for a decision (a Workflow Update waits for the run's worker, 10 s at most). */
const TIMEOUT_MS = 30_000;

export type Query = Record<string, string | number | undefined>;

export interface CallOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string | undefined>;
}

/** A path from segments, each escaped: run ids hold `:`, schedule ids `.`. */
export const path = (...segments: string[]): string => `/${segments.map(encodeURIComponent).join('/')}`;

export class TandemApi {
  constructor(private readonly connection: Connection) {}

  get baseUrl(): string {
    return this.connection.baseUrl;
  }

  get<T>(route: string, query?: Query): Promise<T> {
    return this.call<T>('GET', route, { query });
  }

  post<T>(route: string, body: unknown = {}, headers?: CallOptions['headers']): Promise<T> {
    return this.call<T>('POST', route, { body, headers });
  }

  async call<T>(method: string, route: string, options: CallOptions = {}): Promise<T> {
    const url = new URL(this.connection.baseUrl + route);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json', ...this.connection.headers };
    for (const [key, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[key] = value;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new ApiUnreachable(this.connection.baseUrl, reasonOf(err));
    }
    const text = await res.text();
    if (!res.ok) throw new ApiRefusal(problemOf(res, text), res.headers.get('retry-after') ?? undefined);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof DOMException && err.name === 'TimeoutError') return `no answer in ${TIMEOUT_MS / 1000} s`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.message ?? cause?.code ?? (err instanceof Error ? err.message : String(err));
}

/** The reply's problem+json, or one made from whatever a proxy in between answered. */
function problemOf(res: Response, text: string): Problem {
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body.title === 'string') return { type: 'about:blank', status: res.status, ...body } as Problem;
  } catch {
    // not JSON: fall through
  }
  return { type: 'about:blank', title: res.statusText || `HTTP ${res.status}`, status: res.status, ...(text ? { detail: text.slice(0, 500) } : {}) };
}
