// Hub load: planned and actual units per day against the node's daily capacity.
window.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("script.hub-load").forEach(function (src) {
    var d = JSON.parse(src.textContent);
    var el = document.getElementById(src.dataset.canvas);
    if (!el) { return; }
    var labels = d.days.map(function (r) { return r.day; });
    var sets = [
      { type: "bar", label: "planned", data: d.days.map(function (r) { return r.planned; }),
        backgroundColor: d.days.map(function (r) { return r.over_planned ? "#d9822b" : "#9aa5b1"; }) },
      { type: "bar", label: "actual", data: d.days.map(function (r) { return r.actual; }),
        backgroundColor: d.days.map(function (r) { return r.over_actual ? "#c0392b" : "#2a6fb0"; }) }
    ];
    if (d.capacity) {
      sets.push({ type: "line", label: "capacity", data: d.days.map(function () { return d.capacity; }),
        borderColor: "#1f7a3f", borderDash: [6, 4], pointRadius: 0, fill: false });
    }
    new Chart(el, { data: { labels: labels, datasets: sets },
      options: { maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: "units per day" } } } } });
  });
});
