/**
 * Reads a small file without waiting on it: opened non-blocking, refused unless a regular file (a
 * FIFO or a device would block start-up past any deadline), refused over `maxBytes`. Errors carry
 * a Node-style `code`: ENOTREG (not a regular file) or EFBIG (too large), or the system's own.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function problem(code: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(code);
  error.code = code;
  return error;
}

function check(stat: { isFile(): boolean; size: number }, maxBytes: number): void {
  if (!stat.isFile()) throw problem('ENOTREG');
  if (stat.size > maxBytes) throw problem('EFBIG');
}

export async function readBoundedFile(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, FLAGS);
  try {
    check(await handle.stat(), maxBytes);
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes + 1, 0);
    if (bytesRead > maxBytes) throw problem('EFBIG');
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export function readBoundedFileSync(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, FLAGS);
  try {
    check(fstatSync(fd), maxBytes);
    const buffer = Buffer.alloc(maxBytes + 1);
    const bytesRead = readSync(fd, buffer, 0, maxBytes + 1, 0);
    if (bytesRead > maxBytes) throw problem('EFBIG');
    return buffer.subarray(0, bytesRead);
  } finally {
    closeSync(fd);
  }
}
