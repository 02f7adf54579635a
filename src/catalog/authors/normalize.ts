// How authors are matched across papers: by normalised name. Two bylines are the same author
// when their names agree after Unicode compatibility folding (NFKD), removing accents,
// lower-casing, turning dots, hyphens and other punctuation into spaces and collapsing spaces:
// "José  García-López" = "jose garcia lopez" = "Jose Garcia Lopez".
//
// Limits, by design of the rule: two different people with the same name become one author
// (common names: "Wei Zhang"), and one person written two ways stays two authors
// ("J. Smith" / "John Smith", or names in another script than the usual transliteration).
// Sources give no stable author identifiers we could trust across sources to do better.

export function normalizeAuthorName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
