// Live preview of the rationale while typing: the server renders and sanitises the Markdown
// (the same render_markdown as the saved page), so what is shown is what readers will get.
// Without JavaScript the "Preview rationale" button does the same with a round trip.
// The form is looked up at each keystroke: the claim page refills it in place after a save or a move.
import { getJSON } from "./enhance.js";

let timer = null;
let latest = 0;

async function render(textarea) {
  const form = textarea.closest("form");
  const target = document.getElementById("rationale-preview");
  if (!form || !target || !form.dataset.previewUrl) return;
  const ticket = ++latest;
  const body = new FormData();
  body.append("csrf_token", form.querySelector('input[name="csrf_token"]').value);
  body.append("text", textarea.value);
  let data;
  try {
    data = await getJSON(form.dataset.previewUrl, body);
  } catch (error) {
    const label = form.querySelector(".rationale-preview .label");
    if (label && ticket === latest) label.textContent = "No preview just now (the text may be over the limit); saving says why";
    return;
  }
  if (ticket !== latest) return;
  target.innerHTML = data.html; // sanitised by the server's allow-list (nh3)
  const label = form.querySelector(".rationale-preview .label");
  if (label) label.textContent = "Preview of what you typed";
}

document.addEventListener("input", (event) => {
  if (event.target.id !== "rationale") return;
  clearTimeout(timer);
  timer = setTimeout(() => render(event.target), 250);
});
