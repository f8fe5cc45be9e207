// The streamed import page: once the whole page has arrived (a deferred module runs after parsing),
// open the imported article. Without JavaScript the "Open the article" link does the same.
const link = document.getElementById("imported-article");
if (link) {
  setTimeout(() => { window.location.assign(link.href); }, 1000);
}
