// Why an attempt failed. Both are retried by BullMQ; the message becomes the job's last error.

/** The receiver answered, but not with a 2xx (a redirect included: the signed POST must not wander). */
export class ReceiverRefused extends Error {
  constructor(readonly status: number) {
    super(`receiver answered HTTP ${status}`);
    this.name = 'ReceiverRefused';
  }
}

/** No answer: connection refused, DNS, TLS, or no reply within the timeout. */
export class ReceiverUnreachable extends Error {
  constructor(reason: string) {
    super(`receiver unreachable: ${reason}`);
    this.name = 'ReceiverUnreachable';
  }
}
