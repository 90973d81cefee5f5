// Turns the workers' reports into the load generator's one-line result.

function percentile (sorted, p) {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

function joinSorted (arrays) {
  const total = arrays.reduce((n, a) => n + a.length, 0)
  const all = new Float64Array(total)
  let at = 0
  for (const a of arrays) { all.set(a, at); at += a.length }
  return all.sort()
}

/**
 * Summarise a run.
 * Args: opts (the run's options), reports (one per worker: role, latencies, missing, …),
 *   view (the shared state), info ({keystrokes, typedFor, elapsed, cpu}).
 * Returns: the result object printed as JSON.
 */
export function summarise (opts, reports, view, info) {
  const editorReports = reports.filter((r) => r.role === 'editor')
  const viewerReports = reports.filter((r) => r.role === 'viewer')
  const lat = joinSorted(editorReports.map((r) => r.latencies))
  const vlat = joinSorted(viewerReports.map((r) => r.latencies))
  // A marker is lost when at least one editor never saw it: per typing editor, the largest
  // shortfall over all receiving editors.
  const worst = new Int32Array(view.editors)
  let lostDeliveries = 0
  for (const r of editorReports) {
    lostDeliveries += r.missingTotal
    for (let j = 0; j < view.editors; j++) worst[j] = Math.max(worst[j], r.missingWorst[j])
  }
  const viewerLost = viewerReports.reduce((n, r) => n + r.missingTotal, 0)
  const texts = new Set(reports.flatMap((r) => r.texts))
  const rss = process.memoryUsage().rss
  return {
    target: opts.target,
    editors: opts.editors,
    viewers: opts.viewers || 0,
    workers: reports.length,
    seconds: Number(info.typedFor.toFixed(1)),
    keystrokes: info.keystrokes,
    deliveries: Atomics.load(view.counters, 0),
    lost: worst.reduce((n, x) => n + x, 0),
    lost_deliveries: lostDeliveries,
    viewer_deliveries: Atomics.load(view.counters, 1),
    viewer_lost_deliveries: viewerLost,
    converged: texts.size === 1,
    acked: editorReports.reduce((n, r) => n + r.acks, 0),
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
    p99: percentile(lat, 99),
    max: lat.length ? lat[lat.length - 1] : null,
    viewer_sampled: viewerReports.reduce((n, r) => n + r.sampled, 0),
    viewer_p50: percentile(vlat, 50),
    viewer_p95: percentile(vlat, 95),
    viewer_p99: percentile(vlat, 99),
    // The worst thread's 95th percentile of event-loop delay, per kind of thread.
    editor_loop_delay_p95: Math.max(...editorReports.map((r) => r.loopDelayP95)),
    viewer_loop_delay_p95: viewerReports.length ? Math.max(...viewerReports.map((r) => r.loopDelayP95)) : null,
    loadgen_cpu_s: info.cpu,
    loadgen_elapsed_s: info.elapsed,
    loadgen_rss_mb: rss / 2 ** 20
  }
}
