import { Type, type TSchema } from '@sinclair/typebox';

/** Auth0's Management API error body. */
export const ManagementError = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
    errorCode: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** Error responses, for the OpenAPI document and to serialize error bodies through one schema. */
export const errorResponses = {
  400: ManagementError,
  401: ManagementError,
  403: ManagementError,
  404: ManagementError,
  409: ManagementError,
  415: ManagementError,
  429: ManagementError,
} as const;

/** A response map: the success schema(s) plus every error body. */
export function responses<T extends Record<number, TSchema>>(ok: T) {
  return { ...ok, ...errorResponses };
}

/** An id path parameter of Auth0's shape, `prefix_` + 22 base62 characters. */
export const IdParam = (prefix: string) =>
  Type.Object({ id: Type.String({ pattern: `^${prefix}_[A-Za-z0-9]{22}$`, maxLength: 255 }) }, { additionalProperties: false });

/** An ISO timestamp. */
export const Timestamp = Type.String({ maxLength: 27 });

/** `?disabled=true|false` filter of the list endpoints. */
export const DisabledQuery = Type.Object({ disabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

/** A JSON body that must be an object; Auth0 rejects unknown properties on most writes. */
export const Strict = { additionalProperties: false } as const;

/** Auth0's paging query parameters (`page` from 0, `per_page` up to 100). */
export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
};

/** Auth0's default page size. */
export const DEFAULT_PER_PAGE = 50;

/** The page asked for, with Auth0's defaults (the first page, 50 items). */
export function paging(q: { page?: number | undefined; per_page?: number | undefined }): { page: number; perPage: number } {
  return { page: q.page ?? 0, perPage: q.per_page ?? DEFAULT_PER_PAGE };
}
