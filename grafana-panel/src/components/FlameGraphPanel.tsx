// SPDX-License-Identifier: MIT
// FlameGraphPanel: the panel Grafana renders. Converts the query's frames
// (src/convert.ts) and draws them with @grafana/flamegraph, Grafana's own
// flame graph (search, top table, sandwich view, tooltips, diff colours).
// Nothing it is given may crash it: what cannot be drawn is said.
import { css } from '@emotion/css';
import { type GrafanaTheme2, type PanelProps } from '@grafana/data';
import { FlameGraph } from '@grafana/flamegraph';
import { ErrorBoundaryAlert, useStyles2, useTheme2 } from '@grafana/ui';
import React, { useMemo } from 'react';

import { type ConvertResult, seriesToFlameGraph } from '../convert';
import { type PanelOptions } from '../types';

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ overflow: 'auto', position: 'relative' }),
  message: css({
    display: 'flex',
    height: '100%',
    alignItems: 'center',
    justifyContent: 'center',
    color: theme.colors.text.secondary,
    textAlign: 'center',
    padding: theme.spacing(2),
  }),
  notice: css({
    color: theme.colors.warning.text,
    fontSize: theme.typography.bodySmall.fontSize,
    padding: theme.spacing(0, 0, 0.5, 0),
  }),
});

export function FlameGraphPanel({ data, options, width, height }: PanelProps<PanelOptions>) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const result: ConvertResult = useMemo(() => {
    try {
      return seriesToFlameGraph(data?.series ?? [], {
        separator: options.separator,
        weight: options.weight === 'total' ? 'total' : 'self',
        unit: options.unit,
        maxSeries: options.maxSeries,
        baselineRefId: options.compare ? options.baselineRefId || 'B' : undefined,
      });
    } catch (e) {
      return { message: `Cannot convert these series: ${String(e)}`, notices: [], signatures: [0, 0] };
    }
  }, [data?.series, options.separator, options.weight, options.unit, options.maxSeries, options.compare, options.baselineRefId]);

  if (!result.frame) {
    return (
      <div className={styles.message} style={{ width, height }} data-testid="promfiler-message">
        {result.message}
        {result.notices.length > 0 && <br />}
        {result.notices.join('; ')}
      </div>
    );
  }
  return (
    <div className={styles.wrapper} style={{ width, height }} data-testid="promfiler-panel">
      {result.notices.length > 0 && (
        <div className={styles.notice} data-testid="promfiler-notice">
          {result.notices.join('; ')}
        </div>
      )}
      <ErrorBoundaryAlert style="alertbox">
        <FlameGraph
          data={result.frame}
          getTheme={() => theme}
          showFlameGraphOnly={options.flameGraphOnly}
          showAnalyzeWithAssistant={false}
          keepFocusOnDataChange={true}
        />
      </ErrorBoundaryAlert>
    </div>
  );
}
