// The dashboard follows status changes while it is open: it asks the plan's card statuses every
// few seconds (the answer carries an ETag, so an unchanged plan costs a 304) and redraws the
// badges and the approved count. Cards added or removed since the page was built are not
// redrawn (a row has more than its status): a notice offers to reload.
(function () {
  "use strict";
  const table = document.getElementById("cards");
  if (!table || !table.dataset.statusesUrl || !window.fetch) return;
  const EVERY_MS = Number(table.dataset.pollMs) || 4000;
  const labels = JSON.parse(table.dataset.statusLabels);
  const changed = document.getElementById("cards-changed");
  const bar = document.getElementById("plan-progress-bar");
  const count = document.getElementById("plan-progress-count");
  const rows = new Map([...table.tBodies[0].rows].map((tr) => [Number(tr.dataset.cardId), tr]));
  let timer = null;
  let busy = false;
  let stopped = false;

  function show(cards) {
    for (const { id, status } of cards) {
      const badge = rows.get(id)?.querySelector(".status");
      if (!badge || badge.dataset.status === status || !(status in labels)) continue;
      badge.dataset.status = status;
      badge.className = `status status-${status}`;
      badge.textContent = labels[status];
    }
    const ids = new Set(cards.map((c) => c.id));
    if (changed) changed.hidden = ids.size === rows.size && [...rows.keys()].every((id) => ids.has(id));
    const done = [...rows.values()].filter((tr) => /status-(approved|published)\b/.test(tr.querySelector(".status")?.className)).length;
    if (bar) bar.value = done;
    if (count) count.textContent = count.dataset.text.replace("{n}", done).replace("{total}", rows.size);
  }

  async function poll() {
    timer = null;
    busy = true;
    try {
      // "no-cache" revalidates with the ETag the browser kept: a 304 reaches us as the same 200.
      const response = await fetch(table.dataset.statusesUrl, { credentials: "same-origin", cache: "no-cache", headers: { Accept: "application/json" } });
      if (response.ok) show((await response.json()).cards);
      // Signed out, or no longer allowed to see the plan: asking again changes nothing.
      else if ([401, 403, 404].includes(response.status)) stopped = true;
    } catch (_) {
      // Offline or the server restarting: the badges stay as they are until the next answer.
    } finally {
      busy = false;
    }
    schedule();
  }

  function schedule() {
    if (timer === null && !busy && !stopped && !document.hidden) timer = setTimeout(poll, EVERY_MS);
  }

  // A hidden tab asks nothing; shown again, it catches up at once.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) { clearTimeout(timer); timer = null; } else if (timer === null && !busy && !stopped) poll();
  });
  schedule();
})();
