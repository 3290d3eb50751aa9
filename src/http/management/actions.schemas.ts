import { Type } from '@sinclair/typebox';
import { RUNTIMES } from '../../domain/actions/triggers.js';
import { Strict } from '../schemas/common.js';
import { OffsetParams } from '../schemas/list.js';

/** TypeBox schemas of `/api/v2/actions/*` (reference §5.6). Responses list every key that may be sent. */

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
export const ActionIdParam = Type.Object({ id: Type.String({ pattern: UUID }) }, Strict);
export const VersionParams = Type.Object({ actionId: Type.String({ pattern: UUID }), id: Type.String({ pattern: UUID }) }, Strict);
export const ExecutionIdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }, Strict);
export const TriggerParam = Type.Object({ triggerId: Type.String({ minLength: 1, maxLength: 64 }) }, Strict);

export const ListActionsQuery = Type.Object(
  {
    triggerId: Type.Optional(Type.String({ maxLength: 64 })),
    actionName: Type.Optional(Type.String({ maxLength: 255 })),
    deployed: Type.Optional(Type.Boolean()),
    installed: Type.Optional(Type.Boolean()),
    // `include_totals` is not among Auth0's documented parameters here, but Auth0 accepts it (its
    // tooling sends it) and always answers the paged body: it is accepted and has no effect.
    ...OffsetParams,
  },
  Strict,
);
export const Paged = Type.Object(OffsetParams, Strict);
export const ForceQuery = Type.Object({ force: Type.Optional(Type.Boolean()) }, Strict);

const TriggerRef = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), version: Type.String({ minLength: 1, maxLength: 16 }) }, Strict);
const Dependency = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 214 }), version: Type.String({ minLength: 1, maxLength: 64 }), registry_url: Type.Optional(Type.String({ maxLength: 2048 })) },
  Strict,
);
const SecretName = Type.String({ minLength: 1, maxLength: 128 });
const SecretValue = Type.String({ maxLength: 4096 });
const Runtime = Type.Union(RUNTIMES.map((r) => Type.Literal(r)));
const Code = Type.String({ maxLength: 100 * 1024 });

export const CreateAction = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    supported_triggers: Type.Array(TriggerRef, { minItems: 1, maxItems: 2 }),
    code: Type.Optional(Code),
    dependencies: Type.Optional(Type.Array(Dependency, { maxItems: 10 })),
    runtime: Type.Optional(Runtime),
    secrets: Type.Optional(Type.Array(Type.Object({ name: SecretName, value: SecretValue }, Strict), { maxItems: 30 })),
    deploy: Type.Optional(Type.Boolean()),
  },
  Strict,
);
export const UpdateAction = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    supported_triggers: Type.Optional(Type.Array(TriggerRef, { minItems: 1, maxItems: 2 })),
    code: Type.Optional(Code),
    dependencies: Type.Optional(Type.Array(Dependency, { maxItems: 10 })),
    runtime: Type.Optional(Runtime),
    secrets: Type.Optional(Type.Array(Type.Object({ name: SecretName, value: Type.Optional(SecretValue) }, Strict), { maxItems: 30 })),
  },
  Strict,
);

const Secret = Type.Object({ name: Type.String(), updated_at: Type.String() });
const TriggerOut = Type.Object({ id: Type.String(), version: Type.String() });
const DependencyOut = Type.Object({ name: Type.String(), version: Type.String(), registry_url: Type.Optional(Type.String()) });

const ActionSummary = {
  id: Type.String(),
  name: Type.String(),
  supported_triggers: Type.Array(TriggerOut),
  all_changes_deployed: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
};

export const VersionOut = Type.Object({
  id: Type.String(),
  action_id: Type.String(),
  code: Type.String(),
  dependencies: Type.Array(DependencyOut),
  deployed: Type.Boolean(),
  number: Type.Integer(),
  secrets: Type.Array(Secret),
  status: Type.String(),
  runtime: Type.String(),
  supported_triggers: Type.Array(TriggerOut),
  action: Type.Optional(Type.Object(ActionSummary)),
  built_at: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const ActionOut = Type.Object({
  ...ActionSummary,
  code: Type.String(),
  dependencies: Type.Array(DependencyOut),
  runtime: Type.String(),
  secrets: Type.Array(Secret),
  status: Type.String(),
  deployed_version: Type.Optional(VersionOut),
  built_at: Type.String(),
});

export const TriggerInfoOut = Type.Object({
  id: Type.String(),
  version: Type.String(),
  status: Type.String(),
  runtimes: Type.Array(Type.String()),
  default_runtime: Type.String(),
  binding_policy: Type.String(),
  compatible_triggers: Type.Array(TriggerOut),
});

export const BindingOut = Type.Object({
  id: Type.String(),
  trigger_id: Type.String(),
  display_name: Type.String(),
  action: Type.Object({ ...ActionSummary, deployed_version: Type.Optional(VersionOut) }),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const UpdateBindings = Type.Object(
  {
    bindings: Type.Array(
      Type.Object(
        {
          ref: Type.Object(
            { type: Type.Union([Type.Literal('action_id'), Type.Literal('action_name'), Type.Literal('binding_id')]), value: Type.String({ minLength: 1, maxLength: 255 }) },
            Strict,
          ),
          display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
          secrets: Type.Optional(Type.Array(Type.Object({ name: SecretName, value: SecretValue }, Strict), { maxItems: 0 })),
        },
        Strict,
      ),
      { maxItems: 20 },
    ),
  },
  Strict,
);

export const TestBody = Type.Object({ payload: Type.Object({}, { additionalProperties: true }) }, Strict);
export const TestOut = Type.Object({
  payload: Type.Object({
    execution_id: Type.String(),
    outcome: Type.String(),
    returned: Type.Optional(Type.Unknown()),
    notification: Type.Optional(Type.Object({ action: Type.String(), reason: Type.String() })),
    error: Type.Optional(Type.Object({ kind: Type.String(), message: Type.String() })),
    logs: Type.String(),
  }),
});

export const ExecutionOut = Type.Object({
  id: Type.String(),
  trigger_id: Type.String(),
  status: Type.String(),
  results: Type.Array(
    Type.Object({
      action_id: Type.String(),
      action_name: Type.String(),
      version_id: Type.Union([Type.String(), Type.Null()]),
      outcome: Type.String(),
      error: Type.Union([Type.Object({ id: Type.String(), msg: Type.String() }), Type.Null()]),
      logs: Type.String(),
      started_at: Type.String(),
      ended_at: Type.String(),
    }),
  ),
  created_at: Type.String(),
  updated_at: Type.String(),
});
