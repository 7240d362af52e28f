// The overview's data as a user would read it: one table per panel of the messaging overview, every
// value formatted by Grafana's own display processors (units, currency symbols, decimals) from the
// frames the plugin returned. @grafana/ui's Table did not render outside Grafana's app (React error
// #130 from its internals in this host), so the table is plain HTML over @grafana/data's formatting.
import React from 'react';
import { createRoot } from 'react-dom/client';
import {
  applyFieldOverrides,
  createTheme,
  formattedValueToString,
  getFieldDisplayName,
  toDataFrame,
  type DataFrame,
  type DataFrameDTO,
} from '@grafana/data';

interface PanelData {
  title: string;
  type: string;
  frames: DataFrameDTO[];
}
declare global {
  interface Window {
    renderOverview(panels: PanelData[]): void;
  }
}

const theme = createTheme({ colors: { mode: 'dark' } });
const MAX_ROWS = 6;
const cell: React.CSSProperties = { padding: '2px 8px', borderBottom: '1px solid #2f3037', textAlign: 'right', whiteSpace: 'nowrap' };

function FrameTable({ frame, frames }: { frame: DataFrame; frames: DataFrame[] }) {
  const rows = Array.from({ length: Math.min(frame.length, MAX_ROWS) }, (_, i) => frame.length - Math.min(frame.length, MAX_ROWS) + i);
  return (
    <table style={{ borderCollapse: 'collapse', fontSize: 12, margin: '2px 0 6px' }}>
      <thead>
        <tr>
          {frame.fields.map((f) => (
            <th key={f.name} style={{ ...cell, color: '#8e8e8e' }}>
              {getFieldDisplayName(f, frame, frames)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((i) => (
          <tr key={i}>
            {frame.fields.map((f) => (
              <td key={f.name} style={cell}>
                {f.display ? formattedValueToString(f.display(f.values[i])) : String(f.values[i])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
      <caption style={{ captionSide: 'bottom', textAlign: 'left', color: '#8e8e8e', fontSize: 11 }}>
        {frame.length > MAX_ROWS ? `last ${MAX_ROWS} of ${frame.length} rows` : `${frame.length} rows`}
      </caption>
    </table>
  );
}

function Panel({ panel }: { panel: PanelData }) {
  const frames = applyFieldOverrides({
    data: panel.frames.map((f) => toDataFrame(f)),
    fieldConfig: { defaults: {}, overrides: [] },
    replaceVariables: (s: string) => s,
    theme,
    timeZone: 'utc',
  });
  return (
    <section
      style={{ marginBottom: 12, border: '1px solid #2f3037', padding: 8, borderRadius: 2 }}
      data-testid="panel"
      data-rows={frames.reduce((n, f) => n + f.length, 0)}
    >
      <h3 style={{ margin: '0 0 4px', fontSize: 14 }}>
        {panel.title}{' '}
        <small style={{ opacity: 0.6 }}>
          ({panel.type}, {frames.length} series)
        </small>
      </h3>
      {frames.slice(0, 3).map((frame, i) => (
        <FrameTable key={i} frame={frame} frames={frames} />
      ))}
    </section>
  );
}

window.renderOverview = (panels) => {
  createRoot(document.getElementById('root') as HTMLElement).render(
    <div style={{ padding: 12, width: 1200 }}>
      <h2 style={{ margin: '0 0 8px' }}>Messaging overview — demo connector, last 30 days</h2>
      {panels.map((p) => (
        <Panel key={p.title} panel={p} />
      ))}
      <div data-testid="overview-ready" />
    </div>,
  );
};
