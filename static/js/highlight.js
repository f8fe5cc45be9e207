/* Factdesk: add a claim from a text selection (DESIGN §4). Plain ES module, no build step:
 *   <script type="module" src="/static/js/highlight.js"></script>
 *
 * Contract with the page:
 * - <div class="article-text" id="article-text" data-article-id="N" [data-text-length="L"]
 *   [tabindex="0"]>…</div> holds the canonical article text character for character (CSS
 *   white-space: pre-wrap; no whitespace added between the tags and the text), with the server's
 *   marks inside (render_marked_text). data-text-length, if given, is the text's length in code
 *   points (Python len); when the rendered text disagrees the module stays off rather than send
 *   wrong offsets.
 * - <form id="claim-from-selection" method="post" action="…" hidden> with hidden inputs named
 *   start, end, quote (plus the CSRF field) and a submit button; optionally an element with
 *   [data-selection-preview] (aria-live="polite" is a good idea) that shows the selected quote.
 * Offsets are code points from the start of the container's text (Python str indices), with the
 * selection's leading and trailing whitespace trimmed. The form is shown while a non-blank
 * selection lies inside the container and hidden otherwise. Keyboard: select with Shift+arrows
 * (caret browsing, or tabindex="0" on the container), then Enter moves focus to the form's button.
 */
const container = document.getElementById("article-text");
const form = document.getElementById("claim-from-selection");

/** Length in code points, as Python counts it (UTF-16 .length counts astral characters twice). */
function codePoints(s) {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function field(name) {
  return form.querySelector(`input[name="${name}"]`);
}

/** {start, end, quote} of the current selection in the container, or null. */
function currentSelection() {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) {
    return null;
  }
  const text = range.toString();
  const quote = text.trim();
  if (!quote) return null;
  const before = document.createRange();
  before.selectNodeContents(container);
  before.setEnd(range.startContainer, range.startOffset);
  const lead = text.length - text.trimStart().length;
  const start = codePoints(before.toString()) + codePoints(text.slice(0, lead));
  return { start, end: start + codePoints(quote), quote };
}

function show(found) {
  field("start").value = String(found.start);
  field("end").value = String(found.end);
  field("quote").value = found.quote;
  const preview = form.querySelector("[data-selection-preview]");
  if (preview) preview.textContent = found.quote;
  form.hidden = false;
}

function hide() {
  if (form.contains(document.activeElement)) return; // the person is using the form
  form.hidden = true;
  for (const name of ["start", "end", "quote"]) field(name).value = "";
  const preview = form.querySelector("[data-selection-preview]");
  if (preview) preview.textContent = "";
}

let pending = false;
// While the mouse is down the form stays as it is: showing it mid-drag would push the text down
// under the pointer and the selection would end somewhere else. The selection is read on release.
let dragging = false;
function update() {
  if (pending || dragging) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    const found = currentSelection();
    if (found) show(found);
    else hide();
  });
}

function textMatches() {
  const expected = container.dataset.textLength;
  if (expected === undefined) return true;
  return codePoints(container.textContent) === Number(expected);
}

if (container && form && ["start", "end", "quote"].every((n) => field(n))) {
  if (textMatches()) {
    document.addEventListener("selectionchange", update);
    container.addEventListener("pointerdown", (event) => {
      if (event.button === 0) dragging = true;
    });
    for (const name of ["pointerup", "pointercancel"]) {
      document.addEventListener(name, () => {
        if (!dragging) return;
        dragging = false;
        update();
      });
    }
    container.addEventListener("mouseup", update);
    container.addEventListener("keyup", update);
    container.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !form.hidden) {
        event.preventDefault();
        const button = form.querySelector("button, [type=submit]");
        if (button) button.focus();
      }
    });
    form.addEventListener("focusout", () => setTimeout(update, 0));
    form.addEventListener("submit", (event) => {
      if (!field("quote").value) event.preventDefault();
    });
  } else {
    console.warn("highlight.js: rendered article text differs from the canonical text; off.");
  }
}

/* A click on highlighted words goes to the claim there; where several claims overlap, a small menu
 * offers each of them (mark.hl[data-claims] holds the ids, topmost first; each claim's panel is
 * #claim-<id> with its name in its heading). Without JavaScript each claim's start is a link. */
let chooser = null;

function closeChooser(returnFocus) {
  if (!chooser) return;
  const back = chooser.dataset.back;
  chooser.remove();
  chooser = null;
  if (returnFocus && back) document.getElementById(back)?.focus();
}

function goToClaim(id) {
  closeChooser(false);
  const panel = document.getElementById(`claim-${id}`);
  if (!panel) return;
  history.replaceState(null, "", `#claim-${id}`);
  window.dispatchEvent(new HashChangeEvent("hashchange"));
  panel.scrollIntoView({ block: "nearest" });
  (panel.querySelector("a, button") || panel).focus({ preventScroll: true });
  for (const m of container.querySelectorAll("mark.hl-chosen")) m.classList.remove("hl-chosen");
  for (const m of container.querySelectorAll("mark[data-claims]")) {
    if (m.dataset.claims.split(" ").includes(id)) m.classList.add("hl-chosen");
  }
}

function describe(id) {
  const panel = document.getElementById(`claim-${id}`);
  const heading = panel?.querySelector("h3, h4");
  const gist = panel?.querySelector("h3 + a, h4 + p");
  return [heading ? heading.textContent.trim() : `Claim ${id}`, gist ? gist.textContent.trim() : ""];
}

function openChooser(mark, ids, x, y) {
  closeChooser(false);
  chooser = document.createElement("div");
  chooser.className = "hl-chooser";
  chooser.setAttribute("role", "dialog");
  chooser.setAttribute("aria-label", "Claims on these words");
  chooser.dataset.back = `hl-${ids[0]}`;
  const intro = document.createElement("p");
  intro.textContent = `${ids.length} claims cover these words:`;
  const list = document.createElement("ul");
  for (const id of ids) {
    const [name, gist] = describe(id);
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.claim = id;
    button.textContent = gist ? `${name} — ${gist}` : name;
    item.append(button);
    list.append(item);
  }
  chooser.append(intro, list);
  document.body.append(chooser);
  const width = chooser.offsetWidth;
  chooser.style.left = `${Math.max(4, Math.min(x, document.documentElement.clientWidth - width - 4)) + window.scrollX}px`;
  chooser.style.top = `${y + window.scrollY + 8}px`;
  chooser.querySelector("button").focus();
}

if (container) {
  container.addEventListener("click", (event) => {
    const mark = event.target.closest("mark[data-claims]");
    if (!mark || !window.getSelection().isCollapsed) return;
    const ids = mark.dataset.claims.split(" ");
    if (ids.length === 1) goToClaim(ids[0]);
    else openChooser(mark, ids, event.clientX, event.clientY);
  });
  document.addEventListener("click", (event) => {
    if (!chooser) return;
    const button = event.target.closest(".hl-chooser button");
    if (button) goToClaim(button.dataset.claim);
    else if (!chooser.contains(event.target) && !event.target.closest("mark[data-claims]")) closeChooser(false);
  });
  document.addEventListener("keydown", (event) => {
    if (!chooser) return;
    const buttons = [...chooser.querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (event.key === "Escape") { event.preventDefault(); closeChooser(true); }
    else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      buttons[(at + step + buttons.length) % buttons.length].focus();
    } else if (event.key === "Tab") closeChooser(false);
  });
}

/* Phone: the text and its claims as two tabs (CSS shows them only on a narrow screen). */
const layout = document.querySelector(".article-layout");
if (layout && container) {
  const count = () => document.querySelectorAll(".claim-column li[id^='claim-'], .claim-column section[id^='claim-']").length;
  const tabs = document.createElement("div");
  tabs.className = "phone-tabs";
  tabs.setAttribute("role", "tablist");
  tabs.setAttribute("aria-label", "Show");
  const make = (label, claims) => {
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("role", "tab");
    button.textContent = label;
    button.addEventListener("click", () => showTab(claims));
    tabs.append(button);
    return button;
  };
  const textTab = make("Article text", false);
  const claimsTab = make(`Claims (${count()})`, true);
  document.addEventListener("factdesk:updated", () => { claimsTab.textContent = `Claims (${count()})`; });
  layout.before(tabs);
  layout.classList.add("tabbed");
  function showTab(claims) {
    layout.classList.toggle("show-claims", claims);
    textTab.setAttribute("aria-selected", String(!claims));
    claimsTab.setAttribute("aria-selected", String(claims));
  }
  showTab(false);
  // following a link to a claim (a chooser's pick, #claim-N) shows the claims tab
  const follow = () => { if (/^#claim-\d+$/.test(location.hash)) showTab(true); else if (/^#hl-\d+$/.test(location.hash)) showTab(false); };
  window.addEventListener("hashchange", follow);
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#claim-'], a[href^='#hl-']");
    if (link) setTimeout(follow, 0);
  });
  follow();
}

/* Select mode: making a claim with the keyboard alone. With the text focused, S (or the button
 * before the text) starts it: ←/→ choose a word, ↑/↓ a sentence, with Shift they extend the
 * selection, Enter goes to "Add claim", Escape leaves. The selection is the browser's own, so the
 * form above reads it as it reads a mouse selection; each change is announced. */
const WORD = /\S+/g;
const SENTENCE = /[^\s.!?][^.!?\n]*[.!?]*["”’)]*/g;
let mode = null; // {anchor, caret} in UTF-16 units of the text, while select mode is on
const announcer = document.querySelector("[data-select-status]");

function spans(pattern) {
  return [...container.textContent.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length]);
}

function point(index) {
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (index <= seen + node.length) return [node, index - seen];
    seen += node.length;
  }
  return [container, container.childNodes.length];
}

function say(message) {
  if (announcer) announcer.textContent = message;
}

function applySelection() {
  const [a, b] = [Math.min(mode.anchor, mode.caret), Math.max(mode.anchor, mode.caret)];
  const [startNode, startOffset] = point(a);
  const [endNode, endOffset] = point(b);
  window.getSelection().setBaseAndExtent(startNode, startOffset, endNode, endOffset);
  (endNode.parentElement || container).scrollIntoView({ block: "nearest" });
  say(`Selected: ${container.textContent.slice(a, b)}`);
}

function startSelectMode() {
  const words = spans(WORD);
  if (!words.length) return;
  mode = { anchor: words[0][0], caret: words[0][1] };
  container.classList.add("selecting");
  container.focus();
  applySelection();
  say(`Select mode. Arrow keys choose words, up and down sentences, Shift extends, Enter adds the claim, Escape leaves. Selected: ${container.textContent.slice(mode.anchor, mode.caret)}`);
}

function stopSelectMode() {
  mode = null;
  container.classList.remove("selecting");
  say("Select mode off.");
}

function step(units, forward, extend) {
  const list = spans(units);
  if (extend) {
    const next = forward ? list.find(([, e]) => e > mode.caret) : [...list].reverse().find(([s]) => s < mode.caret);
    if (next) mode.caret = forward ? next[1] : next[0];
  } else {
    const [lo, hi] = [Math.min(mode.anchor, mode.caret), Math.max(mode.anchor, mode.caret)];
    const next = forward ? list.find(([s]) => s >= hi) : [...list].reverse().find(([, e]) => e <= lo);
    if (next) [mode.anchor, mode.caret] = next;
  }
  applySelection();
}

if (container && form) {
  const starter = document.getElementById("select-mode");
  if (starter) {
    starter.closest("[hidden]")?.removeAttribute("hidden");
    starter.addEventListener("click", startSelectMode);
  }
  container.addEventListener("keydown", (event) => {
    if (!mode) {
      if ((event.key === "s" || event.key === "S") && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        startSelectMode();
      }
      return;
    }
    const moves = { ArrowRight: [WORD, true], ArrowLeft: [WORD, false], ArrowDown: [SENTENCE, true], ArrowUp: [SENTENCE, false] };
    if (event.key in moves) {
      event.preventDefault();
      step(moves[event.key][0], moves[event.key][1], event.shiftKey);
    } else if (event.key === "Escape") {
      event.preventDefault();
      stopSelectMode();
    } else if (event.key === "Enter") {
      mode = null; // the keydown handler above takes focus to the form's button
      container.classList.remove("selecting");
    }
  });
}
