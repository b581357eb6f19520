/**
 * readBoundedFile / readBoundedFileSync beyond the size table in auth.unit: a FIFO is refused
 * without blocking (the non-blocking open), a file whose size the kernel does not report (procfs:
 * size 0) is still cut at the bound, and every read closes what it opened.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBoundedFile, readBoundedFileSync } from '../src/bounded-file';

const dir = mkdtempSync(join(tmpdir(), 'bounded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openFds = () => readdirSync('/proc/self/fd').length;

describe.runIf(process.platform === 'linux')('on Linux', () => {
  it('a FIFO without a writer is ENOTREG at once, not a blocked open', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readBoundedFileSync(fifo, 100)).toThrow(expect.objectContaining({ code: 'ENOTREG' }));
    await expect(readBoundedFile(fifo, 100)).rejects.toMatchObject({ code: 'ENOTREG' });
  });

  it('a procfs file (stat size 0, content longer than the bound) is EFBIG, not cut short', async () => {
    // /proc/self/status is a regular file whose stat size is 0; its text is ~1 KiB.
    expect(() => readBoundedFileSync('/proc/self/status', 16)).toThrow(
      expect.objectContaining({ code: 'EFBIG', message: 'EFBIG' }),
    );
    await expect(readBoundedFile('/proc/self/status', 16)).rejects.toMatchObject({
      code: 'EFBIG',
      message: 'EFBIG',
    });
    expect(readBoundedFileSync('/proc/self/status', 64 * 1024).toString()).toMatch(/^Name:/);
  });

  it('closes the file after each read, whether it succeeds or fails', async () => {
    const file = join(dir, 'small');
    writeFileSync(file, 'abc');
    const before = openFds();
    for (let i = 0; i < 5; i += 1) {
      expect(readBoundedFileSync(file, 10).toString()).toBe('abc');
      expect(() => readBoundedFileSync(file, 2)).toThrow(expect.objectContaining({ code: 'EFBIG' }));
      expect((await readBoundedFile(file, 10)).toString()).toBe('abc');
      await expect(readBoundedFile(file, 2)).rejects.toMatchObject({ code: 'EFBIG' });
    }
    expect(openFds()).toBe(before);
  });
});
