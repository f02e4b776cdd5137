/**
 * Stages that hold real traffic: their data is retained on removal and
 * backed up continuously. Pure, so `app()` in sst.config.ts can use it too.
 *
 * @example
 * isProductionStage('prod'); // true
 */
export const productionStages = ['production', 'prod'] as const;

export function isProductionStage(stage: string | undefined): boolean {
  return (productionStages as readonly string[]).includes(stage ?? '');
}
