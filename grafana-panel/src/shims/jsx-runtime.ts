// shims/jsx-runtime: react/jsx-runtime over the host's React.createElement.
// Grafana provides `react` to plugins but not every Grafana provides
// `react/jsx-runtime`, and a bundled copy of React 18's would not work under
// a React 19 Grafana (its elements and internals differ): createElement is
// the one API every React since 0.14 keeps. build.mjs aliases the import here.
import * as React from 'react';

type Props = Record<string, unknown> | null;

export const Fragment = React.Fragment;

export function jsx(type: React.ElementType, props: Props, key?: React.Key): React.ReactElement {
  if (key === undefined) {
    return React.createElement(type, props);
  }
  return React.createElement(type, { ...props, key });
}

export const jsxs = jsx;
export const jsxDEV = jsx;
