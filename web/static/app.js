// Small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Forms marked data-autosave save a draft when the user pauses typing,
  // through the same form post, and say so; nothing typed is lost on a
  // conflict: the server answers with the form as sent.
  for (const form of document.querySelectorAll("form[data-autosave]")) {
    let timer;
    const status = form.querySelector("[data-save-status]");
    form.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        // URL-encoded, like the form's own post: the server reads a
        // urlencoded body, not multipart. A same-origin fetch, which the
        // browser marks Sec-Fetch-Site: same-origin: no token needed.
        const body = new URLSearchParams(new FormData(form));
        body.set("action", "save");
        // A redirect is never a save (the server answers saves directly):
        // not followed, it shows as an "opaqueredirect" response, not ok.
        // The attribute, not form.action: the submit buttons are named
        // "action", and a form's named controls shadow its properties.
        const url = form.getAttribute("action") || window.location.href;
        const resp = await fetch(url, { method: "POST", body, headers: { "X-Autosave": "1" }, redirect: "manual" });
        if (resp.ok) {
          const etag = resp.headers.get("X-Etag");
          if (etag) form.querySelector("input[name=etag]").value = etag;
          const at = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
          if (status) status.textContent = "Saved at " + at + ".";
        } else if (status) {
          status.textContent = resp.status === 409
            ? "Someone else saved this draft: reload to compare (your text stays here)."
            : resp.type === "opaqueredirect"
              ? "Not saved yet: press Save to see why (your text stays here)."
              : "Not saved yet: " + (await resp.text()).slice(0, 200);
        }
      }, 1500);
    });
  }
  // A page that comes back with errors opens on their summary, so that a
  // screen reader reads it first and the keyboard reaches its links next
  // (the GOV.UK error-summary pattern).
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
