// Reply queue editor: live lint, save, regenerate, approve. Text is only ever set with
// textContent / value, never as HTML: review and reply texts are untrusted.
(function () {
  "use strict";
  const item = document.querySelector("article.item");
  if (!item) return;
  const id = item.dataset.mentionId;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const draft = document.getElementById("draft");
  const lintList = document.getElementById("lint");
  const status = document.getElementById("status");
  const length = document.getElementById("length");
  if (!draft) return;

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

  function showLint(issues) {
    lintList.replaceChildren();
    for (const issue of issues) {
      const li = document.createElement("li");
      li.className = issue.severity;
      li.dataset.code = issue.code;
      li.textContent = issue.message;
      lintList.appendChild(li);
    }
  }

  let timer = null;
  draft.addEventListener("input", () => {
    length.textContent = String(draft.value.length);
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        showLint(await call("POST", "/api/lint", {
          platform: item.dataset.platform, kind: item.dataset.kind, text: draft.value,
        }));
      } catch (e) { status.textContent = e.message; }
    }, 250);
  });

  document.getElementById("save").addEventListener("click", async () => {
    try {
      const data = await call("PUT", `/api/queue/${id}/draft`, { text: draft.value });
      showLint(data.lint);
      status.textContent = "Draft saved.";
    } catch (e) { status.textContent = e.message; }
  });

  document.getElementById("regenerate").addEventListener("click", async () => {
    try {
      const data = await call("POST", `/api/queue/${id}/regenerate`);
      draft.value = data.draft_text;
      length.textContent = String(draft.value.length);
      showLint(data.lint);
      status.textContent = "New draft.";
    } catch (e) { status.textContent = e.message; }
  });

  document.getElementById("approve").addEventListener("click", async () => {
    try {
      await call("POST", `/api/queue/${id}/approve`, { text: draft.value });
      status.textContent = "Approved: publishing to the platform.";
      document.getElementById("approve").disabled = true;
    } catch (e) { status.textContent = e.message; }
  });
})();
