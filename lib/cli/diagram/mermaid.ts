import { ArchNode, Architecture, NodeKind } from './architecture';

const CLASS_STYLES: Record<NodeKind, string> = {
  client: 'fill:#eceff1,stroke:#546e7a,color:#263238',
  edge: 'fill:#ede7f6,stroke:#5e35b1,color:#311b92',
  compute: 'fill:#fff3e0,stroke:#ef6c00,color:#4e2600',
  data: 'fill:#e3f2fd,stroke:#1565c0,color:#0d2c54',
  retired: 'fill:#fafafa,stroke:#9e9e9e,color:#616161,stroke-dasharray:4 3',
};

/** Mermaid labels are quoted; quotes inside become #quot;, angle brackets entities. */
function text(value: string): string {
  return value.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function label(node: ArchNode): string {
  return [`<b>${text(node.title)}</b>`, ...node.details.map(text)].join('<br/>');
}

function shape(node: ArchNode): string {
  if (node.kind === 'client') return `${node.id}(["${label(node)}"])`;
  if (node.store) return `${node.id}[("${label(node)}")]`;
  return `${node.id}["${label(node)}"]`;
}

/** The architecture as a Mermaid flowchart (left to right, the region as a subgraph). */
export function toMermaid(arch: Architecture): string {
  const lines = [
    `%% ${arch.title}: ${arch.subtitle}`,
    'flowchart LR',
  ];
  for (const node of arch.nodes.filter(n => !n.regional)) lines.push(`  ${shape(node)}`);
  lines.push(`  subgraph region["${text(arch.regionLabel)}"]`);
  lines.push('    direction LR');
  for (const node of arch.nodes.filter(n => n.regional)) lines.push(`    ${shape(node)}`);
  lines.push('  end');
  if (arch.standby) {
    lines.push(`  subgraph standbyRegion["${text(arch.standby.title)}"]`);
    lines.push(`    standby["${arch.standby.details.map(text).join('<br/>')}"]`);
    lines.push('  end');
  }
  lines.push(`  ops["<b>Operations</b><br/>${text(arch.operations)}"]`);
  for (const edge of arch.edges) {
    const arrow = edge.dashed ? '-.->' : '-->';
    lines.push(`  ${edge.from} ${arrow}${edge.label ? `|"${text(edge.label)}"|` : ''} ${edge.to}`);
  }
  if (arch.standby && arch.nodes.some(n => n.id === 'db')) lines.push('  db -.->|"replication"| standby');
  for (const kind of Object.keys(CLASS_STYLES) as NodeKind[]) {
    const ids = arch.nodes.filter(n => n.kind === kind).map(n => n.id);
    if (kind === 'data' && arch.standby) ids.push('standby');
    if (ids.length) lines.push(`  classDef ${kind} ${CLASS_STYLES[kind]}`, `  class ${ids.join(',')} ${kind}`);
  }
  lines.push('  classDef ops fill:#e8f5e9,stroke:#2e7d32,color:#1b5e20', '  class ops ops');
  return lines.join('\n') + '\n';
}
