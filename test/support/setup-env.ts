import { CDK_TEST_CONTEXT_JSON } from './rung-cache';

/*
 * Runs before every test file (jest setupFiles), and sets what the suites' synths skip:
 *
 * - aws-cdk-lib's built-in CloudFormation validation, which makes a synth about 2.5× slower: it
 *   runs once per rung, on every stack, in test/aws/rungs.test.ts (test/support/rungs.ts awsRung
 *   turns it back on). CDK_VALIDATION=true in the environment keeps it on everywhere.
 * - the creation stack trace aws-cdk-lib records on every CloudFormation element (construct
 *   metadata, never in a template: it only helps to find where a construct was made; awsRung
 *   keeps it for the validation report).
 */

process.env.CDK_VALIDATION ??= 'false';
process.env.CDK_CONTEXT_JSON ??= CDK_TEST_CONTEXT_JSON;
