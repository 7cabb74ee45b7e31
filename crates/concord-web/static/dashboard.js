// Draws the dashboard's charts from the figures the page carries; the tables beside them
// hold the same numbers for those who do not see the charts.
(function () {
  'use strict';
  if (!window.echarts) return;
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, { renderer: 'svg' });
    c.setOption(option);
    window.addEventListener('resize', function () { c.resize(); });
  }
  chart('chart-weekly', {
    grid: { left: 40, right: 16, top: 16, bottom: 40 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: data.weekly.map(function (w) { return w[0].slice(5); }) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'line', name: '登记', data: data.weekly.map(function (w) { return w[1]; }), smooth: true }]
  });
  chart('chart-categories', {
    tooltip: { trigger: 'item' },
    series: [{ type: 'pie', radius: ['35%', '65%'], data: data.categories.slice(0, 10) }]
  });
  chart('chart-regions', {
    grid: { left: 40, right: 16, top: 30, bottom: 70 },
    tooltip: { trigger: 'axis' },
    legend: { data: ['登记', '调解成功'] },
    xAxis: { type: 'category', data: data.regions.map(function (r) { return r.name; }), axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { type: 'bar', name: '登记', data: data.regions.map(function (r) { return r.registered; }) },
      { type: 'bar', name: '调解成功', data: data.regions.map(function (r) { return r.resolved; }) }
    ]
  });
})();
