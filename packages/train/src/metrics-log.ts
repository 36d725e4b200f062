import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@adaptnet/core/node';

/** One JSON object per training step in a `.jsonl` file, appended in blocks. */
export class MetricsLog {
  private pending: string[] = [];

  constructor(readonly path: string) {}

  add(record: { readonly step: number } & Record<string, unknown>): void {
    this.pending.push(JSON.stringify(record));
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, `${lines.join('\n')}\n`);
  }

  /**
   * Drops records after `step` (written by a run that stopped before its next checkpoint), so a
   * resumed run's log has every step once.
   */
  async truncateAfter(step: number): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return;
    }
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const kept = lines.filter((l) => {
      try {
        const recorded = (JSON.parse(l) as { step?: unknown }).step;
        return typeof recorded === 'number' && recorded <= step;
      } catch {
        return false;
      }
    });
    if (kept.length !== lines.length) await writeFileAtomic(this.path, kept.length > 0 ? `${kept.join('\n')}\n` : '');
  }
}
