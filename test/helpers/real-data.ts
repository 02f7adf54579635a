// The real data set (../shared/data beside the clone: raw Hugging Face daily-papers responses
// and arXiv Atom responses). A clone without it skips the tests that need it, saying so; in CI
// (`CI` set) a missing folder fails instead, so the suite cannot go green on nothing.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.ts';

export const dataDir = path.resolve(projectRoot, '../shared/data');
export const hfDir = path.join(dataDir, 'hf-daily-papers');
export const atomDir = path.join(dataDir, 'arxiv-atom');
export const haveRealData = fs.existsSync(hfDir) && fs.existsSync(atomDir);

/** Without the data: a failing test in CI, a visible warning elsewhere. */
function missing(what: string): void {
  if (process.env.CI) {
    test(`the shared data set is present for ${what} (required in CI)`, () => {
      throw new Error(`${dataDir} is missing: CI lays ../shared beside the clone, and ${what} needs it`);
    });
  } else {
    console.warn(`Skipping ${what}: ${dataDir} does not exist (a clone without ../shared/data).`);
  }
}

/** `describe`, or `describe.skip` when the data is missing (see `missing`). */
export function describeWithRealData(what: string): jest.Describe {
  if (haveRealData) return describe;
  missing(what);
  return describe.skip;
}

/** `test`, or `test.skip` when the data is missing (see `missing`). */
export function testWithRealData(what: string): jest.It {
  if (haveRealData) return test;
  missing(what);
  return test.skip;
}
