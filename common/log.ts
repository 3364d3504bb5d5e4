// Shared by all three programs. One logfmt line per call on stdout: `time=… level=info msg="…" key=value`.
// Each program reads its level from ONEXIT_LOG_LEVEL (docs/CONTRACTS.md); lines below it are dropped.

/** From most to least verbose. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogValue = string | number | boolean | undefined | null;
export type LogFields = Record<string, LogValue>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  write: (line: string) => void;
  now: () => Date;
  /** The least severe level written; default info. */
  level?: LogLevel;
}

const BARE = /^[A-Za-z0-9_.:/@+-]+$/;

/** Quotes a value only when logfmt needs it (spaces, quotes, '=', empty, non-ASCII). */
export function logfmtValue(value: LogValue): string {
  const text = value === undefined || value === null ? "" : String(value);
  return BARE.test(text) ? text : JSON.stringify(text);
}

export function formatLine(time: Date, level: string, msg: string, fields: LogFields): string {
  const parts = [`time=${time.toISOString()}`, `level=${level}`, `msg=${logfmtValue(msg)}`];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${key}=${logfmtValue(value)}`);
  }
  return parts.join(" ");
}

export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const least = LOG_LEVELS.indexOf(options.level ?? "info");
  const emit = (level: LogLevel): ((msg: string, fields?: LogFields) => void) =>
    LOG_LEVELS.indexOf(level) < least
      ? (): void => undefined
      : (msg: string, fields: LogFields = {}): void => {
          options.write(formatLine(options.now(), level, msg, { ...base, ...fields }) + "\n");
        };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** A program's logger: lines on stdout, stamped with the wall clock. */
export function stdoutLogger(level: LogLevel = "info"): Logger {
  return createLogger({ write: (line) => process.stdout.write(line), now: () => new Date(), level });
}

/** Renders any thrown value as one short message for a log field. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
