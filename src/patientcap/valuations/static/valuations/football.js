/* Football-field chart of a valuation: each method's low–high bar and value, the reconciled
   range (shaded), the chosen point and the proposed price (lines). Data comes from a
   <script type="application/json"> next to a .football element; re-drawn after HTMX swaps. */
(function () {
  function wan(fen) { return fen === null || fen === undefined ? null : Math.round(fen / 1e4) / 100; }
  function draw(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source || typeof echarts === "undefined") { return; }
    var d = JSON.parse(source.textContent);
    var names = d.methods.map(function (m) { return m.method; });
    var lows = d.methods.map(function (m) { return wan(m.low); });
    var spans = d.methods.map(function (m) { return Math.max(wan(m.high) - wan(m.low), 0); });
    var points = d.methods.map(function (m, i) { return [wan(m.value), i]; });
    var lines = [{name: el.dataset.pointLabel, xAxis: wan(d.point), lineStyle: {color: "#2e7d32", width: 2}}];
    if (d.price !== null && d.price !== undefined) {
      lines.push({name: el.dataset.priceLabel, xAxis: wan(d.price), lineStyle: {color: "#c62828", type: "dashed", width: 2}});
    }
    var old = echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      grid: {left: 150, right: 40, top: 30, bottom: 40},
      tooltip: {trigger: "item"},
      xAxis: {type: "value", name: el.dataset.unit, scale: true},
      yAxis: {type: "category", data: names, inverse: true},
      series: [
        {type: "bar", stack: "range", data: lows, itemStyle: {color: "transparent"}, silent: true},
        {type: "bar", stack: "range", data: spans, barWidth: 18, itemStyle: {color: "#90caf9"},
         name: el.dataset.rangeLabel,
         markArea: {silent: true, itemStyle: {color: "rgba(46,125,50,0.08)"},
                    data: [[{xAxis: wan(d.low)}, {xAxis: wan(d.high)}]]},
         markLine: {symbol: "none", label: {formatter: "{b}: {c}"}, data: lines}},
        {type: "scatter", data: points, symbolSize: 12, itemStyle: {color: "#1565c0"},
         name: el.dataset.valueLabel}
      ]
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function drawAll(root) {
    (root || document).querySelectorAll(".football").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
