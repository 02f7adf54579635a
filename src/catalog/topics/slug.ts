// THE topic slug rule. Import (keywords, arXiv categories), createTopic, the demo generator and
// the feed route (/feeds/topics/<slug>.atom) all call `topicSlug`; a second rule anywhere would
// make topics that one part creates and another refuses (a keyword "hint-δ" once got a topic
// whose feed answered 404).
//
// The rule, in order:
// 1. NFKD, then lower case: compatibility forms fold ("ﬁ" -> "fi", "²" -> "2", full-width
//    letters -> ASCII).
// 2. Accents on LATIN letters go ("Café" -> "cafe"), as readers type them. Marks on letters of
//    other scripts stay: they are part of the letter (Devanagari vowel signs, Japanese dakuten,
//    Cyrillic "й"); then NFC puts every remaining letter back together.
// 3. Initialisms close up: "L.L.M." -> "llm" (so "LLM", "llm" and "L.L.M." are one topic).
// 4. Every run of characters that is not a letter, mark or digit becomes one "-"; no "-" at
//    either end.
// 5. At most MAX_SLUG_LENGTH code points (cut, then trailing "-" dropped).
//
// Letters of every script are kept, so a non-Latin keyword does not collapse to nothing. A
// slug is therefore Unicode: in a URL it travels percent-encoded (`topicFeedPath`), and the
// feed route decodes it and accepts exactly the strings this function returns
// (`isTopicSlug`). The result is '' for a key with no letter or digit: such a key makes no topic.
//
// `topicSlug(topicSlug(x)) === topicSlug(x)` for every x (test/slug.test.ts checks it on the
// real data): a slug is its own slug, which is what lets the route recognise one.

export const MAX_SLUG_LENGTH = 80;

const LATIN_WITH_MARKS = /(\p{Script=Latin})\p{M}+/gu;
const INITIALISM = /(?<![\p{L}\p{M}\p{N}])(?:\p{L}\.){2,}/gu;
const SEPARATORS = /[^\p{L}\p{M}\p{N}]+/gu;

export function topicSlug(key: string): string {
  const slug = key
    .normalize('NFKD')
    .toLowerCase()
    .replace(LATIN_WITH_MARKS, '$1')
    .normalize('NFC')
    .replace(INITIALISM, (initialism) => initialism.replace(/\./g, ''))
    .replace(SEPARATORS, '-')
    .replace(/^-+|-+$/g, '');
  const points = Array.from(slug);
  return points.length <= MAX_SLUG_LENGTH ? slug : points.slice(0, MAX_SLUG_LENGTH).join('').replace(/-+$/, '');
}

/** True for exactly the strings `topicSlug` returns (never ''). */
export function isTopicSlug(value: string): boolean {
  return value !== '' && topicSlug(value) === value;
}

/** The path of a topic's Atom feed, its slug percent-encoded (UTF-8). */
export function topicFeedPath(slug: string): string {
  return `/feeds/topics/${encodeURIComponent(slug)}.atom`;
}
