/* Tiered-loan charts: each .chart element names its data script (data-source) and its kind. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".chart[data-source]").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.dataset.source).textContent);
    var chart = echarts.init(el);
    var names = data.map(function (d) { return d[0]; });
    var series;
    if (el.dataset.kind === "pie") {
      series = [{type: "pie", radius: "65%", data: data.map(function (d) { return {name: d[0], value: d[1]}; })}];
      chart.setOption({tooltip: {trigger: "item"}, legend: {bottom: 0}, series: series});
    } else {
      var labels = (el.dataset.series || "").split("|");
      series = labels.map(function (label, i) {
        return {name: label, type: el.dataset.kind || "bar", step: el.dataset.step || false,
                data: data.map(function (d) { return d[i + 1]; })};
      });
      chart.setOption({tooltip: {trigger: "axis"}, legend: {bottom: 0},
        xAxis: {type: "category", data: names}, yAxis: {type: "value", name: el.dataset.unit || ""},
        series: series});
    }
    el.setAttribute("data-rendered", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
