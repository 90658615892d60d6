// SPDX-License-Identifier: MIT
// types: the panel's options (module.ts registers them, the panel reads them).
import type { Weight } from './convert';

export interface PanelOptions {
  /** The agent's --separator. */
  separator: string;
  /** self: counter, or gauge with --weight self; total: gauge with --weight total. */
  weight: Weight;
  /** 's': CPU seconds (the counter), 'short': samples (the gauge). */
  unit: string;
  /** Draw a diff flame graph: the baseline query against the others. */
  compare: boolean;
  /** The query (refId) that is the baseline in compare mode. */
  baselineRefId: string;
  /** Signatures kept per side; the lightest beyond it fold into (other). */
  maxSeries: number;
  /** Flame graph only, without the top table. */
  flameGraphOnly: boolean;
}

export const defaultOptions: PanelOptions = {
  separator: '#',
  weight: 'self',
  unit: 's',
  compare: false,
  baselineRefId: 'B',
  maxSeries: 20000,
  flameGraphOnly: false,
};
