import formbody from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NotificationRepository } from '../../domain/notifications/ports.js';
import type { ReceiptService } from '../../domain/notifications/receipts.js';
import { AppError } from '../../domain/errors.js';
import { isValidTwilioSignature } from '../../adapters/providers/twilio-signature.js';

/**
 * Twilio's status callbacks (`StatusCallback` of every send): `POST /webhooks/twilio/status/{id}`.
 * The notification id locates the tenant; the request must carry a valid `X-Twilio-Signature` made
 * with the auth token the message was sent with (the tenant's provider, or its Guardian Twilio
 * settings in legacy mode) over the URL Twilio called, or it is refused with 403 and changes nothing.
 * `?attempt=N` (set by the sender) ties the receipt to the attempt whose message it reports on.
 */
export interface ReceiptRouteDeps {
  receipts: ReceiptService;
  notifications: Pick<NotificationRepository, 'locate'>;
  publicUrl: string | undefined;
}

export function twilioStatusRoutes(c: ReceiptRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    app.post(
      '/webhooks/twilio/status/:id',
      {
        config: { global: true },
        schema: {
          hide: true,
          params: Type.Object({ id: Type.String({ pattern: '^ntf_[A-Za-z0-9]{22}$' }) }),
          querystring: Type.Object({ attempt: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false }),
          body: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 2048 })),
        },
      },
      async (req, reply) => {
        const located = await c.notifications.locate(req.params.id);
        if (!located) throw new AppError('inexistent_notification');
        const token = await c.receipts.signingToken(located.tenantId, located.channel);
        const base = c.publicUrl ?? `${req.protocol}://${req.headers.host ?? ''}`;
        const signature = req.headers['x-twilio-signature'];
        if (!token || !isValidTwilioSignature(token, `${base}${req.url}`, req.body, typeof signature === 'string' ? signature : undefined)) {
          req.log.warn({ notificationId: req.params.id }, 'status callback refused: bad or missing X-Twilio-Signature');
          throw new AppError('invalid_twilio_signature');
        }
        const result = await c.receipts.apply(located.tenantId, req.params.id, req.body, req.query.attempt);
        return reply.code(result === 'unknown' ? 404 : 204).send();
      },
    );
  };
}
