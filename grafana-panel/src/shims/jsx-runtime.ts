// SPDX-License-Identifier: MIT
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

// Static children (jsxs): passed as arguments, as createElement's own callers
// do, so React does not ask them for keys.
export function jsxs(type: React.ElementType, props: Props, key?: React.Key): React.ReactElement {
  const { children, ...rest } = (props ?? {}) as { children?: unknown };
  if (key !== undefined) {
    (rest as Record<string, unknown>).key = key;
  }
  return Array.isArray(children)
    ? React.createElement(type, rest, ...(children as React.ReactNode[]))
    : React.createElement(type, rest, children as React.ReactNode);
}

export const jsxDEV = jsx;
