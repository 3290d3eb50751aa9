import { AppError } from '../errors.js';
import { DEFAULT_DATABASE_CONNECTION } from './connection-catalog.js';
import type { DirectoryPort } from './directory-port.js';
import type { UserDirectory } from './user-directory.js';

/** Auth0's answer to a wrong password or an unknown user (the same, so neither is revealed). */
export const WRONG_CREDENTIALS = 'Wrong email or password.';

/** UserDirectory seen through the port the Authentication API flows use. */
export function directoryPort(dir: UserDirectory): DirectoryPort {
  const t = (id: string) => ({ id });
  return {
    connection: (tenantId, name) => dir.connections.byName(t(tenantId), name),
    defaultDatabaseConnection: (tenantId) => dir.connections.byName(t(tenantId), DEFAULT_DATABASE_CONNECTION),
    findForLogin: (tenantId, connection, identifier) => dir.findForLogin(t(tenantId), connection, identifier),
    getUser: (tenantId, userId) => dir.findUser(t(tenantId), userId),
    async verifyPassword(tenant, user, password, attempt) {
      const r = await dir.verifyPassword(tenant, user, password, attempt.ip, attempt.context);
      if (!r.ok) throw new AppError('invalid_grant', WRONG_CREDENTIALS);
      return r.user;
    },
    createUser(tenant, u, ip) {
      const input = {
        connection: u.connection,
        phone_number: u.phoneNumber,
        phone_verified: u.phoneVerified,
        ...(u.password !== undefined ? { password: u.password } : {}),
        ...(u.email !== undefined ? { email: u.email } : {}),
        ...(u.username !== undefined ? { username: u.username } : {}),
      };
      return dir.createUser(tenant, input, ip);
    },
    checkNewPassword: (tenantId, connection, password) => dir.checkNewPassword(t(tenantId), connection, password),
    async setPassword(tenant, userId, password) {
      await dir.setPassword(tenant, userId, password);
    },
    markPhoneVerified: (tenantId, userId) => dir.updateUser(t(tenantId), userId, { phone_verified: true }),
    deleteUser: (tenantId, userId) => dir.deleteUser(t(tenantId), userId),
    async recordLogin(tenantId, user, ip) {
      await dir.recordLogin(t(tenantId), user, ip);
    },
  };
}
