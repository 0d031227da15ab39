// Escapement: small enhancements for the review and backlog pages. Every page works without
// this file.
// 1. The checklist's "did that test run" follow-up shows only when there was coverage.
// 2. Text typed into a review form is kept in this browser until the form is sent, so a
//    closed tab or a lost connection does not lose it; a button offers to restore it.
// 3. On the backlog's "Link tracker keys" page, a picked export file is read into the box.
// 4. A field wrapped in data-show-when="select" data-show-value="v" shows only while that
//    select has that value (or while the field holds text, so nothing typed is hidden).
(function () {
  "use strict";

  function followUp() {
    var group = document.getElementById("answer_test_ran_and_passed");
    if (!group) { return; }
    var radios = document.querySelectorAll("input[name='answer_automated_coverage']");
    function sync() {
      var yes = document.getElementById("answer_automated_coverage-yes");
      var show = yes && yes.checked;
      group.hidden = !show;
    }
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  }

  function storageKey(form, field) {
    return "escapement-draft:" + form.getAttribute("action") + ":" + field.name;
  }

  function autosave() {
    var store;
    try { store = window.localStorage; } catch (e) { return; }
    if (!store) { return; }
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      var fields = form.querySelectorAll("textarea, input[type='text']");
      fields.forEach(function (field) {
        var key = storageKey(form, field);
        var saved = store.getItem(key);
        if (saved !== null && saved !== field.value) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "link-button restore-draft";
          button.textContent = "Restore the text you typed earlier in this browser";
          button.addEventListener("click", function () {
            field.value = saved;
            button.remove();
            field.focus();
          });
          field.insertAdjacentElement("afterend", button);
        }
        field.addEventListener("input", function () {
          try { store.setItem(key, field.value); } catch (e) { /* storage full: skip */ }
        });
      });
      form.addEventListener("submit", function () {
        fields.forEach(function (field) { store.removeItem(storageKey(form, field)); });
      });
    });
  }

  function fileIntoBox() {
    var input = document.getElementById("keys-file");
    var box = document.getElementById("keys");
    if (!input || !box || !window.FileReader) { return; }
    input.closest(".js-only").hidden = false;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) { return; }
      var reader = new FileReader();
      reader.onload = function () { box.value = String(reader.result); box.focus(); };
      reader.readAsText(file);
    });
  }

  function showWhen() {
    document.querySelectorAll("[data-show-when]").forEach(function (box) {
      var select = document.getElementById(box.getAttribute("data-show-when"));
      if (!select) { return; }
      var field = box.querySelector("textarea, input");
      function sync() {
        var typed = field && field.value.trim() !== "";
        box.hidden = select.value !== box.getAttribute("data-show-value") && !typed;
      }
      select.addEventListener("change", sync);
      sync();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    followUp();
    showWhen();
    autosave();
    fileIntoBox();
  });
})();
