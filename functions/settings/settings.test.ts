import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from './settings';

describe('loadSettings', () => {
  it('applies the documented defaults', () => {
    const s = loadSettings({});
    expect(s).toMatchObject({
      apiPort: 8080,
      dataDir: './.tandem',
      tableName: 'tandem',
      adminKey: undefined,
    });
  });

  it('names the variable when a value is bad', () => {
    expect(() => loadSettings({ TANDEM_API_PORT: 'eighty' })).toThrow(/TANDEM_API_PORT/);
    expect(() => loadSettings({ TANDEM_ADMIN_KEY: 'short' })).toThrow(SettingsError);
  });

  it('keeps CDRs 400 days unless TANDEM_CDR_RETENTION_DAYS says otherwise (1–3650)', () => {
    expect(loadSettings({}).cdrRetentionDays).toBe(400);
    expect(loadSettings({ TANDEM_CDR_RETENTION_DAYS: '90' }).cdrRetentionDays).toBe(90);
    expect(() => loadSettings({ TANDEM_CDR_RETENTION_DAYS: '0' })).toThrow(/TANDEM_CDR_RETENTION_DAYS/);
  });

  it('keeps audit events 400 days unless TANDEM_AUDIT_RETENTION_DAYS says otherwise (1–3650)', () => {
    expect(loadSettings({}).auditRetentionDays).toBe(400);
    expect(loadSettings({ TANDEM_AUDIT_RETENTION_DAYS: '30' }).auditRetentionDays).toBe(30);
    for (const bad of ['0', '3651', '1.5', 'forever']) {
      expect(() => loadSettings({ TANDEM_AUDIT_RETENTION_DAYS: bad })).toThrow(/TANDEM_AUDIT_RETENTION_DAYS/);
    }
  });

  it('takes the alert webhook with its secret, or neither', () => {
    expect(loadSettings({}).alertWebhook).toBeUndefined();
    const url = 'https://ops.example/hooks/tandem';
    const secret = 'webhook-secret-0123456789';
    expect(
      loadSettings({ TANDEM_ALERT_WEBHOOK_URL: url, TANDEM_ALERT_WEBHOOK_SECRET: secret }).alertWebhook,
    ).toEqual({ url, secret });
    expect(() => loadSettings({ TANDEM_ALERT_WEBHOOK_URL: url })).toThrow(/TANDEM_ALERT_WEBHOOK_SECRET/);
    expect(() =>
      loadSettings({ TANDEM_ALERT_WEBHOOK_URL: 'ftp://ops.example/x', TANDEM_ALERT_WEBHOOK_SECRET: secret }),
    ).toThrow(/TANDEM_ALERT_WEBHOOK_URL/);
    expect(() =>
      loadSettings({ TANDEM_ALERT_WEBHOOK_URL: url, TANDEM_ALERT_WEBHOOK_SECRET: 'short' }),
    ).toThrow(/TANDEM_ALERT_WEBHOOK_SECRET/);
  });

  it('takes the api key in the query (VoIPBIN compatibility) only when told, off by default', () => {
    expect(loadSettings({}).apiTokenInQuery).toBe(false);
    expect(loadSettings({ TANDEM_API_TOKEN_IN_QUERY: 'true' }).apiTokenInQuery).toBe(true);
    expect(loadSettings({ TANDEM_API_TOKEN_IN_QUERY: 'false' }).apiTokenInQuery).toBe(false);
    expect(() => loadSettings({ TANDEM_API_TOKEN_IN_QUERY: 'yes' })).toThrow(/TANDEM_API_TOKEN_IN_QUERY/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadSettings({ TANDEM_API_PORT: '' }).apiPort).toBe(8080);
  });
});
