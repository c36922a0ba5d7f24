/**
 * Splits a byte stream into lines as the bytes arrive, so script output
 * reaches the log line by line while the script still runs.
 */
import { StringDecoder } from 'node:string_decoder';

/** Longest line kept whole; longer output is cut into pieces of this size (bounds memory). */
export const MAX_LINE = 8192;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.partial += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let newline = this.partial.indexOf('\n');
    while (newline !== -1) {
      this.emit(this.partial.slice(0, newline));
      this.partial = this.partial.slice(newline + 1);
      newline = this.partial.indexOf('\n');
    }
    while (this.partial.length > MAX_LINE) {
      this.emit(this.partial.slice(0, MAX_LINE));
      this.partial = this.partial.slice(MAX_LINE);
    }
  }

  /** Emit what is left (a last line without a newline). */
  end(): void {
    this.partial += this.decoder.end();
    if (this.partial.length > 0) this.emit(this.partial);
    this.partial = '';
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}
