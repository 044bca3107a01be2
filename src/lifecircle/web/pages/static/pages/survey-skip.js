// Skip rules on the answer page: hide a question whose XLSForm `relevant` rule is false for the
// answers so far (the server applies the same rules and clears hidden answers). The rule is
// read as data and parsed here; nothing is evaluated as code.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) return;
  var TOKEN = /\s*(?:\$\{(\w+)\}|'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?)|(!=|>=|<=|=|>|<)|(\(|\)|,)|(and|or|not|selected)\b)/y;

  function tokens(text) {
    var out = [], pos = 0;
    text = text.trim();
    while (pos < text.length) {
      TOKEN.lastIndex = pos;
      var m = TOKEN.exec(text);
      if (!m || TOKEN.lastIndex === pos) return null;
      if (m[1] !== undefined) out.push(["ref", m[1]]);
      else if (m[2] !== undefined) out.push(["str", m[2]]);
      else if (m[3] !== undefined) out.push(["str", m[3]]);
      else if (m[4] !== undefined) out.push(["num", m[4]]);
      else if (m[5] !== undefined) out.push(["op", m[5]]);
      else if (m[6] !== undefined) out.push(["punct", m[6]]);
      else out.push(["word", m[7]]);
      pos = TOKEN.lastIndex;
    }
    return out;
  }

  function answer(name) {
    var picked = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value) picked.push(el.value);
    });
    return picked.join(" ");
  }

  function compare(a, op, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y)) { a = x; b = y; }
    switch (op) {
      case "=": return a === b;
      case "!=": return a !== b;
      case "<": return a < b;
      case "<=": return a <= b;
      case ">": return a > b;
      default: return a >= b;
    }
  }

  function evaluate(list) {
    var pos = 0;
    function peek() { return list[pos] || ["end", ""]; }
    function take() { return list[pos++] || ["end", ""]; }
    function value() {
      var t = take();
      return t[0] === "ref" ? answer(t[1]) : t[1];
    }
    function atom() {
      var t = peek();
      if (t[1] === "(") { take(); var v = or(); take(); return v; }
      if (t[1] === "not") { take(); take(); var n = or(); take(); return !n; }
      if (t[1] === "selected") {
        take(); take(); var left = value(); take(); var right = value(); take();
        return left.split(" ").indexOf(right) >= 0;
      }
      var a = value();
      if (peek()[0] !== "op") return a !== "";
      var op = take()[1];
      return compare(a, op, value());
    }
    function and() { var v = atom(); while (peek()[1] === "and") { take(); v = atom() && v; } return v; }
    function or() { var v = and(); while (peek()[1] === "or") { take(); v = and() || v; } return v; }
    return or();
  }

  var rules = [];
  form.querySelectorAll("fieldset[data-relevant]").forEach(function (box) {
    var list = tokens(box.dataset.relevant);
    if (list) rules.push([box, list]);
  });
  function apply() {
    rules.forEach(function (rule) { rule[0].hidden = !evaluate(rule[1]); });
  }
  form.addEventListener("change", apply);
  apply();
})();
