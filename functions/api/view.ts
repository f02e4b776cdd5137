import { type SourcedPeer, sourceWarnings } from '../domain/source-warnings';
import type { Doc, ResourceDef } from '../store';
import { objectView } from '../store/object-view';

/** A stored object as API reads show it (store/object-view.ts), with its source warnings. */
export function toView(def: ResourceDef, stored: Doc): Record<string, unknown> {
  const view = objectView(def, stored);
  if (def.sources) {
    const warnings = sourceWarnings(stored as SourcedPeer);
    if (warnings.length > 0) view['warnings'] = warnings;
  }
  return view;
}
