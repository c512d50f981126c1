// The Backup dialog, and the progress of a backup or an import.
(function () {
  "use strict";

  document.querySelectorAll("[data-opens]").forEach(function (opener) {
    var dialog = document.getElementById(opener.dataset.opens);
    if (!dialog || typeof dialog.showModal !== "function") return; // the link still works
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
      var name = dialog.querySelector("input[type=text]");
      if (name) { name.focus(); name.setSelectionRange(0, name.value.lastIndexOf(".manager")); }
    });
  });
  document.querySelectorAll("[data-closes]").forEach(function (closer) {
    closer.addEventListener("click", function () {
      document.getElementById(closer.dataset.closes).close();
    });
  });

  // The passphrase boxes show only while "Encrypt with a passphrase" is ticked.
  document.querySelectorAll("[data-shown-by]").forEach(function (part) {
    var box = document.getElementById(part.dataset.shownBy);
    if (!box) return;
    function sync() { part.hidden = !box.checked; }
    box.addEventListener("change", sync);
    sync();
  });

  var job = document.getElementById("job");
  if (!job) return;
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var phase = document.getElementById("job-phase");
  var cancelForm = document.getElementById("job-cancel-form");

  // Cancel without leaving the page: the bar shows the import stopping.
  if (cancelForm) {
    cancelForm.addEventListener("submit", function (event) {
      event.preventDefault();
      document.getElementById("job-cancel").disabled = true;
      fetch(cancelForm.action, { method: "POST", body: new FormData(cancelForm) })
        .catch(function () { cancelForm.submit(); });
    });
  }

  function show(state) {
    job.dataset.state = state.state;
    job.querySelectorAll("[data-when]").forEach(function (part) {
      part.hidden = part.dataset.when.split(" ").indexOf(state.state) < 0;
    });
    bar.value = state.percent;
    percent.textContent = state.percent;
    if (state.phase_label) phase.textContent = state.phase_label;
    if (state.state === "failed") {
      document.getElementById("job-error").textContent = state.error;
    }
    if (state.state === "done" && state.download_url) {
      document.getElementById("job-download").href = state.download_url;
      if (!job.dataset.downloaded) {
        job.dataset.downloaded = "1";
        window.location.href = state.download_url;
      }
    }
    if (state.state === "done" && state.company_url) {
      document.getElementById("job-company").href = state.company_url;
      window.location.href = state.company_url;
    }
  }

  function poll() {
    fetch(job.dataset.stateUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        show(state);
        if (state.state === "waiting" || state.state === "running") setTimeout(poll, 400);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
