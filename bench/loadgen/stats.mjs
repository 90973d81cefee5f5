// Turns the workers' reports and the late joiners' findings into the load generator's
// one-line result.

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

function figures (prefix, sorted) {
  return {
    [`${prefix}p50`]: percentile(sorted, 50),
    [`${prefix}p95`]: percentile(sorted, 95),
    [`${prefix}p99`]: percentile(sorted, 99),
    [`${prefix}max`]: sorted.length ? sorted[sorted.length - 1] : null,
    [`${prefix}samples`]: sorted.length
  }
}

// Every card converged when its probes and its late joiner hold the same typed field.
function convergence (opts, reports, late) {
  const byCard = opts.cards.map((_, k) => new Set([late[k].content]))
  for (const r of reports) for (const p of r.probeContents) byCard[p.card].add(p.content)
  return byCard.filter((contents) => contents.size > 1).length
}

/**
 * Summarise a run.
 * Args: opts (the run's options), reports (one per worker), view (the shared state), late
 *   (lateJoin's findings per card), info ({keystrokes, aimed, typedFor, elapsed, cpu,
 *   undelivered}).
 * Returns: the result object printed as JSON.
 */
export function summarise (opts, reports, view, late, info) {
  const editorReports = reports.filter((r) => r.role === 'editor')
  const viewerReports = reports.filter((r) => r.role === 'viewer')
  const list = (rs, key) => joinSorted(rs.map((r) => r.latencies[key]))
  // A marker is lost when at least one editor never saw it: per typing editor, the largest
  // shortfall over all receiving editors.
  const worst = new Int32Array(view.editors)
  let lostDeliveries = 0
  for (const r of editorReports) {
    lostDeliveries += r.missingTotal
    for (let j = 0; j < view.editors; j++) worst[j] = Math.max(worst[j], r.missingWorst[j])
  }
  const divergent = convergence(opts, reports, late)
  const probes = editorReports.reduce((n, r) => n + r.probes, 0)
  return {
    target: opts.target,
    cards: opts.cards.length,
    editors: opts.editors,
    viewers: opts.viewers,
    processes: opts.urls.length,
    presence: opts.presence,
    rich: opts.rich,
    apply: opts.apply,
    workers: reports.length,
    probes,
    seconds: Number(info.typedFor.toFixed(1)),
    keystrokes: info.keystrokes,
    keystrokes_aimed: Math.round(info.aimed),
    deliveries: Atomics.load(view.counters, 0),
    lost: worst.reduce((n, x) => n + x, 0),
    lost_deliveries: lostDeliveries,
    // Deliveries to editors still outstanding when the drain ended (10 s after the typing);
    // `lost` is counted later, once the late joiners are done and the workers report.
    undelivered_at_drain: info.undelivered,
    late_joiner_missing: late.reduce((n, l) => n + l.missing, 0),
    count_gaps: reports.reduce((n, r) => n + r.gaps, 0),
    viewer_deliveries: Atomics.load(view.counters, 1),
    converged: divergent === 0,
    cards_diverged: divergent,
    acked: editorReports.reduce((n, r) => n + r.acks, 0),
    // Latency at the probes (editors applying every update): the reported figure.
    ...figures('', list(editorReports, 'probe')),
    ...(opts.urls.length > 1 ? figures('cross_', list(editorReports, 'cross')) : {}),
    // Latency at the other editors (counting what arrives, unless every client applies).
    ...figures('others_', list(editorReports, 'others')),
    viewer_sampled: viewerReports.reduce((n, r) => n + r.sampled, 0),
    ...figures('viewer_', list(viewerReports, 'viewer')),
    probe_awareness_frames_per_s: probes ? editorReports.reduce((n, r) => n + r.probeAwarenessFrames, 0) / probes / info.elapsed : null,
    // The worst thread's 95th percentile of event-loop delay, per kind of thread.
    editor_loop_delay_p95: Math.max(...editorReports.map((r) => r.loopDelayP95)),
    viewer_loop_delay_p95: viewerReports.length ? Math.max(...viewerReports.map((r) => r.loopDelayP95)) : null,
    loadgen_cpu_s: info.cpu,
    loadgen_elapsed_s: info.elapsed,
    loadgen_rss_mb: process.memoryUsage().rss / 2 ** 20
  }
}
