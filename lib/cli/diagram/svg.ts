import { ArchEdge, ArchNode, Architecture, NodeKind } from './architecture';

/*
 * A small, dependency-free layout for the architecture graph: nodes sit in columns (left to
 * right along the request path), regional columns inside a region frame, edges are cubic
 * curves between evenly spread ports. Text widths are estimated from character counts with
 * a wide sans-serif in mind, so boxes fit whichever font the viewer substitutes.
 */

const FONT = 'Helvetica, Arial, DejaVu Sans, sans-serif';
const TITLE_SIZE = 13;
const DETAIL_SIZE = 11;
const LABEL_SIZE = 10;
const PAD_X = 12;
const PAD_Y = 9;
const TITLE_LINE = 18;
const DETAIL_LINE = 15;
const NODE_GAP = 20;
const MIN_COLUMN_GAP = 64;
const MIN_NODE_WIDTH = 150;
const MARGIN = 24;
const HEADER = 58;
const FRAME_PAD = 18;
const FRAME_CAPTION = 26;
const COPY_OFFSET = 9;
const BULGE = 46;

interface Palette { readonly fill: string; readonly stroke: string; readonly text: string; readonly dash?: string }

const PALETTE: Record<NodeKind | 'ops', Palette> = {
  client: { fill: '#eceff1', stroke: '#546e7a', text: '#263238' },
  edge: { fill: '#ede7f6', stroke: '#5e35b1', text: '#311b92' },
  compute: { fill: '#fff3e0', stroke: '#ef6c00', text: '#4e2600' },
  data: { fill: '#e3f2fd', stroke: '#1565c0', text: '#0d2c54' },
  retired: { fill: '#fafafa', stroke: '#9e9e9e', text: '#616161', dash: '5 3' },
  ops: { fill: '#e8f5e9', stroke: '#2e7d32', text: '#1b5e20' },
};

const LEGEND: ReadonlyArray<[NodeKind, string]> = [
  ['edge', 'edge / routing'], ['compute', 'compute'], ['data', 'data'], ['retired', 'retained, to delete'],
];

/** Estimated rendered width of `text` (wide sans-serif such as DejaVu: ~0.57 em per character, bold a bit more). */
export function textWidth(text: string, size: number, bold = false): number {
  return Math.ceil([...text].length * size * (bold ? 0.62 : 0.57));
}

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

interface Box { x: number; y: number; w: number; h: number }
interface Placed extends Box { readonly node: ArchNode }

function nodeHeight(node: ArchNode): number {
  return PAD_Y * 2 + TITLE_LINE + node.details.length * DETAIL_LINE;
}

function nodeWidth(node: ArchNode): number {
  const widest = Math.max(textWidth(node.title, TITLE_SIZE, true), ...node.details.map(d => textWidth(d, DETAIL_SIZE)));
  return Math.max(MIN_NODE_WIDTH, widest + PAD_X * 2);
}

function drawNode(p: Placed): string {
  const c = PALETTE[p.node.kind];
  const dash = c.dash ? ` stroke-dasharray="${c.dash}"` : '';
  const out = [`<g id="node-${esc(p.node.id)}">`,
    `<rect x="${fmt(p.x)}" y="${fmt(p.y)}" width="${fmt(p.w)}" height="${fmt(p.h)}" rx="7" fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.4"${dash}/>`];
  if (p.node.store) {
    // A band at the top marks a data store (the flat rendering of a cylinder's lid).
    out.push(`<path d="M${fmt(p.x + 1)} ${fmt(p.y + 7)} Q${fmt(p.x + p.w / 2)} ${fmt(p.y + 13)} ${fmt(p.x + p.w - 1)} ${fmt(p.y + 7)}" fill="none" stroke="${c.stroke}" stroke-width="1" opacity="0.6"/>`);
  }
  let y = p.y + PAD_Y + TITLE_SIZE + (p.node.store ? 3 : 0);
  out.push(`<text x="${fmt(p.x + PAD_X)}" y="${fmt(y)}" font-size="${TITLE_SIZE}" font-weight="bold" fill="${c.text}">${esc(p.node.title)}</text>`);
  y += TITLE_LINE - TITLE_SIZE + DETAIL_SIZE + 2;
  for (const d of p.node.details) {
    out.push(`<text x="${fmt(p.x + PAD_X)}" y="${fmt(y)}" font-size="${DETAIL_SIZE}" fill="${c.text}">${esc(d)}</text>`);
    y += DETAIL_LINE;
  }
  out.push('</g>');
  return out.join('\n');
}

type Side = 'left' | 'right';

interface Route { readonly edge: ArchEdge; readonly from: Placed; readonly to: Placed; readonly fromSide: Side; readonly toSide: Side }

/** Spreads the edges that meet one side of a node over that side, ordered by where their other end is. */
function assignPorts(routes: Route[]): Map<Route, { y1: number; y2: number }> {
  const ends = new Map<string, Array<{ route: Route; start: boolean; other: number }>>();
  const key = (p: Placed, side: Side) => `${p.node.id}:${side}`;
  for (const r of routes) {
    const a = key(r.from, r.fromSide);
    const b = key(r.to, r.toSide);
    if (!ends.has(a)) ends.set(a, []);
    if (!ends.has(b)) ends.set(b, []);
    ends.get(a)!.push({ route: r, start: true, other: r.to.y + r.to.h / 2 });
    ends.get(b)!.push({ route: r, start: false, other: r.from.y + r.from.h / 2 });
  }
  const result = new Map<Route, { y1: number; y2: number }>();
  for (const r of routes) result.set(r, { y1: 0, y2: 0 });
  for (const list of ends.values()) {
    list.sort((a, b) => a.other - b.other);
    list.forEach((end, i) => {
      const box = end.start ? end.route.from : end.route.to;
      const band = Math.min(box.h - 16, 18 * (list.length - 1));
      const y = box.y + box.h / 2 + (list.length === 1 ? 0 : -band / 2 + (band * i) / (list.length - 1));
      const entry = result.get(end.route)!;
      if (end.start) entry.y1 = y; else entry.y2 = y;
    });
  }
  return result;
}

function drawEdge(r: Route, y1: number, y2: number, labels: string[]): string {
  const x1 = r.fromSide === 'right' ? r.from.x + r.from.w : r.from.x;
  const x2 = r.toSide === 'right' ? r.to.x + r.to.w : r.to.x;
  let c1: number;
  let c2: number;
  if (r.fromSide === r.toSide) {
    // Same column: bulge out to the right.
    c1 = x1 + BULGE;
    c2 = x2 + BULGE;
  } else {
    const dx = Math.max(28, Math.abs(x2 - x1) / 2);
    c1 = r.fromSide === 'right' ? x1 + dx : x1 - dx;
    c2 = r.toSide === 'left' ? x2 - dx : x2 + dx;
  }
  const dash = r.edge.dashed ? ' stroke-dasharray="6 4"' : '';
  const path = `<path d="M${fmt(x1)} ${fmt(y1)} C${fmt(c1)} ${fmt(y1)} ${fmt(c2)} ${fmt(y2)} ${fmt(x2)} ${fmt(y2)}" fill="none" stroke="#455a64" stroke-width="1.4"${dash} marker-end="url(#arrow)"/>`;
  if (r.edge.label) {
    const w = textWidth(r.edge.label, LABEL_SIZE) + 8;
    // The curve's midpoint (t = 0.5); beside the bulge for a same-column edge, so it does not cover the boxes.
    const my = (y1 + y2) / 2;
    const mx = r.fromSide === r.toSide ? (x1 + 3 * c1 + 3 * c2 + x2) / 8 + 4 + w / 2 : (x1 + 3 * c1 + 3 * c2 + x2) / 8;
    labels.push(`<rect x="${fmt(mx - w / 2)}" y="${fmt(my - 8)}" width="${fmt(w)}" height="15" rx="3" fill="#ffffff" fill-opacity="0.92"/>`,
      `<text x="${fmt(mx)}" y="${fmt(my + 3.5)}" font-size="${LABEL_SIZE}" fill="#37474f" text-anchor="middle">${esc(r.edge.label)}</text>`);
  }
  return path;
}

/** Renders the architecture as a self-contained SVG document. */
export function toSvg(arch: Architecture): string {
  // Columns in use, left to right; empty columns take no room.
  const columns = [...new Set(arch.nodes.map(n => n.column))].sort((a, b) => a - b);
  const inColumn = (c: number) => arch.nodes.filter(n => n.column === c);
  const widths = new Map(columns.map(c => [c, Math.max(...inColumn(c).map(nodeWidth))]));
  const regionalColumns = columns.filter(c => inColumn(c).every(n => n.regional));
  const firstRegional = regionalColumns[0];

  // Gap after each column: room for the widest label on an edge leaving it.
  const columnOf = new Map(arch.nodes.map(n => [n.id, n.column]));
  const gapAfter = (c: number) => {
    const labels = arch.edges.filter(e => columnOf.get(e.from) === c || columnOf.get(e.to) === c).map(e => e.label ?? '');
    return Math.max(MIN_COLUMN_GAP, ...labels.map(l => textWidth(l, LABEL_SIZE) + 28));
  };

  const x = new Map<number, number>();
  let cursor = MARGIN;
  columns.forEach((c, i) => {
    if (c === firstRegional) cursor += FRAME_PAD;
    x.set(c, cursor);
    cursor += widths.get(c)!;
    if (i < columns.length - 1) cursor += gapAfter(c);
  });
  // An edge between two boxes of the last column bulges (with its label) to the right of it.
  const lastColumn = columns[columns.length - 1];
  const bulgeRoom = Math.max(0, ...arch.edges
    .filter(e => columnOf.get(e.from) === lastColumn && columnOf.get(e.to) === lastColumn)
    .map(e => BULGE * 0.75 + (e.label ? textWidth(e.label, LABEL_SIZE) + 16 : 4)));
  const regionalRight = cursor + Math.max(FRAME_PAD, bulgeRoom + 6);

  const columnHeight = (c: number) => inColumn(c).reduce((h, n) => h + nodeHeight(n), 0) + NODE_GAP * (inColumn(c).length - 1);
  const contentHeight = Math.max(...columns.map(columnHeight));
  const frameTop = HEADER;
  const contentTop = frameTop + FRAME_CAPTION + 6;
  const frameBottom = contentTop + contentHeight + FRAME_PAD;
  const middle = contentTop + contentHeight / 2;

  const placed = new Map<string, Placed>();
  for (const c of columns) {
    let y = middle - columnHeight(c) / 2;
    for (const node of inColumn(c)) {
      placed.set(node.id, { node, x: x.get(c)!, y, w: widths.get(c)!, h: nodeHeight(node) });
      y += nodeHeight(node) + NODE_GAP;
    }
  }

  const copies = Math.min(arch.activeRegions, 3) - 1;
  const frameLeft = firstRegional !== undefined ? x.get(firstRegional)! - FRAME_PAD : MARGIN;
  let width = regionalRight + copies * COPY_OFFSET + MARGIN;
  let bottom = frameBottom + copies * COPY_OFFSET;

  // The warm-standby region: a dashed frame under the region frame, fed from the database.
  const parts: string[] = [];
  const labels: string[] = [];
  let standbyBox: Box | undefined;
  const standbyRouteX = regionalRight + copies * COPY_OFFSET + 12;
  if (arch.standby) {
    const lines = [arch.standby.title, ...arch.standby.details];
    const w = Math.max(...lines.map((l, i) => textWidth(l, i === 0 ? TITLE_SIZE : DETAIL_SIZE, i === 0))) + PAD_X * 2;
    const h = PAD_Y * 2 + TITLE_LINE + arch.standby.details.length * DETAIL_LINE;
    standbyBox = { x: regionalRight - w, y: bottom + 26, w, h };
    bottom = standbyBox.y + h;
    width = Math.max(width, standbyRouteX + textWidth('replication', LABEL_SIZE) / 2 + 4 + MARGIN);
  }

  const opsText = `Operations: ${arch.operations}`;
  const opsBox: Box = { x: MARGIN, y: bottom + 22, w: 0, h: 30 };
  width = Math.max(width, textWidth(opsText, DETAIL_SIZE) + PAD_X * 2 + MARGIN * 2, textWidth(arch.title, 18, true) + 420);
  opsBox.w = width - MARGIN * 2;
  const height = opsBox.y + opsBox.h + MARGIN;

  // Header: title, layers, legend.
  parts.push(`<text x="${MARGIN}" y="30" font-size="18" font-weight="bold" fill="#212121">${esc(arch.title)}</text>`);
  parts.push(`<text x="${MARGIN}" y="47" font-size="${DETAIL_SIZE}" fill="#616161">${esc(arch.subtitle)}</text>`);
  let lx = width - MARGIN;
  for (const [kind, text] of [...LEGEND].reverse()) {
    const c = PALETTE[kind];
    lx -= textWidth(text, LABEL_SIZE) + 6;
    parts.push(`<text x="${fmt(lx)}" y="31" font-size="${LABEL_SIZE}" fill="#424242">${esc(text)}</text>`);
    lx -= 16;
    parts.push(`<rect x="${fmt(lx)}" y="21" width="12" height="12" rx="2" fill="${c.fill}" stroke="${c.stroke}"${c.dash ? ` stroke-dasharray="${c.dash}"` : ''}/>`);
    lx -= 14;
  }

  // Region frame(s): copies stacked behind for several active regions.
  if (firstRegional !== undefined) {
    for (let i = copies; i >= 0; i--) {
      const off = i * COPY_OFFSET;
      parts.push(`<rect x="${fmt(frameLeft + off)}" y="${fmt(frameTop + off)}" width="${fmt(regionalRight - frameLeft)}" height="${fmt(frameBottom - frameTop)}" rx="10" fill="${i ? '#f5f5f5' : '#fcfcfc'}" stroke="#90a4ae" stroke-width="1.2"/>`);
    }
    parts.push(`<text x="${fmt(frameLeft + 12)}" y="${fmt(frameTop + 18)}" font-size="12" font-weight="bold" fill="#546e7a">${esc(arch.regionLabel)}</text>`);
  }

  // Edges under the nodes, labels over them.
  const routes: Route[] = [];
  for (const edge of arch.edges) {
    const from = placed.get(edge.from);
    const to = placed.get(edge.to);
    if (!from || !to) continue;
    const forward = to.x > from.x;
    const same = to.x === from.x;
    routes.push({ edge, from, to, fromSide: same || forward ? 'right' : 'left', toSide: same || !forward ? 'right' : 'left' });
  }
  const ports = assignPorts(routes);
  for (const r of routes) parts.push(drawEdge(r, ports.get(r)!.y1, ports.get(r)!.y2, labels));

  if (standbyBox) {
    const db = placed.get('db');
    parts.push(`<rect x="${fmt(standbyBox.x)}" y="${fmt(standbyBox.y)}" width="${fmt(standbyBox.w)}" height="${fmt(standbyBox.h)}" rx="8" fill="#fbfdff" stroke="#90a4ae" stroke-width="1.2" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${fmt(standbyBox.x + PAD_X)}" y="${fmt(standbyBox.y + PAD_Y + TITLE_SIZE)}" font-size="${TITLE_SIZE}" font-weight="bold" fill="#546e7a">${esc(arch.standby!.title)}</text>`);
    arch.standby!.details.forEach((d, i) => parts.push(
      `<text x="${fmt(standbyBox!.x + PAD_X)}" y="${fmt(standbyBox!.y + PAD_Y + TITLE_LINE + DETAIL_SIZE + 2 + i * DETAIL_LINE)}" font-size="${DETAIL_SIZE}" fill="#37474f">${esc(d)}</text>`));
    if (db) {
      // Out of the database's right side, down the outside of the region frame, into the standby box.
      const sx = db.x + db.w;
      const sy = db.y + db.h / 2 + 10;
      const rx = standbyRouteX;
      const ty = standbyBox.y + standbyBox.h / 2;
      const tx = standbyBox.x + standbyBox.w;
      parts.push(`<path d="M${fmt(sx)} ${fmt(sy)} H${fmt(rx - 8)} Q${fmt(rx)} ${fmt(sy)} ${fmt(rx)} ${fmt(sy + 8)} V${fmt(ty - 8)} Q${fmt(rx)} ${fmt(ty)} ${fmt(rx - 8)} ${fmt(ty)} H${fmt(tx)}" fill="none" stroke="#455a64" stroke-width="1.4" stroke-dasharray="6 4" marker-end="url(#arrow)"/>`);
      const label = 'replication';
      const lw = textWidth(label, LABEL_SIZE) + 8;
      labels.push(`<rect x="${fmt(rx - lw / 2)}" y="${fmt((sy + ty) / 2 - 8)}" width="${fmt(lw)}" height="15" rx="3" fill="#ffffff" fill-opacity="0.92"/>`,
        `<text x="${fmt(rx)}" y="${fmt((sy + ty) / 2 + 3.5)}" font-size="${LABEL_SIZE}" fill="#37474f" text-anchor="middle">${label}</text>`);
    }
  }

  for (const p of placed.values()) parts.push(drawNode(p));
  parts.push(...labels);

  const ops = PALETTE.ops;
  parts.push(`<rect x="${fmt(opsBox.x)}" y="${fmt(opsBox.y)}" width="${fmt(opsBox.w)}" height="${fmt(opsBox.h)}" rx="7" fill="${ops.fill}" stroke="${ops.stroke}" stroke-width="1.2"/>`);
  parts.push(`<text x="${fmt(opsBox.x + PAD_X)}" y="${fmt(opsBox.y + 19)}" font-size="${DETAIL_SIZE}" fill="${ops.text}">${esc(opsText)}</text>`);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" viewBox="0 0 ${fmt(width)} ${fmt(height)}" font-family="${FONT}">`,
    `<title>${esc(`${arch.title}: ${arch.subtitle}`)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#455a64"/></marker></defs>',
    `<rect width="${fmt(width)}" height="${fmt(height)}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
