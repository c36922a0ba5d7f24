/**
 * The last lines a script wrote, bounded in lines and in characters per
 * line, so a failure can show what the script said without holding its
 * whole output.
 */
import { OUTPUT_TAIL_CHARS, OUTPUT_TAIL_LINES } from '../../plugin-api';

export class OutputTail {
  private readonly lines: string[] = [];

  constructor(private readonly maxLines = OUTPUT_TAIL_LINES, private readonly maxChars = OUTPUT_TAIL_CHARS) {}

  add(line: string): void {
    if (line.trim() === '') return;
    this.lines.push(line.length > this.maxChars ? `${line.slice(0, this.maxChars - 1)}…` : line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  get(): string[] {
    return [...this.lines];
  }
}
