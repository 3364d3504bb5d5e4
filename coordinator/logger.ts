// One logfmt line per call on stdout: `time=… level=info msg="…" key=value`.

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
  debug?: boolean;
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
  const emit =
    (level: string) =>
    (msg: string, fields: LogFields = {}): void => {
      options.write(formatLine(options.now(), level, msg, { ...base, ...fields }) + "\n");
    };
  return {
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    debug: options.debug === true ? emit("debug") : () => undefined,
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

export function stdoutLogger(debug = false): Logger {
  return createLogger({ write: (line) => process.stdout.write(line), now: () => new Date(), debug });
}

/** Renders any thrown value as one short message for a log field. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
