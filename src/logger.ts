import pino, { type Logger, type DestinationStream } from 'pino';

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object. Secrets are also
 * never put into log objects on purpose; this is the second fence.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.authorization',
  '*.auth_token',
  '*.authToken',
  '*.client_secret',
  '*.clientSecret',
  '*.password',
  '*.secret',
  '*.secrets',
  '*.token',
  '*.access_token',
  '*.code',
  'credentials',
  '*.credentials',
];

/** What a request log line says of the request: no query string, where numbers, emails and codes travel. */
interface LoggedRequest {
  method?: string;
  url?: string;
  hostname?: string;
  ip?: string;
  id?: string;
}

export function requestSerializer(req: LoggedRequest): Record<string, unknown> {
  const url = typeof req.url === 'string' ? req.url : '';
  const q = url.indexOf('?');
  return {
    method: req.method,
    url: q === -1 ? url : url.slice(0, q),
    ...(q === -1 ? {} : { query: '[omitted]' }),
    hostname: req.hostname,
    remoteAddress: req.ip,
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'unifone' },
      serializers: { req: requestSerializer },
    },
    destination,
  );
}
