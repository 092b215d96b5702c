// Regenerates the README's rung table from the tier data and the capacity model.
import * as fs from 'fs';
import { withRungTable } from '../lib/core/rung-table';

fs.writeFileSync('README.md', withRungTable(fs.readFileSync('README.md', 'utf8')));
