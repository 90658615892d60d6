// SPDX-License-Identifier: MIT
// host: plays Grafana for the browser test. Provides react, react-dom,
// @grafana/data and @grafana/ui (real, bundled by build.mjs --browser) to
// the plugin's built AMD module.js, loads it, takes the panel's option
// defaults from the plugin's own option builder, converts a Prometheus API
// answer into the frames Grafana's Prometheus data source gives a panel
// (tests/prom.ts), and renders the plugin's panel with them:
//   window.promfilerHost.load(moduleUrl) -> plugin id check
//   window.promfilerHost.render({ queries: { A: result, B?: result }, options, width, height })
import * as grafanaData from '@grafana/data';
import * as grafanaUi from '@grafana/ui';
import React from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';

import { type PromSample, promToFrames } from '../prom';

const { createTheme, EventBusSrv, getDefaultTimeRange, LoadingState, PanelOptionsEditorBuilder, standardEditorsRegistry } =
  grafanaData;
// Grafana's app registers its option editors (React components of its own,
// not in @grafana/ui) before any plugin loads; the builder only needs their
// ids here, to read the defaults.
standardEditorsRegistry.setInit(() =>
  ['text', 'radio', 'boolean', 'number', 'select'].map((id) => ({ id, name: id, editor: () => null }))
);
const modules: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUi,
};

type Plugin = grafanaData.PanelPlugin<Record<string, unknown>>;
let plugin: Plugin | undefined;
let root: Root | undefined;

function load(url: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    (window as unknown as { define: unknown }).define = (deps: string[], factory: (...m: unknown[]) => { plugin: Plugin }) => {
      const missing = deps.filter((d) => !(d in modules));
      if (missing.length) {
        reject(new Error(`module.js wants modules Grafana does not provide here: ${missing.join(', ')}`));
        return;
      }
      plugin = factory(...deps.map((d) => modules[d])).plugin;
      resolve(deps);
    };
    const s = document.createElement('script');
    s.src = url;
    s.onerror = () => reject(new Error(`cannot load ${url}`));
    document.head.appendChild(s);
  });
}

function defaults(): Record<string, unknown> {
  const builder = new PanelOptionsEditorBuilder<Record<string, unknown>>();
  plugin!.getPanelOptionsSupplier()(builder, { data: [] });
  const out: Record<string, unknown> = {};
  for (const item of builder.getItems()) {
    out[item.path] = item.defaultValue;
  }
  return out;
}

interface RenderArgs {
  queries: Record<string, PromSample[]>;
  options?: Record<string, unknown>;
  format?: 'time_series' | 'table';
  width?: number;
  height?: number;
}

function render(args: RenderArgs): Record<string, unknown> {
  if (!plugin || !plugin.panel) {
    throw new Error('no plugin loaded');
  }
  const Panel = plugin.panel as React.ComponentType<grafanaData.PanelProps<Record<string, unknown>>>;
  const series = Object.entries(args.queries).flatMap(([refId, r]) => promToFrames(r, refId, args.format));
  const options = { ...defaults(), ...(args.options ?? {}) };
  const timeRange = getDefaultTimeRange();
  const width = args.width ?? 1200;
  const height = args.height ?? 560;
  const theme = createTheme({ colors: { mode: 'dark' } });
  const el = document.getElementById('panel')!;
  root?.unmount();
  root = createRoot(el);
  root.render(
    <grafanaUi.ThemeContext.Provider value={theme}>
      <Panel
        id={1}
        title="CPU flame graph"
        data={{ series, state: LoadingState.Done, timeRange }}
        options={options}
        fieldConfig={{ defaults: {}, overrides: [] }}
        timeRange={timeRange}
        timeZone="utc"
        width={width}
        height={height}
        transparent={false}
        renderCounter={1}
        replaceVariables={(s: string) => s}
        onOptionsChange={() => {}}
        onFieldConfigChange={() => {}}
        onChangeTimeRange={() => {}}
        eventBus={new EventBusSrv()}
      />
    </grafanaUi.ThemeContext.Provider>
  );
  return options;
}

(window as unknown as { promfilerHost: unknown }).promfilerHost = { load, render, reactVersion: React.version };
