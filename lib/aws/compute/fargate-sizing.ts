import { requireNumberInRange, requireOneOf } from '../../core/errors';

// Fargate's allowed memory (GiB) for each vCPU size.
const MEMORY_RANGE: Record<number, [number, number]> = {
  0.25: [0.5, 2], 0.5: [1, 4], 1: [2, 8], 2: [4, 16], 4: [8, 30], 8: [16, 60], 16: [32, 120],
};

/** Fargate task size from vCPUs and GiB, with errors naming Fargate's allowed combinations. */
export function fargateSize(vcpuProp: string, vcpu: number, memoryProp: string, memoryGib: number) {
  requireOneOf(vcpuProp, vcpu, Object.keys(MEMORY_RANGE).map(Number).sort((a, b) => a - b));
  const [low, high] = MEMORY_RANGE[vcpu];
  requireNumberInRange(`${memoryProp} (for ${vcpu} vCPU)`, memoryGib, low, high);
  return { cpu: vcpu * 1024, memoryLimitMiB: Math.round(memoryGib * 1024) };
}
