import { barChart, lineChart, type Timeline } from './charts';

/** A line chart of `values` (one per bucket) with its axis maximum; `title` names it for screen readers. */
export function LineSvg({ title, values, unit }: { title: string; values: number[]; unit: string }) {
  const width = 600;
  const height = 140;
  const chart = lineChart(values, width, height);
  return (
    <svg class="chart" viewBox={`-40 -10 ${width + 50} ${height + 30}`} role="img" aria-label={title}>
      <title>{title}</title>
      <line x1="0" y1={height} x2={width} y2={height} class="axis" />
      <line x1="0" y1="0" x2="0" y2={height} class="axis" />
      <text x="-6" y="4" class="tick" text-anchor="end">
        {chart.max}
      </text>
      <text x="-6" y={height} class="tick" text-anchor="end">
        0
      </text>
      <text x={width} y={height + 18} class="tick" text-anchor="end">
        now
      </text>
      <text x="0" y={height + 18} class="tick">
        −1 h ({unit})
      </text>
      <path d={chart.d} class="line" />
    </svg>
  );
}

/** Horizontal bars with their labels and values. */
export function BarsSvg({ title, items }: { title: string; items: { label: string; value: number }[] }) {
  const width = 360;
  const row = 22;
  const bars = barChart(items, width);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${width + 260} ${Math.max(1, bars.length) * row + 4}`}
      role="img"
      aria-label={title}
    >
      <title>{title}</title>
      {bars.map((b, i) => (
        <g key={b.label} transform={`translate(0 ${i * row})`}>
          <text x="0" y="15" class="tick">
            {b.label.slice(0, 30)}
          </text>
          <rect x="220" y="3" width={b.width} height="15" class="bar" />
          <text x={226 + b.width} y="15" class="tick">
            {b.value}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** A call's attempts on one time axis (charts.ts `timeline`); `name` turns a target id into a name. */
export function TimelineSvg({ layout, name }: { layout: Timeline; name: (id: string) => string }) {
  const width = 600;
  const row = 26;
  const height = layout.bars.length * row + 54;
  return (
    <svg
      class="chart timeline"
      viewBox={`-170 0 ${width + 200} ${height}`}
      role="img"
      aria-label={`Timeline of ${layout.bars.length} attempts over ${layout.totalMs} ms`}
    >
      <title>Attempts of the call</title>
      {layout.bars.map((b, i) => (
        <g key={`${b.target_id}-${i}`} transform={`translate(0 ${i * row + 4})`}>
          <text x="-8" y="15" class="tick" text-anchor="end">
            {`${i + 1}. ${name(b.target_id)}`.slice(0, 26)}
          </text>
          <rect x={b.x} y="2" width={b.width} height="18" class={b.code < 300 ? 'bar ok' : 'bar failed'} />
          {b.provisionalX !== null && (
            <line x1={b.provisionalX} x2={b.provisionalX} y1="0" y2="22" class="mark" />
          )}
          <text x={b.x + b.width + 6} y="15" class="tick">
            {b.code}
          </text>
        </g>
      ))}
      {/* Labels alternate between two rows: ringing and answer are often a few ms apart. */}
      {layout.markers.map((m, i) => (
        <g key={m.label}>
          <line x1={m.x} x2={m.x} y1="0" y2={height - 32} class="marker" />
          <text x={m.x} y={height - 18 + (i % 2) * 14} class="tick" text-anchor="middle">
            {m.label}
          </text>
        </g>
      ))}
    </svg>
  );
}
