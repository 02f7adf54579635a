// arXiv identifiers: new style `YYMM.NNNNN` (4 digits after the dot before 2015) and old style
// `archive[.SUBJ]/YYMMNNN`, each optionally followed by a version `vN`. The catalog stores the
// id without version: every version of a paper is the same paper.

const NEW_STYLE = /^(\d{4}\.\d{4,5})(v\d+)?$/;
const OLD_STYLE = /^([a-z][a-z-]*(?:\.[A-Z]{2})?\/\d{7})(v\d+)?$/;

/** The versionless id, or null when `input` is not an arXiv id. Accepts an `arXiv:` prefix. */
export function normalizeArxivId(input: string): string | null {
  const text = input.trim().replace(/^arxiv:/i, '');
  const match = NEW_STYLE.exec(text) ?? OLD_STYLE.exec(text);
  return match?.[1] ?? null;
}

export const arxivAbsUrl = (arxivId: string) => `https://arxiv.org/abs/${arxivId}`;
export const arxivPdfUrl = (arxivId: string) => `https://arxiv.org/pdf/${arxivId}`;
