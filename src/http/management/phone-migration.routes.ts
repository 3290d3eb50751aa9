import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MAX_ACTION_CODE_BYTES } from '../../domain/actions/runner.js';
import type { Translation } from '../../domain/migration/translation.js';
import { responses, Strict } from '../schemas/common.js';

/**
 * `POST /api/v2/phone-migration/translate` (our extension): the code of a send-phone-message Action
 * translated for custom-phone-provider. Nothing is stored or run; the answer lists the secrets the
 * code reads by name only (the request carries no secret values).
 */
export interface PhoneMigrationRouteDeps {
  phoneMigration: { translate(code: string): Promise<Translation> };
}

const TranslateBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: MAX_ACTION_CODE_BYTES }) }, Strict);

const TranslationOut = Type.Object({
  code: Type.String(),
  changes: Type.Array(Type.Object({ line: Type.Integer(), description: Type.String() })),
  warnings: Type.Array(Type.Object({ line: Type.Integer(), code: Type.String(), message: Type.String() })),
  secrets: Type.Array(Type.String()),
});

export function phoneMigrationRoutes(deps: PhoneMigrationRouteDeps): FastifyPluginAsyncTypebox {
  const migration = deps.phoneMigration;
  return async (app) => {
    app.post(
      '/phone-migration/translate',
      // Reading code and answering code changes nothing on the tenant: a read scope.
      { config: { scope: 'read:phone_migration' }, schema: { tags: ['phone-migration'], body: TranslateBody, response: responses({ 200: TranslationOut }) } },
      async (req) => migration.translate(req.body.code),
    );
  };
}
