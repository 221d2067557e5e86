// Seller facts editor: the form is sent to the JSON API with the CSRF header; errors
// (the API names the field) are shown as text, never as HTML.
(function () {
  "use strict";
  const form = document.getElementById("fact-form");
  if (!form) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("status");
  const field = (name) => form.elements.namedItem(name);
  const list = (value) =>
    value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);

  async function call(method, url, body) {
    const response = await fetch(url, {
      method: method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = data.error || {};
      const details = (error.details || []).map((d) => `${d.field}: ${d.message}`);
      throw new Error(details.length ? details.join("; ") : error.message || response.statusText);
    }
    return data;
  }

  function body() {
    const text = {};
    const keywords = {};
    for (const el of form.querySelectorAll("textarea[name^='text_']")) {
      const lang = el.name.slice(5);
      if (el.value.trim()) text[lang] = el.value;
    }
    for (const el of form.querySelectorAll("input[name^='keywords_']")) {
      const words = list(el.value);
      if (words.length) keywords[el.name.slice(9)] = words;
    }
    const platforms = list(field("platforms").value);
    const out = {
      topic: field("topic").value,
      text: text,
      keywords: keywords,
      platforms: platforms.length ? platforms : null,
      brand: field("brand").value.trim() || null,
      sku: field("sku").value.trim() || null,
    };
    return out;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = form.dataset.factId;
    const data = body();
    status.textContent = "Saving…";
    try {
      let saved;
      if (id) {
        data.revision = Number(form.dataset.revision);
        saved = await call("PUT", `/api/facts/${encodeURIComponent(id)}`, data);
      } else {
        data.id = field("id").value.trim();
        saved = await call("POST", "/api/facts", data);
      }
      form.dataset.factId = saved.id;
      form.dataset.revision = String(saved.revision);
      status.textContent = `Fact saved (revision ${saved.revision}).`;
      if (!id) window.location.assign(`/facts/${encodeURIComponent(saved.id)}?saved=1`);
    } catch (error) {
      status.textContent = error.message;
    }
  });

  const remove = document.getElementById("fact-delete");
  if (remove) {
    remove.addEventListener("click", async () => {
      if (!window.confirm("Delete this fact? Drafts will no longer state it.")) return;
      try {
        await call("DELETE", `/api/facts/${encodeURIComponent(form.dataset.factId)}`);
        window.location.assign("/facts");
      } catch (error) {
        status.textContent = error.message;
      }
    });
  }
})();
