// Person names for demo authors and users, and the handles users log in with.
import { normalizeAuthorName } from '../authors/index.ts';
import { Rng, WeightedSampler } from './random.ts';
import { NAME_CULTURES, type NameCulture } from './vocabulary.ts';

export interface PersonName {
  readonly given: string;
  readonly family: string;
  /** As printed on a byline: "Zhiyuan Wang", "Rahul K. Sharma". */
  readonly full: string;
}

const INITIALS = 'ABCDEFGHJKLMNPRSTVWY';

/** Draws names in proportion to the cultures' weights, optionally unique by normalized name. */
export class NameGenerator {
  private readonly cultures: WeightedSampler;

  constructor(private readonly rng: Rng) {
    this.cultures = new WeightedSampler(NAME_CULTURES.map((c) => c.weight));
  }

  any(): PersonName {
    const culture = NAME_CULTURES[this.cultures.sample(this.rng)]!;
    return this.draw(culture, this.rng.chance(culture.middleInitial ?? 0.02) ? 1 : 0);
  }

  /** Per given and family name ("Wei\u0000Zhang"): how many namesakes' initials were handed out. */
  private readonly namesakes = new Map<string, number>();

  /**
   * A name whose normalizeAuthorName key (the catalog's author matching rule) is not in
   * `taken`; adds it. A drawn name already taken is told apart by middle initials, which is
   * what real bylines do with namesakes: the k-th namesake of a given and family name gets the
   * k-th initials of a fixed sequence (A. to Y., then two letters, then three...), skipping
   * those taken. No draw is retried: at a million papers the three million authors outnumber
   * the ~112,000 given and family names many times over, and retrying random draws until one
   * is free took minutes (each retry a draw and a normalisation).
   */
  unique(taken: Set<string>): PersonName {
    const culture = NAME_CULTURES[this.cultures.sample(this.rng)]!;
    const drawn = this.draw(culture, this.rng.chance(culture.middleInitial ?? 0.02) ? 1 : 0);
    const key = normalizeAuthorName(drawn.full);
    if (!taken.has(key)) {
      taken.add(key);
      return drawn;
    }
    const { given, family } = drawn;
    const base = `${given}\u0000${family}`;
    // Ends: each k is a distinct set of initials, and `taken` is finite.
    for (let k = this.namesakes.get(base) ?? 0; ; k++) {
      const full = `${given}${namesakeInitials(k)} ${family}`;
      const key = normalizeAuthorName(full);
      if (!taken.has(key)) {
        this.namesakes.set(base, k + 1);
        taken.add(key);
        return { given, family, full };
      }
    }
  }

  private draw(culture: NameCulture, initials: number): PersonName {
    const rng = this.rng;
    let given = rng.pick(culture.given);
    if (culture.syllables && rng.chance(0.7)) {
      const [first, second] = [rng.pick(culture.syllables[0]), rng.pick(culture.syllables[1])];
      if (first.toLowerCase() !== second) given = first + second; // not "Jaejae"
    }
    const family = rng.pick(culture.family);
    let middle = '';
    for (let i = 0; i < initials; i++) middle += ` ${INITIALS[rng.int(0, INITIALS.length - 1)]}.`;
    return { given, family, full: `${given}${middle} ${family}` };
  }
}

/**
 * The k-th middle initials of a namesake (" A.", " B. K.", ...): the 20 single letters, then the
 * 400 pairs, then the 8,000 triples, each block visited in a scrambled but fixed order (a
 * multiplier coprime with its size permutes it), so namesakes do not read A., B., C. in turn.
 */
export function namesakeInitials(k: number): string {
  let letters = 1;
  let size = INITIALS.length;
  while (k >= size) {
    k -= size;
    letters++;
    size *= INITIALS.length;
  }
  // 7919 is prime and not 2 or 5: coprime with 20^letters, so k -> index is a permutation of the block.
  let index = (k * 7919 + 3) % size;
  let middle = '';
  for (let i = 0; i < letters; i++) {
    middle += ` ${INITIALS[index % INITIALS.length]}.`;
    index = Math.floor(index / INITIALS.length);
  }
  return middle;
}

/** Lower-case ASCII letters and digits only: "Łukasz Wiśniewski" -> "lukaszwisniewski". */
export function asciiFold(text: string): string {
  return normalizeAuthorName(text)
    .replace(/ł/g, 'l')
    .replace(/ø/g, 'o')
    .replace(/ß/g, 'ss')
    .replace(/đ/g, 'd')
    .replace(/ı/g, 'i')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/[^a-z0-9]/g, '');
}

/**
 * A lower-case handle ([a-z][a-z0-9-]*, at most 30 characters) derived from the name, unique in
 * `taken`; adds it.
 */
export function uniqueHandle(rng: Rng, name: PersonName, taken: Set<string>): string {
  const g = asciiFold(name.given) || 'user';
  const f = asciiFold(name.family) || 'x';
  const patterns = [`${g}${f}`, `${g}-${f}`, `${g[0]}${f}`, `${f}${g}`, `${g}${f[0]}`, `${g}-${f[0]}`, `${f}-${g}`, g];
  for (let attempt = 0; attempt < 100; attempt++) {
    let handle = attempt < 4 ? rng.pick(patterns) : `${rng.pick(patterns)}${rng.int(1, attempt < 20 ? 99 : 9999)}`;
    handle = handle.slice(0, 30).replace(/-+$/, '');
    if (handle.length < 3) handle = `${handle}${rng.int(100, 999)}`;
    if (!taken.has(handle)) {
      taken.add(handle);
      return handle;
    }
  }
  throw new Error(`Could not find an unused handle for "${name.full}" after 100 attempts`);
}
