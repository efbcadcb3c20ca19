import type { EventEmitter } from 'node:events';
import zlib from 'node:zlib';

/**
 * A ZIP archive written front to back onto a stream that cannot seek (an HTTP response, stdout): what
 * an XLSX file is. Each entry is deflated (node:zlib) behind a local header that defers its CRC and
 * sizes to a data descriptor after the data (general purpose flag bit 3), and the central directory
 * follows the last entry. Small parts are deflated in one go; one entry at a time can be streamed,
 * through a deflate stream that runs on libuv's thread pool while JavaScript lays out the next rows.
 * No ZIP64: an entry or the archive beyond 4 GiB fails with an error rather than writing a broken file.
 */

type Out = NodeJS.WritableStream & { destroyed?: boolean; writableNeedDrain?: boolean };

interface Entry {
  name: Buffer;
  offset: number;
  crc: number;
  compressed: number;
  size: number;
}

const limit = 0xffffffff;
/** Fast deflate: the sheet's XML repeats itself, so level 1 already shrinks it about tenfold. */
const level = 1;
/** Stamped on every entry: 2026-01-01 00:00 in MS-DOS form (an export's date is in its file name). */
const dosTime = 0;
const dosDate = ((2026 - 1980) << 9) | (1 << 5) | 1;

function closedError(): Error {
  return new Error('export output closed');
}

/** Resolves once `em` emits `event`; rejects on its 'error' or on `out` closing first. */
function awaitEvent(em: EventEmitter, event: string, out: Out): Promise<void> {
  if (out.destroyed) return Promise.reject(closedError());
  const outEm = out as unknown as EventEmitter;
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      em.off(event, onEvent);
      em.off('error', onError);
      outEm.off('error', onError);
      outEm.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onEvent = () => done();
    const onError = (err: Error) => done(err);
    const onClose = () => done(closedError());
    em.on(event, onEvent);
    em.on('error', onError);
    outEm.on('error', onError);
    outEm.on('close', onClose);
  });
}

/** A streamed entry: write its text in pieces, then close it. */
export interface ZipEntryWriter {
  /** Adds text to the entry; resolves when the archive can take more. */
  write(text: string): Promise<void>;
  /** Ends the entry: the rest of its deflated data, then its data descriptor. */
  close(): Promise<void>;
}

/** The archive's writer over `out`. */
export class ZipWriter {
  private readonly entries: Entry[] = [];
  private written = 0;

  constructor(private readonly out: Out) {}

  private async put(buf: Buffer): Promise<void> {
    if (this.out.destroyed) throw closedError();
    this.written += buf.length;
    if (this.written > limit) throw new Error('the export is too large for a ZIP archive without ZIP64');
    if (!this.out.write(buf)) await awaitEvent(this.out as unknown as EventEmitter, 'drain', this.out);
  }

  private localHeader(name: Buffer): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    h.writeUInt16LE(0x0808, 6); // bit 3: sizes in the data descriptor; bit 11: the name is UTF-8
    h.writeUInt16LE(8, 8); // deflate
    h.writeUInt16LE(dosTime, 10);
    h.writeUInt16LE(dosDate, 12);
    h.writeUInt16LE(name.length, 26);
    return Buffer.concat([h, name]);
  }

  private async descriptor(entry: Entry): Promise<void> {
    if (entry.compressed > limit || entry.size > limit) {
      throw new Error('the export is too large for a ZIP archive without ZIP64');
    }
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(entry.crc, 4);
    d.writeUInt32LE(entry.compressed, 8);
    d.writeUInt32LE(entry.size, 12);
    await this.put(d);
    this.entries.push(entry);
  }

  /** Adds a whole entry at once (the package's small parts). */
  async add(name: string, text: string): Promise<void> {
    const data = Buffer.from(text, 'utf8');
    const entry = { name: Buffer.from(name, 'utf8'), offset: this.written, crc: 0, compressed: 0, size: 0 };
    await this.put(this.localHeader(entry.name));
    const deflated = zlib.deflateRawSync(data, { level });
    await this.put(deflated);
    await this.descriptor({
      ...entry,
      crc: zlib.crc32(data),
      compressed: deflated.length,
      size: data.length,
    });
  }

  /** Starts an entry written piece by piece; nothing else may be added until it is closed. */
  async open(name: string): Promise<ZipEntryWriter> {
    const entry = { name: Buffer.from(name, 'utf8'), offset: this.written, crc: 0, compressed: 0, size: 0 };
    await this.put(this.localHeader(entry.name));
    const deflate = zlib.createDeflateRaw({ level });
    const out = this.out;
    // The deflated bytes go straight to `out`, pausing while it is full: the deflate stream's own
    // buffer then fills, and write() below waits for it in turn.
    deflate.on('data', (chunk: Buffer) => {
      if (out.destroyed) return; // the export fails at its next write; nothing more to send
      entry.compressed += chunk.length;
      this.written += chunk.length;
      if (!out.write(chunk)) {
        deflate.pause();
        (out as unknown as EventEmitter).once('drain', () => deflate.resume());
      }
    });
    const ended = awaitEvent(deflate, 'end', out);
    ended.catch(() => undefined); // awaited in close(); a failure before then surfaces in write()
    return {
      write: async (text) => {
        if (out.destroyed) throw closedError();
        const data = Buffer.from(text, 'utf8');
        entry.crc = zlib.crc32(data, entry.crc);
        entry.size += data.length;
        if (!deflate.write(data)) await awaitEvent(deflate, 'drain', out);
      },
      close: async () => {
        deflate.end();
        await ended;
        if (this.written > limit) throw new Error('the export is too large for a ZIP archive without ZIP64');
        await this.descriptor(entry);
      },
    };
  }

  /** Writes the central directory and its end record; the caller then ends `out`. */
  async finish(): Promise<void> {
    const start = this.written;
    const records = this.entries.map((e) => {
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4); // made by: version 2.0, MS-DOS attributes
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(0x0808, 8);
      c.writeUInt16LE(8, 10);
      c.writeUInt16LE(dosTime, 12);
      c.writeUInt16LE(dosDate, 14);
      c.writeUInt32LE(e.crc, 16);
      c.writeUInt32LE(e.compressed, 20);
      c.writeUInt32LE(e.size, 24);
      c.writeUInt16LE(e.name.length, 28);
      c.writeUInt32LE(e.offset, 42);
      return Buffer.concat([c, e.name]);
    });
    const directory = Buffer.concat(records);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(start, 16);
    await this.put(Buffer.concat([directory, end]));
  }
}
