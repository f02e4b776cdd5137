import { describe, expect, it } from 'vitest';
import { parseConfig } from './config-schema';
import { CliError } from './errors';
import {
  type ConfigFile,
  configPath,
  DEFAULT_URL,
  maskSecret,
  resolveSettings,
  withProfile,
} from './settings';

const file: ConfigFile = {
  current: 'prod',
  profiles: {
    prod: { url: 'https://api.prod.example', key: 'tdm_prodkey_0123456789' },
    lab: { url: 'http://lab:8080', key: 'tdm_labkey_0123456789', relay_url: 'http://relay:9060' },
  },
};

describe('resolveSettings', () => {
  it('takes a flag over the environment over the config file', () => {
    const env = { TANDEM_URL: 'http://env:8080', TANDEM_KEY: 'env-key-0123456789' };
    expect(resolveSettings({ url: 'http://flag', key: 'flag-key' }, env, file)).toMatchObject({
      url: 'http://flag',
      key: 'flag-key',
      sources: { url: 'flag', key: 'flag' },
    });
    expect(resolveSettings({}, env, file)).toMatchObject({
      url: 'http://env:8080',
      key: 'env-key-0123456789',
      sources: { url: 'env', key: 'env' },
    });
    expect(resolveSettings({}, {}, file)).toMatchObject({
      profile: 'prod',
      url: 'https://api.prod.example',
      key: 'tdm_prodkey_0123456789',
      sources: { url: 'config', key: 'config' },
    });
  });

  it('defaults the URL to the local stack and leaves the key unset', () => {
    expect(resolveSettings({}, {}, undefined)).toMatchObject({
      profile: 'default',
      url: DEFAULT_URL,
      key: undefined,
      sources: { url: 'default', key: 'none' },
    });
  });

  it('picks a profile by flag, then TANDEM_PROFILE, then the current one', () => {
    expect(resolveSettings({ profile: 'lab' }, { TANDEM_PROFILE: 'prod' }, file).relayUrl).toBe(
      'http://relay:9060',
    );
    expect(resolveSettings({}, { TANDEM_PROFILE: 'lab' }, file).url).toBe('http://lab:8080');
    expect(() => resolveSettings({ profile: 'staging' }, {}, file)).toThrow(CliError);
    expect(() => resolveSettings({ profile: 'staging' }, {}, file)).toThrow(/it has prod, lab/);
  });

  it('reads the relay settings from flags and TANDEM_RELAY_*', () => {
    expect(
      resolveSettings({ relay: 'http://r1:9060' }, { TANDEM_RELAY_TOKEN: 'tok' }, undefined),
    ).toMatchObject({
      relayUrl: 'http://r1:9060',
      relayToken: 'tok',
      sources: { relayUrl: 'flag', relayToken: 'env' },
    });
  });
});

describe('the config file', () => {
  it('lives in $TANDEM_CONFIG, else the XDG config folder, else ~/.config', () => {
    expect(configPath({ TANDEM_CONFIG: '/etc/t.json' }, '/home/u')).toBe('/etc/t.json');
    expect(configPath({ XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/tandem/config.json');
    expect(configPath({}, '/home/u')).toBe('/home/u/.config/tandem/config.json');
  });

  it('is checked, naming what is wrong', () => {
    expect(parseConfig('{"profiles":{"a":{"url":"http://a"}}}', 'f')).toEqual({
      profiles: { a: { url: 'http://a' } },
    });
    expect(() => parseConfig('{', 'f')).toThrow(/f is not valid JSON/);
    expect(() => parseConfig('{"profiles":{"a":{"uri":"x"}}}', 'f')).toThrow(/profiles\.a/);
  });

  it('keeps other profiles when one is changed; an empty value removes a field', () => {
    const next = withProfile(file, 'lab', { key: 'new-key', relay_url: '' });
    expect(next.profiles.lab).toEqual({ url: 'http://lab:8080', key: 'new-key' });
    expect(next.profiles.prod).toEqual(file.profiles.prod);
    expect(next.current).toBe('prod');
    expect(withProfile(undefined, 'default', { url: 'http://x' })).toEqual({
      profiles: { default: { url: 'http://x' } },
    });
  });
});

describe('maskSecret', () => {
  it('shows the kind and the length of a key, never the secret part', () => {
    expect(maskSecret('tdm_abcdefghijklmnopqrstuvwxyz')).toBe('tdm_… (30 characters)');
    expect(maskSecret('short')).toBe('… (5 characters)');
    expect(maskSecret(undefined)).toBe('(none)');
  });
});
