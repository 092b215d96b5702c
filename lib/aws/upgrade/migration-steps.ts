import { regionSuffix, stackRegion } from './stack-regions';
import { RungStamp } from '../../core/rung-stamp';
import { expectedAssignments, movesArgument, rebalanceBatches } from '../../core/shard-rebalance';
import { ShardRouter } from '../../core/shard-router';
import { Tier } from '../../core/tier';
import { intermediateRung, Interruption, MigrationKind, MigrationStep, shardCountOf, STEP_SOURCE } from '../../core/upgrade-plan';

/*
 * The AWS instructions for each step a climb needs besides `cdk deploy`, with the stack
 * names and output keys read from the synthesized templates. Internal (the planner).
 */

/** How the steps' titles start (stepInterruptions recognises a step by it). */
const TITLE = {
  copy: 'Copy the server\'s PostgreSQL into the managed database',
  retire: 'Retire the single server',
  back: 'Bring the single server back',
  toEdge: 'Move your DNS name to CloudFront',
  fromEdge: 'Move your DNS name back to the load balancer',
};

/** A set of synthesized stacks: stack name → CloudFormation template. */
type Templates = Record<string, any>;

/** The stack holding an output whose key starts with the CfnOutput id (CDK appends a hash), if any. */
function stackWithOutput(templates: Templates, id: string): string | undefined {
  return Object.keys(templates).sort().find(stack => Object.keys(templates[stack]?.Outputs ?? {}).some(k => k.includes(id)));
}

function primaryStack(templates: Templates): string {
  const names = Object.keys(templates).sort();
  return names.find(n => !names.some(other => other !== n && n.startsWith(`${other}-`))) ?? names[0] ?? '<stack>';
}

/**
 * A shell expression reading a stack output by the id its CfnOutput was given. The output's key is
 * `<path><id><8-hex hash>`; the exact key is read from the template when it has one (one id may
 * be the start of another: ServerAddress, ServerAddressAllocation), else matched by `contains`.
 */
function output(templates: Templates, stack: string, id: string): string {
  const exact = Object.keys(templates[stack]?.Outputs ?? {}).find(key => new RegExp(`${id}[0-9A-F]{8}$`).test(key));
  const filter = exact ? `OutputKey=='${exact}'` : `contains(OutputKey,'${id}')`;
  return `$(aws cloudformation describe-stacks${regionFlag(templates, stack)} --stack-name ${stack} --query "Stacks[0].Outputs[?${filter}].OutputValue | [0]" --output text)`;
}

/** ` --region <r>` for the stack's region when the output says it (a cloud assembly does; a lone template does not). */
function regionFlag(templates: Templates, stack: string): string {
  const region = stackRegion(templates, stack);
  return region ? ` --region ${region}` : '';
}

/** The line that makes the commands below run in the stack's region, or says to choose it. */
function regionLine(templates: Templates, stack: string): string {
  const region = stackRegion(templates, stack);
  return region
    ? `     export AWS_REGION=${region}   # stack ${stack}'s region: every command below runs there`
    : `     export AWS_REGION=<the region of stack ${stack}>   # the output does not say it (a lone template)`;
}

/*
 * Waits are polling loops, not the CLI's waiters: `aws ssm wait command-executed` gives up
 * after 20 checks 5 s apart, `aws ecs wait tasks-stopped` after 100 × 6 s and `aws ecs wait
 * services-stable` after 40 × 15 s (AWS CLI reference, "wait" pages) — shorter than a copy,
 * a rebalance batch or a canary rollout with bake time.
 */
const WAIT_FOR_COMMAND = 'until case "$(aws ssm get-command-invocation --command-id "$CMD" --instance-id "$INSTANCE" --query Status --output text 2>/dev/null)" in '
  + 'Success|Failed|Cancelled|TimedOut) true ;; *) false ;; esac; do sleep 15; done';
/** Waits for the rebalance task (`$TASK` on `$CLUSTER`) to stop. */
const WAIT_FOR_TASK = 'until [ "$(aws ecs describe-tasks --region "$REGION" --cluster "$CLUSTER" --tasks "$TASK" --query "tasks[0].lastStatus" --output text)" = STOPPED ]; do sleep 15; done';
/** Forces a new deployment of every service of `$C` in `$R`, then waits until each one's rollout completed (canary bake included). */
const ROLL_SERVICES = [
  '       S=$(aws ecs list-services --region "$R" --cluster "$C" --query "serviceArns[]" --output text)',
  '       for s in $S; do aws ecs update-service --region "$R" --cluster "$C" --service "$s" --force-new-deployment >/dev/null; done',
  '       until [ -z "$(aws ecs describe-services --region "$R" --cluster "$C" --services $S --query "services[].deployments[?status==\'PRIMARY\' && rolloutState!=\'COMPLETED\'][]" --output text)" ]; do sleep 30; done',
];

/** Whether the stacks own the app's DNS record (the AppRecord construct, given a zone). */
function hasAppRecord(templates: Templates): boolean {
  return Object.values<any>(templates).some(t => Object.values<any>(t?.Resources ?? {})
    .some(r => r.Type === 'AWS::Route53::RecordSet' && /\/AppRecord\//.test(String(r.Metadata?.['aws:cdk:path'] ?? ''))));
}

function ssmRun(command: string): string {
  return `aws ssm send-command --document-name AWS-RunShellScript --targets Key=InstanceIds,Values="$INSTANCE" --parameters '${JSON.stringify({ commands: [command] })}'`;
}

function copyStep(from: RungStamp, to: RungStamp, templates: Templates, via?: Tier): MigrationStep {
  const stack = primaryStack(templates);
  const copyRung = via?.name ?? to.tier;
  return {
    title: `${TITLE.copy} (${from.tier} → ${copyRung})`,
    instructions: [
      ...(via ? [
        `One deploy cannot do ${from.tier} → ${to.tier}: the copy runs on the server, and rung ${to.tier} retires it.`,
        `Climb through rung ${via.name}: deploy it, run the copy below, then deploy rung ${to.tier}.`,
      ] : []),
      `1. Deploy rung ${copyRung}. It adds the managed writer (empty), its secret and the copy document; the server keeps`,
      '   serving from its own PostgreSQL and is not restarted (its boot script is the same on both rungs).',
      regionLine(templates, stack),
      `     DOC=${output(templates, stack, 'MigrateDatabaseDocument')}`,
      `     INSTANCE=${output(templates, stack, 'ServerInstanceId')}`,
      '2. Run the copy. The document stops the app (writes pause for the copy\'s duration), dumps the server\'s database,',
      '   restores it into the writer over TLS, compares exact row counts and checksums table by table, and only when every',
      '   table matches restarts the app on the managed writer, then stops the server\'s PostgreSQL and unmounts its volume.',
      '   On any failure the app restarts unchanged on the server\'s database.',
      '     CMD=$(aws ssm send-command --document-name "$DOC" --targets Key=InstanceIds,Values="$INSTANCE" --query Command.CommandId --output text)',
      `     ${WAIT_FOR_COMMAND}`,
      '3. Verify: the invocation must be Success; its output has "verified: <n> tables, <m> rows" and "app switched":',
      '     aws ssm get-command-invocation --command-id "$CMD" --instance-id "$INSTANCE" --query "[Status,StandardOutputContent,StandardErrorContent]"',
      '   Failed without "app switched": the app still runs on the server\'s database; fix the cause (the output says it) and',
      '   run the document again. Failed with "app switched" (exit 4): the app runs on the managed database but the volume',
      '   could not be freed; run the document again — once switched it only retries stopping PostgreSQL and unmounting.',
      '4. The old data volume is retained (DeletionPolicy Retain, daily snapshots) on every higher rung. Delete it by hand',
      '   (aws ec2 delete-volume) only after the app has run on the managed database and the data has been verified.',
    ].join('\n'),
  };
}

function retirementStep(from: RungStamp, to: RungStamp, fromTemplates: Templates, toTemplates: Templates): MigrationStep {
  const stack = primaryStack(fromTemplates);
  const entry = stackWithOutput(toTemplates, 'DistributionDomain') ? 'DistributionDomain' : 'LoadBalancerDns';
  return {
    title: `${TITLE.retire} (${from.tier} → ${to.tier})`,
    instructions: [
      `Rung ${to.tier} removes the server, its volume attachment and its address association; the data volume and the`,
      'Elastic IP stay (both retained).',
      '1. Before deploying, check that the server no longer uses its data volume (the copy step stopped PostgreSQL and',
      '   unmounted it after the verified switch). EC2 asks for a volume to be unmounted before it is detached.',
      regionLine(fromTemplates, stack),
      `     INSTANCE=${output(fromTemplates, stack, 'ServerInstanceId')}`,
      `     ALLOCATION=${output(fromTemplates, stack, 'ServerAddressAllocation')}   # kept for step 3: the output leaves with the server`,
      `     CMD=$(${ssmRun('if mountpoint -q /var/lib/scale-ladder || docker ps -q -f name=^postgres$ | grep -q .; then echo VOLUME-IN-USE; exit 1; fi; echo volume-free')} --query Command.CommandId --output text)`,
      `     ${WAIT_FOR_COMMAND}`,
      '     [ "$(aws ssm get-command-invocation --command-id "$CMD" --instance-id "$INSTANCE" --query StandardOutputContent --output text)" = volume-free ] \\',
      '       || { echo "STOP: the server still uses its data volume; do not deploy yet"; exit 1; }',
      '   VOLUME-IN-USE means the copy has not completed: run it first (step "Copy the server\'s PostgreSQL …") — the app',
      '   still uses the server\'s database, and after this deploy it would start on the managed database.',
      `2. Deploy rung ${to.tier}.`,
      ...(hasAppRecord(toTemplates) ? [
        '   The stack\'s apex record moves to the load balancer in this deploy; resolvers that cached the',
        '   server\'s address (TTL 60 s) reach the old address for up to a minute after the server stops.',
        '3. Once that TTL has passed and traffic has moved, release the old address:',
      ] : [
        `3. The stacks own no DNS record (no zone given): move your DNS name to the new entry point (stack output ${entry}):`,
        `     echo "${output(toTemplates, primaryStack(toTemplates), entry)}"`,
        '   The old address no longer reaches the app. Once the old record\'s TTL has passed and traffic has moved, release it:',
      ]),
      '     aws ec2 release-address --allocation-id "$ALLOCATION"',
    ].join('\n'),
  };
}

function rebalanceStep(from: RungStamp, to: RungStamp, toTemplates: Templates): MigrationStep {
  const fromShards = shardCountOf(from);
  const toShards = shardCountOf(to);
  const primary = stackWithOutput(toTemplates, 'RebalanceRunTask') ?? primaryStack(toTemplates);
  // Other regions' stacks are named <primary>-<region>; their tasks read the same assignment.
  // Only the stacks that run the app in another region (not e.g. the us-east-1 edge stack `<primary>-edge`).
  const regionStacks = Object.keys(toTemplates).filter(n => n.startsWith(`${primary}-`) && regionSuffix(n) !== undefined).sort();
  const rollEverywhere = [
    '       R=$REGION C=$CLUSTER',
    ...ROLL_SERVICES,
    ...regionStacks.flatMap(stack => {
      const region = stack.slice(primary.length + 1);
      return [
        `       R=${region} C=$(aws cloudformation describe-stack-resources --region ${region} --stack-name ${stack} --query "StackResources[?ResourceType=='AWS::ECS::Cluster'].PhysicalResourceId | [0]" --output text)`,
        ...ROLL_SERVICES,
      ];
    }),
  ];
  const expected = expectedAssignments(fromShards, toShards);
  const batches = rebalanceBatches(fromShards, toShards).map((moves, i) => {
    const assignment = expected[i];
    const overrides = JSON.stringify({ containerOverrides: [{ name: 'rebalance', environment: [{ name: 'MOVES', value: movesArgument(moves) }] }] });
    const count = moves.reduce((n, m) => n + m.buckets.length, 0);
    return [
      `   Batch ${i + 1}: ${count} buckets onto shard ${moves[0].to}`,
      `     TASK=$($RUN_TASK --overrides '${overrides}' --query "tasks[0].taskArn" --output text)`,
      `     ${WAIT_FOR_TASK}`,
      '     [ "$(aws ecs describe-tasks --region "$REGION" --cluster "$CLUSTER" --tasks "$TASK" --query "tasks[0].containers[0].exitCode" --output text)" = 0 ] \\',
      `       || { echo "STOP: batch ${i + 1} failed and was undone; the old assignment stays in force (see the task log)"; exit 1; }`,
      `     EXPECTED='${JSON.stringify(assignment)}'`,
      '     aws logs filter-log-events --region "$REGION" --log-group-name "$LOGS" --log-stream-names "rebalance/rebalance/${TASK##*/}" --filter-pattern \'"new SHARD_BUCKETS"\' \\',
      '       --query "events[-1].message" --output text | grep -qxF "new SHARD_BUCKETS: $EXPECTED" \\',
      '       || { echo "STOP: the task did not print the expected assignment; publish nothing, run it with ACTION=abort and the same MOVES"; exit 1; }',
      '     aws ssm put-parameter --region "$REGION" --overwrite --name "$BUCKETS" --value "$EXPECTED"',
      '     Roll every service in every region onto the new assignment (tasks read SHARD_BUCKETS when they start):',
      ...rollEverywhere,
    ].join('\n');
  });
  return {
    title: `Rebalance key buckets onto the new shards (${fromShards} → ${toShards} shards)`,
    instructions: [
      `The deploy itself moves no key: rung ${to.tier}'s new shards start empty and SHARD_BUCKETS still sends every key where`,
      'its rows are. To use them, move buckets one batch at a time with the shipped rebalance task: it fences the moving',
      'buckets on their shard, copies their rows, verifies exact counts and checksums, and prints the new assignment; only',
      'then is it published. A failed batch unfences and publishes nothing: the old assignment stays in force. Sharded',
      'tables carry a shard_bucket column (ShardRouter.bucketFor).',
      'What the app sees during a batch: writes to the moving buckets are refused from the fence until every task runs the',
      'new assignment (the rollout below, canary bake time included), so retry them; tasks not yet rolled read those',
      'buckets from the old shard, frozen as of the fence. Other buckets are not affected. Run batches at a quiet hour.',
      `     RUN_TASK=${output(toTemplates, primary, 'RebalanceRunTask')}`,
      '     CLUSTER=$(echo "$RUN_TASK" | sed -E \'s/.*--cluster ([^ ]+).*/\\1/\')',
      '     REGION=$(echo "$RUN_TASK" | sed -E \'s/.*--region ([^ ]+).*/\\1/\')',
      `     BUCKETS=${output(toTemplates, primary, 'ShardBucketsParameter')}`,
      `     LOGS=${output(toTemplates, primary, 'RebalanceLogGroup')}`,
      '   (Run these in the primary region\'s shell: `aws configure get region` must name it, or export AWS_REGION.)',
      '   Check the published assignment is the one this plan starts from (every bucket on the shards of the lower rung):',
      `     [ "$(aws ssm get-parameter --region "$REGION" --name "$BUCKETS" --query Parameter.Value --output text)" = '${JSON.stringify(ShardRouter.balancedAssignment(fromShards))}' ] \\`,
      '       || { echo "STOP: the assignment in force is not the one this plan starts from"; exit 1; }',
      ...batches,
      '   After the last batch has rolled out everywhere, delete the moved rows from the shards they left:',
      `     TASK=$($RUN_TASK --overrides '${JSON.stringify({ containerOverrides: [{ name: 'rebalance', environment: [{ name: 'ACTION', value: 'cleanup' }] }] })}' --query "tasks[0].taskArn" --output text)`,
      `     ${WAIT_FOR_TASK}`,
      '   To give up on a batch before publishing, run the task with ACTION=abort and the same MOVES (it unfences them).',
    ].join('\n'),
  };
}

/** The AWS steps for each migration the climb needs, in the order they are run. */
export function awsMigrationSteps(
  kinds: readonly MigrationKind[], from: RungStamp, to: RungStamp, fromTemplates: Templates, toTemplates: Templates,
): MigrationStep[] {
  const via = intermediateRung(from, to, Tier.all());
  return kinds.map(kind => {
    switch (kind) {
      case 'SERVER_DATABASE_TO_MANAGED': return copyStep(from, to, via ? fromTemplates : toTemplates, via);
      case 'SERVER_RETIREMENT': return retirementStep(from, to, fromTemplates, toTemplates);
      case 'SHARD_REBALANCE': return rebalanceStep(from, to, toTemplates);
      case 'SERVER_RETURN': return serverReturnStep(from, to, toTemplates);
    }
  });
}

/*
 * A downgrade that runs the server again (e.g. 100K → 10K). CloudFormation creates and updates
 * resources first and deletes the removed ones only in the cleanup phase at the end of the update
 * (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, "Stack status codes", CloudFormation User Guide), so the
 * server is up before the load balancer goes. A new server boots with the app's variables from the
 * stack's SSM parameter, so it serves from the managed database (server-scripts.ts), not from the
 * old volume it attaches.
 */
function serverReturnStep(from: RungStamp, to: RungStamp, toTemplates: Templates): MigrationStep {
  const stack = primaryStack(toTemplates);
  const zoned = hasAppRecord(toTemplates);
  return {
    title: `${TITLE.back} (${from.tier} → ${to.tier})`,
    instructions: [
      `Rung ${to.tier} runs the server again and removes the load balancer and the fleet. The server is a new instance with a`,
      'new Elastic IP (the address retired on the way up is not reused); it attaches the retained data volume but serves from the',
      'managed database. The new resources come up first; CloudFormation deletes the load balancer in the cleanup phase at the',
      'end of the same deploy.',
      `1. Deploy rung ${to.tier}.`,
      ...(zoned ? [
        '   The stack\'s apex record moves from the load balancer to the server\'s address in this deploy; resolvers that cached',
        '   the old answer (TTL 60 s) reach the load balancer until the cleanup phase deletes it, and fail for the rest of that minute.',
      ] : [
        '   The stacks own no DNS record (no zone given): your DNS still points at the load balancer, which this deploy deletes, so',
        '   the app is unreachable from the cleanup phase until your record has moved and its TTL has passed. To avoid that outage,',
        '   give the ladder a `zone` on the current rung first (an in-place change) and downgrade after that deploy.',
      ]),
      '2. Check the server answers on its new address, and (without a zone) move your DNS name to it:',
      `     ADDRESS=${output(toTemplates, stack, 'ServerAddress')}`,
      '     curl -fsS "http://$ADDRESS/"',
    ].join('\n'),
  };
}

function hasDistribution(templates: Templates): boolean {
  return Object.values<any>(templates).some(t => Object.values<any>(t?.Resources ?? {}).some(r => r.Type === 'AWS::CloudFront::Distribution'));
}

/*
 * From the rung where CloudFront fronts the fleet (1M) the load balancer answers only CloudFront
 * (origin protection: other requests get 403), so the app's name must point at the distribution.
 * With a zone the stacks' apex record does that in the same deploy; without one the user's own DNS
 * still points at the load balancer and needs moving. The reverse (a downgrade below 1M) moves it
 * back: the load balancer accepts all requests again and CloudFormation deletes the distribution in
 * the cleanup phase at the end of the deploy.
 */
/** The DNS step when the entry point moves to or from CloudFront and the stacks own no record. */
export function edgeCutoverSteps(fromTemplates: Templates, toTemplates: Templates): MigrationStep[] {
  const [before, after] = [hasDistribution(fromTemplates), hasDistribution(toTemplates)];
  if (before === after || hasAppRecord(toTemplates)) return [];
  const stack = primaryStack(after ? toTemplates : fromTemplates);
  if (after) {
    return [{
      title: TITLE.toEdge,
      instructions: [
        'This deploy puts CloudFront and its web ACL in front of the load balancer, which from then on refuses every request',
        'that does not come through CloudFront (403). The stacks own no DNS record (no zone given), so your name still points at',
        'the load balancer: requests to it fail from this deploy until the name points at the distribution and the old TTL has',
        'passed. To avoid that outage, give the ladder a `zone` on the current rung first (an in-place change) and climb after it.',
        '1. Deploy, then point your name (a CNAME, or an alias at your DNS provider) at the distribution:',
        `     echo "${output(toTemplates, stack, 'DistributionDomain')}"`,
      ].join('\n'),
    }];
  }
  return [{
    title: TITLE.fromEdge,
    instructions: [
      'This deploy removes CloudFront; the load balancer accepts every request again. The stacks own no DNS record (no zone',
      'given), so your name still points at the distribution, which CloudFormation deletes in the cleanup phase at the end of',
      'this deploy: from then until your record has moved and its TTL has passed, requests fail.',
      '1. Deploy, then point your name at the load balancer:',
      `     echo "${output(toTemplates, stack, 'LoadBalancerDns')}"`,
    ].join('\n'),
  }];
}

/** `[logical id, resource]` of `type` in a template, sorted by id. */
function resourcesOf(template: any, type: string): Array<[string, any]> {
  return Object.entries<any>(template?.Resources ?? {}).filter(([, r]) => r.Type === type).sort(([a], [b]) => a.localeCompare(b));
}

/*
 * A stack that leaves the app (a downgrade from 1B drops a region) is not deleted by `cdk deploy`,
 * which deploys the stacks the app has (aws-cdk issue 13676: removed stacks must be destroyed
 * explicitly). Deleting one that holds secondary clusters of a global database needs them detached
 * first ("Removing a cluster from an Amazon Aurora global database", Aurora User Guide) and their
 * deletion protection off; retained instances outlive the stack and keep a cluster from being
 * deleted, so they go first. A secondary may have become the writer after a failover: check.
 */
/** The steps for each stack the old output has and the new one does not. */
export function stackRemovalSteps(fromTemplates: Templates, toTemplates: Templates): MigrationStep[] {
  const primary = primaryStack(fromTemplates);
  return Object.keys(fromTemplates).filter(stack => !(stack in toTemplates)).sort().map(stack => {
    const template = fromTemplates[stack];
    const at = regionFlag(fromTemplates, stack);
    const physical = (logicalId: string) => `$(aws cloudformation describe-stack-resource${at} --stack-name ${stack} --logical-resource-id ${logicalId} --query StackResourceDetail.PhysicalResourceId --output text)`;
    const secondaries = resourcesOf(template, 'AWS::RDS::DBCluster').filter(([, r]) => r.Properties?.GlobalClusterIdentifier !== undefined);
    const retainedInstances = resourcesOf(template, 'AWS::RDS::DBInstance').filter(([, r]) => r.DeletionPolicy === 'Retain');
    const lines = [
      `The new output has no stack ${stack}. \`cdk deploy\` deploys the stacks an app has and never deletes one it no longer has:`,
      `${stack} keeps running (and costing) until you delete it, after the deploy of the other stacks.`,
    ];
    let n = 1;
    if (secondaries.length) {
      const globals = [...new Set(secondaries.map(([, r]) => r.Properties.GlobalClusterIdentifier).filter((g: unknown) => typeof g === 'string'))];
      lines.push(
        `${n++}. Check that no cluster of ${stack} is its global database's writer (a failover may have made it one); if one is,`,
        '   switch the writer back first (aws rds switchover-global-cluster):',
        ...globals.map(g => `     aws rds describe-global-clusters${regionFlag(fromTemplates, primary)} --global-cluster-identifier ${g} --query "GlobalClusters[0].GlobalClusterMembers[?IsWriter].DBClusterArn" --output text`),
        `${n++}. Detach each of its clusters from the global database and switch off its deletion protection:`,
        ...secondaries.flatMap(([id, r]) => [
          `     ID=${physical(id)}`,
          `     ARN=$(aws rds describe-db-clusters${at} --db-cluster-identifier "$ID" --query "DBClusters[0].DBClusterArn" --output text)`,
          `     aws rds remove-from-global-cluster${at} --global-cluster-identifier ${typeof r.Properties.GlobalClusterIdentifier === 'string' ? r.Properties.GlobalClusterIdentifier : '<its global cluster>'} --db-cluster-identifier "$ARN"`,
          `     aws rds modify-db-cluster${at} --db-cluster-identifier "$ID" --no-deletion-protection --apply-immediately`,
        ]),
      );
    }
    if (retainedInstances.length) {
      lines.push(
        `${n++}. Its database instances are retained (DeletionPolicy Retain) and would keep their cluster from being deleted: delete them first`,
        '   (a detached secondary holds a copy; the primary region keeps the data):',
        ...retainedInstances.map(([id]) => `     aws rds delete-db-instance${at} --db-instance-identifier ${physical(id)}`),
      );
    }
    lines.push(`${n}. Delete the stack: npx cdk destroy ${stack}   (or aws cloudformation delete-stack${at} --stack-name ${stack})`);
    return { title: `Delete the stack ${stack}, which the app no longer has`, instructions: lines.join('\n') };
  });
}


/** The outages the steps themselves cause (the copy stops the app; a DNS move the stacks do not own leaves a gap). */
export function stepInterruptions(steps: readonly MigrationStep[], fromTemplates: Templates, toTemplates: Templates): Interruption[] {
  const stack = primaryStack(toTemplates);
  const zoned = hasAppRecord(toTemplates);
  const source = STEP_SOURCE;
  return steps.flatMap(step => {
    if (step.title.startsWith(TITLE.copy)) {
      return [{ id: `${primaryStack(fromTemplates)}/Server`, what: 'the app is stopped while the copy runs (no writes are lost: it restarts on one database or the other)', downtime: 'as long as the dump, restore and verification take (minutes per GiB of data)', source }];
    }
    if (zoned) return [];
    if ([TITLE.retire, TITLE.back, TITLE.toEdge, TITLE.fromEdge].some(t => step.title.startsWith(t))) {
      return [{ id: `${stack}/entry point`, what: `${step.title}: the old entry point stops answering in the deploy and your DNS (not owned by the stacks) still points at it`, downtime: 'from that moment until your record has moved and its old TTL has passed', source }];
    }
    return [];
  });
}
