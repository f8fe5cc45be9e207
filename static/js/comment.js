/* Factdesk: the comment form on a claim (progressive enhancement; no build step).
 *
 * @mentions: in a textarea[data-mentions="URL"], typing @ and the start of a handle or a name lists
 * the desk's people who match (from URL?q=…, through enhance.js's getJSON); ↑/↓ choose, Enter or
 * Tab takes the choice, Escape closes. A handle that matches nobody is said so at once, in the list's
 * place and to screen readers, before the comment is sent.
 * Words of the quote: selecting words inside [data-quote] offers a button that puts them in the
 * form's "about" field (with where they begin, as about_start). Without JavaScript the words are
 * typed or pasted into that field and the server finds them in the quote.
 */
import { getJSON } from "./enhance.js";

const TYPED = /(?:^|[^\w@])@([\w.%+\-]*(?:@[\w.\-]*)?)$/u;

function mentions(area) {
  const url = area.dataset.mentions;
  const list = document.createElement("ul");
  list.id = `${area.id}-people`;
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "People on the desk");
  list.hidden = true;
  const none = document.createElement("p");
  none.className = "mention-none";
  none.hidden = true;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  area.after(list, none, status);
  area.setAttribute("aria-autocomplete", "list");
  area.setAttribute("aria-controls", list.id);
  let asked = 0;
  let timer = null;
  let typed = null;

  const options = () => [...list.querySelectorAll("[role=option]")];
  function close() {
    list.hidden = true;
    none.hidden = true;
    list.replaceChildren();
    area.removeAttribute("aria-activedescendant");
  }
  function mark(option) {
    for (const o of options()) o.setAttribute("aria-selected", String(o === option));
    if (option) area.setAttribute("aria-activedescendant", option.id);
    else area.removeAttribute("aria-activedescendant");
  }
  function choose(option) {
    const at = area.selectionStart;
    const start = at - typed.length - 1;
    const text = `@${option.dataset.handle} `;
    area.setRangeText(text, start, at, "end");
    close();
    status.textContent = `${option.dataset.name} will be told: @${option.dataset.handle}`;
    area.focus();
  }
  function show(query, items) {
    list.replaceChildren();
    if (!items.length) {
      list.hidden = true;
      none.hidden = false;
      none.textContent = `No one on the desk answers to @${query}: they would not be told.`;
      status.textContent = none.textContent;
      return;
    }
    none.hidden = true;
    items.forEach((person, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.handle = person.handle;
      option.dataset.name = person.name;
      option.textContent = `${person.name} (@${person.handle})`;
      list.append(option);
    });
    list.hidden = false;
    mark(options()[0]);
    status.textContent = `${items.length} ${items.length === 1 ? "person" : "people"}: ${items.map((p) => p.name).join(", ")}. Up and down to choose, Enter to take.`;
  }
  async function look() {
    const mine = ++asked;
    const query = typed;
    try {
      const answer = await getJSON(`${url}?q=${encodeURIComponent(query)}`);
      if (mine === asked && typed === query) show(query, answer.items);
    } catch (error) {
      if (mine === asked) { close(); status.textContent = "Names cannot be checked just now; the comment can still be sent."; }
    }
  }
  area.addEventListener("input", () => {
    const found = TYPED.exec(area.value.slice(0, area.selectionStart));
    typed = found ? found[1] : null;
    clearTimeout(timer);
    if (!typed) { close(); return; }
    timer = setTimeout(look, 150);
  });
  area.addEventListener("keydown", (event) => {
    if (list.hidden) { if (event.key === "Escape" && !none.hidden) close(); return; }
    const all = options();
    const at = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = all[(at + (event.key === "ArrowDown" ? 1 : -1) + all.length) % all.length];
      mark(next);
      status.textContent = next.textContent;
    } else if ((event.key === "Enter" || event.key === "Tab") && at >= 0) {
      event.preventDefault();
      choose(all[at]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the textarea
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) choose(option);
  });
  area.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== area) { list.hidden = true; } }, 0));
}

/** Code points before `offset` UTF-16 units of `text`: the server counts quote offsets as Python does. */
function codePoints(text) {
  return [...text].length;
}

// The comment form and the quote may be refilled in place after a post (enhance.js): both are looked
// up when they are needed, and the one "Comment on …" button follows the quote.
const offer = document.createElement("button");
offer.type = "button";
offer.className = "button small about-offer";
offer.hidden = true;
let chosen = null;

function commentField(name) {
  return document.querySelector(`form[data-comment-form] [name$="${name}"]`);
}

document.addEventListener("selectionchange", () => {
  const quote = document.querySelector("[data-quote]");
  const sel = window.getSelection();
  if (!quote || !commentField("about")) return;
  if (offer.previousElementSibling !== quote) quote.after(offer);
  const range = sel && sel.rangeCount && !sel.isCollapsed ? sel.getRangeAt(0) : null;
  const words = range && quote.contains(range.startContainer) && quote.contains(range.endContainer)
    ? range.toString().trim() : "";
  if (!words) {
    if (document.activeElement !== offer) offer.hidden = true;
    return;
  }
  const before = document.createRange();
  before.selectNodeContents(quote);
  before.setEnd(range.startContainer, range.startOffset);
  const lead = range.toString().length - range.toString().trimStart().length;
  chosen = { words, start: codePoints(before.toString()) + lead };
  offer.textContent = `Comment on “${words.length > 60 ? `${words.slice(0, 59)}…` : words}”`;
  offer.hidden = false;
});

offer.addEventListener("click", () => {
  const field = commentField("about");
  const start = commentField("about_start");
  if (!chosen || !field || !start) return;
  field.value = chosen.words;
  start.value = String(chosen.start);
  offer.hidden = true;
  field.closest("form").querySelector("textarea")?.focus();
});

document.addEventListener("input", (event) => {
  if (event.target === commentField("about")) commentField("about_start").value = ""; // typed: the server finds them
});

function enhanceAll() {
  for (const area of document.querySelectorAll("textarea[data-mentions]:not([data-mentions-on])")) {
    area.dataset.mentionsOn = "";
    mentions(area);
  }
}
enhanceAll();
document.addEventListener("factdesk:updated", enhanceAll);
