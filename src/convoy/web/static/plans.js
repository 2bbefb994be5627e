// Plan charts: coverage before/after by priority and category, units per donor; plan comparison.
window.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  var before = "#9aa5b1", after = "#1f7a3f", other = "#2a6fb0";
  function pctBars(id, rows) {
    var el = document.getElementById(id);
    if (!el) { return; }
    new Chart(el, {
      type: "bar",
      data: { labels: rows.map(function (r) { return r.label; }), datasets: [
        { label: "before %", data: rows.map(function (r) { return r.before_pct; }), backgroundColor: before },
        { label: "after %", data: rows.map(function (r) { return r.after_pct; }), backgroundColor: after } ] },
      options: { maintainAspectRatio: false, scales: { y: { min: 0, max: 100, title: { display: true, text: "% of required units" } } } }
    });
  }
  var planEl = document.getElementById("plan-chart");
  if (planEl) {
    var d = JSON.parse(planEl.textContent);
    pctBars("plan-priority", d.priority);
    pctBars("plan-category", d.category);
    var donor = document.getElementById("plan-donor");
    if (donor) {
      new Chart(donor, {
        type: "bar",
        data: { labels: d.donor.map(function (r) { return r.label; }), datasets: [
          { label: "allocated units before", data: d.donor.map(function (r) { return r.before; }), backgroundColor: before },
          { label: "after", data: d.donor.map(function (r) { return r.after; }), backgroundColor: after } ] },
        options: { maintainAspectRatio: false, scales: { y: { title: { display: true, text: "units" } } } }
      });
    }
  }
  var cmpEl = document.getElementById("compare-chart");
  if (cmpEl) {
    var c = JSON.parse(cmpEl.textContent);
    new Chart(document.getElementById("compare-category"), {
      type: "bar",
      data: { labels: c.categories.map(function (r) { return r.label; }), datasets: [
        { label: c.a.reference, data: c.categories.map(function (r) { return r.a; }), backgroundColor: after },
        { label: c.b.reference, data: c.categories.map(function (r) { return r.b; }), backgroundColor: other } ] },
      options: { maintainAspectRatio: false, scales: { y: { title: { display: true, text: "covered units" } } } }
    });
  }
});
