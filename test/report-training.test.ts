/** Training in the table: the hours a job held its pool next to inference utilisation, and wait and run apart. */
import { describe, it, expect } from 'vitest';
import { cli } from './helpers/cli.js';

describe('training rows of the table (carbon-shift)', () => {
  it('shows the hours a job held its pool, and its wait and run time apart', async () => {
    const { out, code } = await cli('run', 'scenarios/carbon-shift.yaml');
    expect(code).toBe(0);
    const cells = (label: string): string[] =>
      out
        .split('\n')
        .find((l) => l.trimStart().startsWith(label))!
        .trim()
        .slice(label.length)
        .trim()
        .split(/\s+/);
    // Both policies run the 4.53 h job on the solar pool; carbon-aware waits 11 h for the midday trough.
    expect(cells('held by training h')).toEqual(['4.53', '4.53']);
    expect(cells('wait to start h')).toEqual(['0', '11.0']);
    expect(cells('time to train h')).toEqual(['4.53', '15.5']);
    expect(cells('run time h')).toEqual(['4.53', '4.53']);
    // The pool that trains says its utilisation counts inference only, so that "0" does not read as idle.
    expect(cells('inference utilisation %')).toEqual(['0', '0']);
    const solar = out.slice(out.indexOf('pool solar-dc/h100'));
    expect(solar.slice(0, solar.indexOf('\n\n'))).not.toMatch(/^\s+utilisation %/m);
  });
});
