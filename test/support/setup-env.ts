/*
 * Runs before every test file (jest setupFiles). aws-cdk-lib's built-in CloudFormation
 * validation makes a synth about 2.5× slower: it is off for the suites' synths and runs once per
 * rung, on every stack, in test/aws/rungs.test.ts (test/support/rungs.ts awsRung turns it back on).
 * CDK_VALIDATION=true in the environment keeps it on everywhere.
 */
process.env.CDK_VALIDATION ??= 'false';
