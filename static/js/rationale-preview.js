// Live preview of the rationale while typing: the server renders and sanitises the Markdown
// (the same render_markdown as the saved page), so what is shown is what readers will get.
// Without JavaScript the "Preview rationale" button does the same with a round trip.
const textarea = document.getElementById("rationale");
const target = document.getElementById("rationale-preview");
const form = textarea ? textarea.closest("form") : null;

if (textarea && target && form && form.dataset.previewUrl) {
  const label = form.querySelector(".rationale-preview .label");
  const token = form.querySelector('input[name="csrf_token"]').value;
  let timer = null;
  let latest = 0;

  const render = async () => {
    const ticket = ++latest;
    const body = new FormData();
    body.append("csrf_token", token);
    body.append("text", textarea.value);
    const response = await fetch(form.dataset.previewUrl, { method: "POST", body, credentials: "same-origin" });
    if (!response.ok || ticket !== latest) return;
    const data = await response.json();
    target.innerHTML = data.html; // sanitised by the server's allow-list (nh3)
    if (label) label.textContent = "Preview of what you typed";
  };

  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(render, 250);
  });
}
