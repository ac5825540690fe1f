// Structured JSON logs. Anything that could carry a secret is redacted by path, whatever logs it.
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'password',
  '*.password',
  'credential',
  '*.credential.password',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'token',
  '*.token',
];

/** Query parameters that carry credentials (EventSource sends its token as `?access_token=`). */
const SECRET_QUERY = /([?&](?:access_token|token|api_key|apikey)=)[^&#]*/gi;

export function scrubUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, minus the credentials a query string may carry; headers are never logged. */
const serializers = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: req.url && scrubUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
};

export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { name, level, serializers, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
