import { parseNumber, ParsedOptions, requireOption, UsageError } from './args';
import { Command, writeJson, writeLines } from './command';
import { num, rate, round, table } from './format';
import { CapacityAssumptions, CapacityModel } from '../core/capacity';
import { ScaleLadderError } from '../core/errors';
import { Tier } from '../core/tier';

/** Capacity-model property → the flag that sets it, so range errors name the flag the user typed. */
const FLAGS: Record<string, string> = {
  users: '--users',
  dailyActiveRatio: '--daily-active-ratio',
  requestsPerUserPerDay: '--requests-per-user',
  peakToAverage: '--peak-factor',
  requestsPerVcpu: '--requests-per-vcpu',
};

function renameProp(message: string): string {
  const prop = Object.keys(FLAGS).find(p => message.startsWith(`${p} `));
  return prop ? FLAGS[prop] + message.slice(prop.length) : message;
}

function optionalNumber(values: ParsedOptions, name: string): number | undefined {
  const raw = values[name];
  return raw === undefined ? undefined : parseNumber(name, String(raw));
}

/** How a rung reaches its capacity, in words: `30 tasks × 1 vCPU, one zone lost`. */
function capacityBasis(model: CapacityModel, tier: Tier): string {
  const spec = tier.spec;
  if (!spec.fleet) return `one server, ${num(spec.server.vcpu)} vCPU`;
  const regions = spec.regions.activeRegions;
  const parts = [`${num(spec.fleet.maxInstances)} tasks × ${num(spec.fleet.vcpu)} vCPU`];
  if (regions > 1) parts[0] += ` × ${regions} regions`;
  if (model.surviveZoneLoss) parts.push('one of three zones lost');
  return parts.join(', ');
}

export const recommendCommand: Command = {
  name: 'recommend',
  summary: 'the capacity model: DAU, peak requests/s, the rung to pick and its headroom',
  synopsis: '--users N [--daily-active-ratio R] [--requests-per-user N] [--peak-factor F] [--requests-per-vcpu N] [--json]',
  description: [
    'Turns monthly active users into daily users, average and peak requests per second and',
    'vCPUs of app compute, and picks the smallest rung whose user bound and capacity (with one',
    'of three zones lost) cover the peak. Numbers accept 250000, 250_000, 2.5M, 10K, 1B; ratios 0.2 or 20%.',
  ].join('\n'),
  options: {
    'users': { type: 'string', value: 'N', description: 'monthly active users (required)' },
    'daily-active-ratio': { type: 'string', value: 'R', description: 'share of monthly users active on a day (default 0.2)' },
    'requests-per-user': { type: 'string', value: 'N', description: 'API requests per daily user per day (default 100)' },
    'peak-factor': { type: 'string', value: 'F', description: 'peak over daily-average traffic (default 3)' },
    'requests-per-vcpu': { type: 'string', value: 'N', description: 'requests/s one vCPU of app compute serves (default 100)' },
    'json': { type: 'boolean', description: 'print one JSON object' },
  },
  run(values, io) {
    const users = parseNumber('users', requireOption(values, 'users', 'monthly active users, e.g. --users 250000'));
    const assumptions: CapacityAssumptions = {
      dailyActiveRatio: optionalNumber(values, 'daily-active-ratio'),
      requestsPerUserPerDay: optionalNumber(values, 'requests-per-user'),
      peakToAverage: optionalNumber(values, 'peak-factor'),
      requestsPerVcpu: optionalNumber(values, 'requests-per-vcpu'),
    };
    let model: CapacityModel;
    let rec: ReturnType<CapacityModel['recommend']>;
    try {
      model = new CapacityModel(assumptions);
      rec = model.recommend(users);
    } catch (err) {
      if (err instanceof ScaleLadderError) throw new UsageError(renameProp(err.message));
      throw err;
    }
    const { traffic, tier, capacity } = rec;

    if (values.json) {
      writeJson(io, {
        tier: tier.name,
        users: traffic.users,
        dailyActiveUsers: round(traffic.dailyActiveUsers),
        averageRps: round(traffic.averageRps),
        peakRps: round(traffic.peakRps),
        requiredVcpu: round(traffic.requiredVcpu),
        capacityRps: round(capacity.capacityRps),
        maxVcpu: round(capacity.maxVcpu),
        headroom: round(capacity.headroom),
        layers: tier.layers,
        assumptions: {
          dailyActiveRatio: model.dailyActiveRatio,
          requestsPerUserPerDay: model.requestsPerUserPerDay,
          peakToAverage: model.peakToAverage,
          requestsPerVcpu: model.requestsPerVcpu,
          surviveZoneLoss: model.surviveZoneLoss,
        },
      });
      return 0;
    }

    writeLines(io, [
      ...table([
        ['monthly active users', num(traffic.users), ''],
        ['daily active users', num(Math.round(traffic.dailyActiveUsers)), `${round(model.dailyActiveRatio * 100, 2)} % of monthly`],
        ['average requests/s', rate(traffic.averageRps), `${num(model.requestsPerUserPerDay)} requests per daily user per day`],
        ['peak requests/s', rate(traffic.peakRps), `${num(model.peakToAverage, model.peakToAverage % 1 ? 1 : 0)} × average`],
        ['required vCPU', rate(traffic.requiredVcpu), `at ${num(model.requestsPerVcpu)} requests/s per vCPU`],
        ['', '', ''],
        ['rung', tier.name, tier.layers.join(' + ')],
        ['capacity requests/s', rate(capacity.capacityRps), capacityBasis(model, tier)],
        ['headroom', `${num(capacity.headroom, capacity.headroom < 10 ? 1 : 0)}×`, 'capacity over peak'],
      ], ['left', 'right', 'left']),
      '',
      `Use rung ${tier.name}: scale-ladder synth --cloud aws --tier ${tier.name}`,
    ]);
    return 0;
  },
};
