import fs from 'node:fs';
import { renderErrorsDoc } from '../src/docs/errors-doc.js';

fs.writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
process.stdout.write('docs/errors.md written\n');
