// The queue's "select all on this page" box for editors' bulk actions (progressive: hidden without JS).
const all = document.getElementById("select-all");
if (all) {
  const boxes = () => Array.from(document.querySelectorAll('#bulk input[name="ids"]'));
  all.hidden = false;
  all.addEventListener("change", () => { for (const box of boxes()) box.checked = all.checked; });
  document.addEventListener("change", (event) => {
    if (event.target.name !== "ids") return;
    const list = boxes();
    const checked = list.filter((box) => box.checked).length;
    all.checked = checked === list.length;
    all.indeterminate = checked > 0 && checked < list.length;
  });
}
