import { z } from '@hono/zod-openapi';
import { id } from './common';

/** What an event records being done. `revoke`: an api key deleted; `adjust`: a balance moved. */
export const auditAction = z.enum(['create', 'update', 'delete', 'revoke', 'import', 'adjust']);
export type AuditAction = z.infer<typeof auditAction>;

/** What an event is about: a configuration resource, a deck of rates, or a customer's balance. */
export const auditResource = z.enum([
  'customer',
  'ipbx',
  'provider',
  'did',
  'domain',
  'normalization_profile',
  'route',
  'rate_plan',
  'api_key',
  'rate_deck',
  'balance',
]);
export type AuditResource = z.infer<typeof auditResource>;

export const auditActor = z
  .object({
    kind: z.enum(['operator', 'api_key']),
    key_id: id.nullable().openapi({ description: 'The customer key that wrote; null for the operator key' }),
    customer_id: id.nullable().openapi({ description: "The writing key's customer; null for the operator" }),
  })
  .openapi('AuditActor');
export type AuditActor = z.infer<typeof auditActor>;

export const auditSource = z
  .object({
    ip: z
      .string()
      .nullable()
      .openapi({
        description:
          'The client address the platform saw: API Gateway’s `sourceIp` on Lambda, the socket’s peer ' +
          'under `npm start`; null when neither is known',
      }),
    forwarded_for: z.string().nullable().openapi({
      description:
        'The `X-Forwarded-For` header as the request carried it (claimed by the client, not checked)',
    }),
    user_agent: z.string().nullable(),
  })
  .openapi('AuditSource');
export type AuditSource = z.infer<typeof auditSource>;

const snapshot = z
  .record(z.string(), z.unknown())
  .nullable()
  .openapi({ description: 'The object as API reads show it, secrets redacted; null when absent' });

/** One recorded write (docs/audit.md). */
export const auditEvent = z
  .object({
    id,
    time: z.iso.datetime().openapi({ example: '2026-11-23T10:00:00.000Z' }),
    actor: auditActor,
    action: auditAction,
    resource: auditResource,
    resource_id: id.openapi({
      description:
        'The object written; for `rate_deck` the provider or rate plan, for `balance` the customer',
    }),
    customer_id: id.nullable().openapi({
      description:
        "The customer whose data this is (customer keys read their own customer's events); null: the " +
        "operator's (providers, rate plans, decks, and writes that move an object between customers)",
    }),
    before: snapshot,
    after: snapshot,
    changed_fields: z.array(z.string()).openapi({
      description:
        'Top-level fields whose stored value differs between before and after, write-only ones ' +
        '(`credentials`) included: a password change shows here though no view shows the password',
    }),
    source: auditSource,
    request_id: z
      .string()
      .nullable()
      .openapi({ description: 'API Gateway’s request id on Lambda; null under `npm start`' }),
  })
  .openapi('AuditEvent');
export type AuditEvent = z.infer<typeof auditEvent>;

/**
 * Who writes and from where, handed to every store write that records an event: the
 * repository's create/replace/patch/delete, rate imports and balance moves take one per call.
 */
export type AuditContext = {
  actor: AuditActor;
  source: AuditSource;
  request_id: string | null;
  /** Days the event is kept (TANDEM_AUDIT_RETENTION_DAYS): its `expires_at`. */
  retentionDays: number;
};
