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
