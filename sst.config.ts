/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Tandem on AWS: `sst deploy --stage prod`. One small file per concern in
 * infra/; this file only composes them. Type-checked offline with
 * `npm run check:infra` (docs/deploy.md).
 */
export default $config({
  async app(input) {
    const { isProductionStage } = await import('./infra/stages');
    const production = isProductionStage(input?.stage);
    return {
      name: 'tandem',
      home: 'aws',
      // Production keeps its table when the stage is removed, and refuses accidental removal.
      removal: production ? 'retain' : 'remove',
      protect: production,
    };
  },
  async run() {
    const { table } = await import('./infra/table');
    const { api } = await import('./infra/api');
    const { decisionUrl } = await import('./infra/decision');
    await import('./infra/cdr');
    return {
      api: api.url,
      decisionUrl,
      table: table.name,
    };
  },
});
