// The lines of a transaction: add a line, remove a new line, and keep the totals up to date.
(function () {
  "use strict";
  var fieldset = document.querySelector("fieldset.lines");
  if (!fieldset) return;
  var rows = fieldset.querySelector(".line-rows");
  var template = document.getElementById("empty-line");
  var totalForms = fieldset.querySelector('input[name$="-TOTAL_FORMS"]');
  var lang = document.documentElement.lang || "en";
  var format = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function number(input) {
    if (!input) return 0;
    var text = input.value.replace(/[\s\u00a0]/g, "");
    if (text.indexOf(",") !== -1) {
      text = text.indexOf(".") !== -1 ? text.replace(/\./g, "").replace(",", ".") : text.replace(",", ".");
    }
    var value = parseFloat(text);
    return isFinite(value) ? value : 0;
  }

  function cents(value) {
    return Math.round(value * 100);
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
