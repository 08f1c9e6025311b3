/* The charts of the leaders' dashboard (templates/leaders/dashboard.html) and the Mutu baku
   page (templates/monitoring/mutu_baku.html), drawn by Chart.js 4.5.1
   (vendor/chart-4.5.1.umd.min.js, MIT). The Content-Security-Policy allows no inline
   script, so every chart's figures come in its canvas's data-chart attribute (JSON):
   {type, labels, datasets: [{label, data, colour}], horizontal, stacked, percent, suffix,
   max} — suffix: the unit written after each number (" j" for hours), max: the value axis's
   end (100 for a share); a dataset's colour replaces the palette's. The same figures
   are in the table the canvas's aria-describedby names, for readers without JavaScript or
   with a screen reader. No animation: the chart is drawn at once, and the same for print
   (charts are resized to the printed page before printing and back after). */
(function () {
  "use strict";

  var COLOURS = ["#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457",
    "#4e342e", "#546e7a", "#9e9d24", "#c62828"];
  var ROW_PX = 34; // height per label of a horizontal chart
  var BAR_PX = 11; // ... at least this per bar of each label when several datasets stand side by side
  var lang = document.documentElement.lang || "id";
  var numbers = new Intl.NumberFormat(lang === "id" ? "id-ID" : "en-US",
    { maximumFractionDigits: 2 });

  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    var percent = !!spec.percent;
    var suffix = percent ? "%" : (spec.suffix || "");
    var box = canvas.parentElement;
    if (spec.horizontal) {
      var perLabel = spec.stacked ? ROW_PX : Math.max(ROW_PX, spec.datasets.length * BAR_PX);
      box.style.height = (spec.labels.length * perLabel + 90) + "px";
    }
    var valueAxis = {
      beginAtZero: true,
      max: spec.max,
      stacked: !!spec.stacked,
      ticks: {
        precision: percent || spec.suffix ? undefined : 0,
        callback: function (value) { return numbers.format(value) + suffix; }
      }
    };
    var labelAxis = {
      stacked: !!spec.stacked,
      ticks: {
        autoSkip: false,
        callback: function (value) {
          var label = this.getLabelForValue(value);
          // a phone's chart keeps room for its bars: shorter labels (the table has them whole)
          var max = canvas.clientWidth < 600 ? 22 : 40;
          return label.length > max ? label.slice(0, max - 1) + "…" : label;
        }
      }
    };
    return new window.Chart(canvas, {
      type: spec.type || "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, i) {
          return {
            label: d.label,
            data: d.data,
            backgroundColor: d.colour || COLOURS[i % COLOURS.length],
            borderWidth: 0
          };
        })
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        plugins: {
          legend: { display: spec.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var v = item.raw;
                var text = v === null ? "—" : numbers.format(v) + suffix;
                return item.dataset.label + ": " + text;
              }
            }
          }
        }
      }
    });
  }

  function start() {
    if (!window.Chart) return; // the tables carry the figures
    var charts = [];
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      charts.push(draw(canvas));
      canvas.setAttribute("data-drawn", "");
    });
    function resizeAll() { charts.forEach(function (c) { c.resize(); }); }
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
