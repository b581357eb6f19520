/**
 * Bounded file reads beyond the size that stat reports: a file can hold more than its stat size
 * (procfs, a file that grows between stat and read), and every read closes what it opened.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBoundedFile, readBoundedFileSync } from '../src/bounded-file';

const dir = mkdtempSync(join(tmpdir(), 'bounded-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Open file descriptors of this process (Linux: /proc/self/fd). */
const openFds = () => readdirSync('/proc/self/fd').length;
const linux = process.platform === 'linux';

describe.skipIf(!linux)('bounded reads of files larger than their stat size', () => {
  // /proc/self/status is a regular file whose stat size is 0: only the read finds its length.
  it('a file with more bytes than its stat size and the bound → EFBIG from the read itself', async () => {
    await expect(readBoundedFile('/proc/self/status', 16)).rejects.toMatchObject({
      code: 'EFBIG',
      message: 'EFBIG',
    });
    expect(() => readBoundedFileSync('/proc/self/status', 16)).toThrow(
      expect.objectContaining({ code: 'EFBIG', message: 'EFBIG' }),
    );
  });

  it('within the bound it is read whole', async () => {
    const text = (await readBoundedFile('/proc/self/status', 64 * 1024)).toString('utf8');
    expect(text).toMatch(/^Name:/);
    expect(text).toContain('\nPid:');
    expect(readBoundedFileSync('/proc/self/status', 64 * 1024).toString('utf8')).toMatch(/^Name:/);
  });
});

describe.skipIf(!linux)('every read closes its descriptor', () => {
  it('after a success, a refusal (too large, not a file) and a read past the stat size', async () => {
    const file = join(dir, 'ten');
    writeFileSync(file, '0123456789');
    const before = openFds();
    await readBoundedFile(file, 10);
    readBoundedFileSync(file, 10);
    for (const [path, max] of [
      [file, 9],
      [dir, 10],
      ['/proc/self/status', 8],
    ] as const) {
      await readBoundedFile(path, max).catch(() => undefined);
      try {
        readBoundedFileSync(path, max);
      } catch {
        // refused: only the descriptor count matters here
      }
    }
    expect(openFds()).toBe(before);
  });
});
