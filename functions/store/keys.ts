/**
 * Every DynamoDB key Tandem writes is built here, so the single-table layout
 * (docs/storage.md) lives in one file.
 *
 * @example
 * keys.object('route', id); // { PK: 'ROUTE#<id>', SK: 'A' }
 */
export const ITEM_SK = 'A';

export type Key = { PK: string; SK: string };
export const SOURCES = 'SOURCES';

const upper = (kind: string) => kind.toUpperCase();
const providerStatusPartition = (providerId: string) => `PROVIDER_STATUS#${providerId}`;

export const keys = {
  /** The item that holds one configuration object. */
  object: (kind: string, id: string): Key => ({ PK: `${upper(kind)}#${id}`, SK: ITEM_SK }),
  /** GSI1: the objects of one kind owned by one customer. */
  byCustomer: (kind: string, customerId: string) => `${upper(kind)}#CUSTOMER#${customerId}`,
  /** GSI2: every object of one kind (operator lists). */
  byKind: (kind: string) => upper(kind),
  /** Sort key inside GSI1/GSI2: creation order, id breaks ties. */
  listOrder: (tmCreate: string, id: string) => `${tmCreate}#${id}`,
  /** A uniqueness guard (DID number, domain name, API key hash): exists while its owner does. */
  guard: (name: string, value: string): Key => ({ PK: `UNIQUE#${upper(name)}#${value}`, SK: ITEM_SK }),
  /** The config version counter of one customer. */
  version: (customerId: string): Key => ({ PK: `VERSION#${customerId}`, SK: ITEM_SK }),
  /**
   * The source registry (docs/security.md): one item per IPBX or provider with
   * allowed sources, all in one partition so a write reads them all with a consistent query.
   */
  sourceHolder: (kind: string, id: string): Key => ({ PK: SOURCES, SK: `${upper(kind)}#${id}` }),
  /** The registry's revision: every source write moves it conditionally, so two never race. */
  sourcesRevision: (): Key => ({ PK: SOURCES, SK: '#REVISION' }),
  /** The partition of one deck version of a provider or a rate plan; the sort key is a chunk's first prefix. */
  rateDeck: (ownerId: string, deckVersion: string) => `RATE#${ownerId}#${deckVersion}`,
  /** A call detail record (docs/cdrs.md): keyed by its id, so posting it again rewrites the same item. */
  cdr: (id: string): Key => ({ PK: `CDR#${id}`, SK: ITEM_SK }),
  /** GSI1: one customer's CDRs of one UTC day (`NONE`: calls refused before a customer was known). */
  cdrsOfCustomer: (customerId: string | null, day: string) => `CDR#CUSTOMER#${customerId ?? 'NONE'}#${day}`,
  /** GSI2: every CDR of one UTC day, spread over CDR_SHARDS partitions (store/cdrs.ts). */
  cdrsOfDay: (day: string, shard: number) => `CDR#DAY#${day}#${shard}`,
  /** Sort key in both CDR indexes: the INVITE time (fixed-width ISO), the id breaks ties. */
  cdrOrder: (tmInvite: string, id: string) => `${tmInvite}#${id}`,
  /**
   * One provider as one relay site last reported it (store/provider-status.ts): a provider's
   * sites share its partition, so its status is one query.
   */
  providerStatus: (providerId: string, site: string): Key => ({
    PK: providerStatusPartition(providerId),
    SK: `SITE#${site}`,
  }),
  /**
   * A customer's credit account (docs/billing.md), one partition so the decision reads it with one
   * consistent query: `BALANCE` (balance and a version every write moves), `HOLD#<call_id>` (money
   * held by a call in progress, with `expires_at`), `SPEND#<yyyy-mm-dd>` (rated spend of a UTC day),
   * `CHARGE#<cdr id>` (a CDR already drawn from the balance: exactly once), `MOVE#<time>#<id>` (a
   * movement: credit added or removed, a call charged).
   */
  credit: (customerId: string) => `CREDIT#${customerId}`,
  creditBalance: (customerId: string): Key => ({ PK: `CREDIT#${customerId}`, SK: 'BALANCE' }),
  creditHold: (customerId: string, callId: string): Key => ({
    PK: `CREDIT#${customerId}`,
    SK: `HOLD#${callId}`,
  }),
  creditSpend: (customerId: string, day: string): Key => ({ PK: `CREDIT#${customerId}`, SK: `SPEND#${day}` }),
  creditCharge: (customerId: string, cdrId: string): Key => ({
    PK: `CREDIT#${customerId}`,
    SK: `CHARGE#${cdrId}`,
  }),
  creditMove: (customerId: string, time: string, id: string): Key => ({
    PK: `CREDIT#${customerId}`,
    SK: `MOVE#${time}#${id}`,
  }),
  /** A balance request already applied, by its `Idempotency-Key`: a retried request moves the balance once. */
  creditRequest: (customerId: string, idempotencyKey: string): Key => ({
    PK: `CREDIT#${customerId}`,
    SK: `REQUEST#${idempotencyKey}`,
  }),
  /**
   * An alert in the outbox (functions/alerts/): its key is what makes it once, e.g. one
   * `daily_spend_limit` per customer per UTC day.
   */
  alert: (type: string, subject: string): Key => ({ PK: `ALERT#${type}#${subject}`, SK: ITEM_SK }),
  /** GSI1, sparse: only alerts not delivered yet carry it, so the pending ones are one small query. */
  alertsPending: () => 'ALERT#PENDING',
  /** The partition of every site's report of one provider. */
  providerStatusPartition: (providerId: string) => providerStatusPartition(providerId),
  /** GSI1, sparse: only states reported `down` carry it, so the down providers are one small query. */
  providersReportedDown: () => 'PROVIDER_STATUS#DOWN',
  /** Sort key in that index: provider, then site. */
  providerStatusOrder: (providerId: string, site: string) => `${providerId}#${site}`,
  /**
   * An audit event (docs/audit.md), in the partition of the object it is about, so one object's
   * history is one query; the sort key is its time (fixed-width ISO), the event id breaks ties.
   */
  auditEvent: (resourceId: string, time: string, id: string): Key => ({
    PK: `AUDIT#OBJECT#${resourceId}`,
    SK: `${time}#${id}`,
  }),
  /** The partition of one object's events. */
  auditOfObject: (resourceId: string) => `AUDIT#OBJECT#${resourceId}`,
  /** GSI1: one customer's events (events of the operator's objects carry none). */
  auditOfCustomer: (customerId: string) => `AUDIT#CUSTOMER#${customerId}`,
  /** GSI2: every event (configuration writes are few: one partition holds them). */
  auditAll: () => 'AUDIT',
  /** Sort key in both audit indexes: the same time-then-id order as the table's. */
  auditOrder: (time: string, id: string) => `${time}#${id}`,
};

export const GSI1 = { name: 'GSI1', pk: 'GSI1PK', sk: 'GSI1SK' } as const;
export const GSI2 = { name: 'GSI2', pk: 'GSI2PK', sk: 'GSI2SK' } as const;
