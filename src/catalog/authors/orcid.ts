// ORCID iDs: 16 characters in four groups of four, the last one a check character computed
// with ISO 7064 MOD 11-2 over the first fifteen digits (0-9, or X for ten). See
// https://support.orcid.org/hc/en-us/articles/360006897674 ("Structure of the ORCID Identifier").
//
// The check digit only catches typing mistakes (one wrong digit, two swapped): it proves
// nothing about who owns the iD. That is what a curator's approval is for.

const ORCID_URL = /^(?:https?:\/\/)?(?:www\.)?orcid\.org\//i;
const SHAPE = /^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$/;

/** ISO 7064 MOD 11-2 check character of fifteen digits. */
export function orcidCheckCharacter(digits: string): string {
  let total = 0;
  for (const digit of digits) total = (total + Number(digit)) * 2;
  const result = (12 - (total % 11)) % 11;
  return result === 10 ? 'X' : String(result);
}

export type OrcidCheck = { ok: true; orcid: string } | { ok: false; problem: string };

/**
 * Checks an ORCID iD as a person types or pastes it: bare (`0000-0002-1825-0097`, hyphens
 * optional, `x` in either case) or as its URL (`https://orcid.org/0000-0002-1825-0097`).
 * Gives back the canonical form `0000-0002-1825-0097`.
 */
export function checkOrcid(input: string): OrcidCheck {
  const bare = input.trim().replace(ORCID_URL, '').replace(/\/$/, '').toUpperCase();
  const match = SHAPE.exec(bare);
  if (!match) return { ok: false, problem: 'expected an ORCID iD like 0000-0002-1825-0097 (16 digits, the last may be X)' };
  const orcid = match.slice(1, 5).join('-');
  const digits = orcid.replaceAll('-', '');
  const expected = orcidCheckCharacter(digits.slice(0, 15));
  if (digits[15] !== expected) {
    return { ok: false, problem: `its check digit does not match (a typing mistake?): the last character would be ${expected} for these digits` };
  }
  return { ok: true, orcid };
}
