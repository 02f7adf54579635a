// The batch contract of every DataLoader, written once: dedupe the keys, one statement with
// `= ANY($1)`, then answer in the order of the keys: `null` for a missing row (one-to-one), `[]`
// for none (one-to-many), 0 for an uncounted key.
import DataLoader from 'dataloader';

export function byId<T extends { id: number }>(load: (ids: number[]) => Promise<T[]>) {
  return new DataLoader<number, T | null>(async (ids) => {
    const rows = await load([...new Set(ids)]);
    const map = new Map<number, T>();
    for (const row of rows) map.set(row.id, row);
    return ids.map((id) => map.get(id) ?? null);
  });
}

export function grouped<K, V>(load: (keys: K[]) => Promise<[K, V][]>) {
  return new DataLoader<K, V[]>(async (keys) => {
    const groups = new Map<K, V[]>();
    for (const [key, value] of await load([...new Set(keys)])) {
      const group = groups.get(key);
      if (group) group.push(value);
      else groups.set(key, [value]);
    }
    return keys.map((key) => groups.get(key) ?? []);
  });
}

export function counted<K>(load: (keys: K[]) => Promise<[K, number][]>) {
  return new DataLoader<K, number>(async (keys) => {
    const counts = new Map(await load([...new Set(keys)]));
    return keys.map((key) => counts.get(key) ?? 0);
  });
}
