/* Factdesk: the server's own forms, sent without a reload (progressive enhancement; no build step).
 *
 * A form with data-fragment="id …" is posted with fetch as the browser would post it; the server
 * answers as it always does (a redirect to the page, or the page again with the form as typed and
 * its messages), and the elements with those ids are refreshed from that page in place: the rest of
 * the page, the scroll position and the focus stay. Focus goes back to the element with the same id
 * (or name and value) if it is still there, else to the fragment's first heading. The page's flash
 * messages are read out through a live region. Without JavaScript the same forms post and redirect.
 * A destructive button asks first in the page itself (a <details class="confirm"> holding the real
 * submit button, so it asks without JavaScript too): opening it moves the focus to that button, and
 * Escape closes it with the focus back on the first button.
 */
const live = document.createElement("p");
live.className = "visually-hidden";
live.setAttribute("aria-live", "polite");
live.setAttribute("role", "status");
document.body.append(live);

function focusKey(element) {
  if (!element || element === document.body) return null;
  return { id: element.id, name: element.getAttribute("name"), value: element.value,
           form: element.form ? element.form.getAttribute("action") : null };
}

function restoreFocus(key, fragments) {
  let target = null;
  if (key && key.id) target = document.getElementById(key.id);
  if (!target && key && key.name && key.form) {
    target = [...document.querySelectorAll(`form[action="${CSS.escape(key.form)}"] [name="${CSS.escape(key.name)}"]`)]
      .find((el) => el.value === key.value) || null;
  }
  if (target && target.checkVisibility && !target.checkVisibility()) target = null; // e.g. in a closed <details>
  if (!target) {
    const heading = fragments[0] && fragments[0].querySelector("h1, h2, h3");
    target = heading || fragments[0];
    if (target && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  }
  if (target) target.focus({ preventScroll: true });
}

async function send(form, submitter) {
  const ids = form.dataset.fragment.split(/\s+/).filter(Boolean);
  const body = new FormData(form, submitter);
  const key = focusKey(document.activeElement);
  const x = window.scrollX, y = window.scrollY;
  form.setAttribute("aria-busy", "true");
  let response;
  try {
    response = await fetch(form.action, { method: "POST", body, credentials: "same-origin",
                                          headers: { "X-Requested-With": "fetch" } });
  } catch (error) {
    form.removeAttribute("aria-busy");
    live.textContent = "The desk could not be reached; nothing was sent. Try again.";
    return;
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = ids.map((id) => [document.getElementById(id), page.getElementById(id)]);
  if (!response.headers.get("content-type")?.includes("text/html") || fresh.some(([now, next]) => !now || !next)) {
    window.location.assign(response.url); // not the page we know: show it whole
    return;
  }
  for (const [now, next] of fresh) now.replaceWith(next);
  const flashes = page.querySelector(".flashes");
  const here = document.querySelector("main .flashes");
  if (here) here.remove();
  if (flashes) document.querySelector("main").prepend(flashes);
  live.textContent = flashes ? flashes.textContent.trim() : "";
  window.scrollTo(x, y);
  restoreFocus(key, fresh.map(([, next]) => next));
  document.dispatchEvent(new CustomEvent("factdesk:updated", { detail: { ids } }));
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (!form.dataset.fragment || form.method.toLowerCase() !== "post") return;
  event.preventDefault();
  send(form, event.submitter);
});

document.addEventListener("toggle", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLDetailsElement) || !box.classList.contains("confirm") || !box.open) return;
  box.querySelector(".confirm-box button")?.focus();
}, true);

document.addEventListener("keydown", (event) => {
  const box = event.key === "Escape" && event.target.closest?.("details.confirm[open]");
  if (!box) return;
  box.open = false;
  box.querySelector("summary").focus();
});
