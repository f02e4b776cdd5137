import { randomUUID } from 'node:crypto';
import type { LogEntry } from '../http/log';
import {
  type AlertEvent,
  alertNotSent,
  alertSent,
  claimAlert,
  dueAlerts,
  putAlert,
} from '../store/alert-outbox';
import type { Store } from '../store/client';
import { keys } from '../store/keys';
import { type DeliveryOptions, deliver, type WebhookTarget } from './webhook';

/** An alert is tried this many times (each a few tries, retried at a later ingestion), then given up. */
const MAX_ROUNDS = 20;
/** A delivery round holds its alert this long: past it, another process may take it. */
const LEASE_MS = 30_000;

/** The wait before the alert's next round: 30 s doubling, at most an hour. */
export const nextRoundDelayMs = (rounds: number) =>
  Math.min(3_600_000, 30_000 * 2 ** Math.max(0, rounds - 1));

export type SpendAlertsOptions = {
  store: Store;
  /** Unset: alerts are written and logged, not sent. */
  webhook: WebhookTarget | undefined;
  log: (entry: LogEntry) => void;
  now?: () => number;
  delivery?: DeliveryOptions;
};

export type SpendAlerts = ReturnType<typeof createSpendAlerts>;

/**
 * The daily spend alert: `raise` writes it to the outbox, once per customer and UTC day (awaited
 * before a CDR batch is acknowledged); `flush` sends what the outbox holds to the webhook and is
 * never awaited by a request (at most one flush runs per process, another waits for it).
 *
 * @example
 * const alerts = createSpendAlerts({ store, webhook, log });
 * await alerts.raise({ customerId, day, spend, limit, currency });
 * void alerts.flush();
 */
export function createSpendAlerts(options: SpendAlertsOptions) {
  const now = options.now ?? Date.now;
  let running: Promise<void> | undefined;
  let again = false;
  /** Alerts this process knows are in the outbox: a customer over its limit does not write for each call. */
  const known = new Set<string>();

  async function raise(input: {
    customerId: string;
    day: string;
    spend: string;
    limit: string;
    currency: string;
  }): Promise<boolean> {
    const subject = `${input.customerId}#${input.day}`;
    if (known.has(subject)) return false;
    const event: AlertEvent = {
      id: randomUUID(),
      type: 'daily_spend_limit',
      at: new Date(now()).toISOString(),
      customer_id: input.customerId,
      day: input.day,
      spend: input.spend,
      daily_spend_limit: input.limit,
      currency: input.currency,
    };
    const written = await putAlert(
      options.store,
      keys.alert(event.type, subject),
      event,
      options.webhook !== undefined,
    );
    if (known.size >= 10_000) known.clear();
    known.add(subject);
    if (written) {
      options.log({
        level: 'warn',
        msg: 'daily spend limit reached',
        customer_id: input.customerId,
        day: input.day,
        spend: input.spend,
        daily_spend_limit: input.limit,
        webhook: options.webhook ? 'queued' : 'not configured',
      });
    }
    return written;
  }

  async function round(): Promise<void> {
    const target = options.webhook;
    if (!target) return;
    for (const alert of await dueAlerts(options.store, now())) {
      if (!(await claimAlert(options.store, alert.key, now(), LEASE_MS))) continue;
      const outcome = await deliver(target, alert.event.id, JSON.stringify(alert.event), options.delivery);
      const rounds = alert.attempts + 1;
      if (outcome.ok) {
        await alertSent(options.store, alert.key, now());
        options.log({ level: 'info', msg: 'alert sent', alert_id: alert.event.id, type: alert.event.type });
        continue;
      }
      const giveUp = rounds >= MAX_ROUNDS;
      await alertNotSent(
        options.store,
        alert.key,
        outcome.error,
        giveUp ? null : now() + nextRoundDelayMs(rounds),
      );
      options.log({
        level: giveUp ? 'error' : 'warn',
        msg: giveUp ? 'alert not sent: given up' : 'alert not sent: will retry',
        alert_id: alert.event.id,
        type: alert.event.type,
        rounds,
        error: outcome.error,
      });
    }
  }

  /** Sends the due alerts; never rejects (a failure is logged, the outbox keeps the alert). */
  function flush(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await round();
        } catch (error) {
          options.log({ level: 'warn', msg: 'alert flush failed', error: (error as Error).message });
        }
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return { raise, flush };
}
