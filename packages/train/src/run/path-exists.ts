import { stat } from 'node:fs/promises';

/** Whether anything (file, folder, link target) exists at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
