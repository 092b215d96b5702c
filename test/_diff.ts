import { fullDiff } from '@aws-cdk/cloudformation-diff';
import * as fs from 'fs';
const rungs = ['1K', '10K', '100K', '1M'];
const tpl = (n: string) => JSON.parse(fs.readFileSync(`/tmp/t/out-${n}/Shop.template.json`, 'utf8'));
for (let i = 0; i < rungs.length; i++) for (let j = i + 1; j < rungs.length; j++) {
  const d = fullDiff(tpl(rungs[i]), tpl(rungs[j]));
  const out: string[] = [];
  d.resources.forEachDifference((id, c) => {
    if (c.isRemoval) out.push(`REMOVE ${id} ${c.oldResourceType}`);
    else if (c.changeImpact === 'WILL_REPLACE' || c.changeImpact === 'MAY_REPLACE') out.push(`${c.changeImpact} ${id} ${c.newResourceType}`);
  });
  console.log(`${rungs[i]}->${rungs[j]}:`, out.join('\n   '));
}
