import { settingLinks } from '../functions/settings/links';

/**
 * Per-stage secrets, set once with `sst secret set <Name> <value> --stage <stage>`
 * (docs/deploy.md). Their names come from functions/settings/links.ts, the
 * list the runtime reads them back by.
 */
export const secrets = {
  adminKey: new sst.Secret(settingLinks.TANDEM_ADMIN_KEY.link),
  relayToken: new sst.Secret(settingLinks.TANDEM_RELAY_TOKEN.link),
  nonceSecret: new sst.Secret(settingLinks.TANDEM_NONCE_SECRET.link),
  upstashRedisRestUrl: new sst.Secret(settingLinks.UPSTASH_REDIS_REST_URL.link),
  upstashRedisRestToken: new sst.Secret(settingLinks.UPSTASH_REDIS_REST_TOKEN.link),
};

export const allSecrets = Object.values(secrets);
