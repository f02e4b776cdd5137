const DECIDE_PATH = '/v1/routing/decide';

/**
 * The API beside the decision: the decide URL's origin and whatever prefix comes before
 * `/v1/routing/decide` (a stage path). Where the relay ships CDRs, reads its health targets and
 * reports provider status unless told otherwise.
 *
 * @example
 * apiBaseOf('https://api.example.com/prod/v1/routing/decide'); // 'https://api.example.com/prod'
 */
export function apiBaseOf(decideUrl: string): string {
  const url = new URL(decideUrl);
  const prefix = url.pathname.endsWith(DECIDE_PATH) ? url.pathname.slice(0, -DECIDE_PATH.length) : '';
  return `${url.origin}${prefix}`;
}
