// The console's only script: live re-rendering of <main> on server-sent events, and actions posted with the
// session's anti-forgery token. Without it every page still works with plain links and form posts.
(() => {
  "use strict";
  const main = document.querySelector("main[data-watch]");
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const flash = document.getElementById("flash");

  function note(text, error) {
    if (!flash) return;
    const el = document.createElement("div");
    el.className = "note" + (error ? " error" : "");
    el.textContent = text;
    flash.appendChild(el);
    setTimeout(() => el.remove(), 5000);
  }

  let refreshing = null;
  let again = false;
  async function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = (async () => {
      const url = new URL(location.href);
      url.searchParams.set("fragment", "1");
      const response = await fetch(url, { headers: { Accept: "text/html" }, cache: "no-store" });
      if (response.status === 401) { location.href = "/login"; return; }
      if (response.ok) {
        main.innerHTML = await response.text();
        document.dispatchEvent(new CustomEvent("console:updated"));
      }
    })().catch(() => {}).finally(() => {
      refreshing = null;
      if (again) { again = false; refresh(); }
    });
  }

  if (main && main.dataset.watch) {
    let timer = null;
    const events = new EventSource("/events?watch=" + encodeURIComponent(main.dataset.watch));
    events.addEventListener("change", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
  }

  document.addEventListener("submit", async (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-action")) return;
    e.preventDefault();
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json", "X-CSRF-Token": csrf },
      });
      const body = await response.json().catch(() => ({ message: response.statusText }));
      note(body.message || response.statusText, !response.ok);
      if (response.status === 401) location.href = "/login";
    } catch (err) {
      note(String(err), true);
    } finally {
      if (button) button.disabled = false;
      refresh();
    }
  });
})();
