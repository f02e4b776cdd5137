/**
 * Which resource linked by `sst.config.ts` fills which setting, and under
 * which property SST exposes it (`Resource.<Link>.<property>`). The one list
 * infra/ names its components by and resource.ts reads them by, so a renamed
 * component cannot silently leave a setting empty.
 *
 * @example
 * settingLinks.TANDEM_TABLE_NAME; // { link: 'Table', property: 'name' }
 */
export const settingLinks = {
  TANDEM_TABLE_NAME: { link: 'Table', property: 'name' },
  TANDEM_ADMIN_KEY: { link: 'AdminKey', property: 'value' },
  TANDEM_RELAY_TOKEN: { link: 'RelayToken', property: 'value' },
  TANDEM_NONCE_SECRET: { link: 'NonceSecret', property: 'value' },
  UPSTASH_REDIS_REST_URL: { link: 'UpstashRedisRestUrl', property: 'value' },
  UPSTASH_REDIS_REST_TOKEN: { link: 'UpstashRedisRestToken', property: 'value' },
} as const;

export type LinkedSetting = keyof typeof settingLinks;
export type LinkName = (typeof settingLinks)[LinkedSetting]['link'];
