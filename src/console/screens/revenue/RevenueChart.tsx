import { useEffect, useRef } from 'react'
import * as echarts from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import type { ConsoleLocale } from '../../i18n'
import { amount, major } from './format'

// Net revenue per bucket (bars) and MRR at each bucket's end (lines), one series per currency.
// Tree-shaken ECharts: only what this chart draws is in the bundle. The values stay minor units;
// the axis and the tooltip turn them into money text, so no float is ever shown. The chart
// follows the window's size and is disposed with the component.

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer])

export interface ChartSeries {
  kind: 'net' | 'mrr'
  currency: string
  name: string
  /** Minor units per category; null where not known (MRR of an early bucket not fetched). */
  values: (number | null)[]
}

export function RevenueChart({ categories, series, locale, label }: { categories: string[]; series: ChartSeries[]; locale: ConsoleLocale; label: string }) {
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<echarts.ECharts | null>(null)

  useEffect(() => {
    const c = echarts.init(box.current!, undefined, { renderer: 'canvas' })
    chart.current = c
    const onResize = () => c.resize()
    window.addEventListener('resize', onResize)
    // The box also changes without the window (a scrollbar appears, the layout reflows).
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(onResize)
    observer?.observe(box.current!)
    return () => {
      observer?.disconnect()
      window.removeEventListener('resize', onResize)
      c.dispose()
      chart.current = null
    }
  }, [])

  useEffect(() => {
    const byName = new Map(series.map((s) => [s.name, s]))
    // One currency's figures label the axis; several are shown as plain major-unit numbers.
    const currencies = [...new Set(series.map((s) => s.currency))]
    chart.current?.setOption(
      {
        animation: false,
        grid: { left: 16, right: 24, top: 40, bottom: 24, containLabel: true },
        legend: { top: 0 },
        tooltip: {
          trigger: 'axis',
          formatter: (params: unknown) => {
            const list = (Array.isArray(params) ? params : [params]) as { seriesName: string; value: number | null; axisValueLabel: string; marker: string }[]
            const lines = list
              .filter((p) => p.value !== null && p.value !== undefined)
              .map((p) => `${p.marker}${escape(p.seriesName)}: ${escape(amount(p.value!, byName.get(p.seriesName)?.currency ?? '', locale))}`)
            return [escape(list[0]?.axisValueLabel ?? ''), ...lines].join('<br/>')
          }
        },
        xAxis: { type: 'category', data: categories },
        yAxis: {
          type: 'value',
          axisLabel: { formatter: (v: number) => (currencies.length === 1 ? amount(v, currencies[0]!, locale) : major(v, currencies[0] ?? '')) }
        },
        series: series.map((s) =>
          s.kind === 'net'
            ? { type: 'bar', name: s.name, data: s.values, barMaxWidth: 48 }
            : { type: 'line', name: s.name, data: s.values, connectNulls: true, symbolSize: 6 }
        )
      },
      { notMerge: true }
    )
  }, [categories, series, locale])

  return <div className="chart" ref={box} role="img" aria-label={label} data-testid="revenue-chart" />
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
