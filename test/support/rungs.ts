import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly, VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { PINNED_FLAGS } from './feature-flags';
import { CDK_TEST_CONTEXT_JSON, readCached } from './rung-cache';
import { ScaleLadder } from '../../lib';
import { buildAwsRung, STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { planAwsTemplates } from '../../lib/aws/upgrade/planner';
import { UpgradePlan } from '../../lib/core/upgrade-plan';

export const AWS_RUNGS = ['1K', '10K', '100K', '1M', '10M', '100M', '1B'];

export interface BuiltRung {
  readonly app: App;
  readonly ladder: ScaleLadder;
  readonly assembly: CloudAssembly;
  /** Template JSON by stack name (the primary stack first). */
  readonly templates: Record<string, any>;
  /** The report of aws-cdk-lib's CloudFormation validation, which ran on this synthesis. */
  readonly validationReport: any;
}

/** Template JSON by stack name (the primary stack first) of an assembly. */
function templatesOf(assembly: CloudAssembly): Record<string, any> {
  return Object.fromEntries(assembly.stacks.map(s => [s.stackName, s.template]));
}

/**
 * The rung's templates as the `scale-ladder synth` command builds it, with the pinned flags (what
 * the jest global setup writes for every suite to share).
 */
export function synthAwsRungTemplates(tierName: string): Record<string, any> {
  return templatesOf(buildAwsRung(tierName, undefined, { context: PINNED_FLAGS }).app.synth());
}

/**
 * Runs `fn` as aws-cdk-lib runs by default: with its built-in CloudFormation validation and
 * creation stack traces, which test/support/setup-env.ts turns off for the suites' synths.
 */
function withCdkDefaults<T>(fn: () => T): T {
  const saved = { validation: process.env.CDK_VALIDATION, context: process.env.CDK_CONTEXT_JSON };
  delete process.env.CDK_VALIDATION;
  if (saved.context === CDK_TEST_CONTEXT_JSON) delete process.env.CDK_CONTEXT_JSON;
  try {
    return fn();
  } finally {
    if (saved.validation !== undefined) process.env.CDK_VALIDATION = saved.validation;
    if (saved.context !== undefined) process.env.CDK_CONTEXT_JSON = saved.context;
  }
}

const built = new Map<string, BuiltRung>();

/**
 * The rung built and synthesized in this process, for tests that need the live constructs (cdk-nag,
 * the ladder), synthesized once per test file. Its synthesis runs aws-cdk-lib's CloudFormation
 * validation, whose findings fail it (@aws-cdk/core:validateAgainstDefaultRules is pinned on).
 * Tests that need only the JSON use awsTemplatesJson, which is synthesized once per run.
 */
export function awsRung(tierName: string): BuiltRung {
  if (!built.has(tierName)) {
    const { app, ladder, assembly } = withCdkDefaults(() => {
      const rung = buildAwsRung(tierName, undefined, { context: PINNED_FLAGS });
      return { ...rung, assembly: rung.app.synth() };
    });
    const reportFile = path.join(assembly.directory, VALIDATION_REPORT_FILE);
    if (!fs.existsSync(reportFile)) {
      throw new Error(`the CloudFormation validation did not run on rung ${tierName} (no ${VALIDATION_REPORT_FILE})`);
    }
    const validationReport = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    built.set(tierName, { app, ladder, assembly, templates: templatesOf(assembly), validationReport });
  }
  return built.get(tierName)!;
}

const cached = new Map<string, Record<string, any>>();

/**
 * All stacks' templates of a rung, synthesized once per run by the jest global setup (read once
 * per test file; synthesized here when jest runs without the global setup).
 */
export function awsTemplatesJson(tierName: string): Record<string, any> {
  if (!cached.has(tierName)) {
    cached.set(tierName, readCached(`aws:${tierName}`) ?? synthAwsRungTemplates(tierName));
  }
  return cached.get(tierName)!;
}

/** The primary stack's template JSON. */
export function awsTemplateJson(tierName: string): any {
  return awsTemplatesJson(tierName)[STACK_ID];
}

export function awsTemplate(tierName: string): Template {
  return Template.fromJSON(awsTemplateJson(tierName));
}

/** The key of one upward pair of rungs in the shared plans (`1K>10K`). */
const pairKey = (from: string, to: string) => `${from}>${to}`;

/** The plan of every upward pair of rungs, from each rung's templates. */
export function awsPairPlans(rungTemplates: (rung: string) => Record<string, any>): Record<string, UpgradePlan> {
  const plans: Record<string, UpgradePlan> = {};
  AWS_RUNGS.forEach((from, i) => AWS_RUNGS.slice(i + 1).forEach(to => {
    plans[pairKey(from, to)] = planAwsTemplates(from, to, rungTemplates(from), rungTemplates(to));
  }));
  return plans;
}

let sharedPlans: Record<string, UpgradePlan> | undefined;

/**
 * The plan for swapping rung `from` for rung `to` (the run's shared templates), planned once per
 * run by the jest global setup for every upward pair (read once per test file; planned here for
 * a downward pair or when jest runs without the global setup).
 */
export function awsPlan(from: string, to: string): UpgradePlan {
  const plans = (sharedPlans ??= readCached('aws:plans') ?? {});
  plans[pairKey(from, to)] ??= planAwsTemplates(from, to, awsTemplatesJson(from), awsTemplatesJson(to));
  return plans[pairKey(from, to)];
}
