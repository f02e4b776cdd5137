import * as fsp from 'node:fs/promises';

/** An open file of the spool or the dialog journal: the few FileHandle calls they make. */
export type DurableFile = {
  write(data: Uint8Array): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
};

/**
 * The file system calls of what the relay keeps on disk (the CDR spool, its shipper and set-aside,
 * the dialog journal), and nothing else: the real one by default, a wrapper in tests that counts
 * writes and fsyncs.
 */
export type DurableFs = {
  open(path: string, flags: 'wx' | 'a'): Promise<DurableFile>;
  readFile(path: string): Promise<string>;
  readdir(path: string): Promise<string[]>;
  size(path: string): Promise<number>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  /**
   * fsync of a directory: a created, renamed or deleted file survives a power cut only once its
   * directory is synced too (the file's own fsync covers its data, not its name).
   */
  syncDir(path: string): Promise<void>;
};

export const nodeDurableFs: DurableFs = {
  open: async (path, flags) => {
    const handle = await fsp.open(path, flags, 0o600);
    return {
      write: (data) => handle.write(data),
      datasync: () => handle.datasync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
  readFile: (path) => fsp.readFile(path, 'utf8'),
  readdir: (path) => fsp.readdir(path),
  size: async (path) => (await fsp.stat(path)).size,
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  mkdir: async (path) => {
    await fsp.mkdir(path, { recursive: true, mode: 0o700 });
  },
  syncDir: async (path) => {
    const dir = await fsp.open(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  },
};

/** Writes all of `data`: a write to a regular file may, rarely, write less than asked. */
export async function writeAll(file: DurableFile, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await file.write(data.subarray(offset));
    if (bytesWritten <= 0) throw new Error('write made no progress');
    offset += bytesWritten;
  }
}

export const isMissing = (error: unknown): boolean => (error as { code?: string })?.code === 'ENOENT';
