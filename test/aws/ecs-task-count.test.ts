import { STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { Tier } from '../../lib/core/tier';
import { AWS_RUNGS, awsTemplatesJson } from '../support/rungs';

/*
 * Application Auto Scaling owns every autoscaled ECS service's task count. A DesiredCount in
 * the template would reset a scaled-out service to the new rung's floor on every swap; the
 * rungs set their floors through the scalable targets' MinCapacity alone.
 */

interface ScaledService {
  readonly stack: string;
  readonly serviceId: string;
  readonly service: any;
  readonly layer: string;
  readonly minCapacity: number;
}

/** The ECS service a scalable target's ResourceId (service/<cluster>/<name>) points at. */
function targetedService(resourceId: any): string | undefined {
  const parts: any[] = resourceId?.['Fn::Join']?.[1] ?? [];
  const name = parts.find(p => p?.['Fn::GetAtt']?.[1] === 'Name');
  return name?.['Fn::GetAtt'][0];
}

function scaledServices(rung: string): ScaledService[] {
  return Object.entries(awsTemplatesJson(rung)).flatMap(([stack, template]) => {
    const resources: Record<string, any> = template.Resources ?? {};
    return Object.values<any>(resources)
      .filter(r => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' && r.Properties.ScalableDimension === 'ecs:service:DesiredCount')
      .map(target => {
        const serviceId = targetedService(target.Properties.ResourceId);
        const service = serviceId ? resources[serviceId] : undefined;
        // Construct path <stack>/App/<layer>/...: the layer says which floor applies.
        const layer = String(service?.Metadata?.['aws:cdk:path'] ?? '').split('/')[2];
        return { stack, serviceId: serviceId ?? '?', service, layer, minCapacity: target.Properties.MinCapacity };
      });
  });
}

/** The floor the tier data gives the service's layer (a warm-standby region runs one app task). */
function floorOf(tier: Tier, stack: string, layer: string): number {
  const spec = tier.spec;
  const standby = stack !== STACK_ID && spec.regions.activeRegions === 1 && spec.regions.warmStandbyRegions > 0;
  if (layer === 'Fleet' || layer.startsWith('Service-')) return standby ? 1 : spec.fleet!.minInstances;
  if (layer === 'Queue' || layer === 'Stream') return spec.queue!.workerMinInstances;
  throw new Error(`no floor known for layer ${layer}`);
}

describe.each(AWS_RUNGS)('rung %s', rung => {
  const tier = Tier.fromName(rung);
  const services = scaledServices(rung);

  test('every scaled service is found, and none of them carries a DesiredCount', () => {
    if (tier.spec.fleet) expect(services.length).toBeGreaterThan(0);
    else expect(services).toEqual([]);
    for (const s of services) {
      expect(s.service?.Type).toBe('AWS::ECS::Service');
      expect({ id: `${s.stack}/${s.serviceId}`, desiredCount: s.service.Properties.DesiredCount }).toEqual({ id: `${s.stack}/${s.serviceId}`, desiredCount: undefined });
    }
  });

  test('each scalable target\'s MinCapacity is the tier data\'s floor', () => {
    for (const s of services) {
      expect({ id: `${s.stack}/${s.serviceId}`, min: s.minCapacity }).toEqual({ id: `${s.stack}/${s.serviceId}`, min: floorOf(tier, s.stack, s.layer) });
    }
  });
});

test('the layers with services are all covered on the top rungs', () => {
  const layers = (rung: string) => [...new Set(scaledServices(rung).map(s => `${s.stack === STACK_ID ? 'primary' : 'region'}:${s.layer}`))].sort();
  expect(scaledServices('1K')).toEqual([]);
  expect(layers('100K')).toEqual(['primary:Fleet']);
  expect(layers('100M')).toEqual(['primary:Fleet', 'primary:Queue', 'primary:Service-api', 'primary:Stream',
    'region:Fleet', 'region:Queue', 'region:Service-api', 'region:Stream']);
  expect(scaledServices('1B').filter(s => s.stack !== STACK_ID && s.layer === 'Fleet').map(s => s.minCapacity)).toEqual([40, 40]);
});
