import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@adaptnet/core/node';

/**
 * One JSON object per training step in a `.jsonl` file. Records are committed in blocks (at each
 * checkpoint) by rewriting the file atomically, so a crash never leaves a torn line.
 */
export class MetricsLog {
  private pending: string[] = [];
  private committed: string | undefined;

  constructor(readonly path: string) {}

  add(record: { readonly step: number } & Record<string, unknown>): void {
    this.pending.push(JSON.stringify(record));
  }

  private async read(): Promise<string> {
    if (this.committed === undefined) this.committed = await readFile(this.path, 'utf8').catch(() => '');
    return this.committed;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = `${await this.read()}${this.pending.join('\n')}\n`;
    this.pending = [];
    await mkdir(dirname(this.path), { recursive: true });
    await writeFileAtomic(this.path, text);
    this.committed = text;
  }

  /**
   * Drops records after `step` (written by a run that stopped before its next checkpoint), so a
   * resumed run's log has every step once.
   */
  async truncateAfter(step: number): Promise<void> {
    const text = await this.read();
    if (text === '') return;
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const kept = lines.filter((l) => {
      try {
        const recorded = (JSON.parse(l) as { step?: unknown }).step;
        return typeof recorded === 'number' && recorded <= step;
      } catch {
        return false;
      }
    });
    if (kept.length !== lines.length) {
      const next = kept.length > 0 ? `${kept.join('\n')}\n` : '';
      await writeFileAtomic(this.path, next);
      this.committed = next;
    }
  }
}
