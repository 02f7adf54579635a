// The import API for code (the CLI, a curator mutation): each function takes the app's Prisma
// client and returns an ImportSummary; a rejected input is reported in it, never thrown.
export {
  importFiles,
  importHfDailyPapers,
  importArxivAtom,
  dayFromFileName,
  formatSummary,
  describeSource,
  type ImportOptions,
  type HfImportOptions,
  type ArxivImportOptions,
  type ImportSummary,
  type SourceSummary,
} from './importer.ts';
export {
  importHfDays,
  importArxivQuery,
  daysBetween,
  isoWeekDays,
  monthDays,
  type HfFetchOptions,
  type ArxivFetchOptions,
} from './fetchers.ts';
export { createProgress, silentProgress, type Progress } from './progress.ts';
export type { Problem, InputFormat } from './validate.ts';
