// A business exception is the client application telling us the data is wrong (claim not found,
// validation refused): retrying cannot help, so the bot step turns it into a non-retryable
// Temporal failure and the workflow routes it to a human. Anything else a bot throws is a system
// fault and is retried by Temporal's retry policy.
export class BusinessException extends Error {
  override readonly name = 'BusinessException';

  constructor(
    /** Stable machine-readable code, e.g. `ClaimNotFound`, `ValidationRefused`. */
    readonly code: string,
    message: string,
    /** Facts an operator needs to resolve it (never credentials). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
