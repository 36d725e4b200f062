import { z } from 'zod';
import { CocoError, formatPath } from './errors.js';

const id = z.number().finite().int();
const coordinate = z.number().finite();
const size = z.number().finite().nonnegative({ message: 'must be a finite number >= 0' });

/** `[x, y, width, height]` in pixels; width and height >= 0. */
export const bboxSchema = z.tuple([coordinate, coordinate, size, size], {
  invalid_type_error: 'must be [x, y, width, height]',
});

export const imageSchema = z
  .object({
    id,
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    file_name: z.string().min(1),
  })
  .passthrough();

export const annotationSchema = z
  .object({
    id,
    image_id: id,
    category_id: id,
    bbox: bboxSchema,
    area: z.number().finite().nonnegative({ message: 'must be a finite number >= 0' }),
    iscrowd: z.union([z.literal(0), z.literal(1)], { errorMap: () => ({ message: 'must be 0 or 1' }) }).optional(),
    ignore: z.union([z.literal(0), z.literal(1)], { errorMap: () => ({ message: 'must be 0 or 1' }) }).optional(),
  })
  .passthrough();

export const categorySchema = z.object({ id, name: z.string(), supercategory: z.string().optional() }).passthrough();

export const instancesSchema = z
  .object({
    images: z.array(imageSchema),
    annotations: z.array(annotationSchema),
    categories: z.array(categorySchema),
  })
  .passthrough();

export const resultSchema = z
  .object({
    image_id: id,
    category_id: id,
    bbox: bboxSchema,
    score: z.number().finite(),
  })
  .passthrough();

export const resultsSchema = z.array(resultSchema, { invalid_type_error: 'must be an array of detections' });

export type CocoImageJson = z.infer<typeof imageSchema>;
export type CocoAnnotationJson = z.infer<typeof annotationSchema>;
export type CocoCategoryJson = z.infer<typeof categorySchema>;
export type CocoInstancesJson = z.infer<typeof instancesSchema>;
export type CocoResultJson = z.infer<typeof resultSchema>;

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'number') return String(v);
  const text = JSON.stringify(v);
  if (text === undefined) return String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Parses `input` with `schema` or throws one `CocoError` naming the first bad field, its value and what is allowed. */
export function parseWith<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, input: unknown, source: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.ZodIssue;
  const got = valueAt(input, issue.path);
  throw new CocoError('E_COCO_FORMAT', `${source}: ${formatPath(issue.path)} ${describe(issue, got)}`, issue.path);
}

function describe(issue: z.ZodIssue, got: unknown): string {
  if (issue.code === 'invalid_type') {
    const expected = `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    if (issue.received === 'undefined') return `is missing; expected ${expected}`;
    if (issue.message.startsWith('must ')) return `${issue.message} (got ${show(got)})`;
    return `must be ${expected} (got ${show(got)})`;
  }
  const message = issue.message.replace(/^(Number|String|Array|Value) /, '');
  return `${message.startsWith('must') ? message : `is invalid: ${message}`} (got ${show(got)})`;
}
