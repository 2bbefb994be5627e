// Map page: nodes by kind, legs, and consignment flows (planned, in transit, delivered) on Leaflet,
// over the vendored Natural Earth country outlines (offline; no tile server). The data is embedded
// in the page as #map-data (the same as /api/map/); the basemap URL is #map's data-basemap.
(function () {
  "use strict";

  var KIND_STYLE = {
    depot: { colour: "#2a6fb0", shape: "square" },
    hub: { colour: "#7048a8", shape: "diamond" },
    repair: { colour: "#b5472b", shape: "triangle" },
    training: { colour: "#138a8a", shape: "circle" },
    destination: { colour: "#d4a017", shape: "star" },
    command: { colour: "#333333", shape: "hexagon" }
  };
  var LAYER_STYLE = {
    planned: { colour: "#56657a", dash: "7 6", bend: 0.16, opacity: 0.75 },
    in_transit: { colour: "#e07b00", dash: null, bend: 0, opacity: 0.85 },
    delivered: { colour: "#1f7a3f", dash: null, bend: -0.16, opacity: 0.75 }
  };
  var LEG_STYLE = { color: "#7b8794", weight: 1.2, opacity: 0.8 };
  // the vendored outlines are clipped to this box (the file's bbox: lon -25..50, lat 33..72):
  // the map never shows beyond it (nor beyond the farthest node, should one lie outside)
  var BASEMAP_BOX = [[33, -25], [72, 50]];
  var NODE_RADIUS = 9;  // half the node icon (18 px): arrowheads stop short of it

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function shapeSvg(kind, size) {
    var st = KIND_STYLE[kind] || { colour: "#555", shape: "circle" };
    var s = size || 18, h = s / 2, body;
    var paint = 'fill="' + st.colour + '" stroke="#fff" stroke-width="1.5"';
    if (st.shape === "square") {
      body = '<rect x="2.5" y="2.5" width="' + (s - 5) + '" height="' + (s - 5) + '" ' + paint + "/>";
    } else if (st.shape === "diamond") {
      body = '<polygon points="' + h + ",1 " + (s - 1) + "," + h + " " + h + "," + (s - 1) + " 1," + h + '" ' + paint + "/>";
    } else if (st.shape === "triangle") {
      body = '<polygon points="' + h + ",1.5 " + (s - 1.5) + "," + (s - 2) + " 1.5," + (s - 2) + '" ' + paint + "/>";
    } else if (st.shape === "star") {
      var pts = [];
      for (var i = 0; i < 10; i++) {
        var r = i % 2 === 0 ? h - 0.5 : h * 0.45, a = Math.PI / 5 * i - Math.PI / 2;
        pts.push((h + r * Math.cos(a)).toFixed(2) + "," + (h + r * Math.sin(a)).toFixed(2));
      }
      body = '<polygon points="' + pts.join(" ") + '" ' + paint.replace('stroke="#fff"', 'stroke="#5c4400"').replace("1.5", "1") + "/>";
    } else if (st.shape === "hexagon") {
      var hx = [];
      for (var j = 0; j < 6; j++) {
        var b = Math.PI / 3 * j;
        hx.push((h + (h - 1.5) * Math.cos(b)).toFixed(2) + "," + (h + (h - 1.5) * Math.sin(b)).toFixed(2));
      }
      body = '<polygon points="' + hx.join(" ") + '" ' + paint + "/>";
    } else {
      body = '<circle cx="' + h + '" cy="' + h + '" r="' + (h - 2) + '" ' + paint + "/>";
    }
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + s + '" height="' + s + '" viewBox="0 0 ' + s + " " + s +
      '" data-kind="' + esc(kind) + '" aria-hidden="true">' + body + "</svg>";
  }

  // a gentle arc from a to b ([lat, lon]); bend is the control point's offset as a share of
  // the length, to the left of the direction of travel (0: a straight line)
  function arc(a, b, bend) {
    if (!bend) { return [a, b]; }
    var k = Math.cos((a[0] + b[0]) / 2 * Math.PI / 180);
    var ax = a[1] * k, ay = a[0], bx = b[1] * k, by = b[0];
    var mx = (ax + bx) / 2, my = (ay + by) / 2, dx = bx - ax, dy = by - ay;
    var cx = mx - dy * bend, cy = my + dx * bend, out = [];
    for (var i = 0; i <= 24; i++) {
      var t = i / 24, u = 1 - t;
      var x = u * u * ax + 2 * u * t * cx + t * t * bx, y = u * u * ay + 2 * u * t * cy + t * t * by;
      out.push([y, x / k]);
    }
    return out;
  }

  // coasts and borders without the cuts along the basemap's box (the file is clipped to it)
  function borders(gj) {
    var box = gj.bbox || [-25, 33, 50, 72], lines = [];
    function cut(p, q) {
      return (p[0] === q[0] && (p[0] === box[0] || p[0] === box[2])) ||
        (p[1] === q[1] && (p[1] === box[1] || p[1] === box[3]));
    }
    gj.features.forEach(function (f) {
      var g = f.geometry, polys = g.type === "MultiPolygon" ? g.coordinates : [g.coordinates];
      polys.forEach(function (poly) {
        poly.forEach(function (ring) {
          var run = [];
          ring.forEach(function (p, i) {
            if (i > 0 && cut(ring[i - 1], p)) {
              if (run.length > 1) { lines.push(run); }
              run = [];
            }
            run.push([p[1], p[0]]);
          });
          if (run.length > 1) { lines.push(run); }
        });
      });
    });
    return lines;
  }

  // an arrowhead at the end of a line (latlngs, [lat, lon] each), pointing the way it runs: a
  // triangle in a square icon centred on the end point, its tip ``gap`` px short of it, turned
  // to the direction of the line's last stretch on screen (the same at every zoom: Mercator keeps
  // angles, so it never needs redrawing)
  function arrowHead(map, latlngs, o) {
    var n = latlngs.length, end = L.latLng(latlngs[n - 1]);
    var p = map.project(L.latLng(latlngs[n - 2]), 10), q = map.project(end, 10);
    if (p.distanceTo(q) < 1e-6) { return null; }
    var angle = Math.atan2(q.y - p.y, q.x - p.x) * 180 / Math.PI;
    var len = o.length, half = o.half, gap = o.gap;
    var box = 2 * Math.ceil(gap + len + 2), c = box / 2;
    var tip = c - gap, base = tip - len;
    var path = "M" + tip.toFixed(1) + " " + c + " L" + base.toFixed(1) + " " + (c - half).toFixed(1) +
      " L" + (base + len * 0.22).toFixed(1) + " " + c + " L" + base.toFixed(1) + " " + (c + half).toFixed(1) + " Z";
    var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="' + box + '" height="' + box + '" viewBox="0 0 ' + box + " " + box +
      '" aria-hidden="true"><g transform="rotate(' + angle.toFixed(1) + " " + c + " " + c + ')"><path d="' + path +
      '" fill="' + o.colour + '" fill-opacity="' + o.opacity + '" stroke="#fff" stroke-width="' + o.stroke +
      '" stroke-linejoin="round"/></g></svg>';
    return L.marker(end, {
      pane: o.pane, interactive: false, keyboard: false,
      icon: L.divIcon({ className: o.className, html: svg, iconSize: [box, box], iconAnchor: [c, c] })
    });
  }

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var el = document.getElementById("map"), dataEl = document.getElementById("map-data");
    if (!el || !dataEl || typeof L === "undefined") { return; }
    var data = JSON.parse(dataEl.textContent);
    var nodes = {};
    data.nodes.forEach(function (n) { nodes[n.id] = n; });
    var layerLabel = {}, statusLabel = {};
    data.layers.forEach(function (l) { layerLabel[l.value] = l.label; });
    data.statuses.forEach(function (s) { statusLabel[s.value] = s.label; });

    // where one may look: the basemap's box (and any node beyond it), never the empty sea of
    // grey around it; the least zoom is the one at which that box still fills the map
    var coords = data.nodes.map(function (n) { return [n.lat, n.lon]; });
    var box = L.latLngBounds(BASEMAP_BOX);
    coords.forEach(function (c) { box.extend(c); });
    var map = L.map(el, { minZoom: 0, maxZoom: 11, zoomSnap: 0.25, maxBounds: box, maxBoundsViscosity: 1 });
    function fitMinZoom() {
      map.setMinZoom(0);
      var least = map.getBoundsZoom(box, true);
      map.setMinZoom(least);
      el.setAttribute("data-min-zoom", String(least));
    }
    fitMinZoom();
    map.on("resize", fitMinZoom);
    map.on("moveend", function () {
      var b = map.getBounds();
      el.setAttribute("data-zoom", String(map.getZoom()));
      el.setAttribute("data-view", [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map(function (x) {
        return x.toFixed(4);
      }).join(","));
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Country outlines: Natural Earth");
    [["basemap", 200], ["legs", 380], ["legArrows", 390], ["flows", 420], ["flowArrows", 430]].forEach(function (p) {
      map.createPane(p[0]).style.zIndex = p[1];
    });
    // the first view: all the nodes
    if (coords.length > 1) {
      map.fitBounds(L.latLngBounds(coords).pad(0.25), { maxZoom: 7 });
    } else if (coords.length === 1) {
      map.setView(coords[0], 6);
    } else {
      map.fitBounds(box);
    }

    // the offline basemap
    fetch(el.dataset.basemap, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (gj) {
        L.geoJSON(gj, {
          pane: "basemap",
          interactive: false,
          style: function (f) {
            var partner = f.properties && f.properties.name === "Ukraine";
            return { stroke: false, fillColor: partner ? "#fbf1c7" : "#f5f2ea", fillOpacity: 1 };
          }
        }).addTo(map);
        L.polyline(borders(gj), { pane: "basemap", interactive: false, color: "#8796a5", weight: 0.8 }).addTo(map);
        el.setAttribute("data-basemap-state", "loaded");
        el.setAttribute("data-countries", String(gj.features.length));
      })
      .catch(function () { el.setAttribute("data-countries", "0"); el.setAttribute("data-basemap-state", "failed"); });

    // legs
    var groups = {
      legs: L.layerGroup(), planned: L.layerGroup(), in_transit: L.layerGroup(), delivered: L.layerGroup(),
      nodes: L.layerGroup()
    };
    data.legs.forEach(function (leg) {
      var a = nodes[leg.origin], b = nodes[leg.destination], line = [[a.lat, a.lon], [b.lat, b.lon]];
      L.polyline(line, L.extend({ pane: "legs" }, LEG_STYLE))
        .bindPopup("<strong>" + esc(a.name) + " → " + esc(b.name) + "</strong><br>" +
          esc(leg.mode_label) + " · " + leg.transit_days + " d · " + leg.km + " km · " +
          (leg.daily_capacity ? leg.daily_capacity + " units/day" : "no capacity limit"))
        .addTo(groups.legs);
      var head = arrowHead(map, line, {
        pane: "legArrows", className: "leg-arrow", colour: LEG_STYLE.color, opacity: 0.9,
        length: 7, half: 3.5, gap: NODE_RADIUS + 1, stroke: 0.6
      });
      if (head) { head.addTo(groups.legs); }
    });

    // nodes
    data.nodes.forEach(function (n) {
      var icon = L.divIcon({ className: "node-icon node-" + n.kind, html: shapeSvg(n.kind), iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -8] });
      L.marker([n.lat, n.lon], { icon: icon, title: n.name + " (" + n.kind_label + ")", riseOnHover: true })
        .bindPopup('<div data-testid="node-popup"><strong>' + esc(n.name) + "</strong><br>" +
          esc(n.kind_label) + " · " + esc(n.nation) + "<br>" +
          "daily throughput: " + n.capacity + " pallets/day<br>" +
          '<a href="' + esc(n.url) + '">open the node</a></div>')
        .addTo(groups.nodes);
    });

    // flows, redrawn when the status filter changes
    function checkedStatuses() {
      var out = {};
      document.querySelectorAll('[data-testid=status-filter] input[name=status]').forEach(function (cb) {
        if (cb.checked) { out[cb.value] = true; }
      });
      return out;
    }

    function flowPopup(f, shown) {
      var a = nodes[f.origin], b = nodes[f.destination], at = nodes[f.at];
      var head = "<strong>" + esc(layerLabel[f.layer]) + ": " + esc(a.name) + " → " + esc(b.name) + "</strong>";
      if (f.layer === "in_transit") { head += "<br>now at " + esc(at.name); }
      var rows = "<tr><th>consignments</th><td>" + shown.consignments + "</td></tr>" +
        "<tr><th>units" + (f.layer === "in_transit" ? " on the way" : f.layer === "delivered" ? " received" : "") +
        "</th><td>" + shown.units + "</td></tr>";
      Object.keys(f.by_status).forEach(function (s) {
        if (shown.statuses[s]) {
          rows += "<tr><td>· " + esc(statusLabel[s] || s) + "</td><td>" + f.by_status[s].consignments +
            " (" + f.by_status[s].units + " units)</td></tr>";
        }
      });
      if (f.layer !== "planned" && (f.short || f.damaged || f.lost || f.received)) {
        rows += "<tr><th>received / short / damaged / lost</th><td>" + f.received + " / " + f.short + " / " +
          f.damaged + " / " + f.lost + "</td></tr>";
      }
      return '<div data-testid="flow-popup">' + head + "<table>" + rows + "</table>" +
        '<a href="' + esc(f.url) + '" data-testid="flow-link">show the consignments</a></div>';
    }

    function drawFlows() {
      var statuses = checkedStatuses();
      ["planned", "in_transit", "delivered"].forEach(function (k) { groups[k].clearLayers(); });
      var shown = data.flows.map(function (f) {
        var s = { consignments: 0, units: 0, statuses: {} };
        Object.keys(f.by_status).forEach(function (st) {
          if (statuses[st]) {
            s.consignments += f.by_status[st].consignments;
            s.units += f.by_status[st].units;
            s.statuses[st] = true;
          }
        });
        return s;
      });
      var most = 1;
      shown.forEach(function (s) { most = Math.max(most, s.units); });
      var drawn = 0;
      data.flows.forEach(function (f, i) {
        var s = shown[i];
        if (!s.consignments) { return; }
        drawn += 1;
        var st = LAYER_STYLE[f.layer], a = nodes[f.origin], b = nodes[f.destination], at = nodes[f.at];
        var weight = 2 + 12 * Math.sqrt(s.units / most);
        var popup = flowPopup(f, s);
        var opts = {
          pane: "flows", color: st.colour, weight: weight, opacity: st.opacity, className: "flow flow-" + f.layer,
          dashArray: st.dash ? (1.6 * weight).toFixed(1) + " " + (1.1 * weight).toFixed(1) : null,
          lineCap: st.dash ? "butt" : "round"
        };
        var end = f.layer === "in_transit" ? at : b;
        var radius = 7 + weight / 2;  // of the present position's dot (in transit)
        if (end.id !== a.id) {
          var line = arc([a.lat, a.lon], [end.lat, end.lon], st.bend);
          L.polyline(line, opts).bindPopup(popup).addTo(groups[f.layer]);
          // the direction: an arrowhead short of the end (the node's icon, or the dot in transit)
          var head = arrowHead(map, line, {
            pane: "flowArrows", className: "flow-arrow flow-arrow-" + f.layer, colour: st.colour,
            opacity: Math.min(1, st.opacity + 0.15), length: 9 + weight, half: 5 + 0.75 * weight,
            gap: (f.layer === "in_transit" ? radius + 1.5 : NODE_RADIUS) + 1, stroke: 1
          });
          if (head) { head.addTo(groups[f.layer]); }
        }
        if (f.layer === "in_transit") {
          if (at.id !== b.id) {  // the rest of the way, faint
            L.polyline([[at.lat, at.lon], [b.lat, b.lon]], { pane: "flows", color: st.colour, weight: 1.5, opacity: 0.6, dashArray: "2 5", interactive: false }).addTo(groups[f.layer]);
          }
          L.circleMarker([at.lat, at.lon], { pane: "flows", radius: radius, color: "#fff", weight: 1.5, fillColor: st.colour, fillOpacity: 0.95, className: "flow flow-position" })
            .bindPopup(popup).addTo(groups[f.layer]);
        }
      });
      var count = document.querySelector("[data-testid=map-count]");
      if (count) {
        count.textContent = data.nodes.length + " nodes, " + data.legs.length + " legs, " + drawn + " of " + data.flows.length + " flows shown";
      }
      el.setAttribute("data-flows-drawn", String(drawn));
    }

    drawFlows();
    Object.keys(groups).forEach(function (k) { groups[k].addTo(map); });

    // layer toggles (and the table rows of a hidden layer)
    document.querySelectorAll("[data-testid=layer-toggles] input[data-layer]").forEach(function (cb) {
      cb.addEventListener("change", function () {
        var g = groups[cb.dataset.layer];
        if (!g) { return; }
        if (cb.checked) { g.addTo(map); } else { map.removeLayer(g); }
        document.querySelectorAll('[data-testid=flow-table] tr[data-layer="' + cb.dataset.layer + '"]').forEach(function (tr) {
          tr.hidden = !cb.checked;
        });
      });
    });
    document.querySelectorAll("[data-testid=status-filter] input[name=status]").forEach(function (cb) {
      cb.addEventListener("change", drawFlows);
    });

    // the legend
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend");
      div.setAttribute("data-testid", "map-legend");
      var html = "";
      data.kinds.forEach(function (k) {
        html += '<div class="row">' + shapeSvg(k.value, 14) + " " + esc(k.label) + "</div>";
      });
      html += '<div class="row"><svg width="26" height="8"><line x1="1" y1="4" x2="25" y2="4" stroke="' + LEG_STYLE.color + '" stroke-width="1.5"/></svg> leg</div>';
      data.layers.forEach(function (l) {
        var st = LAYER_STYLE[l.value];
        html += '<div class="row"><svg width="26" height="8"><line x1="1" y1="4" x2="25" y2="4" stroke="' + st.colour +
          '" stroke-width="4"' + (st.dash ? ' stroke-dasharray="5 4"' : "") + "/></svg> " + esc(l.label) + "</div>";
      });
      html += '<div class="row muted">line width: units; arrowhead: direction</div>';
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    el.setAttribute("data-ready", "1");
  });
})();
