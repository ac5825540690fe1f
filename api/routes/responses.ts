import { Problem } from '../problems';

/** Adds the problem+json error replies every route can give to its success responses. */
export function withProblems<T extends Record<number, unknown>>(ok: T) {
  return { ...ok, '4xx': Problem, '5xx': Problem };
}
