import { defineConfig } from 'tsup';
import base from '../../tsup.base.ts';

export default defineConfig({ ...(base as object), entry: ['src/index.ts', 'src/node.ts'] });
