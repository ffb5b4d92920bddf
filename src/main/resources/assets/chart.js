// Draws a report page's chart with uPlot from the JSON in #chart-data (written by the server, never run as script);
// the measure select switches between the series. The same numbers are in the table below the chart.
(function () {
    'use strict';
    var data = document.getElementById('chart-data');
    var target = document.getElementById('chart');
    if (!data || !target || typeof uPlot === 'undefined') {
        return;
    }
    var chart = JSON.parse(data.textContent);
    var select = document.getElementById('chart-measure');
    var controls = document.getElementById('chart-controls');
    var days = chart.shape === 'days';
    var xs = days ? chart.x : chart.x.map(function (label, i) { return i; });
    var plot = null;
    var compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

    function width() {
        return Math.max(240, target.clientWidth);
    }

    function options(series) {
        return {
            width: width(),
            height: 260,
            tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
            legend: { show: false },
            cursor: { drag: { x: false, y: false } },
            scales: {
                x: days ? { time: true } : { time: false, range: function () { return [-0.5, xs.length - 0.5]; } },
                y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } }
            },
            axes: [
                days ? { stroke: '#57606a', grid: { stroke: '#eaeef2' } } : {
                    stroke: '#57606a',
                    grid: { show: false },
                    splits: function () { return xs; },
                    values: function (u, splits) { return splits.map(function (i) { return chart.x[i]; }); },
                    rotate: xs.length > 8 ? -45 : 0,
                    size: xs.length > 8 ? 80 : 40
                },
                { stroke: '#57606a', grid: { stroke: '#eaeef2' }, size: 50,
                  values: function (u, splits) { return splits.map(function (v) { return compact.format(v); }); } }
            ],
            series: [
                {},
                {
                    label: series.label,
                    stroke: '#1f5fbf',
                    width: 2,
                    fill: 'rgba(31, 95, 191, 0.15)',
                    points: { show: !days || xs.length < 45, size: 6 },
                    paths: days ? undefined : uPlot.paths.bars({ size: [0.7, 80] })
                }
            ]
        };
    }

    function draw(index) {
        var series = chart.series[index];
        if (plot) {
            plot.destroy();
        }
        plot = new uPlot(options(series), [xs, series.values.map(Number)], target);
        target.setAttribute('aria-label', series.label);
    }

    if (select && controls && chart.series.length > 1) {
        controls.hidden = false;
        select.addEventListener('change', function () { draw(Number(select.value)); });
    }
    var resizing = null;
    window.addEventListener('resize', function () {
        clearTimeout(resizing);
        resizing = setTimeout(function () {
            if (plot) {
                plot.setSize({ width: width(), height: 260 });
            }
        }, 150);
    });
    draw(select ? Number(select.value) : 0);
}());
