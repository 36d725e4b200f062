import { mkdir, readdir, readFile, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { CHECKPOINT_MANIFEST, CheckpointError, ConfigError } from '@adaptnet/core';
import { readCheckpointHeader, writeFileAtomic } from '@adaptnet/core/node';
import type { z } from 'zod';
import { RunFolderError, StaleArtefactError } from './errors.js';
import { canonicalJson, jsonDifferences, sha256Hex } from './hash.js';
import { checkInputFile, INPUT_LIMITS } from './input-file.js';
import { LOCK_FILE, RunLock } from './lock.js';
import { moveAside } from './move-aside.js';
import { pathExists } from './path-exists.js';
import { removeOrphanedTempFiles, TEMP_FILE_PATTERN } from './temp-files.js';

export const RUN_MANIFEST_FILE = 'run.json';
export const ARTEFACTS_FILE = 'artefacts.json';
const ARTEFACTS_FORMAT = 'adaptnet-run-artefacts';

/** What an app tells the run folder about its runs; the recipe itself is opaque JSON to the folder. */
export interface RunFolderSpec<R extends Record<string, unknown>> {
  /** `format` of run.json, e.g. `'adaptnet-classify-run'`. */
  readonly format: string;
  readonly version: number;
  /** Validates the recipe (run.json without `format` and `version`). */
  readonly schema: z.ZodType<R, z.ZodTypeDef, unknown>;
  /** The CLI's name, used in messages that name a command to run (e.g. `'adaptnet-classify'`). */
  readonly tool: string;
}

export interface CreateRunOptions {
  /** Continue the run in the folder; its recipe must be identical (except `resumeMayChange`). */
  readonly resume?: boolean;
  /** Start over in a non-empty folder: its contents are moved to `<dir>.replaced-<UTC time>`, never deleted. */
  readonly force?: boolean;
  /** Dotted recipe fields that may differ on resume (e.g. `'train.checkpointEvery'`); run.json keeps the first value. */
  readonly resumeMayChange?: readonly string[];
  /** The command recorded in the lock file (default: the process's arguments). */
  readonly command?: string;
  /** The flag naming the folder, for messages (default `'--out'`). */
  readonly flag?: string;
  /** Notes: a stale lock taken over, orphaned temp files removed, the old folder moved aside. */
  readonly log?: (line: string) => void;
}

export interface OpenRunOptions {
  /** Take the exclusive lock (commands that write into the run). Readers do not lock. */
  readonly lock?: boolean;
  readonly command?: string;
  readonly log?: (line: string) => void;
}

/** A committed artefact as artefacts.json records it. */
export interface ArtefactRecord {
  readonly sha256: string;
  /** The artefacts it was made from, by name, with their sha256 at the time. */
  readonly from?: Readonly<Record<string, string>>;
}

interface ArtefactsFile {
  readonly format: typeof ARTEFACTS_FORMAT;
  readonly version: 1;
  readonly artefacts: Record<string, ArtefactRecord>;
  /** sha256 of `artefacts` (canonical JSON): an edit or bit flip in the records is caught. */
  readonly sha256: string;
}

function isDirEntryOurs(name: string): boolean {
  return name === LOCK_FILE || TEMP_FILE_PATTERN.test(name);
}

function show(v: unknown): string {
  return v === undefined ? '(unset)' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** "recipe field F differs: run has A, given B (and N more: ...)", or undefined when none does. */
function recipeDifference(recorded: unknown, given: unknown, ignore: readonly string[]): string | undefined {
  const diff = jsonDifferences(recorded, given, ignore);
  const first = diff[0];
  if (first === undefined) return undefined;
  const more =
    diff.length > 1
      ? ` (and ${diff.length - 1} more: ${diff
          .slice(1, 4)
          .map((d) => d.field)
          .join(', ')})`
      : '';
  return `recipe field ${first.field} differs: run has ${show(first.run)}, given ${show(first.given)}${more}`;
}

/** What the folder holds: undefined when it does not exist; refuses a file. */
async function entriesOf(dir: string, flag: string): Promise<string[] | undefined> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunFolderError('not-a-folder', `${flag} ${dir}: ${(e as Error).message}`);
  }
  if (!info.isDirectory()) throw new RunFolderError('not-a-folder', `${flag} ${dir} is a file, not a folder`);
  return (await readdir(dir)).filter((n) => !isDirEntryOurs(n));
}

function parseRecipe<R extends Record<string, unknown>>(spec: RunFolderSpec<R>, value: unknown, where: string): R {
  const parsed = spec.schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${where}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}

/**
 * A run folder: the one place an app's run lives (run.json, weights, metrics, table, ...).
 * Writers hold an exclusive lock; every file is committed through one atomic path (temp file,
 * fsync, rename, fsync of the folder); artefacts.json binds each artefact to the content hash of
 * what it was made from, so readers can refuse a stale or edited file by name.
 */
export class RunFolder<R extends Record<string, unknown>> {
  private lock: RunLock | undefined;

  private constructor(
    readonly dir: string,
    readonly spec: RunFolderSpec<R>,
    /** The recipe run.json records. */
    readonly recipe: R,
    lock: RunLock | undefined,
  ) {
    this.lock = lock;
  }

  /** sha256 of the recorded recipe (canonical JSON). */
  get recipeSha256(): string {
    return sha256Hex(canonicalJson(this.recipe));
  }

  get locked(): boolean {
    return this.lock !== undefined;
  }

  /**
   * Creates (or, with `resume`, reopens) the run folder for `recipe`, holding its lock. Everything
   * is checked before anything is written: the recipe, that `dir` is a folder, that it is empty
   * unless `resume` (identical recipe) or `force` (old contents moved aside) is given.
   */
  static async create<R extends Record<string, unknown>>(
    dir: string,
    recipe: unknown,
    spec: RunFolderSpec<R>,
    options: CreateRunOptions = {},
  ): Promise<RunFolder<R>> {
    const flag = options.flag ?? '--out';
    if (options.resume && options.force) throw new ConfigError('give --resume or --force, not both');
    const given = parseRecipe(spec, recipe, 'the recipe');
    await RunFolder.admit(dir, given, spec, options, flag);

    const log = options.log;
    const command = options.command ?? process.argv.slice(1).join(' ');
    let lock: RunLock;
    if (options.force && (await entriesOf(dir, flag))?.length) {
      // Moving the folder that holds this process's working directory would leave the process
      // inside the moved copy (a relative `dir` would then name the backup).
      const cwd = process.cwd();
      const abs = resolve(dir);
      if (cwd === abs || cwd.startsWith(abs + sep)) {
        throw new ConfigError(
          `${flag} ${dir} holds the current folder, which --force cannot move aside; run from outside it (cd to its parent, then ${flag} ${basename(abs)} --force)`,
        );
      }
      const held = await RunLock.acquire(dir, command, log);
      const backup = await moveAside(dir, 'replaced');
      await mkdir(dir, { recursive: true });
      lock = await RunLock.acquire(dir, command, log);
      await held.release(backup);
      log?.(`[run] --force: the previous contents of ${dir} were moved to ${backup}`);
    } else {
      await mkdir(dir, { recursive: true });
      lock = await RunLock.acquire(dir, command, log);
      try {
        await RunFolder.admit(dir, given, spec, options, flag); // again, now that nobody else can write
      } catch (e) {
        await lock.release();
        if ((await readdir(dir)).length === 0) await rmdir(dir).catch(() => undefined);
        throw e;
      }
    }
    const folder = new RunFolder(dir, spec, given, lock);
    await folder.removeOrphans(log);
    const manifest = join(dir, RUN_MANIFEST_FILE);
    if (await pathExists(manifest)) {
      const recorded = await RunFolder.readRecipe(dir, spec);
      return new RunFolder(dir, spec, recorded, lock);
    }
    await folder.commit(RUN_MANIFEST_FILE, `${JSON.stringify({ format: spec.format, version: spec.version, ...given }, null, 2)}\n`);
    return folder;
  }

  /** Opens an existing run; with `lock`, takes the lock and removes orphaned temp files. */
  static async open<R extends Record<string, unknown>>(
    dir: string,
    spec: RunFolderSpec<R>,
    options: OpenRunOptions = {},
  ): Promise<RunFolder<R>> {
    const recipe = await RunFolder.readRecipe(dir, spec);
    if (!options.lock) return new RunFolder(dir, spec, recipe, undefined);
    const lock = await RunLock.acquire(dir, options.command ?? process.argv.slice(1).join(' '), options.log);
    const folder = new RunFolder(dir, spec, recipe, lock);
    await folder.removeOrphans(options.log);
    return folder;
  }

  /** Reads and validates run.json. */
  static async readRecipe<R extends Record<string, unknown>>(dir: string, spec: RunFolderSpec<R>): Promise<R> {
    const path = join(dir, RUN_MANIFEST_FILE);
    if (!(await pathExists(path))) {
      throw new CheckpointError(
        'E_CHECKPOINT_MISSING',
        `no training run in ${dir} (${RUN_MANIFEST_FILE} is missing); train one with: ${spec.tool} train --out ${dir}`,
      );
    }
    await checkInputFile(path, INPUT_LIMITS.configBytes, 'run manifest');
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new CheckpointError('E_CHECKPOINT_CORRUPT', `${path} is not valid JSON (truncated or edited?): ${(e as Error).message}`);
    }
    const head = json as { format?: unknown; version?: unknown } | null;
    const otherTool = typeof head?.format === 'string' ? /^(adaptnet-[a-z0-9-]+)-run$/.exec(head.format)?.[1] : undefined;
    if (otherTool !== undefined && head?.format !== spec.format) {
      throw new CheckpointError(
        'E_CHECKPOINT_FORMAT',
        `${dir} is a run of ${otherTool} (${RUN_MANIFEST_FILE} format ${head?.format}), not of ${spec.tool}; use ${otherTool} on it, or give a run trained with: ${spec.tool} train`,
      );
    }
    if (head === null || typeof head !== 'object' || head.format !== spec.format || head.version !== spec.version) {
      throw new CheckpointError(
        'E_CHECKPOINT_FORMAT',
        `${path} is not a ${spec.format} v${spec.version} run manifest (format ${show(head?.format)}, version ${show(head?.version)})`,
      );
    }
    const { format: _f, version: _v, ...recipe } = head as Record<string, unknown>;
    const parsed = spec.schema.safeParse(recipe);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CheckpointError(
        'E_CHECKPOINT_FORMAT',
        `${path} is not a valid ${spec.format} run manifest (${issue?.path.join('.') || '(root)'}: ${issue?.message})`,
      );
    }
    return parsed.data;
  }

  /** Refuses a folder that is not empty, unless resuming the same recipe or forcing. */
  private static async admit<R extends Record<string, unknown>>(
    dir: string,
    given: R,
    spec: RunFolderSpec<R>,
    options: CreateRunOptions,
    flag: string,
  ): Promise<void> {
    const entries = await entriesOf(dir, flag);
    if (entries === undefined || entries.length === 0 || options.force) return;
    if (!options.resume) {
      throw new RunFolderError(
        'not-empty',
        `${flag} ${dir} is not empty (${entries.slice(0, 4).join(', ')}${entries.length > 4 ? ', ...' : ''}); continue that run with --resume (same recipe), or start over with --force (moves the old contents to ${basename(dir)}.replaced-<UTC time>, deleting nothing)`,
      );
    }
    if (!entries.includes(RUN_MANIFEST_FILE)) {
      throw new RunFolderError(
        'not-a-run',
        `--resume: ${dir} holds files but no ${RUN_MANIFEST_FILE}, so it is no run to continue; choose another ${flag}, or --force to move its contents aside`,
      );
    }
    const recorded = await RunFolder.readRecipe(dir, spec);
    const diff = recipeDifference(recorded, given, options.resumeMayChange ?? []);
    if (diff !== undefined) {
      throw new RunFolderError(
        'recipe-differs',
        `--resume: ${diff}; resume with the run's settings (see ${join(dir, RUN_MANIFEST_FILE)}), or train into another folder`,
      );
    }
  }

  /**
   * Checks that the finished run in `dir` was trained with `given` (but for the fields in
   * `mayDiffer`) before a command reuses its weights in place of training (`compare`): a
   * `RunFolderError` ('recipe-differs') naming the first differing field otherwise, and `flag`
   * (default `--out`), the option that chose the folder.
   */
  static async checkRecipe<R extends Record<string, unknown>>(
    dir: string,
    given: unknown,
    spec: RunFolderSpec<R>,
    options: { readonly mayDiffer?: readonly string[]; readonly flag?: string } = {},
  ): Promise<void> {
    const diff = recipeDifference(await RunFolder.readRecipe(dir, spec), parseRecipe(spec, given, 'the recipe'), options.mayDiffer ?? []);
    if (diff !== undefined) {
      throw new RunFolderError(
        'recipe-differs',
        `${dir} was trained with another recipe: ${diff}; a finished run is reused only with the same recipe: give another ${options.flag ?? '--out'}, or move ${dir} aside to train it again`,
      );
    }
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  private writable(what: string): void {
    if (this.lock === undefined) throw new ConfigError(`${what} needs the run folder's lock; open ${this.dir} with { lock: true }`);
  }

  private async removeOrphans(log?: (line: string) => void): Promise<void> {
    const removed = await removeOrphanedTempFiles(this.dir);
    if (removed.length > 0)
      log?.(`[run] removed ${removed.length} temp file(s) of an interrupted write: ${removed.map((p) => basename(p)).join(', ')}`);
  }

  /** Writes `name` (relative to the folder) atomically; needs the lock. */
  async commit(name: string, data: string | Uint8Array): Promise<void> {
    this.writable(`writing ${name}`);
    const path = this.path(name);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, data);
  }

  /** The artefacts recorded so far (empty for a run that has none or predates artefacts.json). */
  async artefacts(): Promise<Readonly<Record<string, ArtefactRecord>>> {
    const path = this.path(ARTEFACTS_FILE);
    let text: string;
    try {
      await checkInputFile(path, INPUT_LIMITS.configBytes, 'artefact record');
      text = await readFile(path, 'utf8');
    } catch (e) {
      if (!(await pathExists(path))) return {};
      throw e;
    }
    let json: ArtefactsFile;
    try {
      json = JSON.parse(text) as ArtefactsFile;
    } catch (e) {
      throw new CheckpointError('E_CHECKPOINT_CORRUPT', `${path} is not valid JSON (truncated or edited?): ${(e as Error).message}`);
    }
    const ok =
      json?.format === ARTEFACTS_FORMAT &&
      json.version === 1 &&
      typeof json.artefacts === 'object' &&
      json.artefacts !== null &&
      Object.values(json.artefacts).every((r) => typeof r?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(r.sha256));
    if (!ok) throw new CheckpointError('E_CHECKPOINT_FORMAT', `${path} is not an ${ARTEFACTS_FORMAT} v1 file`);
    if (json.sha256 !== sha256Hex(canonicalJson(json.artefacts))) {
      throw new CheckpointError(
        'E_CHECKPOINT_CORRUPT',
        `${path} fails its sha256 check (edited or corrupt); its artefacts must be rebuilt`,
      );
    }
    return json.artefacts;
  }

  /** Records an artefact's content hash (and what it was made from) in artefacts.json; needs the lock. */
  async record(name: string, record: ArtefactRecord): Promise<void> {
    this.writable(`recording ${name}`);
    const artefacts = { ...(await this.artefacts()), [name]: record };
    const sorted = Object.fromEntries(Object.entries(artefacts).sort(([a], [b]) => (a < b ? -1 : 1)));
    const file: ArtefactsFile = { format: ARTEFACTS_FORMAT, version: 1, artefacts: sorted, sha256: sha256Hex(canonicalJson(sorted)) };
    await this.commit(ARTEFACTS_FILE, `${JSON.stringify(file, null, 2)}\n`);
  }

  /** sha256 of a checkpoint's manifest file (which holds its weights' sha256): the checkpoint's identity. */
  private async checkpointSha256(name: string): Promise<string> {
    const path = join(this.path(name), CHECKPOINT_MANIFEST);
    await checkInputFile(path, INPUT_LIMITS.tableBytes, 'checkpoint manifest');
    return sha256Hex(await readFile(path));
  }

  /** Records a checkpoint folder (e.g. `model`) by the sha256 of its manifest, which covers its weights. */
  async recordCheckpoint(name: string): Promise<ArtefactRecord> {
    await readCheckpointHeader(this.path(name));
    const record = { sha256: await this.checkpointSha256(name) };
    await this.record(name, record);
    return record;
  }

  /**
   * Checks a checkpoint folder against its record: the weights' sha256 and the recipe hash in its
   * header (`meta.recipeSha256`, when written). The weights themselves are checked against the
   * header when loaded. Returns the record.
   */
  async verifyCheckpoint(name: string, rebuild: string): Promise<ArtefactRecord> {
    const header = await readCheckpointHeader(this.path(name));
    const actual = await this.checkpointSha256(name);
    const record = (await this.artefacts())[name];
    if (record === undefined) {
      throw new StaleArtefactError(
        name,
        `${this.path(name)} is not recorded in ${ARTEFACTS_FILE} (the run stopped before recording it, or an older version wrote it)`,
        rebuild,
      );
    }
    if (record.sha256 !== actual) {
      throw new StaleArtefactError(
        name,
        `${this.path(name)} is stale or modified: its ${CHECKPOINT_MANIFEST} hashes to ${actual.slice(0, 12)}…, but this run recorded ${record.sha256.slice(0, 12)}… (replaced, edited, or copied from another run)`,
        rebuild,
      );
    }
    const recipeSha = header.meta.recipeSha256;
    if (typeof recipeSha === 'string' && recipeSha !== this.recipeSha256) {
      throw new StaleArtefactError(
        name,
        `${this.path(name)} was trained with another recipe than ${this.path(RUN_MANIFEST_FILE)}`,
        rebuild,
      );
    }
    return record;
  }

  /**
   * Checks a file artefact: `sha256` (of its content, as the caller hashes it) must equal its
   * record, and everything it was made from must still be what the run records now.
   */
  async verifyArtefact(name: string, sha256: string, rebuild: string): Promise<ArtefactRecord> {
    const artefacts = await this.artefacts();
    const record = artefacts[name];
    if (record === undefined) {
      throw new StaleArtefactError(
        name,
        `${this.path(name)} is not recorded in ${ARTEFACTS_FILE} (unfinished, interrupted before it was recorded, or written by an older version)`,
        rebuild,
      );
    }
    if (record.sha256 !== sha256) {
      throw new StaleArtefactError(
        name,
        `${this.path(name)} was modified after it was written: its content hash ${sha256.slice(0, 12)}… differs from the ${record.sha256.slice(0, 12)}… recorded in ${ARTEFACTS_FILE}`,
        rebuild,
      );
    }
    for (const [source, hash] of Object.entries(record.from ?? {})) {
      const now = artefacts[source]?.sha256;
      if (now !== hash) {
        throw new StaleArtefactError(
          name,
          `${this.path(name)} is stale: it was made from ${source} ${hash.slice(0, 12)}…, but the run's ${source} is now ${now === undefined ? 'unrecorded' : `${now.slice(0, 12)}…`}`,
          rebuild,
        );
      }
    }
    return record;
  }

  /** Moves a file aside as `<name>.stale-<UTC time>` (never deletes); needs the lock. Returns the new path. */
  async setAside(name: string): Promise<string> {
    this.writable(`moving ${name} aside`);
    return moveAside(this.path(name), 'stale');
  }

  /** Releases the lock (idempotent). */
  async close(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    await lock?.release();
  }
}
