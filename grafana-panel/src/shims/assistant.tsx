// SPDX-License-Identifier: MIT
// shims/assistant: stands in for @grafana/assistant, which @grafana/flamegraph
// imports for its "analyze with the assistant" button. The panel never shows
// that button (showAnalyzeWithAssistant is false and our frames carry no
// assistant context), and the real package would pull in @grafana/runtime
// 13.2, whose React 19 peer clashes with the React 18 the flame graph is
// built against; build.mjs aliases the import here.
export function OpenAssistantButton(): null {
  return null;
}
