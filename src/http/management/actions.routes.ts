import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ActionService } from '../../domain/actions/action-service.js';
import type { ActionRecord, ActionVersionRecord } from '../../domain/actions/ports.js';
import { outcomeOf } from '../../domain/actions/trigger-executor.js';
import { AppError } from '../../domain/errors.js';
import { paging, responses } from '../schemas/common.js';
import {
  ActionIdParam,
  ActionOut,
  BindingOut,
  CreateAction,
  ExecutionIdParam,
  ExecutionOut,
  ForceQuery,
  ListActionsQuery,
  Paged,
  TestBody,
  TestOut,
  TriggerInfoOut,
  TriggerParam,
  UpdateAction,
  UpdateBindings,
  VersionOut,
  VersionParams,
} from './actions.schemas.js';

/** What the routes need: the Actions service (from `createActionsModule`). */
export interface ActionRoutesDeps {
  service: ActionService;
}

const summary = (a: ActionRecord) => ({
  id: a.id,
  name: a.name,
  supported_triggers: a.supportedTriggers,
  all_changes_deployed: a.allChangesDeployed,
  created_at: a.createdAt,
  updated_at: a.updatedAt,
});

const versionView = (v: ActionVersionRecord, a?: ActionRecord): Static<typeof VersionOut> => ({
  id: v.id,
  action_id: v.actionId,
  code: v.code,
  dependencies: v.dependencies,
  deployed: v.deployed,
  number: v.number,
  secrets: v.secrets,
  status: 'built',
  runtime: v.runtime,
  supported_triggers: v.supportedTriggers,
  ...(a ? { action: summary(a) } : {}),
  built_at: v.createdAt,
  created_at: v.createdAt,
  updated_at: v.updatedAt,
});

/** Code compiles at save and deploy time here, so an action is `built` as soon as it is stored. */
const actionView = (a: ActionRecord, deployed?: ActionVersionRecord): Static<typeof ActionOut> => ({
  ...summary(a),
  code: a.code,
  dependencies: a.dependencies,
  runtime: a.runtime,
  secrets: a.secrets,
  status: 'built',
  ...(deployed ? { deployed_version: versionView(deployed) } : {}),
  built_at: a.updatedAt,
});

/** Only `undici` is an npm package an action may name: it is built in. Others cannot be installed here. */
function checkDependencies(deps: Array<{ name: string }> | undefined): void {
  const other = deps?.find((d) => d.name !== 'undici');
  if (other) throw new AppError('invalid_body', `Payload validation error: npm dependencies are not installed on this server (${other.name}); require('undici') and require('crypto') are built in`);
}

/** `/api/v2/actions/*`: actions, versions, triggers, bindings, test runs, executions (reference §5.6). */
export function actionRoutes(deps: ActionRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const svc = deps.service;
    const tags = ['actions'];
    const withDeployed = async (tenantId: string, a: ActionRecord) => actionView(a, await svc.deployedVersion(tenantId, a.id));

    app.post('/actions/actions', { config: { scope: 'create:actions' }, schema: { tags, body: CreateAction, response: responses({ 201: ActionOut }) } }, async (req, reply) => {
      const b = req.body;
      checkDependencies(b.dependencies);
      const a = await svc.create(req.tenant.id, {
        name: b.name,
        supportedTriggers: b.supported_triggers,
        code: b.code,
        dependencies: b.dependencies,
        runtime: b.runtime,
        secrets: b.secrets,
        deploy: b.deploy,
      });
      return reply.code(201).send(await withDeployed(req.tenant.id, a));
    });

    app.get(
      '/actions/actions',
      {
        config: { scope: 'read:actions' },
        schema: { tags, querystring: ListActionsQuery, response: responses({ 200: Type.Object({ actions: Type.Array(ActionOut), total: Type.Integer(), page: Type.Integer(), per_page: Type.Integer() }) }) },
      },
      async (req) => {
        const q = req.query;
        const { page, perPage } = paging(q);
        // Marketplace integrations (installed actions) do not exist here: `installed=true` selects none.
        const { items, total } =
          q.installed === true
            ? { items: [], total: 0 }
            : await svc.list(req.tenant.id, { triggerId: q.triggerId, actionName: q.actionName, deployed: q.deployed }, { page, perPage });
        return { actions: await Promise.all(items.map((a) => withDeployed(req.tenant.id, a))), total, page, per_page: perPage };
      },
    );

    app.get('/actions/actions/:id', { config: { scope: 'read:actions' }, schema: { tags, params: ActionIdParam, response: responses({ 200: ActionOut }) } }, async (req) =>
      withDeployed(req.tenant.id, await svc.get(req.tenant.id, req.params.id)),
    );

    app.patch(
      '/actions/actions/:id',
      { config: { scope: 'update:actions' }, schema: { tags, params: ActionIdParam, body: UpdateAction, response: responses({ 200: ActionOut }) } },
      async (req) => {
        const b = req.body;
        checkDependencies(b.dependencies);
        const a = await svc.update(req.tenant.id, req.params.id, {
          name: b.name,
          supportedTriggers: b.supported_triggers,
          code: b.code,
          dependencies: b.dependencies,
          runtime: b.runtime,
          secrets: b.secrets,
        });
        return withDeployed(req.tenant.id, a);
      },
    );

    app.delete('/actions/actions/:id', { config: { scope: 'delete:actions' }, schema: { tags, params: ActionIdParam, querystring: ForceQuery } }, async (req, reply) => {
      await svc.delete(req.tenant.id, req.params.id, req.query.force ?? false);
      return reply.code(204).send();
    });

    app.post('/actions/actions/:id/deploy', { config: { scope: 'create:actions' }, schema: { tags, params: ActionIdParam, response: responses({ 200: VersionOut }) } }, async (req) => {
      const v = await svc.deploy(req.tenant.id, req.params.id);
      return versionView(v, await svc.get(req.tenant.id, req.params.id));
    });

    app.get(
      '/actions/actions/:id/versions',
      {
        config: { scope: 'read:actions' },
        schema: { tags, params: ActionIdParam, querystring: Paged, response: responses({ 200: Type.Object({ versions: Type.Array(VersionOut), total: Type.Integer(), page: Type.Integer(), per_page: Type.Integer() }) }) },
      },
      async (req) => {
        const { page, perPage } = paging(req.query);
        const a = await svc.get(req.tenant.id, req.params.id);
        const { items, total } = await svc.versions(req.tenant.id, req.params.id, { page, perPage });
        return { versions: items.map((v) => versionView(v, a)), total, page, per_page: perPage };
      },
    );

    app.get('/actions/actions/:actionId/versions/:id', { config: { scope: 'read:actions' }, schema: { tags, params: VersionParams, response: responses({ 200: VersionOut }) } }, async (req) => {
      const a = await svc.get(req.tenant.id, req.params.actionId);
      return versionView(await svc.version(req.tenant.id, req.params.actionId, req.params.id), a);
    });

    app.get('/actions/triggers', { config: { scope: 'read:actions' }, schema: { tags, response: responses({ 200: Type.Object({ triggers: Type.Array(TriggerInfoOut) }) }) } }, async () => ({
      triggers: svc.triggers(),
    }));

    const bindingViews = (views: Awaited<ReturnType<ActionService['bindings']>>) =>
      views.map(({ binding, action, deployedVersion }) => ({
        id: binding.id,
        trigger_id: binding.triggerId,
        display_name: binding.displayName,
        action: { ...summary(action), ...(deployedVersion ? { deployed_version: versionView(deployedVersion) } : {}) },
        created_at: binding.createdAt,
        updated_at: binding.updatedAt,
      }));

    app.get(
      '/actions/triggers/:triggerId/bindings',
      {
        config: { scope: 'read:actions' },
        schema: { tags, params: TriggerParam, querystring: Paged, response: responses({ 200: Type.Object({ bindings: Type.Array(BindingOut), total: Type.Integer(), page: Type.Integer(), per_page: Type.Integer() }) }) },
      },
      async (req) => {
        const { page, perPage } = paging(req.query);
        const all = bindingViews(await svc.bindings(req.tenant.id, req.params.triggerId));
        return { bindings: all.slice(page * perPage, (page + 1) * perPage), total: all.length, page, per_page: perPage };
      },
    );

    app.patch(
      '/actions/triggers/:triggerId/bindings',
      { config: { scope: 'update:actions' }, schema: { tags, params: TriggerParam, body: UpdateBindings, response: responses({ 200: Type.Object({ bindings: Type.Array(BindingOut) }) }) } },
      async (req) => {
        const inputs = req.body.bindings.map((b) => ({ ref: b.ref, displayName: b.display_name }));
        return { bindings: bindingViews(await svc.updateBindings(req.tenant.id, req.params.triggerId, inputs)) };
      },
    );

    app.post(
      '/actions/actions/:id/test',
      { config: { scope: 'create:actions' }, schema: { tags, params: ActionIdParam, body: TestBody, response: responses({ 200: TestOut }) } },
      async (req) => {
        const { executionId, result } = await svc.test(req.tenant.id, req.params.id, req.body.payload);
        const notification = result.ok ? result.value.notification : result.notification;
        return {
          payload: {
            execution_id: executionId,
            outcome: outcomeOf(result),
            ...(result.ok && result.value.returned !== undefined ? { returned: result.value.returned } : {}),
            ...(notification ? { notification } : {}),
            ...(result.ok ? {} : { error: { kind: result.kind, message: result.message } }),
            logs: result.logs,
          },
        };
      },
    );

    app.get('/actions/executions/:id', { config: { scope: 'read:actions' }, schema: { tags, params: ExecutionIdParam, response: responses({ 200: ExecutionOut }) } }, async (req) => {
      const e = await svc.execution(req.tenant.id, req.params.id);
      return { id: e.id, trigger_id: e.triggerId, status: e.status, results: e.results, created_at: e.createdAt, updated_at: e.updatedAt };
    });
  };
}
