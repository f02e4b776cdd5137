import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { MAX_CDR_BATCH } from '../contract/cdr';

const port = z.number().int().min(0).max(65535);
const ipAddress = z.union([z.ipv4(), z.ipv6()]);

/**
 * Everything `startRelay` needs, already validated; `loadRelaySettings`
 * builds it from the environment, tests build it directly.
 */
export const relayConfig = z.object({
  /** Bind address (0.0.0.0 for all IPv4 interfaces). */
  address: ipAddress.default('0.0.0.0'),
  /** Host written in Via and Record-Route; defaults to the bind address (127.0.0.1 when bound to 0.0.0.0). */
  publicAddress: z.string().min(1).optional(),
  /** UDP and TCP port (0 picks a free one). */
  port: port.default(5060),
  tls: z.object({ certFile: z.string(), keyFile: z.string(), port }).optional(),
  /** Inbound TCP/TLS connections: at most this many per listener; closed if no SIP message comes within firstMessageS. */
  connections: z
    .object({
      max: z.number().int().min(1).max(1_000_000).default(10_000),
      firstMessageS: z.number().int().min(1).max(3600).default(30),
    })
    .prefault({}),
  /** GET /healthz and /metrics (Prometheus) for operators; off when absent. */
  http: z.object({ address: ipAddress.default('127.0.0.1'), port }).optional(),
  decideUrl: z.url(),
  /** PEM file of the CA that signed an https decision URL's certificate, when it is not a public one. */
  decideCaFile: z.string().min(1).optional(),
  relayToken: z.string().min(1),
  decideTimeoutMs: z.number().int().min(50).max(10_000).default(800),
  retryAfterS: z.number().int().min(1).max(3600).default(5),
  /**
   * Drain (SIGTERM): new INVITEs get 503 while the relay carries the calls it holds until they end,
   * at most this many seconds; infra/relay/tandem-relay.service's TimeoutStopSec lies a little above.
   */
  drainS: z.number().int().min(0).max(86_400).default(90),
  /** The site this relay belongs to (the relays sharing one Redis): names its provider status reports. */
  siteId: z.string().min(1).max(64).default('default'),
  /**
   * The API the relay reports provider status to and reads its health targets from (`/v1/…` under
   * it); unset: the decision URL's origin and prefix (as `cdr.url`).
   */
  apiUrl: z.url().optional(),
  /** Limits per IPBX, customer and provider (admission/, docs/admission.md). */
  admission: z
    .object({
      /** A lease its relay stopped renewing (killed) stops counting after this long. */
      leaseTtlS: z.number().int().min(3).max(3600).default(30),
      /** With Redis unreachable, each relay allows this share of every limit on its own counts. */
      localShare: z.number().min(0.01).max(1).default(0.5),
    })
    .prefault({}),
  /** Names this relay in logs and in what it sends the decision; the host name unless set. */
  relayId: z.string().min(1).max(128).default(hostname()),
  /**
   * Order (and subset) of the digest challenges sent to callers. Strongest
   * first per RFC 8760; older UAs (sipp 3.6 among them) only read the first
   * Proxy-Authenticate, so an operator may put MD5 first.
   */
  digestAlgorithms: z
    .array(z.enum(['SHA-256', 'MD5']))
    .min(1)
    .default(['SHA-256', 'MD5']),
  dialogs: z
    .object({
      /** Redis shared by the relays of a cluster (`redis://` or `rediss://`); unset: memory and a local journal. */
      redisUrl: z
        .string()
        .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
        .optional(),
      keyPrefix: z.string().min(1).max(64).default('tandem:'),
      /**
       * A dialog is ended this long after its 2xx (a call whose BYE never came): its record closes
       * as `timeout` and its media session is deleted.
       */
      ttlS: z
        .number()
        .int()
        .min(5)
        .max(7 * 86_400)
        .default(43_200),
      /**
       * How often the relay looks for dialogs past their lifetime or their maximum duration (any
       * relay of a site may end one). A call answered here with a maximum duration also wakes a check
       * at its own deadline; this period is the precision for dialogs taken over from another relay.
       */
      expiryCheckS: z.number().int().min(1).max(3600).default(1),
      /**
       * Without Redis, dialogs are journaled in `<dataDir>/dialogs` with group commit: changes of one
       * window share one write and one fdatasync. A power cut may lose the dialogs answered or ended
       * within the last window (a crash, only those not written yet).
       */
      journalFsyncMs: z.number().int().min(0).max(1000).default(20),
      /** With Redis, a command unanswered after this long fails: a frozen Redis holds no lookup longer. */
      redisTimeoutMs: z.number().int().min(50).max(60_000).default(500),
    })
    .prefault({}),
  /**
   * Overload threshold (ms of event-loop lag, runtime/load-monitor.ts): a share of new INVITEs gets
   * 503 from half of it, all of them at 1.5 ×; 0 turns overload control off (socket saturation too).
   */
  overloadLagMs: z.number().int().min(0).max(60_000).default(300),
  /**
   * Synthetic calls run through the call path before the ports open, and then decides sent to warm
   * the decision path (runtime/warm-up.ts): the first calls after a start are as fast as the rest.
   * 0: neither (the relay then binds at once; its first calls run cold).
   */
  warmUpCalls: z.number().int().min(0).max(100_000).default(2000),
  /** Flood protection (guard/source-guard.ts): bans sources whose INVITEs keep getting 403. */
  flood: z
    .object({
      maxRejects: z.number().int().min(0).max(100_000).default(30),
      windowS: z.number().int().min(1).max(3600).default(10),
      banS: z
        .number()
        .int()
        .min(1)
        .max(7 * 86_400)
        .default(600),
      dropScanners: z.boolean().default(true),
    })
    .prefault({}),
  /**
   * Refused INVITEs are logged at info (runtime/refusal-log.ts), at most `perSource` lines per
   * source address per window; the rest are counted in one summary line.
   */
  refusalLog: z
    .object({
      perSource: z.number().int().min(1).max(10_000).default(5),
      windowS: z.number().int().min(1).max(3600).default(60),
    })
    .prefault({}),
  timers: z
    .object({
      t1: z.number().int().min(10).max(10_000).default(500),
      t2: z.number().int().min(10).max(60_000).default(4000),
      t4: z.number().int().min(10).max(60_000).default(5000),
      /** After the caller's CANCEL, how long to wait for the branches' 487 before answering anyway. */
      cancelWaitMs: z.number().int().min(10).max(60_000).default(4000),
    })
    .prefault({}),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /**
   * Where the relay keeps what must survive a restart (the CDR spool). The settings pass systemd's
   * `STATE_DIRECTORY` here; without either, `.tandem/relay` under the working directory.
   */
  dataDir: z
    .string()
    .min(1)
    .default(() => resolve('.tandem/relay')),
  /** CDRs: the durable spool and its shipper to `POST /v1/cdrs` (cdr/, docs/cdrs.md "Relay spool"). Always on. */
  cdr: z
    .object({
      /** `POST /v1/cdrs` of the API; unset: beside the decision URL (cdr/cdr-settings.ts, `defaultCdrUrl`). */
      url: z.url().optional(),
      /** The spool folder; unset: `<dataDir>/cdr-spool`. */
      spoolDir: z.string().min(1).optional(),
      /** Spool size (MiB) at which new calls are refused (503) until records leave; warned from 80 %. */
      capMb: z.number().int().min(1).max(1_048_576).default(1024),
      /** Group commit: records of one window share one write and one fsync; what a power cut may lose. */
      fsyncMs: z.number().int().min(0).max(1000).default(50),
      /** A segment is sealed (handed to the shipper) at this size… */
      segmentBytes: z
        .number()
        .int()
        .min(4096)
        .max(64 * 1024 * 1024)
        .default(1024 * 1024),
      /** …or this long after its first record, so a quiet relay still ships within seconds. */
      sealMs: z.number().int().min(10).max(300_000).default(1000),
      /** Records per `POST /v1/cdrs` (the API takes at most 500). */
      batchSize: z.number().int().min(1).max(MAX_CDR_BATCH).default(MAX_CDR_BATCH),
      backoffMinMs: z.number().int().min(10).max(60_000).default(500),
      backoffMaxMs: z.number().int().min(100).max(3_600_000).default(30_000),
      /** One request is abandoned (and retried) after this long. */
      timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    })
    .prefault({})
    .refine((c) => c.backoffMaxMs >= c.backoffMinMs, {
      path: ['backoffMaxMs'],
      message: 'must not be below backoffMinMs',
    }),
});

export type RelayConfig = z.infer<typeof relayConfig>;
export type RelayConfigInput = z.input<typeof relayConfig>;
