// huajie's own small script: conveniences only; every page works without it.
document.addEventListener("submit", function (e) {
  var b = e.submitter;
  var msg = b && b.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});

// Case numbers are checked as they are typed, with the server's own rules.
(function () {
  var timer = null;
  function check(input) {
    var form = input.form, out = input.parentNode.querySelector(".live");
    if (!out) { return; }
    var kind = form && form.elements.kind ? form.elements.kind.value : "";
    if (input.name !== "case_no") { kind = ""; }
    var m = form ? /\/proceedings\/(\d+)\//.exec(form.getAttribute("action")) : null;
    var url = "/lookup/case-no?v=" + encodeURIComponent(input.value) + "&kind=" + encodeURIComponent(kind) + "&id=" + (m ? m[1] : "");
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      out.textContent = d.message || "";
      out.className = "live " + (d.ok ? "ok" : "bad");
      if (d.href) {
        var a = document.createElement("a"); a.href = d.href; a.textContent = " 查看"; out.appendChild(a);
      }
    }).catch(function () { out.textContent = ""; });
  }
  document.addEventListener("input", function (e) {
    var t = e.target;
    if (t.hasAttribute && t.hasAttribute("data-case-no")) {
      clearTimeout(timer);
      timer = setTimeout(function () { check(t); }, 250);
    }
    if (t.hasAttribute && t.hasAttribute("data-party-search")) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch("/lookup/parties?q=" + encodeURIComponent(t.value), { credentials: "same-origin" })
          .then(function (r) { return r.json(); }).then(function (names) {
            var list = document.getElementById("party-list");
            list.innerHTML = "";
            names.forEach(function (n) { var o = document.createElement("option"); o.value = n; list.appendChild(o); });
          }).catch(function () {});
      }, 200);
    }
  });
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.name === "kind" && t.form) {
      var c = t.form.querySelector("[name=case_no]");
      if (c && c.value) { check(c); }
    }
  });
  function addParty(search) {
    var box = document.querySelector("[data-party-list]");
    if (!box || !search.value.trim()) { return; }
    box.value = (box.value.trim() ? box.value.trim() + "\n" : "") + search.value.trim();
    search.value = "";
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.hasAttribute && e.target.hasAttribute("data-party-search")) {
      e.preventDefault(); addParty(e.target);
    }
  });
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t.hasAttribute && t.hasAttribute("data-party-add")) {
      addParty(t.parentNode.querySelector("[data-party-search]"));
    }
    if (t.hasAttribute && t.hasAttribute("data-take")) {
      var f = t.closest("form").elements[t.getAttribute("data-take")];
      if (f) { f.value = t.getAttribute("data-value"); t.closest("label").classList.remove("clash"); }
    }
  });
})();

// 打印 buttons (no inline handlers: the pages' Content-Security-Policy allows no inline script).
document.addEventListener("click", function (e) {
  var t = e.target;
  if (t.closest && t.closest("[data-print]")) { window.print(); }
});

// 返回修改 on an error page: back to the filled-in form.
document.addEventListener("click", function (e) {
  var t = e.target;
  if (t.closest && t.closest("[data-back]") && window.history.length > 1) { e.preventDefault(); window.history.back(); }
});
