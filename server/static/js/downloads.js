// Downloads with visible progress, and Word import with its report, on the plan dashboard.
// Links and forms still work without this script; it only adds feedback.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

  async function errorMessage(response) {
    try { return (await response.json()).message; } catch (_) { return response.statusText; }
  }

  document.querySelectorAll(".export-links").forEach((box) => {
    const status = box.querySelector(".export-progress");
    const label = status.querySelector("span");
    const bar = status.querySelector("progress");
    box.querySelectorAll("a[data-export]").forEach((link) => {
      link.addEventListener("click", async (event) => {
        event.preventDefault();
        if (box.getAttribute("aria-busy") === "true") return;
        box.setAttribute("aria-busy", "true");
        status.hidden = false;
        bar.hidden = false;
        bar.removeAttribute("value");
        label.textContent = box.dataset.preparing;
        try {
          const response = await fetch(link.href, { credentials: "same-origin" });
          if (!response.ok) throw new Error(await errorMessage(response));
          const total = Number(response.headers.get("Content-Length")) || 0;
          const reader = response.body.getReader();
          const chunks = [];
          let received = 0;
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            chunks.push(value);
            received += value.length;
            if (total) { bar.max = total; bar.value = received; }
          }
          const name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/)?.[1] || "iltizam";
          const url = URL.createObjectURL(new Blob(chunks, { type: response.headers.get("Content-Type") }));
          const a = Object.assign(document.createElement("a"), { href: url, download: name });
          document.body.append(a); a.click(); a.remove();
          setTimeout(() => URL.revokeObjectURL(url), 10000);
          bar.max = 1; bar.value = 1;
          label.textContent = fill(box.dataset.done, { name });
        } catch (error) {
          label.textContent = fill(box.dataset.failed, { message: error.message });
        } finally {
          bar.hidden = true;
          box.removeAttribute("aria-busy");
        }
      });
    });
  });

  const form = document.getElementById("import-form");
  if (!form) return;
  const out = form.querySelector(".import-result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    out.textContent = form.dataset.sending;
    try {
      const response = await fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "X-CSRF-Token": csrf },
      });
      if (!response.ok) throw new Error(await errorMessage(response));
      const { card, report, comments } = await response.json();
      out.replaceChildren();
      const p = document.createElement("p");
      p.textContent = fill(form.dataset.created, { number: card.number }) + " ";
      const open = Object.assign(document.createElement("a"), { href: `/cards/${card.id}`, textContent: form.dataset.open });
      p.append(open);
      const table = document.createElement("table");
      table.className = "grid";
      table.innerHTML = "<caption></caption><thead><tr><th scope='col'></th><th scope='col'></th><th scope='col'></th><th scope='col'></th></tr></thead><tbody></tbody>";
      table.caption.textContent = form.dataset.report;
      const heads = table.querySelectorAll("th");
      [form.dataset.source, form.dataset.field, form.dataset.status, form.dataset.detail]
        .forEach((t, i) => { heads[i].textContent = t; });
      // The server words each line in the interface language: the field's label, never its id.
      for (const row of report) {
        const tr = table.tBodies[0].insertRow();
        tr.className = `import-${row.status}`;
        [row.source, row.label || "—", row.status_text, row.message || ""]
          .forEach((t) => { const td = tr.insertCell(); td.textContent = t; td.dir = "auto"; });
      }
      out.append(p, table);
      // The file's Word comments, under the report: how many became the card's threads.
      const kept = comments ? [[comments.kept, form.dataset.commentsKept],
        [comments.found - comments.kept, form.dataset.commentsNotKept]] : [];
      for (const [n, text] of kept) {
        if (n > 0) out.append(Object.assign(document.createElement("p"), { textContent: fill(text, { n }) }));
      }
      open.focus();
    } catch (error) {
      out.textContent = fill(form.dataset.failed, { message: error.message });
    } finally {
      button.disabled = false;
    }
  });
})();
