/**
 * The shell examples of the docs, run as a reader would copy them, so the docs cannot drift from the CLI.
 *
 * Every fenced block of README.md, examples/README.md and docs/*.md that is shell (no language, sh, bash,
 * shell, console) is read; each command in it that starts with `npx placesim` (after an optional `$ ` prompt,
 * or after `npm install &&`) is an example. It must exit with 0, or with N when its comment says `# exit code N`.
 * For a `$` example, the lines below it are its output: a bad-input example's `placesim: …` line must be
 * exactly what it prints, and a table's row labels must all appear in what it prints. A command that calls a
 * bare `placesim` fails the test: after the README's install only `npx placesim` works.
 *
 * Runs go through the in-process CLI (test/helpers/cli.ts); identical commands run once. Outputs the
 * examples write (--html, --csv, --out, --summary, --junit, `> file`) go to a temporary folder, and a
 * `--baseline DIR --update` example updates a copy of DIR. Slow examples are listed in SLOW with a smaller
 * stand-in run; the list is checked: every entry must still match an example in the docs.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, withoutDebugTraces, type Run } from './helpers/cli.js';
import { CHILD_TIMEOUT_MS } from './helpers/timeouts.js';
import { parseSet } from '../src/sweep/index.js';
import { resolveSets } from '../src/sweep/grid.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const DOCS = [
  'README.md',
  'examples/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

/** Languages of fenced blocks that hold shell commands. */
const SHELL = new Set(['', 'sh', 'bash', 'shell', 'console']);

/** Flags whose value is a file or folder the command writes. */
const OUTPUT_FLAGS = new Set(['--html', '--csv', '--out', '--summary', '--junit']);

interface Example {
  /** "docs/ci.md:9". */
  where: string;
  /** The command after `npx placesim`, as written (continuation lines joined; no prompt, comment or `> file`). */
  command: string;
  /** Its words, quotes removed, globs not yet expanded. */
  words: Word[];
  /** `> file` at the end: the file stdout goes to. */
  redirect: string | null;
  /** The exit status the doc promises. */
  exit: number;
  /** For a `$ ` example: the lines shown below it. */
  output: string[];
}

/**
 * Examples that take too long to run as written in `npm test`. Each runs as a stand-in: the same command
 * with the listed replacements, which keep every flag and the exit status but shrink the work (one fast
 * scenario instead of all, one grid point instead of fifteen).
 */
const SLOW: { command: string; why: string; replace: [string, string][] }[] = [
  ...[
    'check scenarios/*.yaml --baseline results/',
    'check scenarios/*.yaml --baseline results/ --update',
    "check scenarios/*.yaml --baseline results/ --tolerance '*/latency_ms/*=2%' --summary summary.md --junit check.xml",
  ].map((command) => ({
    command,
    why: 'runs every shipped scenario; test/baselines.test.ts checks them all',
    replace: [['scenarios/*.yaml', 'scenarios/edge-outage.yaml']] as [string, string][],
  })),
  {
    command: 'run scenarios/carbon-regions.yaml --policy-module examples/policies/greenest-within-slo.mjs',
    why: 'five policies on carbon-regions, half a minute on a loaded machine; the stand-in is the next example of examples/README.md (two of them), which then runs once',
    replace: [['greenest-within-slo.mjs', 'greenest-within-slo.mjs --policy greenest-within-slo,lowest-carbon']],
  },
  {
    command:
      'sweep scenarios/chatbot-seoul.yaml --set services.chat.arrivals.poisson=2/s..10/s:2/s ' +
      '--set sites.seoul-edge.pools.orin.count=8,16,32 --replications 5 --out sweep-out/chat',
    why: '75 runs of chatbot-seoul; the full grid is resolved against the file without running it',
    replace: [
      ['2/s..10/s:2/s', '2/s'],
      ['8,16,32', '16'],
      ['--replications 5', '--replications 1'],
    ],
  },
  {
    command:
      'sweep scenarios/chatbot-seoul.yaml --set services.chat.arrivals.poisson=2/s..10/s:2/s --replications 5 --html sweep.html',
    why: '25 runs of chatbot-seoul; the full grid is resolved against the file without running it',
    replace: [
      ['2/s..10/s:2/s', '4/s'],
      ['--replications 5', '--replications 1'],
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------
// Reading the examples.

interface Word {
  text: string;
  /** Quoted in part or whole: the shell would not expand a glob in it. */
  quoted: boolean;
}

/** Shell words: whitespace-separated, with '…' and "…" quoting (no variables, no escapes inside '…'). */
function shellWords(line: string): Word[] {
  const words: Word[] = [];
  let word: string | null = null;
  let quoted = false;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      quoted = true;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(c)) {
      if (word !== null) words.push({ text: word, quoted });
      word = null;
      quoted = false;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote !== null) throw new Error(`unclosed ${quote} in: ${line}`);
  if (word !== null) words.push({ text: word, quoted });
  return words;
}

/** Splits "cmd args  # comment" at the first # that starts a word outside quotes. */
function splitComment(line: string): [string, string] {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1])))
      return [line.slice(0, i).trimEnd(), line.slice(i + 1).trim()];
  }
  return [line.trimEnd(), ''];
}

/** Commands in shell blocks that call a bare `placesim`: "command not found" after the README's install. */
const bare: string[] = [];

function readExamples(file: string): Example[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const examples: Example[] = [];
  let fence: string | null = null;
  let shell = false;
  /** The `$` example whose output the next lines are. */
  let showing: Example | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (fence === null) {
      const open = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(raw);
      if (open) {
        fence = open[1];
        shell = SHELL.has(open[2].toLowerCase());
        showing = null;
      }
      continue;
    }
    if (raw.trim().startsWith(fence)) {
      fence = null;
      continue;
    }
    if (!shell) continue;
    const lineNo = i + 1;
    let text = raw.trim();
    const prompt = text.startsWith('$ ');
    if (!prompt && showing !== null) {
      showing.output.push(raw);
      continue;
    }
    if (prompt) text = text.slice(2).trim();
    while (text.endsWith('\\') && i + 1 < lines.length) text = text.slice(0, -1).trimEnd() + ' ' + lines[++i].trim();
    if (/^placesim\s/.test(text)) bare.push(`${file}:${lineNo}: ${text}`);
    const [command, comment] = splitComment(text);
    const exit = Number(/\bexit code (\d+)\b/.exec(comment)?.[1] ?? 0);
    let made: Example | null = null;
    for (const part of command.split('&&').map((s) => s.trim().replace(/\s+/g, ' '))) {
      if (!part.startsWith('npx placesim ')) continue;
      let rest = part.slice('npx placesim '.length);
      let redirect: string | null = null;
      const gt = /\s>\s*(\S+)$/.exec(rest);
      if (gt) {
        redirect = gt[1];
        rest = rest.slice(0, gt.index);
      }
      made = { where: `${file}:${lineNo}`, command: rest, words: shellWords(rest), redirect, exit, output: [] };
      examples.push(made);
    }
    showing = prompt ? made : null;
  }
  return examples;
}

/** `dir/*.ext` → the matching files, sorted, as the shell expands them. Other words are left alone. */
function expandGlob(word: string): string[] {
  if (!word.includes('*')) return [word];
  const dir = dirname(word);
  if (dir.includes('*')) throw new Error(`glob in a folder name is not supported: ${word}`);
  const re = new RegExp(
    '^' +
      basename(word)
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  const files = readdirSync(join(ROOT, dir))
    .filter((f) => re.test(f))
    .sort();
  if (files.length === 0) throw new Error(`${word} matches no file`);
  return files.map((f) => `${dir}/${f}`);
}

let defaultOuts = 0;

/** The words to run, with globs expanded and written outputs moved into `tmp`. */
function argvFor(words: Word[], tmp: string): string[] {
  const argv: string[] = [];
  const update = words.some((w) => w.text === '--update');
  for (let i = 0; i < words.length; i++) {
    const w = words[i].text;
    if (OUTPUT_FLAGS.has(w) && i + 1 < words.length) {
      argv.push(w, join(tmp, words[++i].text.replace(/\/+$/, '').replace(/\//g, '_')));
    } else if (w === '--baseline' && update && i + 1 < words.length) {
      // --update rewrites the baselines: give it a copy, never the committed folder.
      const copy = join(tmp, 'baseline-copy');
      rmSync(copy, { recursive: true, force: true });
      cpSync(join(ROOT, words[++i].text), copy, { recursive: true });
      argv.push(w, copy);
    } else if (words[0].text === 'merge' && i > 0 && !w.startsWith('-')) {
      // merge reads shard files an earlier example wrote with --out DIR, which went to tmp/DIR.
      const slash = w.indexOf('/');
      argv.push(join(tmp, w.slice(0, slash).replace(/\/+$/, ''), w.slice(slash + 1)));
    } else {
      argv.push(...(words[i].quoted ? [w] : expandGlob(w)));
    }
  }
  // A sweep without --out writes ./sweep-out/ in the working folder: send it to `tmp` too, so that no run
  // leaves a journal in the checkout for the next run (or another example) to trip over.
  if ((argv[0] === 'sweep' || argv[0] === 'search') && !argv.includes('--out'))
    argv.push('--out', join(tmp, `${argv[0]}-out-${++defaultOuts}`));
  return argv;
}

/** The label of a table row as printed: the text before the first run of two or more spaces. */
function rowLabel(line: string): string {
  return line.trim().split(/\s{2,}/)[0];
}

/** The binary, for sweeps and searches: their worker threads load the compiled dist/ (built by `npm test`). */
function spawnPlacesim(argv: string[]): Run {
  const env = { ...process.env };
  delete env.PLACESIM_DEBUG;
  const r = spawnSync(process.execPath, ['bin/placesim', ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    env,
    timeout: CHILD_TIMEOUT_MS,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

// ---------------------------------------------------------------------------------------------------------

const examples = DOCS.flatMap(readExamples);

/** One run per distinct command; the places it appears, in doc order. */
const groups = new Map<string, Example[]>();
for (const e of examples) {
  const key = `${e.command} ${e.redirect ?? ''} ${e.exit}`;
  groups.set(key, [...(groups.get(key) ?? []), e]);
}

/** Runs by their final argv: a slow example's stand-in may be another example, run once for both. */
const runs = new Map<string, Promise<Run>>();

withoutDebugTraces();
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'placesim-docs-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the examples of the docs', () => {
  it('are found where the docs have them', () => {
    const files = new Set(examples.map((e) => e.where.split(':')[0]));
    for (const f of [
      'README.md',
      'examples/README.md',
      'docs/ci.md',
      'docs/policies.md',
      'docs/reports.md',
      'docs/scenario-format.md',
      'docs/sweeps.md',
    ]) {
      expect(files, f).toContain(f);
    }
    // The README's two: the table shown at the top and the first command of "Get started".
    expect(examples.filter((e) => e.where.startsWith('README.md:')).map((e) => e.command)).toEqual([
      'run scenarios/chatbot-seoul.yaml --policy cloud-only,edge-only,edge-first',
      'run scenarios/chatbot-seoul.yaml',
    ]);
  });

  it("call npx placesim, which works after the README's install, never a bare placesim", () => {
    expect(bare).toEqual([]);
  });

  it('every slow-list entry still matches an example in the docs', () => {
    const commands = new Set(examples.map((e) => e.command));
    for (const s of SLOW) expect(commands, `SLOW entry no longer in the docs: ${s.command}`).toContain(s.command);
    for (const s of SLOW)
      for (const [from] of s.replace) expect(s.command, `${s.command}: nothing to replace`).toContain(from);
  });

  it('every sweep grid of the docs resolves against its scenario file', () => {
    const sweeps = examples.filter((x) => x.words[0].text === 'sweep');
    expect(sweeps.length).toBeGreaterThan(0);
    for (const e of sweeps) {
      const file = e.words[1].text;
      const sets = e.words.flatMap((w, i) => (e.words[i - 1]?.text === '--set' ? [parseSet(w.text)] : []));
      expect(() => resolveSets(readFileSync(join(ROOT, file), 'utf8'), file, sets), e.where).not.toThrow();
    }
  });

  for (const [, same] of groups) {
    const e = same[0];
    const slow = SLOW.find((s) => s.command === e.command);
    const title = `${same.map((x) => x.where).join(', ')}: npx placesim ${e.command}${e.exit ? ` (exit ${e.exit})` : ''}`;
    it(title, async () => {
      let words = e.words;
      if (slow) {
        let text = e.command;
        for (const [from, to] of slow.replace) text = text.replace(from, to);
        words = shellWords(text);
      }
      const argv = argvFor(words, tmp);
      const key = argv.join('\u0000');
      if (!runs.has(key))
        runs.set(
          key,
          argv[0] === 'sweep' || argv[0] === 'search' ? Promise.resolve(spawnPlacesim(argv)) : cli(...argv),
        );
      const r = await runs.get(key)!;
      const detail = `${e.where}: npx placesim ${argv.join(' ')}\nstdout: ${r.out.slice(0, 2000)}\nstderr: ${r.err.slice(0, 2000)}`;
      expect(r.code, detail).toBe(e.exit);
      if (e.redirect !== null) expect(r.out.length, `${detail}\nnothing for > ${e.redirect}`).toBeGreaterThan(0);
      if (e.exit !== 0) {
        expect(r.err, detail).not.toMatch(/^\s+at /m);
        const shown = e.output.find((l) => l.startsWith('placesim: '));
        if (shown !== undefined) expect(r.err.trimEnd(), e.where).toBe(shown);
        return;
      }
      // A table shown below the command: each of its row labels must be a row of the real output.
      const printed = new Set(r.out.split('\n').map(rowLabel));
      // Rows and section titles; not the column header (indented further), `...` or the footnote.
      const labels = e.output
        .map((l) => l.replace(/\s+$/, ''))
        .filter((l) => l !== '' && !/^\s*\.\.\.$/.test(l) && !l.startsWith('*') && !/^\s{5,}/.test(l))
        .map(rowLabel);
      for (const label of labels)
        expect(printed, `${e.where}: the row "${label}" is not in the output`).toContain(label);
    });
  }
});
