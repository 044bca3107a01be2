// The "Print" button of the A4 sheets (no inline script: the page's CSP forbids it).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-button");
  if (button) button.addEventListener("click", () => window.print());
});
