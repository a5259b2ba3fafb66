// Posts the upload form with XMLHttpRequest so that a <progress> shows the upload, then shows the
// new version or the error (the server answers JSON when asked for it). Without JS the form posts
// normally and the server redirects to the result.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var status = document.getElementById("upload-status");
  var text = document.getElementById("upload-status-text");
  var bar = document.getElementById("upload-progress");
  var result = document.getElementById("upload-result");
  var failure = document.getElementById("upload-error");
  var submit = document.getElementById("upload-submit");

  function field(section, name) { return section.querySelector('[data-field="' + name + '"]'); }

  function showResult(data) {
    field(result, "version").textContent = data.version;
    field(result, "rows_added").textContent = data.rows_added;
    field(result, "row_count").textContent = data.row_count;
    field(result, "encoding").textContent = (data.encoding || "—").toUpperCase();
    field(result, "format").textContent = (data.format || "").toUpperCase();
    document.getElementById("upload-view").setAttribute("href", data.url);
    result.hidden = false;
  }

  function showError(message, details) {
    field(failure, "message").textContent = message;
    var list = field(failure, "details");
    list.replaceChildren();
    Object.keys(details || {}).sort().forEach(function (key) {
      var term = document.createElement("dt");
      var value = document.createElement("dd");
      term.textContent = key;
      value.textContent = typeof details[key] === "object" ? JSON.stringify(details[key]) : String(details[key]);
      list.append(term, value);
    });
    failure.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = form.querySelector('input[name="csrf_token"]').value;
    var request = new XMLHttpRequest();
    result.hidden = true;
    failure.hidden = true;
    submit.disabled = true;
    status.hidden = false;
    bar.value = 0;
    bar.max = 100;
    text.textContent = status.dataset.sending;

    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); }
    });
    request.upload.addEventListener("load", function () {
      bar.value = 100;
      text.textContent = status.dataset.processing;
    });
    request.addEventListener("load", function () {
      submit.disabled = false;
      var body = null;
      try { body = JSON.parse(request.responseText); } catch (ignored) { body = null; }
      var ok = request.status >= 200 && request.status < 300 && body;
      text.textContent = ok ? status.dataset.finished : status.dataset.failed;
      if (ok) {
        showResult(body);
      } else if (body && body.error) {
        showError(body.error.message, body.error.details);
      } else {
        showError(status.dataset.network + " (HTTP " + request.status + ")", {});
      }
    });
    request.addEventListener("error", function () {
      submit.disabled = false;
      status.hidden = true;
      showError(status.dataset.network, {});
    });
    request.open("POST", form.getAttribute("action"));
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", token);
    request.send(new FormData(form));
  });
})();
