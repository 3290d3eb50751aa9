import { STATUS_CODES } from 'node:http';
import { errorCatalogue } from '../domain/errors.js';

/** docs/errors.md, generated from the error catalogue (a test keeps the committed file equal to this). */
export function renderErrorsDoc(): string {
  const rows = Object.entries(errorCatalogue).map(
    ([code, e]) => `| \`${code}\` | ${e.status} ${STATUS_CODES[e.status] ?? ''} | ${e.message.replace(/\|/g, '\\|')} |`,
  );
  return [
    '# Error catalogue',
    '',
    'Generated from `src/domain/errors.ts` by `npm run docs:errors`; `test/errors-doc.test.ts` fails when this file and the',
    'catalogue differ.',
    '',
    'Management API (`/api/v2/...`) errors have Auth0\'s body:',
    '',
    '```json',
    '{ "statusCode": 409, "error": "Conflict", "message": "…", "errorCode": "phone_provider_conflict" }',
    '```',
    '',
    'Authentication API errors (`/oauth/token`, `/.well-known/*` and later `/mfa/*`, `/passwordless/*`) have the OAuth2 body,',
    'whose `error` is the code below:',
    '',
    '```json',
    '{ "error": "invalid_client", "error_description": "…" }',
    '```',
    '',
    'The message column is the default public message; many errors append a detail (which field, which value is wrong).',
    '',
    '| code | HTTP status | message |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
