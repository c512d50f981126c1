// The lines of a transaction: add a line, remove a new line, and keep the totals up to date.
//
// Each line's amount, tax and the document's totals are worked out as the server works them
// out when it saves (posting.line_amount, posting.line_tax, posting.invoice_withholding): in
// whole cents with exact integers (BigInt), rounding half a cent away from zero, so the page
// never shows a cent the saved record does not have.
(function () {
  "use strict";
  var fieldset = document.querySelector("fieldset.lines");
  if (!fieldset) return;
  var form = fieldset.closest("form");
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
  var ZERO = BigInt(0);
  var TEN = BigInt(10);

  function pow10(places) {
    var result = BigInt(1);
    for (var i = 0; i < places; i++) result *= TEN;
    return result;
  }

  // a / b rounded to a whole number, half away from zero (Decimal's ROUND_HALF_UP).
  function divide(a, b) {
    var negative = (a < ZERO) !== (b < ZERO);
    if (a < ZERO) a = -a;
    if (b < ZERO) b = -b;
    var quotient = (BigInt(2) * a + b) / (BigInt(2) * b);
    return negative ? -quotient : quotient;
  }

  // The number the server will read, as an integer of ``places`` decimals: null for an empty
  // box, NaN for what it will refuse (then marked as invalid, and counted as nothing).
  function scaled(input, places) {
    if (!input) return null;
    var text = input.value.trim().replace(/[ \u00a0\u202f]/g, group);
    if (!text) {
      input.removeAttribute("aria-invalid");
      return null;
    }
    var parts = written.exec(text);
    var fraction = parts ? parts[3] || "" : "";
    if (!parts || fraction.length > places) {
      input.setAttribute("aria-invalid", "true");
      return NaN;
    }
    input.removeAttribute("aria-invalid");
    var digits = parts[2].split(group).join("") + fraction + "0".repeat(places - fraction.length);
    var value = BigInt(digits);
    return parts[1] ? -value : value;
  }

  function known(value) { return value !== null && !(typeof value === "number" && isNaN(value)); }

  // A rate as written in an option's data-rate ("21.0000", "-15"), in ten-thousandths.
  function rateOf(select) {
    var option = select && select.selectedOptions[0];
    if (!option || !option.dataset.rate) return null;
    var match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(option.dataset.rate);
    if (!match) return null;
    var fraction = (match[3] || "").slice(0, 4);
    var value = BigInt(match[2] + fraction + "0".repeat(4 - fraction.length));
    return match[1] ? -value : value;
  }

  var RATE_SCALE = BigInt(10000);
  var HUNDRED = BigInt(100) * RATE_SCALE;

  function lineTax(cents, rate, inclusive) {
    if (rate === null || rate === ZERO) return ZERO;
    return divide(cents * rate, inclusive ? HUNDRED + rate : HUNDRED);
  }

  // Cents as the page writes amounts: "1.234,56", "-0,50".
  function shown(cents) {
    var negative = cents < ZERO;
    var whole = (negative ? -cents : cents).toString().padStart(3, "0");
    var text = (negative ? "-" : "") + whole.slice(0, -2) + "." + whole.slice(-2);
    return format.format(text);
  }

  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  var inclusiveBox = form && form.querySelector('input[name="amounts_include_tax"]');
  var withholdingSelect = form && form.querySelector('select[name="withholding"]');
  var counterAccount = fieldset.dataset.counterAccount || "";
  var partySelect = fieldset.dataset.party && form
    ? form.querySelector('select[name="' + fieldset.dataset.party + '"]') : null;

  // What one line comes to: its amount in cents (typed, or quantity × unit price), its tax.
  function lineFigures(row) {
    var cents;
    var quantityInput = field(row, "quantity");
    if (quantityInput) {
      var quantity = scaled(quantityInput, 4);
      var price = scaled(field(row, "unit_price"), 4);
      // Both are needed (an empty or refused one leaves the line out, as saving refuses it).
      cents = known(quantity) && known(price) ? divide(quantity * price, pow10(6)) : null;
    } else {
      cents = scaled(field(row, "amount"), 2);
    }
    if (!known(cents)) return null;
    var taxSelect = field(row, "tax_code");
    if (!taxSelect || taxSelect.disabled || !taxSelect.value) {
      return { cents: cents, tax: ZERO, key: "", name: "" };
    }
    return {
      cents: cents,
      tax: lineTax(cents, rateOf(taxSelect), inclusive()),
      key: taxSelect.value,
      name: taxSelect.selectedOptions[0].textContent.trim()
    };
  }

  function inclusive() { return Boolean(inclusiveBox && inclusiveBox.checked); }

  function setOutput(output, cents) {
    if (output) output.textContent = cents === null ? "" : shown(cents);
  }

  function cell(tag, text, numeric) {
    var element = document.createElement(tag);
    if (tag === "th") element.scope = "row";
    if (numeric) element.className = "num";
    element.textContent = text;
    return element;
  }

  var noTaxLabel = (function () {
    var select = fieldset.querySelector('select[name$="-tax_code"]');
    return select && select.options.length ? select.options[0].textContent.trim() : "";
  })();

  function updateTotals() {
    var totals = { debit: ZERO, credit: ZERO };
    var groups = []; // per tax code, in the order the lines first use them
    var byKey = {};
    var base = ZERO, tax = ZERO;
    rows.querySelectorAll("tr.line").forEach(function (row) {
      var removed = field(row, "DELETE");
      if (row.hidden || (removed && removed.checked)) return;
      ["debit", "credit"].forEach(function (side) {
        var value = scaled(field(row, side), 2);
        if (known(value)) totals[side] += value;
      });
      if (fieldset.dataset.kind === "journal_entry") return;
      var figures = lineFigures(row);
      setOutput(row.querySelector('output[data-line="amount"]'), figures ? figures.cents : null);
      setOutput(row.querySelector('output[data-line="tax"]'), figures ? figures.tax : null);
      if (!figures) return;
      var lineBase = inclusive() ? figures.cents - figures.tax : figures.cents;
      var entry = byKey[figures.key];
      if (!entry) {
        entry = byKey[figures.key] = { name: figures.name || noTaxLabel, base: ZERO, tax: ZERO };
        groups.push(entry);
      }
      entry.base += lineBase;
      entry.tax += figures.tax;
      base += lineBase;
      tax += figures.tax;
    });
    fieldset.querySelectorAll('output[data-total="debit"], output[data-total="credit"]')
      .forEach(function (output) { output.textContent = shown(totals[output.dataset.total]); });
    var debit = fieldset.querySelector('output[data-total="debit"]');
    if (debit) {
      var unbalanced = totals.debit !== totals.credit;
      fieldset.querySelector("tr.lines-total").classList.toggle("unbalanced", unbalanced);
    }
    var breakdown = fieldset.querySelector("[data-breakdown]");
    if (!breakdown) return;
    breakdown.textContent = "";
    groups.forEach(function (entry) {
      var row = document.createElement("tr");
      row.appendChild(cell("th", entry.name));
      row.appendChild(cell("td", shown(entry.base), true));
      row.appendChild(cell("td", shown(entry.tax), true));
      row.appendChild(cell("td", shown(entry.base + entry.tax), true));
      breakdown.appendChild(row);
    });
    var withheld = ZERO;
    var withholdingRow = fieldset.querySelector("tr.withholding-total");
    var withholdingRate = rateOf(withholdingSelect);
    if (withholdingRow) {
      withholdingRow.hidden = !(withholdingSelect && withholdingSelect.value);
      if (!withholdingRow.hidden) {
        withheld = withholdingRate === null ? ZERO : divide(base * withholdingRate, HUNDRED);
        withholdingRow.querySelector('[data-total="withholding-name"]').textContent =
          withholdingSelect.selectedOptions[0].textContent.trim();
        setOutput(withholdingRow.querySelector('[data-total="withholding"]'), withheld);
        setOutput(withholdingRow.querySelector('[data-total="withholding-total"]'), withheld);
      }
    }
    setOutput(fieldset.querySelector('output[data-total="base"]'), base);
    setOutput(fieldset.querySelector('output[data-total="tax"]'), tax);
    setOutput(fieldset.querySelector('output[data-total="document"]'), base + tax + withheld);
  }

  // A receipt's (or payment's) line that pays an invoice: the program posts it to receivable
  // (or payable) and it carries no tax; a new line starts with what is due on the invoice.
  function followInvoice(row, typed) {
    // (An invoice's own lines have a hidden "-invoice" input too: the invoice they belong to.)
    var invoice = row.querySelector('select[name$="-invoice"]');
    if (!invoice) return;
    var paying = Boolean(invoice.value);
    var account = field(row, "account");
    var taxSelect = field(row, "tax_code");
    if (account) {
      if (paying && counterAccount) account.value = counterAccount;
      account.disabled = paying;
    }
    if (taxSelect) {
      if (paying) taxSelect.value = "";
      taxSelect.disabled = paying;
    }
    var amount = field(row, "amount");
    var option = invoice.selectedOptions[0];
    if (typed && paying && amount && !amount.value.trim() && option && option.dataset.due) {
      amount.value = format.format(option.dataset.due);
    }
  }

  // Only the invoices of the customer (or supplier) chosen are offered; all when none is.
  function filterInvoices() {
    if (!partySelect) return;
    var party = partySelect.value;
    fieldset.querySelectorAll('select[name$="-invoice"]').forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        option.hidden = Boolean(party) && option.dataset.party !== party;
      });
      var chosen = select.selectedOptions[0];
      if (chosen && chosen.hidden) {
        select.value = "";
        followInvoice(select.closest("tr"), false);
      }
    });
  }

  fieldset.querySelector(".add-line").addEventListener("click", function () {
    var index = parseInt(totalForms.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    totalForms.value = String(index + 1);
    var added = rows.querySelectorAll("tr.line");
    filterInvoices();
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

  rows.addEventListener("change", function (event) {
    if (event.target.matches('select[name$="-invoice"]')) followInvoice(event.target.closest("tr"), true);
    updateTotals();
  });
  rows.addEventListener("input", updateTotals);
  if (inclusiveBox) inclusiveBox.addEventListener("change", updateTotals);
  if (withholdingSelect) withholdingSelect.addEventListener("change", updateTotals);
  if (partySelect) partySelect.addEventListener("change", filterInvoices);
  // A disabled select is not sent: enable them again on the way out (the server sets the
  // account of a line that pays an invoice whatever the page sends).
  if (form) {
    form.addEventListener("submit", function () {
      rows.querySelectorAll("select[disabled]").forEach(function (select) { select.disabled = false; });
    });
  }
  rows.querySelectorAll("tr.line").forEach(function (row) { followInvoice(row, false); });
  filterInvoices();
  updateTotals();
})();
