import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MAX_ACTION_CODE_BYTES } from '../../domain/actions/runner.js';
import type { PhoneMigrationService } from '../../domain/migration/migration-service.js';
import type { DeliveryMethod, MfaMessageType } from '../../domain/ports.js';
import { responses, Strict } from '../schemas/common.js';

/**
 * `/api/v2/phone-migration` (our extension, scopes `read:phone_migration` / `update:phone_migration`):
 * the plan of a tenant's move from its legacy phone configuration to one tenant-level provider, its
 * application in one transaction (or a dry run of it), its rollback, and the translator of
 * send-phone-message Actions. See docs/migration.md.
 */
export interface PhoneMigrationRouteDeps {
  phoneMigration: Pick<PhoneMigrationService, 'translate' | 'plan' | 'apply' | 'rollback'>;
}

const tags = ['phone-migration'];
const TranslateBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: MAX_ACTION_CODE_BYTES }) }, Strict);

const TranslationOut = Type.Object({
  code: Type.String(),
  changes: Type.Array(Type.Object({ line: Type.Integer(), description: Type.String() })),
  warnings: Type.Array(Type.Object({ line: Type.Integer(), code: Type.String(), message: Type.String() })),
  secrets: Type.Array(Type.String()),
});

const DeliveryMethods = Type.Array(Type.Union([Type.Literal('text'), Type.Literal('voice')]), { minItems: 1, maxItems: 2, uniqueItems: true });
const MessageTypes = Type.Array(Type.Union([Type.Literal('sms'), Type.Literal('voice')]), { minItems: 1, maxItems: 2, uniqueItems: true });
/** A comma-separated list in a query string: `text,voice`. */
const list = (values: string) => Type.String({ pattern: `^(${values})(,(${values}))?$` });

const PlanQuery = Type.Object({ delivery_methods: Type.Optional(list('text|voice')), message_types: Type.Optional(list('sms|voice')) }, Strict);
const ApplyQuery = Type.Object({ dry_run: Type.Optional(Type.Boolean()) }, Strict);
const RollbackQuery = Type.Object({ force: Type.Optional(Type.Boolean()) }, Strict);
const ApplyBody = Type.Object(
  {
    plan_hash: Type.String({ minLength: 1, maxLength: 128 }),
    delivery_methods: Type.Optional(DeliveryMethods),
    message_types: Type.Optional(MessageTypes),
    copy_secrets: Type.Optional(Type.Boolean()),
  },
  Strict,
);

const Issue = Type.Object({ code: Type.String(), message: Type.String() });
const Any = Type.Unknown();
const PlanOut = Type.Object({
  tenant: Type.String(),
  status: Type.String(),
  eligible: Type.Boolean(),
  sources: Any,
  target: Any,
  delivery_methods: Type.Array(Type.String()),
  message_types: Type.Array(Type.String()),
  checks: Type.Array(Type.Object({ rule: Type.String(), ok: Type.Boolean(), user_action: Type.String(), message: Type.String() })),
  templates: Type.Array(Any),
  secrets: Type.Array(Type.Object({ name: Type.String(), source: Type.String() })),
  warnings: Type.Array(Issue),
  blockers: Type.Array(Issue),
  plan_hash: Type.String(),
});
const Change = Type.Object({ op: Type.String(), resource: Type.String(), id: Type.Optional(Type.String()), before: Type.Optional(Any), after: Type.Optional(Any) });
const ApplyOut = Type.Object({ dry_run: Type.Boolean(), plan_hash: Type.String(), changes: Type.Array(Change) });
const RollbackOut = Type.Object({ restored: Type.Array(Change) });

const split = <T extends string>(v: string | undefined): T[] | undefined => (v === undefined ? undefined : ([...new Set(v.split(','))] as T[]));

export function phoneMigrationRoutes(deps: PhoneMigrationRouteDeps): FastifyPluginAsyncTypebox {
  const migration = deps.phoneMigration;
  return async (app) => {
    app.get(
      '/phone-migration',
      { config: { scope: 'read:phone_migration' }, schema: { tags, querystring: PlanQuery, response: responses({ 200: PlanOut }) } },
      async (req) =>
        migration.plan(req.tenant, {
          deliveryMethods: split<DeliveryMethod>(req.query.delivery_methods),
          messageTypes: split<MfaMessageType>(req.query.message_types),
        }),
    );

    app.post(
      '/phone-migration',
      { config: { scope: 'update:phone_migration' }, schema: { tags, querystring: ApplyQuery, body: ApplyBody, response: responses({ 200: ApplyOut }) } },
      async (req) =>
        migration.apply(
          req.tenant,
          {
            planHash: req.body.plan_hash,
            choices: { deliveryMethods: req.body.delivery_methods, messageTypes: req.body.message_types },
            copySecrets: req.body.copy_secrets ?? false,
          },
          req.query.dry_run ?? false,
        ),
    );

    app.delete(
      '/phone-migration',
      { config: { scope: 'update:phone_migration' }, schema: { tags, querystring: RollbackQuery, response: responses({ 200: RollbackOut }) } },
      async (req) => migration.rollback(req.tenant, req.query.force ?? false),
    );

    app.post(
      '/phone-migration/translate',
      // Reading code and answering code changes nothing on the tenant: a read scope.
      { config: { scope: 'read:phone_migration' }, schema: { tags, body: TranslateBody, response: responses({ 200: TranslationOut }) } },
      async (req) => migration.translate(req.body.code),
    );
  };
}
