/** The README's fault matrix is the suite's: every row of docs/failure-modes.md, and no other. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

function faultRows(markdown: string): string[] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('| Fault') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim())
        .join(' | '),
    );
}

it('README.md lists exactly the rows of docs/failure-modes.md', () => {
  const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
  const readme = read('../README.md');
  const section = readme.slice(readme.indexOf('### The fault matrix'), readme.indexOf('## Security notes'));
  const docRows = faultRows(read('../docs/failure-modes.md'));
  expect(docRows.length).toBeGreaterThan(40);
  expect(faultRows(section)).toEqual(docRows);
});
