import { describeSource, type SourceLimits, type SourceSpec, sourceRange } from '../domain/source-range';

export { DEFAULT_SOURCE_LIMITS, type SourceLimits } from '../domain/source-range';

import type { Principal } from '../http/auth';
import { badRequest, type Doc, type FieldError, HttpError, type ResourceDef } from '../store';

const sourcesOf = (doc: Doc | undefined) => (doc?.['allowed_sources'] as SourceSpec[] | undefined) ?? [];

/**
 * What a customer key may not do with sources (the operator may):
 * 403 for setting `shared_source` (keeping the operator's true is fine),
 * 400 for a new source wider than the limits (one the object already had is kept).
 */
export function assertSourcePolicy(
  def: ResourceDef,
  principal: Principal,
  before: Doc | undefined,
  after: Doc,
  limits: SourceLimits,
): void {
  if (principal.kind === 'operator' || !def.sources) return;
  if (after['shared_source'] === true && before?.['shared_source'] !== true) {
    throw new HttpError(403, 'Forbidden', 'only the operator may share sources', [
      { field: 'shared_source', message: 'only the operator key may set it to true' },
    ]);
  }
  const kept = new Set(sourcesOf(before).map(describeSource));
  const errors: FieldError[] = [];
  sourcesOf(after).forEach((source, i) => {
    const range = sourceRange(source.cidr);
    if (!range || kept.has(describeSource(source))) return;
    const min = range.v6 ? limits.minPrefixV6 : limits.minPrefixV4;
    if (range.bits < min) {
      errors.push({
        field: `allowed_sources.${i}.cidr`,
        message: `is wider than /${min}, the widest ${range.v6 ? 'IPv6' : 'IPv4'} source a customer key may write; ask the operator`,
      });
    }
  });
  if (errors.length > 0) throw badRequest('an allowed source is too wide for a customer key', errors);
}
