/**
 * Every file a scenario refers to (an arrivals trace CSV, a grid intensity CSV) is read here, and only here.
 * A scenario file may arrive in a pull request, so what it names is untrusted:
 *
 * - only regular files are read: never a device (/dev/zero), a FIFO (which would block forever), a socket or
 *   a directory — the file is opened non-blocking and fstat-ed before a byte is read;
 * - only files inside the scenario's folder tree, after symlinks are resolved (realpath), unless a folder is
 *   added with `--allow-read DIR`; an absolute path or `..` that leaves the tree is refused;
 * - at most `maxBytes` (default 64 MB) are read; a bigger file is refused before it is read;
 * - messages about a cell that failed to parse show at most a short, sanitised excerpt of it (`excerpt`), so
 *   a secret in a file named by mistake (or on purpose) does not end up in a CI log.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';

/** Largest referenced file read by default, in bytes (64 MiB). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 2 ** 20;

/** Longest excerpt of a bad cell shown in a message, in characters. */
export const EXCERPT_CHARS = 24;

/** Where a scenario's referenced files may come from, and how big they may be. */
export interface FileAccess {
  /** Extra folders (besides the scenario's own) from which files may be read: `--allow-read DIR`. */
  allowRead?: readonly string[];
  /** Largest file read, in bytes. Default DEFAULT_MAX_FILE_BYTES. */
  maxBytes?: number;
}

export interface ReferencedFile {
  /** The path as shown in messages: the reference joined to the scenario's folder (not resolved). */
  path: string;
  text: string;
}

/**
 * The folder a scenario's relative references resolve against: the folder of its file as given (a symlinked
 * scenario file does not move it), or the current folder for a scenario without a file (`<stdin>`, text).
 */
export function scenarioFolder(scenarioFile: string | undefined): string {
  if (scenarioFile === undefined || scenarioFile.startsWith('<')) return '.';
  return dirname(scenarioFile);
}

/**
 * Reads a file a scenario refers to, with the rules above. `ref` is the path written in the scenario; `what`
 * names it in messages ("trace", "grid intensity CSV"). Throws InputError without a location: the caller
 * adds the field's place.
 */
export function readReferencedFile(
  ref: string,
  scenarioFile: string | undefined,
  what: string,
  access: FileAccess = {},
): ReferencedFile {
  const folder = scenarioFolder(scenarioFile);
  const path = isAbsolute(ref) ? ref : folder === '.' ? ref : join(folder, ref);
  return { path, text: readResolvedFile(path, scenarioFile, what, access) };
}

/**
 * readReferencedFile for a path already joined to the scenario's folder (as `relativeTo` in distributions.ts
 * gives it): the same checks, the text only.
 */
export function readResolvedFile(
  path: string,
  scenarioFile: string | undefined,
  what: string,
  access: FileAccess = {},
): string {
  const folder = scenarioFolder(scenarioFile);
  const ref = path;
  const shown = JSON.stringify(path);
  const fail = (why: string): never => {
    throw new InputError(`cannot read ${what} ${shown}: ${why}`);
  };
  if (ref.includes('\0')) fail('the path contains a NUL character');

  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    return fail(errnoText(e));
  }
  const roots = [folder, ...(access.allowRead ?? [])].map(realRoot).filter((r): r is string => r !== undefined);
  if (!roots.some((root) => inside(real, root))) {
    fail(
      `it is outside the scenario's folder (${JSON.stringify(folder)}); a scenario may only read files in its own folder tree — pass --allow-read <dir> to allow another folder`,
    );
  }

  return readRegularFile(real, access.maxBytes ?? DEFAULT_MAX_FILE_BYTES, fail);
}

/**
 * The text of a regular file of at most maxBytes, refusing anything else through `fail` (which throws). Used for
 * referenced files and for the scenario file itself (a scenario named /dev/zero or a FIFO is refused too).
 */
export function readRegularFile(path: string, maxBytes: number, fail: (why: string) => never): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not wait; fstat below refuses it anyway.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return fail(errnoText(e));
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) fail('it is a directory');
    if (!st.isFile()) fail('not a regular file (a device, FIFO or socket is never read)');
    if (st.size > maxBytes) fail(`it is ${formatBytes(st.size)}, more than the ${formatBytes(maxBytes)} limit`);
    // Read at most maxBytes + 1: a file that grows while it is read is caught too.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > maxBytes) fail(`it is more than the ${formatBytes(maxBytes)} limit`);
      if (n === buf.length) break;
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function realRoot(dir: string): string | undefined {
  try {
    return realpathSync(resolve(dir));
  } catch {
    return undefined;
  }
}

function inside(file: string, root: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    default:
      return typeof err?.code === 'string' ? err.code : String((e as Error)?.message ?? e);
  }
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${Number((n / 2 ** 30).toFixed(1))} GiB`;
  if (n >= 2 ** 20) return `${Number((n / 2 ** 20).toFixed(1))} MiB`;
  if (n >= 2 ** 10) return `${Number((n / 2 ** 10).toFixed(1))} KiB`;
  return `${n} B`;
}

/**
 * A short, safe excerpt of text that came from a file or a scenario, for an error message: quoted, control
 * characters (and other non-printing ones) escaped, cut to EXCERPT_CHARS characters with "…".
 */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const chars = [...text];
  const cut = chars.length > max;
  const body = chars
    .slice(0, max)
    .map((c) => {
      const code = c.codePointAt(0)!;
      if (c === '"' || c === '\\') return `\\${c}`;
      if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code === 0x2028 || code === 0x2029 || code === 0xfeff) {
        if (c === '\n') return '\\n';
        if (c === '\r') return '\\r';
        if (c === '\t') return '\\t';
        return `\\u${code.toString(16).padStart(4, '0')}`;
      }
      return c;
    })
    .join('');
  return `"${body}${cut ? '…' : ''}"`;
}
