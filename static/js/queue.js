// The queue's "select all on this page" box for editors' bulk actions (progressive: hidden without JS).
// Listeners sit on the document: the table is refreshed in place after a bulk action (enhance.js).
const boxes = () => Array.from(document.querySelectorAll('#bulk input[name="ids"]'));

function showSelectAll() {
  const all = document.getElementById("select-all");
  if (!all) return;
  all.hidden = false;
  const list = boxes();
  const checked = list.filter((box) => box.checked).length;
  all.checked = list.length > 0 && checked === list.length;
  all.indeterminate = checked > 0 && checked < list.length;
}

document.addEventListener("change", (event) => {
  if (event.target.id === "select-all") {
    for (const box of boxes()) box.checked = event.target.checked;
  } else if (event.target.name === "ids") {
    showSelectAll();
  }
});
document.addEventListener("factdesk:updated", showSelectAll);
showSelectAll();
