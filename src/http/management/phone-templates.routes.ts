import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PhoneTemplateService } from '../../domain/templates/phone-template-service.js';
import { TEMPLATE_TYPES } from '../../domain/ports.js';
import type { ListedPhoneTemplate } from '../../domain/templates/phone-template-service.js';
import { previewTemplate } from '../../domain/notifications/template-preview.js';
import { DisabledQuery, IdParam, responses, Strict, Timestamp } from '../schemas/common.js';

const TemplateTypeSchema = Type.Union(TEMPLATE_TYPES.map((t) => Type.Literal(t)));
/** A sender number; Auth0 rejects `""` (minLength 1). The service checks it is a valid E.164 number. */
const From = Type.String({ minLength: 1, maxLength: 16 });
const BodyText = Type.String({ minLength: 1, maxLength: 20000 });
const Bodies = Type.Object({ text: Type.Optional(BodyText), voice: Type.Optional(BodyText) }, Strict);

const CreateBody = Type.Object(
  {
    // Optional in Auth0's spec, but a template without a type could never be used: required here.
    type: TemplateTypeSchema,
    disabled: Type.Optional(Type.Boolean()),
    content: Type.Optional(
      Type.Object({ syntax: Type.Optional(Type.Literal('liquid')), from: Type.Optional(From), body: Type.Optional(Bodies) }, Strict),
    ),
  },
  Strict,
);
/** Auth0's PartialPhoneTemplateContent: no `syntax`, and no `type` (it cannot change). */
const UpdateBody = Type.Object(
  { content: Type.Optional(Type.Object({ from: Type.Optional(From), body: Type.Optional(Bodies) }, Strict)), disabled: Type.Optional(Type.Boolean()) },
  Strict,
);

/** Our extension: a template or a draft of it rendered over sample data (nothing stored, nothing sent). */
const RenderBody = Type.Object(
  {
    type: TemplateTypeSchema,
    locale: Type.Optional(Type.String({ minLength: 2, maxLength: 35, pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' })),
    content: Type.Optional(Type.Object({ body: Type.Optional(Bodies) }, Strict)),
  },
  Strict,
);
const Rendered = Type.Object({
  type: TemplateTypeSchema,
  locale: Type.String(),
  body_locale: Type.String(),
  text: Type.String(),
  voice: Type.String(),
  voice_segments: Type.Array(Type.String()),
  sample: Type.Object({ code: Type.Union([Type.String(), Type.Null()]), context: Type.Unknown() }),
});

const Template = Type.Object({
  id: Type.Optional(Type.String()),
  tenant: Type.String(),
  channel: Type.Literal('phone'),
  type: TemplateTypeSchema,
  disabled: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  content: Type.Object({
    syntax: Type.Literal('liquid'),
    from: Type.Optional(Type.String()),
    body: Type.Object({ text: Type.String(), voice: Type.String() }),
  }),
});
type TemplateOut = Static<typeof Template>;

/**
 * Built-in defaults (no id) show `from: ""`, as on Auth0; a created template without a sender omits
 * `from`, also as observed.
 */
const view = (tenant: string, t: ListedPhoneTemplate): TemplateOut => {
  const from = t.id === null ? '' : t.from ?? undefined;
  return {
    ...(t.id !== null ? { id: t.id } : {}),
    tenant,
    channel: 'phone',
    type: t.type,
    disabled: t.disabled,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    content: { syntax: 'liquid', ...(from !== undefined ? { from } : {}), body: { text: t.bodyText, voice: t.bodyVoice } },
  };
};

/** `/api/v2/branding/phone/templates`: the tenant's phone notification texts (reference §3, T1-T6). */
export interface PhoneTemplateRouteDeps {
  templates: PhoneTemplateService;
}

export function phoneTemplateRoutes(deps: PhoneTemplateRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const svc = deps.templates;
    const tags = ['phone-templates'];

    app.get(
      '/branding/phone/templates',
      {
        config: { scope: 'read:phone_templates' },
        schema: { tags, querystring: DisabledQuery, response: responses({ 200: Type.Object({ templates: Type.Array(Template) }) }) },
      },
      async (req) => ({ templates: (await svc.list(req.tenant, { disabled: req.query.disabled })).map((t) => view(req.tenant.name, t)) }),
    );

    app.post(
      '/branding/phone/templates',
      { config: { scope: 'create:phone_templates' }, schema: { tags, body: CreateBody, response: responses({ 201: Template }) } },
      async (req, reply) => {
        const b = req.body;
        const t = await svc.create(req.tenant, { type: b.type, disabled: b.disabled, content: b.content });
        return reply.code(201).send(view(req.tenant.name, t));
      },
    );

    app.post(
      '/branding/phone/templates/render',
      { config: { scope: 'read:phone_templates' }, schema: { tags, body: RenderBody, response: responses({ 200: Rendered }) } },
      async (req) => previewTemplate(svc, req.tenant, { type: req.body.type, locale: req.body.locale, body: req.body.content?.body }),
    );

    app.get(
      '/branding/phone/templates/:id',
      { config: { scope: 'read:phone_templates' }, schema: { tags, params: IdParam('tem'), response: responses({ 200: Template }) } },
      async (req) => view(req.tenant.name, await svc.get(req.tenant, req.params.id)),
    );

    app.patch(
      '/branding/phone/templates/:id',
      {
        config: { scope: 'update:phone_templates' },
        schema: { tags, params: IdParam('tem'), body: UpdateBody, response: responses({ 200: Template }) },
      },
      async (req) => view(req.tenant.name, await svc.update(req.tenant, req.params.id, req.body)),
    );

    app.patch(
      '/branding/phone/templates/:id/reset',
      {
        config: { scope: 'update:phone_templates' },
        // Auth0 accepts any body here (its schema is `unknown`) and ignores it.
        schema: { tags, params: IdParam('tem'), response: responses({ 200: Template }) },
      },
      async (req) => view(req.tenant.name, await svc.reset(req.tenant, req.params.id)),
    );

    app.delete(
      '/branding/phone/templates/:id',
      {
        config: { scope: 'delete:phone_templates' },
        schema: { tags, params: IdParam('tem'), response: responses({ 204: Type.Null() }) },
      },
      async (req, reply) => {
        await svc.delete(req.tenant, req.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
