/**
 * `npm run docs:gen`: rewrites the generated blocks of the docs (the
 * configuration reference in docs/configuration.md, the timing table in
 * docs/architecture.md) from core/config (schema.ts, timing-defaults.ts).
 * test/unit/config/schema-and-docs.test.ts fails while a block is stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GENERATED_DOC_BLOCKS, replaceGeneratedBlock } from '../core/config/describe';
import { REPO_ROOT } from './lib/cluster';

let failed = false;
for (const block of GENERATED_DOC_BLOCKS) {
  const file = path.join(REPO_ROOT, block.file);
  const before = fs.readFileSync(file, 'utf8');
  const after = replaceGeneratedBlock(before, block.name, block.render());
  if (after === null) {
    process.stderr.write(`${block.file}: no <!-- BEGIN/END GENERATED: ${block.name} --> markers\n`);
    failed = true;
    continue;
  }
  if (after !== before) fs.writeFileSync(file, after);
  process.stdout.write(`${block.file}: ${block.name} ${after === before ? 'unchanged' : 'rewritten'}\n`);
}
process.exitCode = failed ? 1 : 0;
