/** One CSV record, possibly spanning several physical lines (quoted fields with embedded newlines). */
export interface CsvRecord {
  /** Line where the record starts (1-based). */
  line: number;
  fields: string[];
  /** Set when the record breaks RFC 4180 (text after a closing quote, unterminated quote at end of file). */
  error?: string;
  /** Some line of the record was not valid UTF-8. */
  invalidUtf8: boolean;
  /** The record is an empty physical line. */
  blank: boolean;
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** Just read a '"' inside a quoted field: either the closing quote or the first half of a '""' escape. */
  QuoteInQuoted,
}

/**
 * RFC 4180 record parser fed one decoded physical line at a time (line endings already removed), so that the
 * byte-level line reader can report invalid UTF-8 per line. A newline inside a quoted field is kept as '\n'.
 * Lenient where the RFC is silent: a '"' inside an unquoted field is a literal character.
 */
export class CsvRecordParser {
  private state = State.FieldStart;
  private fields: string[] = [];
  private field = '';
  private startLine = 0;
  private error: string | undefined;
  private invalidUtf8 = false;
  private readonly quote = '"';

  constructor(private readonly delimiter: string) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new TypeError(`CSV delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}`);
    }
  }

  /** Feed one physical line; returns the record it completes, if any. */
  push(text: string, line: number, validUtf8 = true): CsvRecord | null {
    const continuing = this.state === State.Quoted;
    if (!continuing) {
      this.startLine = line;
      this.fields = [];
      this.field = '';
      this.error = undefined;
      this.invalidUtf8 = false;
      this.state = State.FieldStart;
      if (text.length === 0) {
        return { line, fields: [''], invalidUtf8: !validUtf8, blank: true };
      }
      // Fast path: a line that starts a record and holds no quote is a plain split.
      if (text.indexOf(this.quote) === -1) {
        return { line, fields: text.split(this.delimiter), invalidUtf8: !validUtf8, blank: false };
      }
    } else {
      this.field += '\n';
    }
    if (!validUtf8) this.invalidUtf8 = true;
    const d = this.delimiter;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      switch (this.state) {
        case State.FieldStart:
          if (c === this.quote) this.state = State.Quoted;
          else if (c === d) this.fields.push('');
          else {
            this.field = c;
            this.state = State.Unquoted;
          }
          break;
        case State.Unquoted:
          if (c === d) this.endField();
          else this.field += c;
          break;
        case State.Quoted: {
          // Copy runs of ordinary characters at once.
          const q = text.indexOf(this.quote, i);
          if (q === -1) {
            this.field += text.slice(i);
            i = text.length;
          } else {
            this.field += text.slice(i, q);
            i = q;
            this.state = State.QuoteInQuoted;
          }
          break;
        }
        case State.QuoteInQuoted:
          if (c === this.quote) {
            this.field += c;
            this.state = State.Quoted;
          } else if (c === d) {
            this.endField();
          } else {
            this.error ??= `unexpected character ${JSON.stringify(c)} after a closing quote (field ${this.fields.length + 1})`;
            this.field += c;
            this.state = State.Unquoted;
          }
          break;
      }
    }
    if (this.state === State.Quoted) return null;
    return this.endRecord();
  }

  /** End of input: returns the record left open by an unterminated quote, if any. */
  finish(lastLine: number): CsvRecord | null {
    if (this.state !== State.Quoted) return null;
    const spanned = lastLine - this.startLine + 1;
    this.error = `unterminated quoted field (field ${this.fields.length + 1}) runs to the end of the file (${spanned} line${spanned === 1 ? '' : 's'})`;
    return this.endRecord();
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = State.FieldStart;
  }

  private endRecord(): CsvRecord {
    this.endField();
    const rec: CsvRecord = { line: this.startLine, fields: this.fields, invalidUtf8: this.invalidUtf8, blank: false };
    if (this.error !== undefined) rec.error = this.error;
    this.fields = [];
    this.state = State.FieldStart;
    return rec;
  }
}
