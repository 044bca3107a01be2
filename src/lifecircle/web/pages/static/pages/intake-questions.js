// Show only the extra questions of the chosen category (all are shown without script).
(function () {
  var select = document.querySelector("#intake [name=service]");
  function update() {
    document.querySelectorAll("#intake .questions").forEach(function (box) {
      box.hidden = box.dataset.service !== select.value;
    });
  }
  if (select) { select.addEventListener("change", update); update(); }
})();
