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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'unifone' },
    },
    destination,
  );
}
