/** Why COCO input was rejected. */
export type CocoErrorCode = 'E_COCO_JSON' | 'E_COCO_FORMAT' | 'E_COCO_REFERENCE' | 'E_COCO_ARGUMENT' | 'E_COCO_FILE';

/**
 * Bad COCO input: a file that is not JSON, a field that breaks the format, an id that points
 * nowhere, a bad option. The message is one line naming the field (`annotations[3].bbox[2]`) and
 * what is allowed; `path` holds the same location as data.
 */
export class CocoError extends Error {
  readonly code: CocoErrorCode;
  readonly path: readonly (string | number)[];

  constructor(code: CocoErrorCode, message: string, path: readonly (string | number)[] = []) {
    super(message);
    this.code = code;
    this.path = path;
    this.name = 'CocoError';
  }
}

/** `annotations[3].bbox[2]` from ['annotations', 3, 'bbox', 2]. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(top level)' : out;
}
