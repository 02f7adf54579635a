// Which reader an input needs, told by its content (never by its file name): a JSON array is a
// Hugging Face daily-papers response, an XML document an arXiv Atom feed. Only the first bytes
// are looked at; the reader then checks the rest (a JSON object or a non-Atom root is rejected
// there with a message saying so).
import type { InputFormat } from './validate.ts';

/** Bytes read from the start of a file to detect its format. */
export const SNIFF_BYTES = 4096;

export function detectFormat(head: string): InputFormat | null {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('[') || text.startsWith('{')) return 'hf-daily-papers';
  if (text.startsWith('<')) return 'arxiv-atom';
  return null;
}
