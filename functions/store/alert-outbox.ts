import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from './client';
import { GSI1, type Key, keys } from './keys';

/**
 * The alert outbox (docs/billing.md, "Alerts"): an alert is written here, durably and once, before
 * the request that raised it is answered; delivering it to the webhook comes after and is retried
 * until it succeeds. One item per alert, keyed by what makes it unique (`keys.alert`), so raising
 * the same alert twice writes nothing the second time.
 *
 * Item: `doc` (the JSON body sent), `state` (`pending`, `sent`, `failed`, `unsent`: no webhook
 * configured), `attempts`, `next_attempt_at` and `lease_until` (epoch ms), `last_error`, `sent_at`;
 * while pending it carries GSI1 `ALERT#PENDING`, so the pending ones are one small query.
 */

/** What a webhook receives (the body, as JSON). */
export type AlertEvent = {
  id: string;
  type: 'daily_spend_limit';
  /** When it was raised. */
  at: string;
  customer_id: string;
  /** The UTC day whose spend reached the limit. */
  day: string;
  spend: string;
  daily_spend_limit: string;
  currency: string;
};

export type PendingAlert = { key: Key; event: AlertEvent; attempts: number };

/** How long a delivered (or abandoned) alert is kept: 90 days, then DynamoDB's TTL deletes it. */
const KEEP_S = 90 * 86_400;

const expiresAt = (nowMs: number) => Math.floor(nowMs / 1000) + KEEP_S;

/**
 * Writes an alert once: false when the same alert (same key) exists already. `pending` false
 * (no webhook configured) keeps it as a record only.
 *
 * @example
 * await putAlert(store, keys.alert('daily_spend_limit', `${customerId}#${day}`), event, true);
 */
export async function putAlert(
  store: Store,
  key: Key,
  event: AlertEvent,
  pending: boolean,
): Promise<boolean> {
  const nowMs = Date.parse(event.at);
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          ...key,
          ...(pending ? { [GSI1.pk]: keys.alertsPending(), [GSI1.sk]: `${event.at}#${event.id}` } : {}),
          kind: 'alert',
          doc: event,
          state: pending ? 'pending' : 'unsent',
          attempts: 0,
          next_attempt_at: nowMs,
          lease_until: 0,
          expires_at: expiresAt(nowMs),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Items read per query page of the pending index while looking for due alerts. */
const PENDING_PAGE = 100;

/**
 * Pending alerts due at `nowMs`, oldest first (at most `limit`). The pending index is ordered by
 * when an alert was raised, not by when it is due, and DynamoDB filters after it reads a page: it
 * reads on, page after page, until `limit` due ones are found or the index ends, so alerts waiting
 * for a later retry never hide the due ones behind them.
 */
export async function dueAlerts(store: Store, nowMs: number, limit = 25): Promise<PendingAlert[]> {
  const found: PendingAlert[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: '#next <= :now AND #lease < :now',
        ExpressionAttributeNames: { '#pk': GSI1.pk, '#next': 'next_attempt_at', '#lease': 'lease_until' },
        ExpressionAttributeValues: { ':pk': keys.alertsPending(), ':now': nowMs },
        Limit: PENDING_PAGE,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      found.push({
        key: { PK: String(item['PK']), SK: String(item['SK']) },
        event: item['doc'] as AlertEvent,
        attempts: Number(item['attempts'] ?? 0),
      });
    }
    start = out.LastEvaluatedKey;
  } while (start && found.length < limit);
  return found.slice(0, limit);
}

const NAMES = { '#state': 'state', '#lease': 'lease_until', '#gpk': GSI1.pk, '#gsk': GSI1.sk };

const used = <T>(all: Record<string, T>, text: string) =>
  Object.fromEntries(Object.entries(all).filter(([name]) => new RegExp(`${name}\\b`).test(text)));

async function update(
  store: Store,
  key: Key,
  expression: string,
  condition: string,
  values: Record<string, unknown>,
) {
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: key,
        UpdateExpression: expression,
        ConditionExpression: condition,
        // DynamoDB refuses names and values an expression does not use.
        ExpressionAttributeNames: used(NAMES, `${expression} ${condition}`),
        ExpressionAttributeValues: used(values, `${expression} ${condition}`),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Takes a pending alert for one delivery until `nowMs + leaseMs`: false when another process holds
 * it (or it is no longer pending), so two ingestions never send the same alert at once.
 */
export function claimAlert(store: Store, key: Key, nowMs: number, leaseMs: number): Promise<boolean> {
  return update(
    store,
    key,
    'SET #lease = :until, attempts = attempts + :one',
    '#state = :pending AND #lease < :now',
    { ':until': nowMs + leaseMs, ':one': 1, ':pending': 'pending', ':now': nowMs },
  );
}

/** Delivered: out of the pending index, kept 90 days as a record. */
export function alertSent(store: Store, key: Key, nowMs: number): Promise<boolean> {
  return update(
    store,
    key,
    'SET #state = :sent, sent_at = :at, #lease = :zero REMOVE #gpk, #gsk',
    '#state = :pending',
    {
      ':sent': 'sent',
      ':at': new Date(nowMs).toISOString(),
      ':zero': 0,
      ':pending': 'pending',
    },
  );
}

/** Not delivered: tried again from `nextAttemptAt`, or given up (`failed`, out of the pending index). */
export function alertNotSent(
  store: Store,
  key: Key,
  error: string,
  nextAttemptAt: number | null,
): Promise<boolean> {
  if (nextAttemptAt === null) {
    return update(
      store,
      key,
      'SET #state = :failed, last_error = :error, #lease = :zero REMOVE #gpk, #gsk',
      '#state = :pending',
      {
        ':failed': 'failed',
        ':error': error,
        ':zero': 0,
        ':pending': 'pending',
      },
    );
  }
  return update(
    store,
    key,
    'SET next_attempt_at = :next, last_error = :error, #lease = :zero',
    '#state = :pending',
    {
      ':next': nextAttemptAt,
      ':error': error,
      ':zero': 0,
      ':pending': 'pending',
    },
  );
}
