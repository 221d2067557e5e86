// Reply queue: live countdowns, the item editor (live lint, save, regenerate, approve),
// dismiss / assign / case steps, and keyboard shortcuts. Text is only ever set with
// textContent / value, never as HTML: review and reply texts are untrusted.
(function () {
  "use strict";

  // --- Countdowns: every [data-due] element ticks each second; its row (or its parent
  // span) gets the urgency class sla-ok / sla-due_soon / sla-breached.
  function formatRemaining(ms) {
    const sign = ms < 0 ? "-" : "";
    let s = Math.floor(Math.abs(ms) / 1000);
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    return `${sign}${h}h ${String(m).padStart(2, "0")}m ${String(s).padStart(2, "0")}s`;
  }

  function tick() {
    const now = Date.now();
    for (const el of document.querySelectorAll("[data-due]")) {
      const due = Date.parse(el.dataset.due);
      if (Number.isNaN(due)) continue;
      const left = due - now;
      el.textContent = formatRemaining(left);
      const holder = el.closest("[data-soon]");
      const soonMs = holder ? Number(holder.dataset.soon) * 1000 : 0;
      const state = left <= 0 ? "breached" : left <= soonMs ? "due_soon" : "ok";
      const target = el.closest("tr") || el.parentElement;
      if (!target) continue;
      target.classList.remove("sla-ok", "sla-due_soon", "sla-breached");
      target.classList.add(`sla-${state}`);
    }
  }
  if (document.querySelector("[data-due]")) {
    tick();
    setInterval(tick, 1000);
  }

  // --- Phrasing suggestions (owner): approve or reject, the row goes away.
  for (const button of document.querySelectorAll("button.review-suggestion")) {
    button.addEventListener("click", async () => {
      const note = document.getElementById("status");
      const token = document.querySelector('meta[name="csrf-token"]').content;
      const response = await fetch(`/api/phrasings/${encodeURIComponent(button.dataset.id)}/review`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify({ decision: button.dataset.decision }),
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        note.textContent = (data.error && data.error.message) || response.statusText;
        return;
      }
      button.closest("tr").remove();
      note.textContent = `Suggestion ${data.state}.`;
    });
  }

  const item = document.querySelector("article.item");
  if (!item) return;
  const id = item.dataset.mentionId;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const draft = document.getElementById("draft");
  const lintList = document.getElementById("lint");
  const status = document.getElementById("status");
  const length = document.getElementById("length");
  const byId = (name) => document.getElementById(name);

  async function call(method, url, body) {
    const response = await fetch(url, {
      method: method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = (data.error && data.error.message) || response.statusText;
      throw new Error(message);
    }
    return data;
  }

  function showLint(issues, list) {
    const target = list || lintList;
    target.replaceChildren();
    for (const issue of issues) {
      const li = document.createElement("li");
      li.className = issue.severity;
      li.dataset.code = issue.code;
      li.textContent = issue.message;
      target.appendChild(li);
    }
  }

  function on(name, handler) {
    const button = byId(name);
    if (!button) return;
    button.addEventListener("click", async () => {
      try { await handler(button); } catch (e) { status.textContent = e.message; }
    });
  }

  if (draft) {
    let timer = null;
    draft.addEventListener("input", () => {
      length.textContent = String(draft.value.length);
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          // The item's own lint: the platform's rules and the review's content rules.
          showLint(await call("POST", `/api/queue/${id}/lint`, { text: draft.value }));
        } catch (e) { status.textContent = e.message; }
      }, 250);
    });

    on("save", async () => {
      const data = await call("PUT", `/api/queue/${id}/draft`, { text: draft.value });
      showLint(data.lint);
      status.textContent = "Draft saved.";
    });

    on("regenerate", async () => {
      const data = await call("POST", `/api/queue/${id}/regenerate`);
      draft.value = data.draft_text;
      length.textContent = String(draft.value.length);
      showLint(data.lint);
      status.textContent = "New draft.";
    });

    on("approve", async (button) => {
      const confirmed = Array.from(document.querySelectorAll("input.confirm-fact:checked"))
        .map((box) => box.value);
      await call("POST", `/api/queue/${id}/approve`, {
        text: draft.value, confirmed_facts: confirmed,
      });
      status.textContent = "Approved: publishing to the platform.";
      button.disabled = true;
    });
  }

  // --- A sentence the agent wrote, offered as a phrasing (an owner reviews it).
  const suggestText = byId("suggest-text");
  if (draft && suggestText) {
    draft.addEventListener("select", () => {
      const picked = draft.value.slice(draft.selectionStart, draft.selectionEnd).trim();
      if (picked) suggestText.value = picked;
    });
  }
  on("suggest", async () => {
    const data = await call("POST", `/api/queue/${id}/phrasings`, {
      move: byId("suggest-move").value, text: suggestText.value.trim(),
    });
    status.textContent = `Phrasing suggested (${data.move}): an owner will review it.`;
  });

  on("dismiss", async (button) => {
    const reason = byId("dismiss-reason").value.trim();
    await call("POST", `/api/queue/${id}/dismiss`, { reason: reason || null });
    status.textContent = "Dismissed.";
    button.disabled = true;
  });

  on("assign", async () => {
    const data = await call("POST", `/api/queue/${id}/assign`, {
      assignee_id: byId("assignee-id").value.trim(),
      assignee_name: byId("assignee-name").value.trim(),
    });
    status.textContent = `Assigned to ${data.assignee_name}.`;
  });

  on("case-step", async (button) => {
    const note = byId("case-note").value.trim();
    const body = { step: button.dataset.step, note: note || null };
    const resolution = byId("case-resolution");
    if (resolution) body.resolution = resolution.value;
    await call("POST", `/api/queue/${id}/case`, body);
    window.location.reload();
  });

  // --- The public follow-up of a resolved case: its own editor, lint, save, approve.
  const followUp = byId("follow-up");
  if (followUp) {
    const followLint = byId("follow-up-lint");
    const followLength = byId("follow-up-length");
    const showFollowUp = (data) => {
      followUp.value = data.follow_up_text;
      followLength.textContent = String(followUp.value.length);
      showLint(data.lint, followLint);
    };
    let followTimer = null;
    followUp.addEventListener("input", () => {
      followLength.textContent = String(followUp.value.length);
      clearTimeout(followTimer);
      followTimer = setTimeout(async () => {
        try {
          showLint(await call("POST", "/api/lint", {
            platform: item.dataset.platform, kind: item.dataset.kind, text: followUp.value,
          }), followLint);
        } catch (e) { status.textContent = e.message; }
      }, 250);
    });
    on("follow-up-save", async () => {
      showFollowUp(await call("PUT", `/api/queue/${id}/follow-up`, { text: followUp.value }));
      status.textContent = "Follow-up saved.";
    });
    on("follow-up-regenerate", async () => {
      showFollowUp(await call("POST", `/api/queue/${id}/follow-up/regenerate`));
      status.textContent = "New follow-up.";
    });
    on("follow-up-approve", async (button) => {
      await call("POST", `/api/queue/${id}/follow-up/approve`, { text: followUp.value });
      status.textContent = "Follow-up approved: publishing to the platform.";
      button.disabled = true;
    });
  }

  async function next() {
    const page = await call("GET", "/api/queue?state=open&limit=2");
    const other = page.items.find((i) => i.mention_id !== id);
    if (other) window.location.assign(`/items/${encodeURIComponent(other.mention_id)}`);
    else status.textContent = "Nothing else waits.";
  }

  // --- Keyboard shortcuts, outside text fields (Esc leaves the editor).
  const keys = { a: "approve", r: "regenerate", s: "save", d: "dismiss" };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    const typing = target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
    if (typing) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (event.key === "n") {
      event.preventDefault();
      next().catch((e) => { status.textContent = e.message; });
      return;
    }
    const button = keys[event.key] && byId(keys[event.key]);
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  });
})();
