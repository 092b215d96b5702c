import * as fs from 'fs';
import * as path from 'path';
import { AwsTemplates, planAwsStacks } from './planner';
import { setStackRegion } from './stack-regions';
import { ScaleLadderError } from '../../core/errors';
import { PlanInput, UpgradePlan } from '../../core/upgrade-plan';

/*
 * Planning a user's own synthesized output: reads a cloud assembly (`cdk.out`) or a single
 * template, so `scale-ladder plan --from cdk.out.10K --to cdk.out.100K` compares the user's
 * stacks, not the demo's. Loads no aws-cdk-lib.
 */

const STACK_ARTIFACT = 'aws:cloudformation:stack';
const NESTED_ASSEMBLY = 'cdk:cloud-assembly';

function readJson(file: string, what: string): any {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err: any) {
    throw new ScaleLadderError(`cannot read ${what} '${file}': ${err?.code ?? err}`);
  }
  try {
    return JSON.parse(text);
  } catch (err: any) {
    throw new ScaleLadderError(`${what} '${file}' is not valid JSON (${String(err?.message ?? err).split('\n')[0]})`);
  }
}

/** The stacks of a cloud assembly directory (its manifest.json), nested assemblies (stages) included. */
function readAssembly(dir: string, out: AwsTemplates): void {
  const manifest = readJson(path.join(dir, 'manifest.json'), 'cloud assembly manifest');
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact?.type === STACK_ARTIFACT) {
      const name = artifact.properties?.stackName ?? artifact.displayName ?? id;
      out[name] = readJson(path.join(dir, artifact.properties?.templateFile ?? `${id}.template.json`), `template of stack ${name}`);
      // aws://<account>/<region> (cloud assembly schema, "environment" of a stack artifact).
      setStackRegion(out[name], String(artifact.environment ?? '').split('/')[3]);
    } else if (artifact?.type === NESTED_ASSEMBLY && artifact.properties?.directoryName) {
      readAssembly(path.join(dir, artifact.properties.directoryName), out);
    }
  }
}

function requireTemplate(template: any, file: string): any {
  if (!template || typeof template !== 'object' || typeof template.Resources !== 'object') {
    throw new ScaleLadderError(`'${file}' is not a CloudFormation template (no Resources section)`);
  }
  return template;
}

/**
 * The templates (stack name → template) of a synthesized AWS app: a cloud assembly directory
 * (`cdk.out`, every stack of every stage), a directory of `*.template.json` files, or one template
 * (its stack name is the file name without `.template.json`).
 */
export function readAwsOutput(location: string): AwsTemplates {
  if (!fs.existsSync(location)) throw new ScaleLadderError(`'${location}' does not exist: expected a cloud assembly directory (cdk.out) or a *.template.json file`);
  const templates: AwsTemplates = {};
  if (fs.statSync(location).isDirectory()) {
    if (fs.existsSync(path.join(location, 'manifest.json'))) {
      readAssembly(location, templates);
    } else {
      for (const file of fs.readdirSync(location).filter(f => f.endsWith('.template.json')).sort()) {
        templates[file.slice(0, -'.template.json'.length)] = requireTemplate(readJson(path.join(location, file), 'template'), file);
      }
    }
    if (Object.keys(templates).length === 0) {
      throw new ScaleLadderError(`'${location}' holds no CloudFormation stacks: expected a cloud assembly (manifest.json) or *.template.json files`);
    }
    return templates;
  }
  const base = path.basename(location);
  if (base === 'manifest.json') return readAwsOutput(path.dirname(location));
  const name = base.endsWith('.template.json') ? base.slice(0, -'.template.json'.length) : base.replace(/\.json$/, '');
  templates[name] = requireTemplate(readJson(location, 'template'), location);
  return templates;
}

/** The templates of one side of a plan: the demo app's rung, or the user's output. */
function templatesOf(input: PlanInput): { templates: AwsTemplates; name: string } {
  if ('path' in input) return { templates: readAwsOutput(input.path), name: input.path };
  // Loaded here so that planning two outputs never loads aws-cdk-lib.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { synthAwsTemplates } = require('../ladder/synth-rung') as typeof import('../ladder/synth-rung');
  return { templates: synthAwsTemplates(input.rung, { context: { 'aws:cdk:enable-path-metadata': true } }), name: input.rung };
}

/** The upgrade plan between two sides, each a rung of the demo app or a path to synthesized output. */
export function planAwsInputs(from: PlanInput, to: PlanInput): UpgradePlan {
  const before = templatesOf(from);
  const after = templatesOf(to);
  return planAwsStacks(pairedSingle(before.templates, after.templates), after.templates, { fromName: before.name, toName: after.name });
}

/** One template on each side is one stack, whatever the files are called: `before` under the name of `after`'s stack. */
function pairedSingle(before: AwsTemplates, after: AwsTemplates): AwsTemplates {
  const [b, a] = [Object.keys(before), Object.keys(after)];
  return b.length === 1 && a.length === 1 && b[0] !== a[0] ? { [a[0]]: before[b[0]] } : before;
}

/**
 * The plan for deploying the output at `after` over the one at `before` (cloud assembly
 * directories or templates). The library API behind `scale-ladder plan --cloud aws`.
 */
export function planAwsOutputs(before: string, after: string): UpgradePlan {
  return planAwsInputs({ path: before }, { path: after });
}
