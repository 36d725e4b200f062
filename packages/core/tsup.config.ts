import { withEntries } from '../../tsup.base.ts';

export default withEntries('src/index.ts', 'src/node.ts', 'src/files.ts', 'src/gradients.ts', 'src/gradients-node.ts');
