// Dashboard charts: coverage by priority (stacked) and totals by donor, in millions of EUR.
window.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  var d = JSON.parse(document.getElementById("chart-data").textContent);
  var money = { callbacks: { label: function (c) { return c.dataset.label + ": € " + c.parsed.y.toFixed(1) + " M"; } } };
  new Chart(document.getElementById("by-priority"), {
    type: "bar",
    data: { labels: d.priorities, datasets: [
      { label: "committed", data: d.committed, backgroundColor: "#1f7a3f" },
      { label: "pledged", data: d.pledged, backgroundColor: "#e0a526" },
      { label: "unmet", data: d.unmet, backgroundColor: "#c0392b" } ] },
    options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "€ M" } } }, plugins: { tooltip: money } }
  });
  new Chart(document.getElementById("by-donor"), {
    type: "bar",
    data: { labels: d.donors, datasets: [
      { label: "committed", data: d.donor_committed, backgroundColor: "#1f7a3f" },
      { label: "pledged", data: d.donor_pledged, backgroundColor: "#e0a526" } ] },
    options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "€ M" } } }, plugins: { tooltip: money } }
  });
});
