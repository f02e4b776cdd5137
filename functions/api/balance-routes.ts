import { createRoute, z } from '@hono/zod-openapi';
import { available } from '../billing/credit-decision';
import { currency, money, signedMoney } from '../billing/money';
import { id, withCustomerDefaults } from '../domain';
import type { Customer } from '../domain/customer';
import { auditContextOf } from '../http/audit-context';
import { assertCanSee, principalOf, requireOperator } from '../http/auth';
import { problemResponses } from '../http/problem';
import { bearerSecurity, createRouteGroup } from '../http/route-group';
import { badRequest, createRepository, notFound, resources } from '../store';
import { listMovements, moveBalance, readAccount, utcDay } from '../store/credit';
import { pageQuery, type RouteDeps } from './resource-routes';

const movement = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    amount: signedMoney.openapi({ description: 'What the balance moved by (negative: taken off)' }),
    kind: z.enum(['credit', 'debit', 'call']),
    note: z.string(),
    by: z.string().openapi({ description: '`operator`, the API key id that asked, or `cdr` for a call' }),
    cdr_id: z.string().optional().openapi({ description: 'The call’s record (calls only)' }),
    currency: currency.optional().openapi({ description: 'The call’s currency (calls only)' }),
    balance_after: signedMoney,
  })
  .openapi('BalanceMovement');

export const balanceView = z
  .object({
    customer_id: id,
    mode: z.enum(['postpaid', 'prepaid']),
    balance: signedMoney,
    held: money.openapi({ description: 'Held by calls in progress (their longest affordable time)' }),
    available: signedMoney.nullable().openapi({
      description: 'balance (+ credit_limit when postpaid) − held; null: nothing limits the calls',
    }),
    credit_limit: money.nullable(),
    spend_today: money.openapi({ description: 'Charged for calls of the current UTC day' }),
    daily_spend_limit: money.nullable(),
    day: z.string().openapi({ example: '2026-12-05' }),
    currency: currency.nullable().openapi({
      description:
        'The currency of the calls charged (the customer’s rate plan’s); null before the first. ' +
        'Credit added is in the same currency: Tandem never converts.',
    }),
    movements: z.array(movement).openapi({ description: 'Newest first' }),
    next_page_token: z.string().openapi({ description: 'Empty when this is the last page of movements' }),
  })
  .openapi('Balance');

export const balanceInput = z
  .object({
    amount: signedMoney
      // A regex, not big.js: zod runs refinements on strings the format check already refused.
      .refine((a) => !/^-?0(\.0+)?$/.test(a), 'must not be zero')
      .openapi({ description: 'Credit added (positive) or removed (negative)', example: '25' }),
    note: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
      .openapi({ example: 'bank transfer 2026-12-05' }),
  })
  .openapi('BalanceInput');

const moved = z
  .object({ movement, balance: signedMoney })
  .openapi('BalanceMoved', { description: 'The movement written and the balance after it' });

const params = z.object({ id: id.openapi({ param: { name: 'id', in: 'path' } }) });
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const getRoute = createRoute({
  method: 'get',
  path: '/v1/customers/{id}/balance',
  tags: ['Customers'],
  summary: 'A customer’s balance, held credit, spend of the day and movements',
  description:
    'The operator reads any customer’s, a customer key its own (another customer’s id answers 404). ' +
    'Movements (credit added or removed, calls charged) are paged newest first.',
  security: bearerSecurity,
  request: { params, query: z.object(pageQuery) },
  responses: {
    200: { description: 'The balance', content: { 'application/json': { schema: balanceView } } },
    ...problemResponses(400, 401, 404),
  },
});

const postRoute = createRoute({
  method: 'post',
  path: '/v1/customers/{id}/balance',
  tags: ['Customers'],
  summary: 'Add or remove credit (operator only)',
  description:
    'Moves the balance by `amount` with a movement naming who asked and `note`. With an ' +
    '`Idempotency-Key` header, a retried request moves it once and answers the same movement ' +
    '(`Idempotent-Replayed: true`); the same key with another amount or note is a 409.',
  security: bearerSecurity,
  request: {
    params,
    headers: z.object({
      'idempotency-key': z.string().optional().openapi({ description: 'Up to 255 visible ASCII characters' }),
    }),
    body: { required: true, content: { 'application/json': { schema: balanceInput } } },
  },
  responses: {
    201: { description: 'The credit moved', content: { 'application/json': { schema: moved } } },
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});

/**
 * `GET/POST /v1/customers/{id}/balance` (docs/billing.md, "Credit"). The balance is no field of
 * the customer: only these routes (and charged calls) move it, each with a movement.
 *
 * @example
 * resourceRoutes(deps, resources.customer).route('/', balanceRoutes(deps));
 */
export function balanceRoutes(deps: RouteDeps) {
  const group = createRouteGroup();
  const customers = createRepository(deps.store, resources.customer, deps.now);
  const load = async (customerId: string) => {
    const doc = await customers.get(customerId);
    if (!doc) throw notFound(`customer ${customerId} does not exist`);
    return withCustomerDefaults(doc as unknown as Customer);
  };

  group.openapi(getRoute, async (c) => {
    const { id: customerId } = c.req.valid('param');
    const q = c.req.valid('query');
    assertCanSee(principalOf(c), customerId, `customer ${customerId}`);
    const { billing } = await load(customerId);
    const nowMs = deps.now().getTime();
    const [account, page] = await Promise.all([
      readAccount(deps.store, customerId, nowMs),
      listMovements(deps.store, customerId, q.page_size, q.page_token),
    ]);
    return c.json(
      {
        customer_id: customerId,
        mode: billing.mode,
        balance: account.balance,
        held: account.held,
        available: available(billing, account),
        credit_limit: billing.mode === 'postpaid' ? billing.credit_limit : null,
        spend_today: account.spendToday,
        daily_spend_limit: billing.daily_spend_limit,
        day: utcDay(nowMs),
        currency: account.currency,
        movements: page.items,
        next_page_token: page.nextPageToken,
      },
      200,
    );
  });

  group.openapi(postRoute, async (c) => {
    const { id: customerId } = c.req.valid('param');
    const principal = principalOf(c);
    assertCanSee(principal, customerId, `customer ${customerId}`);
    requireOperator(c);
    const key = c.req.header('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw badRequest('the Idempotency-Key header is invalid', [
        { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
      ]);
    }
    const body = c.req.valid('json');
    await load(customerId);
    const outcome = await moveBalance(deps.store, customerId, {
      amount: body.amount,
      note: body.note,
      by: principal.kind === 'operator' ? 'operator' : principal.keyId,
      idempotencyKey: key,
      at: deps.now().toISOString(),
      audit: auditContextOf(c, deps),
    });
    if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json({ movement: outcome.movement, balance: outcome.balance }, 201);
  });
  return group;
}
