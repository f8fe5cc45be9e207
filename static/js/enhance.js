/* Factdesk: the server's own forms, sent without a reload (progressive enhancement; no build step).
 *
 * A form with data-fragment="id …" is posted with fetch as the browser would post it; the server
 * answers as it always does (a redirect to the page, or the page again with the form as typed and
 * its messages), and the elements with those ids take the content of their namesakes in that page.
 * The elements themselves stay (listeners bound to them keep working), as do the rest of the page,
 * the place on the screen of what the person was working on (the focused element, else the first
 * part, even when a message appears above it) and the focus. When the answer lacks one of them: a redirect elsewhere is
 * followed; an answer to the post itself (a refusal, a question) replaces the page's <main>.
 * Focus goes to the element the form names in data-focus="selector" (the claim it confirmed), or
 * into the first element matching its data-focus-new="selector" that is new (an added claim), else
 * back to the element with the same id (or name and value) if it is still there, else to the
 * answer's alert or the first fragment's first heading. The page's flash messages are read out
 * through a live region. Without JavaScript the same forms post and redirect.
 * getJSON(url[, body]) is the same plumbing for a script that reads a desk answer (the @mention
 * choices, the rationale's preview).
 * A destructive button asks first in the page itself (a <details class="confirm"> holding the real
 * submit button, so it asks without JavaScript too): opening it moves the focus to that button, and
 * Escape closes it with the focus back on the first button.
 */
const live = document.createElement("p");
live.className = "visually-hidden";
live.setAttribute("aria-live", "polite");
live.setAttribute("role", "status");
document.body.append(live);

/** The JSON a desk URL answers (the session's cookies sent; `body`, a FormData, makes it a POST);
 * throws when the desk says no. */
export async function getJSON(url, body = null) {
  const response = await fetch(url, { method: body ? "POST" : "GET", body, credentials: "same-origin",
                                      headers: { Accept: "application/json", "X-Requested-With": "fetch" } });
  if (!response.ok) throw new Error(`${response.status} from ${url}`);
  return response.json();
}

function focusKey(element) {
  if (!element || element === document.body) return null;
  return { id: element.id, name: element.getAttribute("name"), value: element.value,
           form: element.form ? element.form.getAttribute("action") : null };
}

function visible(element) {
  return element && (!element.checkVisibility || element.checkVisibility()); // not in a closed <details>
}

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

function restoreFocus(key, fragments, fresh) {
  let target = fresh.filter(visible).map((el) => (el.matches(FOCUSABLE) ? el : el.querySelector(FOCUSABLE)))
    .find(Boolean) || null;
  if (!target && key && key.id) target = document.getElementById(key.id);
  if (!target && key && key.name && key.form) {
    target = [...document.querySelectorAll(`form[action="${CSS.escape(key.form)}"] [name="${CSS.escape(key.name)}"]`)]
      .find((el) => el.value === key.value) || null;
  }
  if (!visible(target)) target = null;
  const kept = target && key && key.id && target.id === key.id;
  if (!target) {
    target = fragments.map((f) => f.querySelector("[role=alert] h2, [role=alert], h1, h2, h3")).find(visible) || fragments[0];
    if (target && !target.matches(FOCUSABLE)) target.setAttribute("tabindex", "-1");
  }
  if (!target) return;
  target.focus({ preventScroll: true });
  if (!kept) target.scrollIntoView({ block: "nearest" });
}

/** Give `now` the content and attributes of `next`, keeping `now` itself (and what is bound to it). */
function refill(now, next) {
  for (const { name, value } of next.attributes) if (now.getAttribute(name) !== value) now.setAttribute(name, value);
  now.replaceChildren(...next.childNodes);
}

function ids(root, selector) {
  return new Set([...root.querySelectorAll(selector)].map((el) => el.id).filter(Boolean));
}

async function send(form, submitter) {
  const names = form.dataset.fragment.split(/\s+/).filter(Boolean);
  const body = new FormData(form, submitter);
  const key = focusKey(document.activeElement);
  const newSelector = form.dataset.focusNew;
  const before = newSelector ? ids(document, newSelector) : new Set();
  const x = window.scrollX, y = window.scrollY;
  const pin = () => (key && key.id && document.getElementById(key.id)) || document.getElementById(names[0]);
  const pinnedAt = pin()?.getBoundingClientRect().top;
  form.setAttribute("aria-busy", "true");
  let response;
  try {
    // getAttribute: a field named "action" (the queue's bulk action) shadows form.action
    const action = new URL(form.getAttribute("action") || "", window.location.href);
    response = await fetch(action, { method: "POST", body, credentials: "same-origin",
                                     headers: { "X-Requested-With": "fetch" } });
  } catch (error) {
    form.removeAttribute("aria-busy");
    live.textContent = "The desk could not be reached; nothing was sent. Try again.";
    return;
  }
  if (!response.headers.get("content-type")?.includes("text/html")) {
    window.location.assign(response.url); // not a page: let the browser show it
    return;
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  let pairs = names.map((id) => [document.getElementById(id), page.getElementById(id)]);
  if (pairs.some(([now, next]) => !now || !next)) {
    const main = [document.querySelector("main"), page.querySelector("main")];
    if (response.redirected && new URL(response.url).pathname !== window.location.pathname) {
      window.location.assign(response.url); // the desk sent us to another page
      return;
    }
    if (!main[0] || !main[1]) { window.location.assign(response.url); return; }
    pairs = [main];
    document.title = page.title;
  }
  const flashes = page.querySelector("main .flashes");
  const root = document.documentElement;
  root.style.overflowAnchor = "none"; // the browser's own anchoring would move the page a second time
  for (const [now, next] of pairs) refill(now, next);
  form.removeAttribute("aria-busy");
  const here = document.querySelector("main .flashes");
  if (pairs[0][0].tagName !== "MAIN") {
    if (here) here.remove();
    if (flashes) document.querySelector("main").prepend(flashes);
  }
  live.textContent = flashes ? flashes.textContent.trim() : "";
  window.scrollTo(x, y);
  const pinned = pin();
  if (pinned && pinnedAt !== undefined) window.scrollBy(0, pinned.getBoundingClientRect().top - pinnedAt);
  requestAnimationFrame(() => { root.style.overflowAnchor = ""; });
  const fresh = newSelector ? [...document.querySelectorAll(newSelector)].filter((el) => el.id && !before.has(el.id)) : [];
  const named = form.dataset.focus && document.querySelector(form.dataset.focus);
  if (visible(named)) {
    if (!named.matches(FOCUSABLE)) named.setAttribute("tabindex", "-1");
    fresh.unshift(named);
  }
  restoreFocus(key, pairs.map(([now]) => now), fresh);
  document.dispatchEvent(new CustomEvent("factdesk:updated", { detail: { ids: names } }));
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
  if (!form.dataset.fragment || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
  event.preventDefault();
  if (form.getAttribute("aria-busy") === "true") return; // sent already: one click, one post
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
