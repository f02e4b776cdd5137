import { useEffect, useState } from 'preact/hooks';
import { call, type Page } from './api';

type Named = { id: string; name?: string; number?: string };

const cache = new Map<string, Promise<Named[]>>();

/** The first page (100) of a resource's objects, read once per sign-in: reference choices and names. */
export function objectsOf(path: string): Promise<Named[]> {
  let pending = cache.get(path);
  if (!pending) {
    pending = call<Page<Named>>('GET', `/v1/${path}?page_size=100`).then((a) => (a.ok ? a.body.result : []));
    cache.set(path, pending);
  }
  return pending;
}

/** Forget what was read (sign-out, or a write that changes names). */
export function forgetObjects(path?: string): void {
  if (path) cache.delete(path);
  else cache.clear();
}

/** The objects of `path` once read (empty until then). */
export function useObjects(path: string | undefined): Named[] {
  const [objects, setObjects] = useState<Named[]>([]);
  useEffect(() => {
    if (!path) return;
    let live = true;
    void objectsOf(path).then((list) => live && setObjects(list));
    return () => {
      live = false;
    };
  }, [path]);
  return objects;
}

export const labelOf = (o: Named): string => o.name || o.number || o.id;
