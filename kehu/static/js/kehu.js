// Small page behaviours that need no framework. No inline scripts anywhere (CSP).
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const box = document.querySelector(".messages") || document.querySelector("main");
  if (!box) return;
  const note = document.createElement("div");
  note.className = "error";
  note.setAttribute("role", "alert");
  note.textContent = status === 404 ? "记录不存在或无权查看" : "操作失败（" + status + "）";
  box.prepend(note);
});
