// The lines of a transaction: add a line, remove a new line, and keep the totals up to date.
(function () {
  "use strict";
  var fieldset = document.querySelector("fieldset.lines");
  if (!fieldset) return;
  var rows = fieldset.querySelector(".line-rows");
  var template = document.getElementById("empty-line");
  var totalForms = fieldset.querySelector('input[name$="-TOTAL_FORMS"]');
  var lang = document.documentElement.lang || "en";
  // Thousands always grouped, as the server writes amounts ("1.234,56", "1,234.56").
  var format = new Intl.NumberFormat(lang, {
    minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: "always"
  });
  // The symbols the server reads numbers with (Babel's, for this language), and the same
  // strict rule: groups of three after the first, or no grouping at all.
  var decimal = fieldset.dataset.decimal || ".";
  var group = fieldset.dataset.group || ",";
  function escaped(symbol) { return symbol.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  var written = new RegExp(
    "^(-?)(\\d{1,3}(?:" + escaped(group) + "\\d{3})+|\\d+)(?:" + escaped(decimal) + "(\\d+))?$"
  );

  // The number the server will read, 0 for an empty box, NaN for what it will refuse.
  function number(input) {
    if (!input) return 0;
    var text = input.value.trim().replace(/[ \u00a0\u202f]/g, group);
    if (!text) return 0;
    var parts = written.exec(text);
    if (!parts) {
      input.setAttribute("aria-invalid", "true");
      return NaN;
    }
    input.removeAttribute("aria-invalid");
    return parseFloat(parts[1] + parts[2].split(group).join("") + "." + (parts[3] || "0"));
  }

  function cents(value) {
    return isFinite(value) ? Math.round(value * 100) : 0; // refused entries count for nothing
  }

  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  function updateTotals() {
    var totals = { amount: 0, invoice: 0, debit: 0, credit: 0 };
    rows.querySelectorAll("tr.line").forEach(function (row) {
      var removed = field(row, "DELETE");
      if (row.hidden || (removed && removed.checked)) return;
      totals.amount += cents(number(field(row, "amount")));
      totals.debit += cents(number(field(row, "debit")));
      totals.credit += cents(number(field(row, "credit")));
      var quantity = field(row, "quantity");
      if (quantity) totals.invoice += cents(number(quantity) * number(field(row, "unit_price")));
    });
    fieldset.querySelectorAll("output[data-total]").forEach(function (output) {
      output.textContent = format.format(totals[output.dataset.total] / 100);
    });
    var debit = fieldset.querySelector('output[data-total="debit"]');
    if (debit) {
      var unbalanced = totals.debit !== totals.credit;
      fieldset.querySelector("tr.lines-total").classList.toggle("unbalanced", unbalanced);
    }
  }

  fieldset.querySelector(".add-line").addEventListener("click", function () {
    var index = parseInt(totalForms.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    totalForms.value = String(index + 1);
    var added = rows.querySelectorAll("tr.line");
    var select = added[added.length - 1].querySelector("select");
    if (select) select.focus();
  });

  rows.addEventListener("click", function (event) {
    var button = event.target.closest(".remove-line");
    if (!button) return;
    var row = button.closest("tr");
    var removed = field(row, "DELETE");
    if (removed) removed.checked = true;
    row.hidden = true;
    updateTotals();
  });

  rows.addEventListener("input", updateTotals);
  rows.addEventListener("change", updateTotals);
  updateTotals();
})();
