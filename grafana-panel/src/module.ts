// SPDX-License-Identifier: MIT
// module: the plugin's entry point (module.js once built). Registers the
// panel and its options with Grafana.
import { PanelPlugin } from '@grafana/data';

import { FlameGraphPanel } from './components/FlameGraphPanel';
import { defaultOptions, type PanelOptions } from './types';

export const plugin = new PanelPlugin<PanelOptions>(FlameGraphPanel).setPanelOptions((builder) =>
  builder
    .addTextInput({
      path: 'separator',
      name: 'Signature separator',
      description: "Between the frames of the signature label: the agent's --separator.",
      defaultValue: defaultOptions.separator,
    })
    .addRadio({
      path: 'weight',
      name: 'Series values',
      description:
        'Self: each series is the own time of its node (promfiler_cpu_seconds_total, or the gauge with --weight self). ' +
        'Total: inclusive of its callees (promfiler_cpu_profile with --weight total).',
      defaultValue: defaultOptions.weight,
      settings: {
        options: [
          { value: 'self', label: 'Self (counter, --weight self)' },
          { value: 'total', label: 'Total (--weight total)' },
        ],
      },
    })
    .addRadio({
      path: 'unit',
      name: 'Unit',
      description: 'CPU seconds for the counter (shown as time), samples for the gauge.',
      defaultValue: defaultOptions.unit,
      settings: {
        options: [
          { value: 's', label: 'CPU seconds' },
          { value: 'short', label: 'Samples' },
        ],
      },
    })
    .addBooleanSwitch({
      path: 'compare',
      name: 'Diff against a baseline query',
      description: 'Colour what changed between the baseline query (e.g. the same expression with offset 1d) and the others.',
      defaultValue: defaultOptions.compare,
    })
    .addTextInput({
      path: 'baselineRefId',
      name: 'Baseline query',
      description: 'The refId of the baseline query (the left side of the diff).',
      defaultValue: defaultOptions.baselineRefId,
      showIf: (o) => o.compare,
    })
    .addNumberInput({
      path: 'maxSeries',
      name: 'Series limit',
      description: 'Signatures drawn per query side; the lightest beyond it fold into (other).',
      defaultValue: defaultOptions.maxSeries,
      settings: { min: 1, integer: true },
    })
    .addBooleanSwitch({
      path: 'flameGraphOnly',
      name: 'Flame graph only',
      description: 'Hide the top table.',
      defaultValue: defaultOptions.flameGraphOnly,
    })
);
