// Progress of an import, on stderr: a redrawn bar with counts and rate on a terminal, plain
// log lines every few seconds otherwise (CI logs, pipes), nothing at all when silent (tests,
// the API). stdout stays free for the final summary.

export interface Progress {
  /** A new phase: `unit`s of work on `label`, `total` when known. */
  begin(label: string, unit: string, total?: number): void;
  advance(n?: number): void;
  end(): void;
  /** One line of information (a result, a retry): never lost under the bar. */
  log(line: string): void;
}

export const silentProgress: Progress = { begin() {}, advance() {}, end() {}, log() {} };

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Redraw the bar (default: whether `stream` is a TTY). */
  tty?: boolean;
  /** Without a TTY, how often a progress line is written (ms). */
  intervalMs?: number;
  now?: () => number;
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? (tty ? 100 : 5000);
  let phase: { label: string; unit: string; total?: number | undefined; done: number; started: number; shown: number } | undefined;
  let drawn = false;

  const line = () => {
    if (!phase) return '';
    const seconds = (now() - phase.started) / 1000;
    const rate = seconds > 0 ? Math.round(phase.done / seconds) : 0;
    const count = phase.total !== undefined ? `${fmt(phase.done)}/${fmt(phase.total)}` : fmt(phase.done);
    const bar = tty && phase.total ? `${barOf(phase.done / phase.total)} ` : '';
    return `${phase.label} ${bar}${count} ${phase.unit} ${fmt(rate)}/s`;
  };
  const clear = () => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  const show = () => {
    if (!phase) return;
    phase.shown = now();
    if (tty) {
      const columns = stream.columns || 100; // 0 when the terminal does not say
      stream.write(`\r\x1b[K${line().slice(0, columns - 1)}`);
      drawn = true;
    } else {
      stream.write(`${line()}\n`);
    }
  };

  return {
    begin(label, unit, total) {
      clear();
      phase = { label, unit, total, done: 0, started: now(), shown: now() };
      if (tty) show();
    },
    advance(n = 1) {
      if (!phase) return;
      phase.done += n;
      if (now() - phase.shown >= interval) show();
    },
    end() {
      clear();
      phase = undefined;
    },
    log(text) {
      clear();
      stream.write(`${text}\n`);
      if (tty && phase) show();
    },
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

function barOf(fraction: number, width = 24): string {
  const full = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}
