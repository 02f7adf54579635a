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

  /**
   * A name whose normalizeAuthorName key (the catalog's author matching rule) is not in
   * `taken`; adds it. Past a few collisions it adds
   * middle initials, which is also what real bylines do to tell two namesakes apart.
   */
  unique(taken: Set<string>): PersonName {
    for (let attempt = 0; attempt < 200; attempt++) {
      const culture = NAME_CULTURES[this.cultures.sample(this.rng)]!;
      const initials = attempt < 6 ? (this.rng.chance(culture.middleInitial ?? 0.02) ? 1 : 0) : attempt < 40 ? 1 : 2;
      const name = this.draw(culture, initials);
      const key = normalizeAuthorName(name.full);
      if (!taken.has(key)) {
        taken.add(key);
        return name;
      }
    }
    throw new Error(`Could not find an unused author name after 200 attempts (${taken.size} names taken)`);
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
