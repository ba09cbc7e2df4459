// Small page behaviours that need no framework. No inline scripts anywhere (CSP).
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const box = document.querySelector(".messages") || document.querySelector("main");
  if (!box) return;
  const note = document.createElement("div");
  note.className = "error";
  note.setAttribute("role", "alert");
  const english = document.documentElement.lang === "en";
  if (status === 404) {
    note.textContent = english ? "Not found, or outside your data scope" : "记录不存在或无权查看";
  } else if (status === 403) {
    note.textContent = english ? "Your role does not allow this" : "你的角色没有这个操作的权限";
  } else {
    note.textContent = english ? `Something went wrong (${status})` : `操作失败（${status}）`;
  }
  box.prepend(note);
});

// Menus made of <details> (the account menu, the phone's 更多 sheet) close on a tap elsewhere
// and on Escape, as menus do.
const MENUS = "details.usermenu[open], details.nav-more[open]";
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll(MENUS)) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll(MENUS)) menu.removeAttribute("open");
});
