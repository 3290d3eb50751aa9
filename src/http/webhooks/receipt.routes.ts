import formbody from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../domain/errors.js';
import type { ReceiptService } from '../../domain/notifications/receipts.js';
import { receiptPath } from '../../domain/phone-provider/provider-kind.js';

const Params = Type.Object({ id: Type.String({ pattern: '^ntf_[A-Za-z0-9]{22}$' }) });
/** `?attempt=N`, set by the sender: ties the receipt to the attempt whose message it reports on. */
const Query = Type.Object({ attempt: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false });
/** Form fields (or a flat JSON object) of strings: what providers post. */
const Body = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 2048 }));

/**
 * Delivery receipts: `POST /webhooks/{kind}/status/{notification id}` for every provider kind that
 * takes them (the kind's `receipts`), the URL its sender gives the provider. The notification id
 * locates the tenant; the kind checks the request (a signature made with the credentials the message
 * was sent with, over the URL the provider called) or it is refused with 403 and changes nothing.
 */
export interface ReceiptRouteDeps {
  receipts: ReceiptService;
  /** The server's public base URL (`PUBLIC_URL`): signatures cover the URL the provider called. */
  publicUrl: string | undefined;
}

export function receiptRoutes(c: ReceiptRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    const receipts = c.receipts;
    for (const kind of receipts.kinds.withReceipts()) {
      app.post(
        `${receiptPath(kind.name)}/:id`,
        { config: { global: true }, schema: { hide: true, params: Params, querystring: Query, body: Body } },
        async (req, reply) => {
          const base = c.publicUrl ?? `${req.protocol}://${req.headers.host ?? ''}`;
          const outcome = await receipts.receive(kind.name, req.params.id, { url: `${base}${req.url}`, headers: req.headers, body: req.body }, req.query.attempt);
          if (outcome === 'not_found') throw new AppError('inexistent_notification');
          if (outcome === 'refused') {
            req.log.warn({ notificationId: req.params.id, provider: kind.name }, 'status callback refused: bad or missing signature');
            throw new AppError(kind.receipts.refusal);
          }
          return reply.code(outcome === 'unknown' ? 404 : 204).send();
        },
      );
    }
  };
}
