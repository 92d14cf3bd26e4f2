// Budget moves checked as they are typed. The server answers what each chosen line has available, the budget
// before and after, and whether the moves can be made (the engine's own check, in the page's language); this script
// only shows the answer. Without it the form still works: the server refuses the same moves when it is sent.
(function () {
  "use strict";

  function editor(rows) {
    var form = rows.closest("form");
    var message = document.getElementById(rows.dataset.message);
    var preview = document.getElementById(rows.dataset.preview);
    var asked = 0;
    var timer = null;

    function query() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (name === "subject" || name.indexOf("data.") === 0) params.append(name, value);
      });
      if (rows.dataset.case) params.set("case", rows.dataset.case);
      return params.toString();
    }

    function show(answer) {
      rows.querySelectorAll("[data-available]").forEach(function (line) {
        line.textContent = answer.available[line.dataset.available] || "";
      });
      if (message.textContent !== answer.message) message.textContent = answer.message;
      preview.innerHTML = answer.preview; // rendered and escaped by the server
      rows.querySelectorAll("[aria-invalid]").forEach(function (field) {
        field.removeAttribute("aria-invalid");
      });
      var amount = answer.row === null ? null : form.querySelector('[name="data.budget_moves.' + answer.row + '.amount_dkk"]');
      if (amount) amount.setAttribute("aria-invalid", "true");
    }

    function check() {
      var mine = ++asked;
      fetch(rows.dataset.check + "?" + query(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (answer) {
          if (answer && mine === asked) show(answer); // an older answer arriving late is dropped
        })
        .catch(function () {}); // offline: the server still checks when the form is sent
    }

    function soon(event) {
      var name = event.target.name || "";
      if (name !== "subject" && name.indexOf("data.budget_moves.") !== 0 && name !== "data.changes_total") return;
      clearTimeout(timer);
      timer = setTimeout(check, 250);
    }

    form.addEventListener("input", soon);
    form.addEventListener("change", soon);
    rows.querySelectorAll("[data-no-script]").forEach(function (button) {
      button.hidden = true;
    });
  }

  document.querySelectorAll("fieldset[data-check]").forEach(editor);
})();
