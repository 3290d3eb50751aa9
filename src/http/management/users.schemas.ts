import { Type, type Static } from '@sinclair/typebox';
import { USER_SORT_FIELDS, type UserRecord } from '../../domain/auth/ports.js';
import { PageQuery, Strict } from '../schemas/common.js';
import { FieldParams } from '../schemas/list.js';

/** `auth0|…`, `sms|…`: a provider, a pipe, an id. */
export const USER_ID_PATTERN = '^[A-Za-z0-9-]{1,32}\\|[A-Za-z0-9_.@+-]{1,128}$';
export const UserIdParam = Type.Object({ id: Type.String({ pattern: USER_ID_PATTERN, maxLength: 161 }) }, Strict);

const Metadata = Type.Record(Type.String({ maxLength: 255 }), Type.Unknown(), { maxProperties: 50 });
const Str = (maxLength: number) => Type.String({ minLength: 1, maxLength });

const Profile = {
  email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
  email_verified: Type.Optional(Type.Boolean()),
  verify_email: Type.Optional(Type.Boolean()),
  phone_number: Type.Optional(Type.String({ minLength: 4, maxLength: 32 })),
  phone_verified: Type.Optional(Type.Boolean()),
  username: Type.Optional(Str(128)),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  name: Type.Optional(Str(300)),
  nickname: Type.Optional(Str(300)),
  given_name: Type.Optional(Str(150)),
  family_name: Type.Optional(Str(150)),
  picture: Type.Optional(Type.String({ format: 'uri', maxLength: 2048 })),
  locale: Type.Optional(Type.String({ minLength: 2, maxLength: 35, pattern: '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$' })),
  blocked: Type.Optional(Type.Boolean()),
  app_metadata: Type.Optional(Metadata),
  user_metadata: Type.Optional(Metadata),
};

export const CreateUser = Type.Object({ connection: Str(128), ...Profile }, Strict);
/** `null` metadata values remove keys (merge semantics, as Auth0). `connection` may repeat the user's own. */
export const UpdateUser = Type.Object({ connection: Type.Optional(Str(128)), ...Profile }, Strict);

export const ListUsersQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 256 })),
    search_engine: Type.Optional(Type.Literal('v3')),
    connection: Type.Optional(Str(128)),
    ...PageQuery,
    include_totals: Type.Optional(Type.Boolean()),
    ...FieldParams,
    // Auth0's `field:1` (ascending) or `field:-1`; the fields are USER_SORT_FIELDS.
    sort: Type.Optional(Type.String({ pattern: `^(${USER_SORT_FIELDS.join('|')}):(1|-1)$` })),
    // Auth0's switch between its primary and replica search indexes: one index here, so either value reads the same.
    primary_order: Type.Optional(Type.Boolean()),
  },
  Strict,
);
/** `GET /users/{id}`: Auth0's `fields` / `include_fields`. */
export const GetUserQuery = Type.Object(FieldParams, Strict);

const Identity = Type.Object({
  connection: Type.String(),
  user_id: Type.String(),
  provider: Type.String(),
  isSocial: Type.Boolean(),
});

/** Auth0's user object. No password hash: the response schema has no field for one. */
export const User = Type.Object({
  user_id: Type.String(),
  email: Type.Optional(Type.String()),
  email_verified: Type.Optional(Type.Boolean()),
  phone_number: Type.Optional(Type.String()),
  phone_verified: Type.Optional(Type.Boolean()),
  username: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  nickname: Type.Optional(Type.String()),
  given_name: Type.Optional(Type.String()),
  family_name: Type.Optional(Type.String()),
  picture: Type.Optional(Type.String()),
  locale: Type.Optional(Type.String()),
  identities: Type.Array(Identity),
  app_metadata: Type.Record(Type.String(), Type.Unknown()),
  user_metadata: Type.Record(Type.String(), Type.Unknown()),
  created_at: Type.String(),
  updated_at: Type.String(),
  last_login: Type.Optional(Type.String()),
  last_ip: Type.Optional(Type.String()),
  last_password_reset: Type.Optional(Type.String()),
  logins_count: Type.Integer(),
  blocked: Type.Boolean(),
});
export type UserOut = Static<typeof User>;

// Items are partial: `fields` may leave any property out.
export const UserList = Type.Union([
  Type.Array(Type.Partial(User)),
  Type.Object({ start: Type.Integer(), limit: Type.Integer(), length: Type.Integer(), total: Type.Integer(), users: Type.Array(Type.Partial(User)) }),
]);

export const UserBlocks = Type.Object({
  blocked_for: Type.Array(Type.Object({ identifier: Type.String(), ip: Type.String(), connection: Type.String() })),
});

export const IdentifierQuery = Type.Object(
  { identifier: Str(320), consider_brute_force_enablement: Type.Optional(Type.Boolean()) },
  Strict,
);

export function userView(u: UserRecord): UserOut {
  const opt = <K extends string, V>(k: K, v: V | null) => (v === null ? {} : ({ [k]: v } as Record<K, V>));
  const bar = u.userId.indexOf('|');
  return {
    user_id: u.userId,
    ...opt('email', u.email),
    ...(u.email !== null ? { email_verified: u.emailVerified } : {}),
    ...opt('phone_number', u.phoneNumber),
    ...(u.phoneNumber !== null ? { phone_verified: u.phoneVerified } : {}),
    ...opt('username', u.username),
    ...opt('name', u.name),
    ...opt('nickname', u.nickname),
    ...opt('given_name', u.givenName),
    ...opt('family_name', u.familyName),
    ...opt('picture', u.picture),
    ...opt('locale', u.locale),
    identities: [
      {
        connection: u.connection,
        user_id: bar >= 0 ? u.userId.slice(bar + 1) : u.userId,
        provider: bar >= 0 ? u.userId.slice(0, bar) : 'auth0',
        isSocial: false,
      },
    ],
    app_metadata: u.appMetadata,
    user_metadata: u.userMetadata,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    ...opt('last_login', u.lastLogin),
    ...opt('last_ip', u.lastIp),
    ...opt('last_password_reset', u.lastPasswordReset),
    logins_count: u.loginCount,
    blocked: u.blocked,
  };
}

/**
 * The `q` of `GET /users`: Auth0 takes Lucene; this server takes a term matched as a substring of the
 * email or the phone number, optionally written `email:"…"`, `phone_number:"…"`, with `*` wildcards
 * ignored (docs/api.md).
 */
export function simpleQuery(q: string | undefined): string | undefined {
  if (q === undefined) return undefined;
  const m = /^\s*(?:email|phone_number)\s*:\s*(.*)$/.exec(q);
  const term = (m ? m[1]! : q).trim().replace(/^"(.*)"$/, '$1').replace(/\*/g, '').trim();
  return term || undefined;
}
